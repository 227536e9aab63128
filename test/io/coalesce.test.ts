import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { coalesceRanges, readMany } from "../../src/io/coalesce.js";
import { LocalFileSource } from "../../src/io/local.js";
import type { ByteSource } from "../../src/io/types.js";
import { describeWithFixtures, fixturePath } from "../helpers/fixtures.js";

describe("coalesceRanges", () => {
  it("merges ranges within maxGap, in offset order, keeping track of members", () => {
    const groups = coalesceRanges(
      [
        { offset: 100, length: 10 },
        { offset: 0, length: 10 },
        { offset: 15, length: 5 },
        { offset: 5, length: 2 },
        { offset: 1000, length: 1 },
      ],
      { maxGap: 10 },
    );
    expect(groups).toEqual([
      { offset: 0, length: 20, members: [1, 3, 2] },
      { offset: 100, length: 10, members: [0] },
      { offset: 1000, length: 1, members: [4] },
    ]);
  });

  it("splits when a merge would pass maxSize, but keeps an oversized range whole", () => {
    const groups = coalesceRanges(
      [
        { offset: 0, length: 60 },
        { offset: 60, length: 60 },
        { offset: 120, length: 500 },
      ],
      { maxGap: 0, maxSize: 100 },
    );
    expect(groups.map((g) => [g.offset, g.length])).toEqual([
      [0, 60],
      [60, 60],
      [120, 500],
    ]);
  });

  it("rejects bad ranges and options", () => {
    expect(() => coalesceRanges([{ offset: -1, length: 2 }])).toThrow(/range 0/);
    expect(() => coalesceRanges([{ offset: 0, length: 1.5 }])).toThrow(/range 0/);
    expect(() => coalesceRanges([], { maxSize: 0 })).toThrow(/maxSize/);
  });
});

describeWithFixtures("h5ad", "readMany", () => {
  const path = fixturePath("h5ad", "cxg_small_perturbations.h5ad");
  const bytes = readFileSync(path);

  function tracked(source: ByteSource) {
    const stats = { reads: 0, inFlight: 0, maxInFlight: 0 };
    const wrapped: ByteSource = {
      uri: source.uri,
      size: (o) => source.size(o),
      read: async (offset, length, o) => {
        stats.reads++;
        stats.inFlight++;
        stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
        await new Promise((r) => setTimeout(r, 5));
        try {
          return await source.read(offset, length, o);
        } finally {
          stats.inFlight--;
        }
      },
      close: () => source.close(),
    };
    return { wrapped, stats };
  }

  it("returns every range in input order with the file's bytes, in fewer reads, within the concurrency", async () => {
    const { wrapped, stats } = tracked(new LocalFileSource(path));
    const ranges = Array.from({ length: 200 }, (_, i) => ({
      offset: ((i * 37) % 200) * 1000,
      length: 1 + ((i * 31) % 900),
    }));
    const got = await readMany(wrapped, ranges, { maxGap: 400, concurrency: 3 });
    ranges.forEach((r, i) => {
      expect(Buffer.from(got[i]!).equals(bytes.subarray(r.offset, r.offset + r.length))).toBe(true);
    });
    expect(stats.reads).toBe(coalesceRanges(ranges, { maxGap: 400 }).length);
    expect(stats.reads).toBeLessThan(ranges.length);
    expect(stats.maxInFlight).toBeLessThanOrEqual(3);
    expect(stats.maxInFlight).toBeGreaterThan(1);
    await wrapped.close();
  });

  it("fails with the first read error and stops taking new work", async () => {
    const { wrapped, stats } = tracked(new LocalFileSource(path));
    // The second range in offset order passes the end of the file.
    const ranges = [
      { offset: 0, length: 10 },
      { offset: 50, length: bytes.length },
      ...Array.from({ length: 50 }, (_, i) => ({ offset: 100_000 + i * 10_000, length: 10 })),
    ];
    await expect(readMany(wrapped, ranges, { maxGap: 0, concurrency: 2 })).rejects.toMatchObject({
      code: "truncated",
    });
    expect(stats.reads).toBeLessThan(ranges.length);
    await wrapped.close();
  });

  it("an abort rejects at once", async () => {
    const { wrapped } = tracked(new LocalFileSource(path));
    const controller = new AbortController();
    const ranges = Array.from({ length: 100 }, (_, i) => ({ offset: i * 10_000, length: 10 }));
    const p = readMany(wrapped, ranges, { maxGap: 0, concurrency: 1, signal: controller.signal });
    setTimeout(() => controller.abort(), 12);
    await expect(p).rejects.toMatchObject({ code: "aborted" });
    await wrapped.close();
  });
});
