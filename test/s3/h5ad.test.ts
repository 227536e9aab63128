/**
 * openH5ad over S3 (moto): cached and streamed opens give exactly what the local file gives, for every
 * h5ad fixture; bad URIs fail with typed errors naming the URI, promptly.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type H5adFile, openH5ad } from "../../src/h5ad/index.js";
import type { RemoteH5adFile } from "../../src/h5ad/remote.js";
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
          expect(cached.path).toBe(uri);
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
  });
});
