/**
 * Batched row reads: unsorted and repeated indices give exactly what per-row reads give, for dense,
 * CSR and CSC storage, CSR and dense output, float32 and float64; rows also match Python anndata.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isCellfeedError } from "../../src/errors.js";
import {
  type CsrRows,
  type DenseRows,
  type H5adFile,
  type MatrixReader,
  openH5ad,
} from "../../src/h5ad/index.js";
import { coalesce, planRows } from "../../src/h5ad/rows.js";
import { describeWithFixtures, fixturePath } from "../helpers/fixtures.js";
import { runPython } from "./python.js";

/** Dense row-major values of any readRows result (-0 as 0: CSR output drops signed zeros). */
function toDense(r: CsrRows | DenseRows): number[][] {
  const [n, m] = r.shape;
  const out = Array.from({ length: n }, () => new Array<number>(m).fill(0));
  if (r.format === "dense") {
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[i]![j] = r.data[i * m + j]! + 0;
  } else {
    for (let i = 0; i < n; i++) {
      for (let k = r.indptr[i]!; k < r.indptr[i + 1]!; k++) out[i]![r.indices[k]!] = r.data[k]!;
    }
  }
  return out;
}

function expectAscendingCsr(r: CsrRows): void {
  for (let i = 0; i < r.shape[0]; i++) {
    for (let k = r.indptr[i]! + 1; k < r.indptr[i + 1]!; k++) {
      expect(r.indices[k]!).toBeGreaterThan(r.indices[k - 1]!);
    }
  }
}

const BATCH = [7, 3, 3, 0, 41, 40, 39, 7, 12, 49, 1, 1];

describe("row planning", () => {
  it("sorts, de-duplicates and maps positions to slots", () => {
    const plan = planRows([5, 1, 5, 3, 1], 10, { path: "p", dataset: "X" });
    expect(Array.from(plan.unique)).toEqual([1, 3, 5]);
    expect(Array.from(plan.slotOf)).toEqual([2, 0, 2, 1, 0]);
  });

  it("coalesces neighbours and merges small gaps only", () => {
    const unique = Int32Array.from([1, 2, 3, 10, 11, 50]);
    const runs = coalesce(unique, (a, b) => b - a - 1, 5);
    expect(runs.map((r) => [r.start, r.end])).toEqual([
      [1, 4],
      [10, 12],
      [50, 51],
    ]);
    const merged = coalesce(unique, (a, b) => b - a - 1, 6);
    expect(merged.map((r) => [r.start, r.end])).toEqual([
      [1, 12],
      [50, 51],
    ]);
  });

  it.each([
    [[0, 10], 1, "out of range"],
    [[-1], 0, "out of range"],
    [[1.5], 0, "not an integer"],
    [[Number.NaN], 0, "not an integer"],
  ])("rejects %j with the position %d", (indices, position, why) => {
    try {
      planRows(indices, 10, { path: "/f.h5ad", dataset: "X" });
      expect.unreachable();
    } catch (e) {
      expect(isCellfeedError(e, "invalid_index")).toBe(true);
      expect((e as Error).message).toContain(`position ${position}`);
      expect((e as Error).message).toContain(why);
      expect((e as Error).message).toContain("/f.h5ad");
    }
  });
});

describeWithFixtures("h5ad", "readRows", () => {
  const files: H5adFile[] = [];
  const cases: { name: string; get: () => MatrixReader }[] = [];
  let scanpy: H5adFile;
  let anndataR: H5adFile;
  let cxg: H5adFile;

  beforeAll(async () => {
    scanpy = await openH5ad(fixturePath("h5ad", "scanpy_pbmc68k_reduced_v2025.h5ad"));
    anndataR = await openH5ad(fixturePath("h5ad", "anndataR_example.h5ad"));
    cxg = await openH5ad(fixturePath("h5ad", "cxg_small_perturbations.h5ad"));
    files.push(scanpy, anndataR, cxg);
  });
  afterAll(() => {
    for (const f of files) f.close();
  });
  cases.push(
    { name: "dense chunked gzip X", get: () => scanpy.matrix("X") },
    { name: "dense int64 layer", get: () => anndataR.matrix("dense_counts") },
    { name: "CSR X", get: () => anndataR.matrix("X") },
    { name: "CSC layer", get: () => anndataR.matrix("layers/csc_counts") },
    { name: "CSR with unsorted column indices", get: () => cxg.matrix("X") },
  );

  for (const c of cases) {
    for (const output of ["csr", "dense"] as const) {
      for (const dtype of ["float32", "float64"] as const) {
        it(`${c.name}: batch == per-row reads (${output}, ${dtype})`, async () => {
          const m = c.get();
          const batch = await m.readRows(BATCH, { output, dtype });
          expect(batch.format).toBe(output);
          expect(batch.shape).toEqual([BATCH.length, m.shape[1]]);
          expect(batch.data).toBeInstanceOf(dtype === "float32" ? Float32Array : Float64Array);
          if (batch.format === "csr") expectAscendingCsr(batch);
          const got = toDense(batch);
          for (let i = 0; i < BATCH.length; i++) {
            const single = await m.readRows([BATCH[i]!], { output: "dense", dtype });
            expect(got[i], `row ${BATCH[i]} at ${i}`).toEqual(toDense(single)[0]);
          }
        });
      }
    }
  }

  it("CSC layer equals the CSR layer with the same counts", async () => {
    const all = Array.from({ length: 50 }, (_, i) => 49 - i);
    const csr = toDense(await anndataR.matrix("counts").readRows(all));
    const csc = toDense(await anndataR.matrix("csc_counts").readRows(all));
    expect(csc).toEqual(csr);
    expect(csr.flat().reduce((a, b) => a + b, 0)).toBe(9805);
  });

  it("matches Python anndata on unsorted, repeated rows", async () => {
    const rows = [499, 3, 250, 3, 0];
    const script = `
import anndata, json, sys, numpy as np
a = anndata.read_h5ad(sys.argv[1], backed="r")
out = []
for r in json.loads(sys.argv[2]):
    row = a.X[r]
    row = row.toarray()[0] if hasattr(row, "toarray") else np.asarray(row).ravel()
    nz = np.nonzero(row)[0]
    out.append({"indices": nz.tolist(), "values": row[nz].astype(float).tolist()})
print(json.dumps(out))`;
    const expected = JSON.parse(
      runPython(script, [fixturePath("h5ad", "cxg_small_perturbations.h5ad"), JSON.stringify(rows)]),
    ) as { indices: number[]; values: number[] }[];
    const got = (await cxg.matrix("X").readRows(rows, { output: "csr", dtype: "float64" })) as CsrRows;
    rows.forEach((_, i) => {
      const a = got.indptr[i]!;
      const b = got.indptr[i + 1]!;
      expect(Array.from(got.indices.subarray(a, b))).toEqual(expected[i]!.indices);
      expect(Array.from(got.data.subarray(a, b))).toEqual(expected[i]!.values);
    });
  });

  it("rejects bad indices with the file, dataset and position", async () => {
    const m = anndataR.matrix("X");
    await expect(m.readRows([0, 50])).rejects.toMatchObject({
      code: "invalid_index",
      path: fixturePath("h5ad", "anndataR_example.h5ad"),
      dataset: "X",
    });
    await expect(m.readRows([0, 2.5])).rejects.toThrow(/position 1 is not an integer/);
    await expect(m.readRows([-1])).rejects.toThrow(/position 0 is out of range/);
    await expect(anndataR.matrix("csc_counts").readRows([Number.NaN])).rejects.toThrow(/not an integer/);
  });

  it("returns an empty batch for no indices", async () => {
    const r = await anndataR.matrix("X").readRows([]);
    expect(r.shape).toEqual([0, 100]);
    expect(r.data.length).toBe(0);
  });

  it("stops at an aborted signal", async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(anndataR.matrix("X").readRows([1, 2], { signal: ac.signal })).rejects.toMatchObject({
      code: "aborted",
    });
  });
});
