import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { BlockCache } from "../../src/io/block-cache.js";
import { LocalFileSource } from "../../src/io/local.js";
import type { ByteSource, ReadOptions } from "../../src/io/types.js";
import { describeWithFixtures, fixturePath } from "../helpers/fixtures.js";

/** Counts the reads reaching the underlying source; can be made slow. */
function counting(source: ByteSource, delayMs = 0) {
  const log: [number, number][] = [];
  const wrapped: ByteSource = {
    uri: source.uri,
    size: (o?: ReadOptions) => source.size(o),
    read: async (offset, length, o) => {
      log.push([offset, length]);
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      return source.read(offset, length, o);
    },
    close: () => source.close(),
  };
  return { wrapped, log };
}

describeWithFixtures("h5ad", "BlockCache", () => {
  const path = fixturePath("h5ad", "anndataR_example.h5ad");
  const bytes = readFileSync(path);

  it("returns the same bytes as the file for reads of every shape", async () => {
    const { wrapped } = counting(new LocalFileSource(path));
    const cached = new BlockCache(wrapped, { blockSize: 4096, maxBytes: 64 * 1024 });
    const cases: [number, number][] = [
      [0, 1],
      [4095, 2],
      [4096, 4096],
      [100, 20_000],
      [bytes.length - 3, 3],
      [0, bytes.length],
      [12_345, 0],
    ];
    for (const [o, l] of cases) {
      const got = await cached.read(o, l);
      expect(Buffer.from(got).equals(bytes.subarray(o, o + l))).toBe(true);
    }
    await expect(cached.read(bytes.length - 2, 5)).rejects.toMatchObject({ code: "truncated" });
    await cached.close();
  });

  it("serves repeated reads from memory and fetches neighbouring missing blocks in one read", async () => {
    const { wrapped, log } = counting(new LocalFileSource(path));
    const cached = new BlockCache(wrapped, { blockSize: 1000 });
    await cached.read(500, 2000); // blocks 0..2 in one read
    expect(log).toEqual([[0, 3000]]);
    await cached.read(1500, 100);
    await cached.read(0, 3000);
    expect(log).toHaveLength(1);
    await cached.read(2500, 1000); // block 2 cached, block 3 fetched alone
    expect(log[1]).toEqual([3000, 1000]);
    expect(cached.stats.misses).toBe(4);
    expect(cached.stats.hits).toBeGreaterThan(0);
    await cached.close();
  });

  it("stays within maxBytes, evicting least recently used blocks", async () => {
    const { wrapped, log } = counting(new LocalFileSource(path));
    const cached = new BlockCache(wrapped, { blockSize: 1000, maxBytes: 3000 });
    for (const b of [0, 1, 2]) await cached.read(b * 1000, 1);
    await cached.read(0, 1); // block 0 is now the most recent
    await cached.read(3000, 1); // evicts block 1
    expect(cached.stats.cachedBytes).toBeLessThanOrEqual(3000);
    const before = log.length;
    await cached.read(0, 1);
    expect(log.length).toBe(before);
    await cached.read(1000, 1);
    expect(log.length).toBe(before + 1);
    await cached.close();
  });

  it("concurrent readers of one block share a single fetch; an abort releases only its caller", async () => {
    const { wrapped, log } = counting(new LocalFileSource(path), 50);
    const cached = new BlockCache(wrapped, { blockSize: 4096 });
    const controller = new AbortController();
    const aborted = cached.read(10, 10, { signal: controller.signal });
    const others = [cached.read(0, 100), cached.read(200, 300)];
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: "aborted" });
    const [a, b] = await Promise.all(others);
    expect(Buffer.from(a!).equals(bytes.subarray(0, 100))).toBe(true);
    expect(Buffer.from(b!).equals(bytes.subarray(200, 500))).toBe(true);
    expect(log).toHaveLength(1);
    await cached.close();
  });
});
