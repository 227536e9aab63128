/**
 * Matrix reads through the direct HDF5 reader (src/h5ad/hdf5, plugged in behind range.ts) give
 * exactly what the h5wasm slice path gives, on every matrix of every real-tool fixture; batch reads
 * of CSR X make no h5wasm slice call; filter checks and closed-file errors keep their meaning.
 */
import { readdirSync } from "node:fs";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { isCellfeedError } from "../../src/errors.js";
import { setDirectReads } from "../../src/h5ad/direct.js";
import { H5Context } from "../../src/h5ad/h5context.js";
import { Hdf5File } from "../../src/h5ad/hdf5/index.js";
import { type CsrRows, type DenseRows, type H5adFile, openH5ad } from "../../src/h5ad/index.js";
import type { H5adMatrix } from "../../src/h5ad/matrix.js";
import { LocalFileSource } from "../../src/io/local.js";
import { describeWithFixtures, fixturePath } from "../helpers/fixtures.js";

const fx = (name: string) => fixturePath("h5ad", name);

/** Seeded random batch of `n` rows in [0, nRows), unsorted, with repeats and both ends. */
function batchOf(nRows: number, n: number, seed: number): number[] {
  let s = seed >>> 0;
  const out: number[] = [0, nRows - 1];
  while (out.length < n) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(Math.floor((s / 2 ** 32) * nRows));
  }
  out.push(out[2]!);
  return out;
}

/** Every matrix the file exposes, keyed by a readable name. */
function matrices(f: H5adFile): Map<string, H5adMatrix> {
  const out = new Map<string, H5adMatrix>();
  for (const k of f.matrixKeys()) out.set(k, f.matrix(k));
  for (const k of f.obsmKeys) if (f.elementLayout("obsm", k) !== "dataframe") out.set(`obsm/${k}`, f.obsm(k));
  for (const k of f.varmKeys) if (f.elementLayout("varm", k) !== "dataframe") out.set(`varm/${k}`, f.varm(k));
  for (const k of f.obspKeys) out.set(`obsp/${k}`, f.obsp(k));
  return out;
}

function plain(r: CsrRows | DenseRows): unknown {
  return r.format === "dense"
    ? { shape: r.shape, data: Array.from(r.data), type: r.data.constructor.name }
    : {
        shape: r.shape,
        indptr: Array.from(r.indptr),
        indices: Array.from(r.indices),
        data: Array.from(r.data),
        type: r.data.constructor.name,
      };
}

describeWithFixtures("h5ad", "direct HDF5 reads behind the h5ad reader", () => {
  const names = readdirSync(fixturePath("h5ad")).filter((n) => n.endsWith(".h5ad"));
  const opened: H5adFile[] = [];
  const open = async (name: string, direct: boolean): Promise<H5adFile> => {
    setDirectReads(direct);
    try {
      const f = await openH5ad(fx(name));
      opened.push(f);
      return f;
    } finally {
      setDirectReads(true);
    }
  };
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(() => {
    for (const f of opened) f.close();
  });

  it("covers every fixture", () => {
    expect(names.length).toBeGreaterThanOrEqual(8);
  });

  for (const name of names) {
    it(`${name}: readRows equals the h5wasm path for every matrix, output and dtype`, async () => {
      const direct = await open(name, true);
      const h5 = await open(name, false);
      const dm = matrices(direct);
      const hm = matrices(h5);
      expect([...dm.keys()]).toEqual([...hm.keys()]);
      expect(dm.size).toBeGreaterThan(0);
      for (const [key, m] of dm) {
        const ref = hm.get(key)!;
        const rows = batchOf(m.shape[0], Math.min(40, 2 * m.shape[0]), key.length * 7919 + 1);
        for (const output of ["dense", "csr"] as const) {
          for (const dtype of ["float32", "float64"] as const) {
            const got = await m.readRows(rows, { output, dtype });
            const want = await ref.readRows(rows, { output, dtype });
            expect(plain(got), `${name} ${key} ${output} ${dtype}`).toEqual(plain(want));
          }
        }
        // A batch of neighbours (merged into one run) and an empty batch.
        const near = [3, 1, 2, 0, 2].filter((r) => r < m.shape[0]);
        expect(plain(await m.readRows(near, { output: "csr" }))).toEqual(
          plain(await ref.readRows(near, { output: "csr" })),
        );
        expect((await m.readRows([])).shape).toEqual([0, m.shape[1]]);
        // scatterRows (what MappedCollection uses) writes the same values, through a column map.
        const width = m.shape[1] + 2;
        const colMap = Int32Array.from({ length: m.shape[1] }, (_, c) => (c % 3 === 1 ? -1 : width - 1 - c));
        const pos = Int32Array.from(rows, (_, k) => rows.length - 1 - k);
        const out = new Float64Array(rows.length * width);
        await m.scatterRows(rows, { out, width, pos, colMap });
        const dense = (await ref.readRows(rows, { output: "dense", dtype: "float64" })) as DenseRows;
        const want = new Float64Array(rows.length * width);
        for (let k = 0; k < rows.length; k++) {
          for (let c = 0; c < m.shape[1]; c++) {
            if (colMap[c]! >= 0) want[pos[k]! * width + colMap[c]!] = dense.data[k * m.shape[1] + c]!;
          }
        }
        expect(Array.from(out), `${name} ${key} scatterRows`).toEqual(Array.from(want));
        expect(await m.stats()).toEqual(await ref.stats());
      }
    });
  }

  it("a CSR batch makes no h5wasm slice call (and the h5wasm path does)", async () => {
    const slice = vi.spyOn(H5Context.prototype, "slice");
    for (const name of ["cxg_small_perturbations.h5ad", "anndataR_example.h5ad", "cxg_example_valid.h5ad"]) {
      const f = await open(name, true);
      const x = f.matrix("X");
      expect(x.layout).toBe("csr");
      await x.readRows(batchOf(x.shape[0], 64, 5), { output: "dense" });
      await x.readRows(batchOf(x.shape[0], 64, 6), { output: "csr" });
    }
    expect(slice).not.toHaveBeenCalled();
    const h = await open("cxg_small_perturbations.h5ad", false);
    await h.matrix("X").readRows([1, 5, 400]);
    expect(slice.mock.calls.length).toBeGreaterThan(0);
  });

  it("dense X (gzip chunks and contiguous float64) is read directly too", async () => {
    const slice = vi.spyOn(H5Context.prototype, "slice");
    for (const name of ["scanpy_pbmc68k_reduced_v2025.h5ad", "soma_pbmc_small.h5ad"]) {
      const f = await open(name, true);
      expect(f.matrix("X").layout).toBe("dense");
      await f.matrix("X").readRows(batchOf(f.shape[0], 50, 9));
    }
    expect(slice).not.toHaveBeenCalled();
  });

  it("a filter the runtime may not decode still raises UnsupportedFilterError naming file and dataset", async () => {
    const f = await openH5ad(fx("legacy_v078_lzf.h5ad"), { decodableFilters: [1, 2, 3, 4] }).catch(
      (e: unknown) => e,
    );
    // Opening may already fail (it reads LZF-compressed obs columns); if not, the matrix read must.
    const err = isCellfeedError(f)
      ? f
      : await (f as H5adFile)
          .matrix("X")
          .readRows([0])
          .catch((e: unknown) => e);
    if (!isCellfeedError(err)) throw new Error(`expected an UnsupportedFilterError, got ${String(err)}`);
    expect(err.code).toBe("unsupported_filter");
    expect(err).toMatchObject({ path: fx("legacy_v078_lzf.h5ad"), dataset: expect.stringMatching(/./) });
    expect(err.message).toMatch(/lzf|32000/);
  });

  it("reads after close fail with IoError naming the file", async () => {
    const f = await openH5ad(fx("cxg_small_perturbations.h5ad"));
    const x = f.matrix("X");
    await x.readRows([0, 1]);
    f.close();
    const err = await x.readRows([0]).catch((e: unknown) => e);
    expect(isCellfeedError(err, "io")).toBe(true);
    expect((err as { message: string }).message).toMatch(/closed/);
    expect(err).toMatchObject({ path: fx("cxg_small_perturbations.h5ad") });
  });
});

describeWithFixtures("h5ad", "DirectDataset.readRuns", () => {
  it("equals read() range by range on every dataset of X, sync and async sources", async () => {
    for (const name of [
      "cxg_small_perturbations.h5ad",
      "scanpy_pbmc68k_reduced_v2025.h5ad",
      "legacy_v078_lzf.h5ad",
    ]) {
      const source = new LocalFileSource(fx(name));
      const file = await Hdf5File.open(source);
      // An async-only view of the same file (no readSync): the concurrent path.
      const asyncFile = await Hdf5File.open({
        uri: source.uri,
        size: (o) => source.size(o),
        read: (off, len, o) => source.read(off, len, o),
        close: async () => {},
      });
      const paths = name.startsWith("scanpy") ? ["X", "raw/X/data"] : ["X/data", "X/indices", "X/indptr"];
      for (const p of paths) {
        const d = (await file.dataset(p))!;
        const a = (await asyncFile.dataset(p))!;
        expect(d, `${name} ${p}`).not.toBeNull();
        const n = d.shape[0]!;
        const starts = [0, Math.floor(n / 3), Math.floor(n / 2), n - 1, 5];
        const ends = [Math.min(n, 7), Math.floor(n / 3) + 1, n, n, 5];
        const want: number[] = [];
        for (let i = 0; i < starts.length; i++) {
          for (const v of await d.read(starts[i]!, ends[i]!)) want.push(v);
        }
        expect(Array.from(await d.readRuns(starts, ends)), `${name} ${p}`).toEqual(want);
        expect(Array.from(await a.readRuns(starts, ends)), `${name} ${p} async`).toEqual(want);
      }
      await source.close();
    }
  });
});

describe("LocalFileSource.readSync", () => {
  it("reads exactly like read(), into a given buffer too, and fails clearly before open and after close", async () => {
    const s = new LocalFileSource(fx("soma_pbmc_small.h5ad"));
    expect(s.syncReady).toBe(false);
    expect(() => s.readSync(0, 8)).toThrow(/before the file is open/);
    const size = await s.size();
    expect(s.syncReady).toBe(true);
    expect(Array.from(s.readSync(100, 64))).toEqual(Array.from(await s.read(100, 64)));
    const into = new Uint8Array(80);
    const view = s.readSync(size - 16, 16, into, 10);
    expect(view.byteOffset).toBe(10);
    expect(Array.from(into.subarray(10, 26))).toEqual(Array.from(await s.read(size - 16, 16)));
    expect(() => s.readSync(size - 4, 8)).toThrow(/passes the end/);
    await s.close();
    expect(() => s.readSync(0, 8)).toThrow(/after close/);
  });
});
