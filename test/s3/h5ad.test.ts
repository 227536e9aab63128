/**
 * openH5ad over S3 (moto): cached and streamed opens give exactly what the local file gives, for every
 * h5ad fixture; bad URIs fail with typed errors naming the URI, promptly.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  AbortError,
  type CellfeedError,
  FileNotFoundError,
  IoError,
  NotHdf5Error,
} from "../../src/errors.js";
import { type H5adFile, openH5ad } from "../../src/h5ad/index.js";
import type { RemoteH5adFile } from "../../src/h5ad/remote.js";
import { startFaultProxy } from "../helpers/fault-proxy.js";
import { describeWithFixtures, fixturePath } from "../helpers/fixtures.js";
import { describeWithS3 } from "../helpers/moto.js";

const BUCKET = "h5ad-fixtures";

function fixtureNames(): string[] {
  try {
    return readdirSync(fixturePath("h5ad"))
      .filter((n) => n.endsWith(".h5ad"))
      .sort();
  } catch {
    return [];
  }
}

/** describe() without the path (local path vs URI) as comparable JSON. */
async function summary(f: H5adFile): Promise<unknown> {
  const d = (await f.describe()) as unknown as Record<string, unknown>;
  const { path: _path, ...rest } = d;
  return JSON.parse(JSON.stringify(rest, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
}

/** A spread of rows (first, last, a few in between, one repeated) of every matrix key. */
async function rowsOf(f: H5adFile): Promise<unknown> {
  const out: Record<string, unknown> = {};
  const n = f.shape[0];
  const rows = n === 0 ? [] : [...new Set([0, n - 1, Math.floor(n / 2), Math.floor(n / 3)])].concat([0]);
  for (const key of f.matrixKeys()) {
    const m = f.matrix(key);
    const batch = await m.readRows(rows, { output: "dense", dtype: "float64" });
    out[key] = Array.from((batch as { data: ArrayLike<number> }).data, (v) => (Number.isNaN(v) ? "NaN" : v));
  }
  return out;
}

describeWithFixtures("h5ad", "openH5ad over S3", () => {
  describeWithS3("moto", (s3) => {
    const names = fixtureNames();
    let cacheDir: string;
    beforeAll(async () => {
      cacheDir = mkdtempSync(join(tmpdir(), "cellfeed-s3-h5ad-"));
      await s3.createBucket(BUCKET);
      for (const n of names) await s3.put(BUCKET, n, readFileSync(fixturePath("h5ad", n)));
    });
    afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

    it("has fixtures to compare", () => {
      expect(names.length).toBeGreaterThanOrEqual(5);
    });

    for (const name of fixtureNames()) {
      it(`${name}: cached and streamed equal the local file`, async () => {
        const local = await openH5ad(fixturePath("h5ad", name));
        const uri = `s3://${BUCKET}/${name}`;
        const cached = await openH5ad(uri, { s3: s3.options(), cacheDir });
        const streamed = (await openH5ad(uri, { s3: s3.options(), stream: true })) as RemoteH5adFile;
        try {
          const want = { d: await summary(local), rows: await rowsOf(local) };
          expect({ d: await summary(cached), rows: await rowsOf(cached) }).toEqual(want);
          expect({ d: await summary(streamed), rows: await rowsOf(streamed) }).toEqual(want);
          expect(cached.path.startsWith(cacheDir)).toBe(true);
          expect(streamed.path).toBe(uri);
          const stats = streamed.stats;
          expect(stats.fileSize).toBe(readFileSync(fixturePath("h5ad", name)).length);
          expect(stats.requests).toBeGreaterThan(0);
          expect(stats.bytesRead).toBeGreaterThan(0);
        } finally {
          local.close();
          cached.close();
          streamed.close();
        }
      });
    }

    it("a missing key or bucket gives a typed error naming the URI, cached or streamed", async () => {
      for (const uri of [`s3://${BUCKET}/missing.h5ad`, "s3://no-such-bucket-cellfeed/a.h5ad"]) {
        for (const stream of [false, true]) {
          const t0 = Date.now();
          const e = await openH5ad(uri, { s3: s3.options(), cacheDir, stream }).catch((x: unknown) => x);
          expect(e, `${uri} stream=${stream}`).toBeInstanceOf(FileNotFoundError);
          expect((e as CellfeedError).path).toBe(uri);
          expect((e as Error).message).toContain(uri);
          expect(Date.now() - t0).toBeLessThan(10_000);
        }
      }
    });

    it("an object that is not HDF5 gives NotHdf5Error naming the URI (streamed)", async () => {
      await s3.put(BUCKET, "notes.h5ad", "just some text, not HDF5 at all");
      const uri = `s3://${BUCKET}/notes.h5ad`;
      await expect(openH5ad(uri, { s3: s3.options(), stream: true })).rejects.toSatisfy(
        (e) => e instanceof NotHdf5Error && e.path === uri,
      );
    });

    it("a streamed read of an object deleted after opening fails with the S3 error, then closes", async () => {
      const name = names[0]!;
      await s3.put(BUCKET, "doomed.h5ad", readFileSync(fixturePath("h5ad", name)));
      const uri = `s3://${BUCKET}/doomed.h5ad`;
      const f = (await openH5ad(uri, {
        s3: s3.options(),
        stream: true,
        // No block cache, so the reads after the delete go to S3. (Not many tiny blocks either: moto's
        // request log goes to a pipe that this thread cannot drain while a streamed read blocks it.)
        streamOptions: { blockSize: 8192, readAheadBlocks: 0, maxCacheBytes: 0 },
      })) as RemoteH5adFile;
      await s3.admin.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "doomed.h5ad" }));
      const key = f.matrixKeys()[0]!;
      const rows = [0, 1, Math.floor(f.shape[0] / 2), f.shape[0] - 1];
      const e = await f
        .matrix(key)
        .readRows(rows)
        .catch((x: unknown) => x);
      expect(e).toBeInstanceOf(FileNotFoundError);
      expect((e as CellfeedError).path).toBe(uri);
      f.close();
    });

    it("aborting while a streamed open waits on S3 returns promptly with AbortError", async () => {
      const proxy = await startFaultProxy(s3.endpoint);
      try {
        proxy.inject([{ kind: "delay", ms: 4000 }], (req) => req.method === "HEAD");
        const ac = new AbortController();
        const t0 = Date.now();
        setTimeout(() => ac.abort(), 100);
        const e = await openH5ad(`s3://${BUCKET}/${names[0]}`, {
          s3: s3.options(proxy.url),
          stream: true,
          signal: ac.signal,
        }).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(AbortError);
        expect(Date.now() - t0).toBeLessThan(1500);
        // An already aborted signal fails before any request.
        const before = proxy.requests.length;
        await expect(
          openH5ad(`s3://${BUCKET}/${names[0]}`, {
            s3: s3.options(proxy.url),
            stream: true,
            signal: ac.signal,
          }),
        ).rejects.toBeInstanceOf(AbortError);
        expect(proxy.requests.length).toBe(before);
      } finally {
        await proxy.close();
      }
    });

    it("a streamed read with no answer fails after readTimeoutMs instead of hanging", async () => {
      // The proxy lives in this thread, which the blocking read stalls: no answer can come.
      const proxy = await startFaultProxy(s3.endpoint);
      try {
        const t0 = Date.now();
        const e = await openH5ad(`s3://${BUCKET}/${names[0]}`, {
          s3: s3.options(proxy.url),
          stream: true,
          streamOptions: { readTimeoutMs: 1000 },
        }).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(IoError);
        expect((e as Error).message).toMatch(/no answer/);
        expect(Date.now() - t0).toBeLessThan(4000);
      } finally {
        await proxy.close();
      }
    });
  });
});
