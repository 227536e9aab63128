/**
 * The other direction of the writer's round trip: files written by the real anndata (`write_h5ad`,
 * plain and gzip; dense, CSR, CSC and int64-index X; layers; categoricals with NaN; pandas
 * "Int64"/"boolean" columns) read by cellfeed's `openH5ad` give what anndata reads back from them.
 * Also: files from cellfeed's writer (booleans as h5py-style enums; CSC matrices, raw, sparse
 * obsm/obsp) read back through `openH5ad`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type H5adFile, openH5ad } from "../../src/h5ad/index.js";
import type { CsrRows, DenseRows, MatrixReader } from "../../src/h5ad/types.js";
import { writeH5ad } from "../../src/h5ad/write.js";
import type { MatrixInput } from "../../src/h5ad/write-input.js";
import { describeWithAnndata, PY_PRELUDE, runPython } from "../helpers/anndata.js";

/** Writes the files into argv[1]; prints {file: {dump, dense, stored}} as anndata reads them back. */
const MAKE = `${PY_PRELUDE}
out_dir = sys.argv[1]
rng = np.random.default_rng(7)
n, m = 7, 5
dense = rng.integers(0, 4, size=(n, m)).astype(np.float32) * rng.random((n, m), dtype=np.float32)
obs = pd.DataFrame({
    "cell_type": pd.Categorical(["T", "B", np.nan, "T", "NK", "B", np.nan], categories=["T", "B", "NK"]),
    "stage": pd.Categorical(["late", "early", "mid", "mid", "early", "late", "late"],
                            categories=["early", "mid", "late"], ordered=True),
    "batch": pd.Categorical([3, 1, 3, 3, 1, 1, 3]),
    "score": np.array([0.5, np.nan, -1.25, 3.0, 1e-8, 2.0, 0.0]),
    "n_genes": np.array([10, 0, -5, 7, 2147483647, 1, 2], dtype=np.int32),
    "frac": np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], dtype=np.float32),
    "is_doublet": np.array([True, False, False, True, False, True, False]),
    "barcode": ["AAAC", "AAAG", "ÄÖÜ", "😀", "x", "y", "z"],
    "n_umi": pd.array([5, None, 7, 8, None, 1, 2], dtype="Int64"),
    "flag": pd.array([True, None, False, True, False, None, True], dtype="boolean"),
}, index=[f"cell{i}" for i in range(n)])
var = pd.DataFrame({"highly_variable": np.array([True, False, True, True, False])},
                   index=pd.Index([f"g{j}" for j in range(m)], name="gene_ids"))

def make(X):
    a = ad.AnnData(X=X, obs=obs.copy(), var=var.copy())
    a.layers["counts"] = sp.csr_matrix(np.floor(dense * 10).astype(np.int32))
    a.layers["dense64"] = dense.astype(np.float64) / 3
    a.obsm["X_pca"] = rng.random((n, 2))
    return a

csr64 = sp.csr_matrix(dense)
csr64.indices = csr64.indices.astype(np.int64)
csr64.indptr = csr64.indptr.astype(np.int64)
files = {
    "dense.h5ad": (make(dense), None),
    "csr-gzip.h5ad": (make(sp.csr_matrix(dense.astype(np.float64))), "gzip"),
    "csc.h5ad": (make(sp.csc_matrix(dense)), None),
    "csr-int64.h5ad": (make(csr64), "gzip"),
}
result = {}
for name, (a, compression) in files.items():
    path = out_dir + "/" + name
    a.write_h5ad(path, compression=compression)
    b = ad.read_h5ad(path)
    stored = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda k, o: stored.__setitem__(k, str(o.dtype)) if isinstance(o, h5py.Dataset) else None)
    result[name] = {"dump": dump_adata(b), "stored": stored,
                    "dense": {k: np.asarray(v.toarray() if sp.issparse(v) else v).ravel()
                              for k, v in [("X", b.X)] + list(b.layers.items())},
                    "csr": matrix(sp.csr_matrix(b.X))}
print_json(result)
`;

interface PyColumn {
  dtype: string;
  categories?: (string | number)[];
  ordered?: boolean;
  values: (string | number | boolean | null)[];
}
interface PyFile {
  dump: {
    shape: [number, number];
    obs: { index: string[]; indexName: string | null; columns: string[]; data: Record<string, PyColumn> };
    var: { index: string[]; indexName: string | null; columns: string[]; data: Record<string, PyColumn> };
    X: { format: string; dtype: string };
    layers: Record<string, { format: string; dtype: string; shape: number[] }>;
    obsm: Record<string, { shape: number[]; data: number[] }>;
  };
  stored: Record<string, string>;
  dense: Record<string, number[]>;
  csr: { indptr: number[]; indices: number[]; data: number[] };
}

const dir = mkdtempSync(join(tmpdir(), "cellfeed-interop-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let made: Record<string, PyFile> = {};

/** Python's pandas dtype → what cellfeed's ColumnInfo reports. */
const KIND: Record<string, { kind: string; nullable?: boolean }> = {
  category: { kind: "categorical" },
  float64: { kind: "numeric" },
  float32: { kind: "numeric" },
  int32: { kind: "numeric" },
  bool: { kind: "boolean" },
  object: { kind: "string" },
  Int64: { kind: "numeric", nullable: true },
  boolean: { kind: "boolean", nullable: true },
};

function all(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

async function expectFile(f: H5adFile, py: PyFile): Promise<void> {
  const d = py.dump;
  expect(d.obs.columns).toHaveLength(10);
  expect(f.shape).toEqual(d.shape);
  expect(f.obsNames()).toEqual(d.obs.index);
  expect(f.varNames()).toEqual(d.var.index);
  expect(f.var.indexName).toBe(d.var.indexName ?? "_index");
  for (const [frame, pyFrame] of [
    [f.obs, d.obs],
    [f.var, d.var],
  ] as const) {
    expect([...frame.columns]).toEqual(pyFrame.columns);
    for (const name of pyFrame.columns) {
      const pyCol = pyFrame.data[name];
      const info = frame.info(name);
      expect({ name, kind: info.kind, nullable: info.nullable === true }).toEqual({
        name,
        kind: KIND[pyCol?.dtype ?? ""]?.kind,
        nullable: KIND[pyCol?.dtype ?? ""]?.nullable === true,
      });
      if (pyCol?.categories !== undefined) {
        expect(info.categories).toEqual(pyCol.categories);
        expect(info.ordered).toBe(pyCol.ordered);
      }
      // Float32 values survive JSON as their exact double value.
      expect(frame.labels(name)).toEqual(pyCol?.values);
    }
  }
  const [nObs, nVars] = d.shape;
  for (const key of ["X", ...Object.keys(d.layers)]) {
    const matrix = f.matrix(key);
    const pyFormat = key === "X" ? d.X.format : d.layers[key]?.format;
    expect(matrix.layout).toBe(pyFormat === "dense" ? "dense" : pyFormat);
    const dense = (await matrix.readRows(all(nObs), { output: "dense", dtype: "float64" })) as DenseRows;
    expect(dense.shape).toEqual([nObs, nVars]);
    expect(Array.from(dense.data)).toEqual(py.dense[key]);
  }
  // Rows in any order, with repeats, as CSR.
  const order = [3, 0, 3, nObs - 1];
  const rows = (await f.matrix("X").readRows(order, { output: "csr", dtype: "float64" })) as CsrRows;
  const expected = order.flatMap((r) => py.dense.X?.slice(r * nVars, (r + 1) * nVars) ?? []);
  const got = new Array<number>(order.length * nVars).fill(0);
  order.forEach((_, i) => {
    for (let k = rows.indptr[i] as number; k < (rows.indptr[i + 1] as number); k++) {
      got[i * nVars + (rows.indices[k] as number)] = rows.data[k] as number;
    }
  });
  expect(got).toEqual(expected);
  const pca = f.obsm("X_pca");
  const pcaRows = (await pca.readRows(all(nObs), { output: "dense", dtype: "float64" })) as DenseRows;
  expect(Array.from(pcaRows.data)).toEqual(d.obsm.X_pca?.data);
}

describeWithAnndata("anndata.write_h5ad → openH5ad", () => {
  beforeAll(async () => {
    made = await runPython<Record<string, PyFile>>(MAKE, [dir]);
  });

  it.each(["dense.h5ad", "csr-gzip.h5ad", "csc.h5ad", "csr-int64.h5ad"])("%s", async (name) => {
    const py = made[name];
    if (py === undefined) throw new Error(`python made no ${name}`);
    if (name === "csr-int64.h5ad") {
      expect(py.stored["X/indices"]).toBe("int64");
      expect(py.stored["X/indptr"]).toBe("int64");
    }
    const f = await openH5ad(join(dir, name));
    try {
      await expectFile(f, py);
    } finally {
      f.close();
    }
  });
});

/** Row-major dense values of a writer input, computed here (not by the reader under test). */
function toDense(m: MatrixInput): number[] {
  const [rows, cols] = m.shape;
  if (m.format === "dense") return Array.from(m.data as ArrayLike<number>, Number);
  const out = new Array<number>(rows * cols).fill(0);
  const major = m.format === "csr" ? rows : cols;
  for (let i = 0; i < major; i++) {
    for (let k = Number(m.indptr[i]); k < Number(m.indptr[i + 1]); k++) {
      const j = Number(m.indices[k]);
      const [r, c] = m.format === "csr" ? [i, j] : [j, i];
      out[r * cols + c] = Number(m.data[k]);
    }
  }
  return out;
}

async function denseOf(matrix: MatrixReader, rows: number): Promise<number[]> {
  const got = (await matrix.readRows(all(rows), { output: "dense", dtype: "float64" })) as DenseRows;
  return Array.from(got.data);
}

describe("writeH5ad → openH5ad", () => {
  it("reads back every column kind and the matrices", async () => {
    const path = join(dir, "cellfeed.h5ad");
    await writeH5ad(
      path,
      {
        X: {
          format: "csr",
          shape: [3, 2],
          indptr: Int32Array.of(0, 1, 1, 3),
          indices: Int32Array.of(1, 0, 1),
          data: Float32Array.of(0.5, 2, 3),
        },
        obs: {
          index: ["a", "b", "c"],
          columns: {
            ct: { kind: "categorical", categories: ["x", "y"], codes: Int8Array.of(1, -1, 0), ordered: true },
            n: { kind: "categorical", values: [2, 1, null] },
            f: { kind: "numeric", values: Float64Array.of(1.5, Number.NaN, 3) },
            b: { kind: "boolean", values: [true, false, true] },
            s: { kind: "string", values: ["p", "q", "r"] },
            ni: { kind: "nullable-integer", values: Int32Array.of(4, 0, 6), mask: [false, true, false] },
            nb: { kind: "nullable-boolean", values: [false, true, true], mask: [false, false, true] },
          },
        },
        layers: { d: { format: "dense", shape: [3, 2], data: Float64Array.of(1, 2, 3, 4, 5, 6) } },
      },
      { compression: "gzip" },
    );
    const f = await openH5ad(path);
    try {
      expect(f.shape).toEqual([3, 2]);
      expect(f.obsNames()).toEqual(["a", "b", "c"]);
      expect(f.varNames()).toEqual(["0", "1"]);
      const labels = Object.fromEntries(f.obs.columns.map((c) => [c, f.obs.labels(c)]));
      expect(labels).toEqual({
        ct: ["y", null, "x"],
        n: [2, 1, null],
        f: [1.5, null, 3],
        b: [true, false, true],
        s: ["p", "q", "r"],
        ni: [4, null, 6],
        nb: [false, true, null],
      });
      expect(f.obs.info("ct")).toMatchObject({ kind: "categorical", categories: ["x", "y"], ordered: true });
      expect(f.obs.info("nb")).toMatchObject({ kind: "boolean", nullable: true });
      const x = (await f.matrix("X").readRows([2, 0], { output: "dense", dtype: "float32" })) as DenseRows;
      expect(Array.from(x.data)).toEqual([2, 3, 0, 0.5]);
      const d = (await f.matrix("d").readRows([1], { output: "dense", dtype: "float64" })) as DenseRows;
      expect(Array.from(d.data)).toEqual([3, 4]);
    } finally {
      f.close();
    }
  });

  it("reads back CSC X and layers, raw (CSR X + var columns) and sparse obsm/obsp", async () => {
    const path = join(dir, "cellfeed-sparse.h5ad");
    const X: MatrixInput = {
      format: "csc",
      shape: [3, 4],
      indptr: Int32Array.of(0, 2, 2, 3, 5),
      indices: Int32Array.of(0, 2, 1, 0, 2),
      data: Float32Array.of(1, -2, 0.25, 4, 5),
    };
    const counts: MatrixInput = {
      format: "csc",
      shape: [3, 4],
      indptr: BigInt64Array.of(0n, 1n, 2n, 2n, 3n),
      indices: BigInt64Array.of(2n, 0n, 1n),
      data: Int32Array.of(7, 8, 9),
    };
    const rawX: MatrixInput = {
      format: "csr",
      shape: [3, 6],
      indptr: Int32Array.of(0, 2, 2, 4),
      indices: Int32Array.of(1, 5, 0, 3),
      data: Float64Array.of(1.5, 2.5, -3, 1e-9),
    };
    const pca: MatrixInput = {
      format: "csr",
      shape: [3, 2],
      indptr: Int32Array.of(0, 1, 3, 3),
      indices: Int32Array.of(1, 0, 1),
      data: Float32Array.of(0.5, 6, 7),
    };
    const graph: MatrixInput = {
      format: "csc",
      shape: [3, 3],
      indptr: Int32Array.of(0, 1, 2, 3),
      indices: Int32Array.of(1, 0, 0),
      data: Float64Array.of(0.75, 0.75, 1),
    };
    await writeH5ad(
      path,
      {
        X,
        layers: { counts },
        obsm: { X_sparse: pca },
        obsp: { connectivities: graph },
        raw: {
          X: rawX,
          var: {
            index: ["r0", "r1", "r2", "r3", "r4", "r5"],
            columns: {
              symbol: { kind: "string", values: ["A", "B", "C", "D", "E", "F"] },
              mt: { kind: "boolean", values: [true, false, false, false, false, true] },
              kind: { kind: "categorical", values: ["g", "p", "g", null, "g", "p"] },
            },
          },
        },
      },
      { compression: "gzip" },
    );
    const f = await openH5ad(path);
    try {
      expect(f.shape).toEqual([3, 4]);
      expect(f.matrixKeys()).toEqual(["X", "raw.X", "counts"]);
      expect(f.matrix("X").layout).toBe("csc");
      expect(await denseOf(f.matrix("X"), 3)).toEqual(toDense(X));
      expect(f.matrix("counts").layout).toBe("csc");
      expect(await denseOf(f.matrix("counts"), 3)).toEqual(toDense(counts));
      expect(f.raw?.shape).toEqual([3, 6]);
      expect(f.raw?.layout).toBe("csr");
      expect(f.raw?.varNames()).toEqual(["r0", "r1", "r2", "r3", "r4", "r5"]);
      expect(f.varNames()).toEqual(["0", "1", "2", "3"]);
      const rawVar = f.raw?.var;
      expect(rawVar?.columns).toEqual(["symbol", "mt", "kind"]);
      expect(rawVar?.labels("mt")).toEqual([true, false, false, false, false, true]);
      expect(rawVar?.labels("kind")).toEqual(["g", "p", "g", null, "g", "p"]);
      expect(await denseOf(f.matrix("raw.X"), 3)).toEqual(toDense(rawX));
      expect(f.obsm("X_sparse").layout).toBe("csr");
      expect(await denseOf(f.obsm("X_sparse"), 3)).toEqual(toDense(pca));
      expect(f.obsp("connectivities").layout).toBe("csc");
      expect(await denseOf(f.obsp("connectivities"), 3)).toEqual(toDense(graph));
      // CSC rows in any order, with repeats.
      const rows = (await f
        .matrix("X")
        .readRows([2, 0, 2], { output: "dense", dtype: "float64" })) as DenseRows;
      const full = toDense(X);
      expect(Array.from(rows.data)).toEqual([2, 0, 2].flatMap((r) => full.slice(r * 4, r * 4 + 4)));
    } finally {
      f.close();
    }
  });
});
