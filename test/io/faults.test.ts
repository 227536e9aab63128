import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { cache } from "../../src/io/cache/cache.js";
import { cachePathFor } from "../../src/io/cache/paths.js";
import { readMany } from "../../src/io/coalesce.js";
import { openStore } from "../../src/io/open.js";
import { withRetry } from "../../src/io/retry.js";
import { S3ByteSource } from "../../src/io/s3/index.js";
import { type Fault, type FaultProxy, startFaultProxy } from "../helpers/fault-proxy.js";
import { fixturePath } from "../helpers/fixtures.js";
import { describeWithS3 } from "../helpers/moto.js";

const BUCKET = "cellfeed-fault-test";
const NAME = "legacy_v050_pbmc68k_reduced.h5ad";
const FAST_RETRY = { retries: 6, baseDelayMs: 1, maxDelayMs: 10 };

describeWithS3("retries through an unreliable network (fault proxy in front of moto)", (s3) => {
  const dir = mkdtempSync(join(tmpdir(), "cellfeed-faults-"));
  const local = readFileSync(fixturePath("h5ad", NAME));
  const uri = `s3://${BUCKET}/${NAME}`;
  let proxy: FaultProxy;
  const viaProxy = () => ({ ...s3.options(proxy.url), requestTimeoutMs: 400 });

  beforeAll(async () => {
    await s3.createBucket(BUCKET);
    await s3.put(BUCKET, NAME, local);
    proxy = await startFaultProxy(s3.endpoint);
  });
  beforeEach(() => proxy.inject([]));
  afterAll(async () => {
    await proxy?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const everyFault: Fault[] = [
    { kind: "reset" },
    { kind: "status", status: 503, code: "SlowDown" },
    { kind: "truncate", fraction: 0.3 },
    { kind: "status", status: 500, code: "InternalError" },
    { kind: "delay", ms: 1500 },
    { kind: "status", status: 429, code: "TooManyRequests" },
    { kind: "truncate", fraction: 0 },
  ];

  it("reads give identical bytes despite resets, 5xx, 429, truncated bodies and timeouts", async () => {
    const retries: string[] = [];
    const source = withRetry(new S3ByteSource(uri, viaProxy()), {
      ...FAST_RETRY,
      retries: everyFault.length,
      onRetry: ({ error }) => retries.push((error as Error).message),
    });
    proxy.inject(everyFault);
    const got = await source.read(1000, 300_000);
    expect(Buffer.from(got).equals(local.subarray(1000, 301_000))).toBe(true);
    expect(proxy.pending()).toBe(0);
    expect(retries).toHaveLength(everyFault.length);
    expect(retries.some((m) => /truncated|aborted|ECONNRESET/i.test(m))).toBe(true);
    expect(retries.some((m) => /SlowDown/.test(m))).toBe(true);
    await source.close();
  });

  it("store listings and gets are retried too (openStore)", async () => {
    const store = await openStore(`s3://${BUCKET}/`, { s3: viaProxy(), retry: FAST_RETRY });
    const isList = (req: { method?: string; url?: string }) =>
      req.method === "GET" && /list-type=2/.test(req.url ?? "");
    proxy.inject([{ kind: "status", status: 503, code: "SlowDown" }, { kind: "reset" }], isList);
    const entries = await store.list("");
    expect(entries.map((e) => e.name)).toContain(NAME);
    expect(proxy.pending()).toBe(0);
    proxy.inject([{ kind: "truncate", fraction: 0.2 }]);
    expect(Buffer.from(await store.get(NAME)).equals(local)).toBe(true);
    expect(proxy.pending()).toBe(0);
  });

  it("a truncated body is never returned as data, even without retries", async () => {
    const source = new S3ByteSource(uri, viaProxy());
    proxy.inject([{ kind: "truncate", fraction: 0.5 }]);
    await expect(source.read(0, 100_000)).rejects.toMatchObject({ code: "io", retryable: true });
    await source.close();
  });

  it("readMany over faults gives the same bytes as the local file", async () => {
    const source = withRetry(new S3ByteSource(uri, viaProxy()), FAST_RETRY);
    const ranges = Array.from({ length: 40 }, (_, i) => ({
      offset: i * 40_000 + (i % 7) * 13,
      length: 1000 + i * 97,
    }));
    proxy.inject([
      { kind: "reset" },
      undefined,
      { kind: "status", status: 503, code: "SlowDown" },
      { kind: "truncate" },
    ]);
    const got = await readMany(source, ranges, { maxGap: 8000, concurrency: 3 });
    ranges.forEach((r, i) => {
      expect(Buffer.from(got[i]!).equals(local.subarray(r.offset, r.offset + r.length))).toBe(true);
    });
    expect(proxy.pending()).toBe(0);
    await source.close();
  });

  it("cache() under faults produces a byte-identical file", async () => {
    proxy.inject([...everyFault, { kind: "reset" }, { kind: "status", status: 503, code: "SlowDown" }]);
    const path = await cache(uri, { cacheDir: dir, partSize: 128 * 1024, s3: viaProxy(), retry: FAST_RETRY });
    expect(readFileSync(path).equals(local)).toBe(true);
    expect(proxy.pending()).toBe(0);
  });

  it("cache() rejects corrupted bytes (MD5 ≠ ETag) and keeps nothing", async () => {
    const other = `s3://${BUCKET}/copy.h5ad`;
    await s3.put(BUCKET, "copy.h5ad", local);
    proxy.inject([undefined, { kind: "corrupt" }]);
    await expect(
      cache(other, { cacheDir: dir, partSize: 256 * 1024, s3: viaProxy(), retry: FAST_RETRY }),
    ).rejects.toThrow(/MD5/);
    const final = cachePathFor(dir, other);
    expect(existsSync(final)).toBe(false);
    expect(existsSync(`${final}.part`)).toBe(false);
    expect(existsSync(`${final}.part.json`)).toBe(false);
  });

  it("403 and 404 are not retried by cache()", async () => {
    const before = proxy.requests.length;
    proxy.inject([{ kind: "status", status: 403, code: "AccessDenied" }], (req) => req.method === "HEAD");
    await expect(
      cache(`s3://${BUCKET}/denied.h5ad`, { cacheDir: dir, s3: viaProxy(), retry: FAST_RETRY }),
    ).rejects.toMatchObject({ status: 403, retryable: false });
    await expect(
      cache(`s3://${BUCKET}/absent.h5ad`, { cacheDir: dir, s3: viaProxy(), retry: FAST_RETRY }),
    ).rejects.toMatchObject({ code: "file_not_found" });
    expect(proxy.requests.length - before).toBe(2);
  });

  it("an abort during a backoff sleep ends the wait at once", async () => {
    const source = withRetry(new S3ByteSource(uri, viaProxy()), {
      retries: 3,
      baseDelayMs: 20_000,
      maxDelayMs: 20_000,
      random: () => 0.99,
    });
    proxy.inject([{ kind: "status", status: 503, code: "SlowDown" }]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    await expect(source.read(0, 10, { signal: controller.signal })).rejects.toMatchObject({
      code: "aborted",
    });
    expect(Date.now() - started).toBeLessThan(2000);
    await source.close();
  });

  it("an abort during a slow response ends the wait at once", async () => {
    const source = withRetry(new S3ByteSource(uri, { ...viaProxy(), requestTimeoutMs: 30_000 }), FAST_RETRY);
    proxy.inject([{ kind: "delay", ms: 5000 }]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    await expect(source.read(0, 10, { signal: controller.signal })).rejects.toMatchObject({
      code: "aborted",
    });
    expect(Date.now() - started).toBeLessThan(2000);
    await source.close();
  });
});
