import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { cache } from "../../src/io/cache/cache.js";
import { cachePathFor } from "../../src/io/cache/paths.js";
import { S3ByteSource } from "../../src/io/s3/index.js";
import { fixturePath } from "../helpers/fixtures.js";
import { describeWithS3 } from "../helpers/moto.js";

const BUCKET = "cellfeed-cache-test";
const PART = 256 * 1024;

/** Deterministic pseudo-random bytes (xorshift), so objects do not compress or repeat. */
function bytes(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describeWithS3("cache() on moto", (s3) => {
  const dir = mkdtempSync(join(tmpdir(), "cellfeed-cache-"));
  const counts: Record<string, number> = {};
  let client: S3Client;
  const big = bytes(8 * PART, 7); // 8 parts of 256 KiB
  const gets = () => counts.GetObjectCommand ?? 0;
  const heads = () => counts.HeadObjectCommand ?? 0;
  const opts = (extra: Record<string, unknown> = {}) => ({
    cacheDir: dir,
    partSize: PART,
    s3: { client },
    retry: { retries: 2, baseDelayMs: 1 },
    ...extra,
  });

  beforeAll(async () => {
    await s3.createBucket(BUCKET);
    await s3.put(BUCKET, "big.bin", big);
    await s3.put(
      BUCKET,
      "h5ad/pbmc.h5ad",
      readFileSync(fixturePath("h5ad", "scanpy_pbmc68k_reduced_v2025.h5ad")),
    );
    client = new S3Client({ ...s3.options(), maxAttempts: 1 });
    // Count requests by command, to prove what was (not) fetched.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = context.commandName ?? "?";
        counts[name] = (counts[name] ?? 0) + 1;
        return next(args);
      },
      { step: "initialize", name: "countRequests" },
    );
  });

  afterAll(() => {
    client?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it("returns local paths unchanged", async () => {
    const p = fixturePath("h5ad", "cxg_example_valid.h5ad");
    expect(await cache(p)).toBe(p);
    expect(await cache("relative/not-there.h5ad")).toBe("relative/not-there.h5ad");
    await expect(cache("https://example.com/x.h5ad", opts())).rejects.toMatchObject({
      code: "invalid_argument",
    });
  });

  it("downloads a byte-identical copy, then reuses it with one HeadObject and no GET", async () => {
    const uri = `s3://${BUCKET}/h5ad/pbmc.h5ad`;
    const original = readFileSync(fixturePath("h5ad", "scanpy_pbmc68k_reduced_v2025.h5ad"));
    const g0 = gets();
    const progress: number[] = [];
    const path = await cache(
      uri,
      opts({ onProgress: (p: { bytesDone: number }) => progress.push(p.bytesDone) }),
    );
    expect(path.startsWith(dir)).toBe(true);
    expect(path.endsWith("pbmc.h5ad")).toBe(true);
    expect(readFileSync(path).equals(original)).toBe(true);
    expect(gets() - g0).toBe(Math.ceil(original.length / PART));
    expect(progress.at(-1)).toBe(original.length);
    expect(existsSync(`${path}.part`)).toBe(false);
    expect(existsSync(`${path}.part.json`)).toBe(false);

    const g1 = gets();
    const h1 = heads();
    const reused: boolean[] = [];
    expect(await cache(uri, opts({ onProgress: (p: { reused: boolean }) => reused.push(p.reused) }))).toBe(
      path,
    );
    expect(gets()).toBe(g1);
    expect(heads() - h1).toBe(1);
    expect(reused).toEqual([true]);
  });

  it("caches an empty object", async () => {
    await s3.put(BUCKET, "empty.bin", new Uint8Array(0));
    const path = await cache(`s3://${BUCKET}/empty.bin`, opts());
    expect(statSync(path).size).toBe(0);
  });

  it("downloads again when the object's ETag changes", async () => {
    const uri = `s3://${BUCKET}/changing.bin`;
    const v1 = bytes(3 * PART + 5, 1);
    const v2 = bytes(2 * PART + 9, 2);
    await s3.put(BUCKET, "changing.bin", v1);
    const path = await cache(uri, opts());
    expect(readFileSync(path).equals(v1)).toBe(true);
    await s3.put(BUCKET, "changing.bin", v2);
    const g = gets();
    expect(await cache(uri, opts())).toBe(path);
    expect(readFileSync(path).equals(v2)).toBe(true);
    expect(gets() - g).toBe(3);
  });

  it("an abort mid-download leaves no file at the final name; the next call fetches only missing parts", async () => {
    const uri = `s3://${BUCKET}/big.bin`;
    const final = cachePathFor(dir, uri);
    const controller = new AbortController();
    const started = Date.now();
    await expect(
      cache(
        uri,
        opts({
          concurrency: 1,
          signal: controller.signal,
          onProgress: (p: { bytesDone: number }) => {
            if (p.bytesDone >= 2 * PART) controller.abort(new Error("user stop"));
          },
        }),
      ),
    ).rejects.toMatchObject({ code: "aborted" });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(existsSync(final)).toBe(false);
    expect(existsSync(`${final}.part`)).toBe(true);

    const g = gets();
    let resumedFrom = -1;
    const path = await cache(
      uri,
      opts({
        onProgress: (p: { bytesDone: number }) => {
          if (resumedFrom < 0) resumedFrom = p.bytesDone;
        },
      }),
    );
    expect(path).toBe(final);
    expect(readFileSync(path).equals(big)).toBe(true);
    expect(resumedFrom).toBeGreaterThanOrEqual(2 * PART);
    expect(resumedFrom).toBeLessThan(big.length);
    // Exactly the parts that were missing were fetched.
    expect(gets() - g).toBe(8 - resumedFrom / PART);
    expect(existsSync(`${final}.part`)).toBe(false);
    expect(existsSync(`${final}.part.json`)).toBe(false);
  });

  it("concurrent callers share one download; one caller's abort does not stop the others", async () => {
    const body = bytes(4 * PART, 3);
    await s3.put(BUCKET, "shared.bin", body);
    const uri = `s3://${BUCKET}/shared.bin`;
    const g = gets();
    const h = heads();
    const quitter = new AbortController();
    const results = await Promise.allSettled([
      cache(uri, opts({ concurrency: 1 })),
      cache(uri, opts({ signal: quitter.signal })),
      cache(uri, opts()),
      (async () => {
        await new Promise((r) => setTimeout(r, 1));
        quitter.abort();
      })(),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
    const path = (results[0] as PromiseFulfilledResult<string>).value;
    expect((results[2] as PromiseFulfilledResult<string>).value).toBe(path);
    expect(readFileSync(path).equals(body)).toBe(true);
    expect(gets() - g).toBe(4);
    expect(heads() - h).toBe(1);
  });

  it("keeps the cache under maxBytes by evicting the least recently used objects", async () => {
    const evictDir = mkdtempSync(join(tmpdir(), "cellfeed-evict-"));
    try {
      const o = [1, 2, 3].map((i) => bytes(100_000, 10 + i));
      for (const [i, b] of o.entries()) await s3.put(BUCKET, `lru/o${i}.bin`, b);
      const uri = (i: number) => `s3://${BUCKET}/lru/o${i}.bin`;
      const limit = { ...opts(), cacheDir: evictDir, maxBytes: 250_000 };
      const tick = () => new Promise((r) => setTimeout(r, 20));
      const p0 = await cache(uri(0), limit);
      await tick();
      const p1 = await cache(uri(1), limit);
      await tick();
      expect(await cache(uri(0), limit)).toBe(p0); // o0 is now more recent than o1
      await tick();
      const p2 = await cache(uri(2), limit);
      expect(existsSync(p0)).toBe(true);
      expect(existsSync(p1)).toBe(false);
      expect(existsSync(`${p1}.meta.json`)).toBe(false);
      expect(readFileSync(p2).equals(o[2]!)).toBe(true);
      // An object bigger than the limit is still returned (everything else is evicted).
      const alone = await cache(uri(1), { ...limit, maxBytes: 50_000 });
      expect(statSync(alone).size).toBe(100_000);
      expect(existsSync(p0) || existsSync(p2)).toBe(false);
    } finally {
      rmSync(evictDir, { recursive: true, force: true });
    }
  });

  it("uses CELLFEED_CACHE_DIR when no cacheDir is given", async () => {
    const envDir = mkdtempSync(join(tmpdir(), "cellfeed-envdir-"));
    vi.stubEnv("CELLFEED_CACHE_DIR", envDir);
    try {
      const { cacheDir: _unused, ...rest } = opts();
      const path = await cache(`s3://${BUCKET}/h5ad/pbmc.h5ad`, rest);
      expect(path.startsWith(envDir)).toBe(true);
    } finally {
      vi.unstubAllEnvs();
      rmSync(envDir, { recursive: true, force: true });
    }
  });

  it("multipart objects (ETag 'md5-N', not an MD5 of the bytes) are verified by size", async () => {
    const key = "multi.bin";
    const body = bytes(5 * 1024 * 1024 + 1000, 5);
    const { UploadId } = await s3.admin.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
    const parts = [body.subarray(0, 5 * 1024 * 1024), body.subarray(5 * 1024 * 1024)];
    const etags: string[] = [];
    for (const [i, part] of parts.entries()) {
      const r = await s3.admin.send(
        new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: i + 1, Body: part }),
      );
      etags.push(r.ETag!);
    }
    await s3.admin.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    const info = await new S3ByteSource(`s3://${BUCKET}/${key}`, { client }).head();
    expect(info.etag).toMatch(/-2"$/);
    expect(info.etagIsMd5).toBe(false);
    const path = await cache(`s3://${BUCKET}/${key}`, opts({ partSize: 2 * 1024 * 1024 }));
    expect(readFileSync(path).equals(body)).toBe(true);
  });
});
