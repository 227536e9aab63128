/**
 * Streamed h5ad files read matrix rows with the direct (pure-TS) HDF5 reader over its own async S3
 * source: same rows as the local file, its requests counted in `stats`, its source closed with the
 * file, its failures typed and naming the URI, retried when transient, abortable while in flight.
 */
import { readFileSync } from "node:fs";
import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { afterEach, beforeAll, expect, it } from "vitest";
import {
  AbortError,
  type CellfeedError,
  FileNotFoundError,
  InvalidArgumentError,
  IoError,
} from "../../src/errors.js";
import { directFile, setDirectReads } from "../../src/h5ad/direct.js";
import { type H5adFile, openH5ad } from "../../src/h5ad/index.js";
import type { RemoteH5adFile } from "../../src/h5ad/remote.js";
import { describeWithFixtures, fixturePath } from "../helpers/fixtures.js";
import { describeWithS3 } from "../helpers/moto.js";
import { startProxyThread } from "./proxy-thread.js";

const BUCKET = "h5ad-direct-stream";
/** gzip-chunked CSR X, 500 × 2000, X/data in 64 chunks: rows far apart live in different chunks. */
const NAME = "cxg_small_perturbations.h5ad";
/** Uncompressed chunked CSR X, 2 × 7. */
const PLAIN = "cxg_example_valid.h5ad";
const FAST_RETRY = { retries: 3, baseDelayMs: 1, maxDelayMs: 5 };

/** CSR rows as plain arrays, comparable with toEqual. */
async function csrRows(
  f: H5adFile,
  rows: number[],
): Promise<{ shape: number[]; indptr: number[]; indices: number[]; data: number[] }> {
  const r = await f.matrix("X").readRows(rows, { output: "csr" });
  if (r.format !== "csr") throw new Error("expected CSR rows");
  return { shape: r.shape, indptr: [...r.indptr], indices: [...r.indices], data: [...r.data] };
}

describeWithFixtures("h5ad", "streamed matrix rows through the direct reader", () => {
  describeWithS3("moto", (s3) => {
    const uri = `s3://${BUCKET}/${NAME}`;
    const body = () => readFileSync(fixturePath("h5ad", NAME));
    beforeAll(async () => {
      await s3.createBucket(BUCKET);
      await s3.put(BUCKET, NAME, body());
    });
    afterEach(() => setDirectReads(true));

    it("reads the same rows as the local file, and counts its requests in stats", async () => {
      const local = await openH5ad(fixturePath("h5ad", NAME));
      const f = (await openH5ad(uri, { s3: s3.options(), stream: true })) as RemoteH5adFile;
      try {
        const rows = [499, 0, 250, 17, 250, 498];
        const want = await csrRows(local, rows);
        expect(want.indices.length).toBeGreaterThan(0);
        const before = f.stats;
        expect(before.direct).toEqual({ bytesRead: 0, requests: 0 });
        expect(await csrRows(f, rows)).toEqual(want);
        const after = f.stats;
        expect(after.direct.requests).toBeGreaterThan(0);
        expect(after.direct.bytesRead).toBeGreaterThan(0);
        // The totals include the direct reader's part.
        expect(after.bytesRead - before.bytesRead).toBeGreaterThanOrEqual(after.direct.bytesRead);
        expect(after.requests - before.requests).toBeGreaterThanOrEqual(after.direct.requests);
        // The rows cost the direct reader a part of the object, not all of it.
        expect(after.direct.bytesRead).toBeLessThan(after.fileSize / 2);
      } finally {
        local.close();
        f.close();
      }
    });

    it("with direct reads off, h5wasm serves the rows (same values) and the direct counter stays 0", async () => {
      const local = await openH5ad(fixturePath("h5ad", NAME));
      setDirectReads(false);
      const f = (await openH5ad(uri, { s3: s3.options(), stream: true })) as RemoteH5adFile;
      try {
        const rows = [3, 400, 3];
        expect(await csrRows(f, rows)).toEqual(await csrRows(local, rows));
        expect(f.stats.direct).toEqual({ bytesRead: 0, requests: 0 });
      } finally {
        local.close();
        f.close();
      }
    });

    it("closing the file closes the direct reader's source", async () => {
      const f = (await openH5ad(uri, {
        s3: s3.options(),
        stream: true,
        streamOptions: { directCacheBytes: 0 },
      })) as RemoteH5adFile;
      await csrRows(f, [0]);
      const h5 = await directFile(f.ctx);
      expect(h5).not.toBeNull();
      const data = await h5!.dataset("X/data");
      expect(data).not.toBeNull();
      const n = data!.shape[0]!;
      // Open: a range not read yet comes from S3.
      const requests = f.stats.direct.requests;
      expect((await data!.readRuns([n >> 1], [(n >> 1) + 10])).length).toBe(10);
      expect(f.stats.direct.requests).toBeGreaterThan(requests);
      f.close();
      await expect(data!.readRuns([n - 10], [n])).rejects.toSatisfy(
        (e) => e instanceof IoError && (e as CellfeedError).path === uri,
      );
    });

    it("a direct read of an object deleted after opening fails with FileNotFoundError naming the URI", async () => {
      await s3.put(BUCKET, "doomed-direct.h5ad", body());
      const doomed = `s3://${BUCKET}/doomed-direct.h5ad`;
      const f = (await openH5ad(doomed, {
        s3: s3.options(),
        stream: true,
        streamOptions: { directCacheBytes: 0, retry: FAST_RETRY },
      })) as RemoteH5adFile;
      try {
        const m = f.matrix("X");
        await m.readRows([0]);
        await s3.admin.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "doomed-direct.h5ad" }));
        const requests = f.stats.direct.requests;
        const e = await m.readRows([499]).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(FileNotFoundError);
        expect((e as CellfeedError).path).toBe(doomed);
        expect((e as Error).message).toContain(doomed);
        // The failure came from the direct reader's own requests (one per dataset at most: a 404 is
        // not retried).
        expect(f.stats.direct.requests).toBeGreaterThan(requests);
        expect(f.stats.direct.requests).toBeLessThanOrEqual(requests + 3);
      } finally {
        f.close();
      }
    });

    it("retries a transient failure of a direct read and returns the same rows", async () => {
      // The proxy needs its own thread: h5wasm's reads block this one while they wait for S3.
      const proxy = await startProxyThread(s3.endpoint);
      const local = await openH5ad(fixturePath("h5ad", NAME));
      const f = (await openH5ad(uri, {
        s3: s3.options(proxy.url),
        stream: true,
        streamOptions: { directCacheBytes: 0, retry: FAST_RETRY },
      })) as RemoteH5adFile;
      try {
        const m = f.matrix("X");
        await m.readRows([0]);
        await proxy.inject([{ kind: "status", status: 503, code: "SlowDown" }]);
        const requests = f.stats.direct.requests;
        expect(await csrRows(f, [499, 250])).toEqual(await csrRows(local, [499, 250]));
        expect(await proxy.pending()).toBe(0);
        // The 503 was answered to one of these requests and sent again.
        const direct = f.stats.direct.requests - requests;
        const faulted = (await proxy.requests()).filter((r) => r.fault === "status");
        expect(faulted.length).toBe(1);
        expect(direct).toBeGreaterThanOrEqual(2);
      } finally {
        local.close();
        f.close();
        await proxy.close();
      }
    });

    it("a bad direct block size is refused at open, naming the URI", async () => {
      for (const streamOptions of [{ directBlockSize: 0 }, { directCacheBytes: -1 }]) {
        await expect(openH5ad(uri, { s3: s3.options(), stream: true, streamOptions })).rejects.toSatisfy(
          (e) => e instanceof InvalidArgumentError && (e as CellfeedError).path === uri,
        );
      }
    });

    it("aborting a direct read that waits on S3 returns promptly with AbortError", async () => {
      // An uncompressed X: its rows are plain range reads, which take the signal. (Compressed
      // chunks are fetched whole by the HDF5 reader and only checked for an abort once they arrive.)
      await s3.put(BUCKET, PLAIN, readFileSync(fixturePath("h5ad", PLAIN)));
      const proxy = await startProxyThread(s3.endpoint);
      const f = (await openH5ad(`s3://${BUCKET}/${PLAIN}`, {
        s3: s3.options(proxy.url),
        stream: true,
        streamOptions: { directCacheBytes: 0, readTimeoutMs: 10_000 },
      })) as RemoteH5adFile;
      try {
        const m = f.matrix("X");
        await m.readRows([0]);
        await proxy.inject(Array.from({ length: 8 }, () => ({ kind: "delay" as const, ms: 3000 })));
        const t0 = Date.now();
        const e = await m.readRows([1], { signal: AbortSignal.timeout(100) }).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(AbortError);
        expect(Date.now() - t0).toBeLessThan(1500);
      } finally {
        f.close();
        await proxy.close();
      }
    });
  });
});
