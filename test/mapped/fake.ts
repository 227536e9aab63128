/** An in-memory StoreFile for unit tests of the collection logic (real files are tested elsewhere). */
import type {
  Column,
  ColumnInfo,
  CsrRows,
  DataFrameReader,
  DenseRows,
  MatrixReader,
} from "../../src/h5ad/types.js";
import type { Label, StoreFile } from "../../src/mapped/types.js";

export interface FakeSpec {
  path: string;
  vars: string[];
  /** Dense row-major values [rows × vars]. */
  X: number[][];
  layout?: "dense" | "csr";
  layers?: Record<string, number[][]>;
  obsm?: Record<string, number[][]>;
  /** Categorical columns: labels (null = missing). */
  obs?: Record<string, Label[]>;
  raw?: { vars: string[]; X: number[][] } | null;
}

/** Counts readRows calls, to check one call per file and layer. */
export const calls: { path: string; key: string; rows: number[] }[] = [];

function matrix(path: string, key: string, rows: number[][], layout: "dense" | "csr"): MatrixReader {
  const nCols = rows[0]?.length ?? 0;
  return {
    key,
    shape: [rows.length, nCols],
    layout,
    dtype: "float64",
    async readRows(indices, options = {}): Promise<CsrRows | DenseRows> {
      const idx = Array.from(indices);
      calls.push({ path, key, rows: idx });
      const f64 = options.dtype === "float64";
      const out = options.output ?? (layout === "dense" ? "dense" : "csr");
      if (out === "dense") {
        const data = f64 ? new Float64Array(idx.length * nCols) : new Float32Array(idx.length * nCols);
        idx.forEach((r, k) => {
          data.set(rows[r]!, k * nCols);
        });
        return { format: "dense", shape: [idx.length, nCols], data };
      }
      const ind: number[] = [];
      const vals: number[] = [];
      const indptr = new Int32Array(idx.length + 1);
      idx.forEach((r, k) => {
        rows[r]!.forEach((v, c) => {
          if (v !== 0) {
            ind.push(c);
            vals.push(v);
          }
        });
        indptr[k + 1] = ind.length;
      });
      return {
        format: "csr",
        shape: [idx.length, nCols],
        indptr,
        indices: Int32Array.from(ind),
        data: f64 ? Float64Array.from(vals) : Float32Array.from(vals),
      };
    },
  };
}

function frame(n: number, cols: Record<string, Label[]>): DataFrameReader {
  const info = (name: string): ColumnInfo => {
    const v = cols[name];
    if (!v) throw new Error(`no column ${name}`);
    const nonNull = v.filter((x) => x !== null);
    if (nonNull.every((x) => typeof x === "number")) return { name, kind: "numeric", dtype: "float64" };
    const cats = [...new Set(nonNull.map(String))];
    return { name, kind: "categorical", dtype: "int8", categories: cats, ordered: false };
  };
  return {
    length: n,
    columns: Object.keys(cols),
    indexName: "_index",
    index: () => Array.from({ length: n }, (_, i) => `c${i}`),
    info,
    read(name): Column {
      const i = info(name);
      const v = cols[name]!;
      if (i.kind === "numeric")
        return {
          kind: "numeric",
          dtype: "float64",
          values: Float64Array.from(v.map((x) => (x === null ? Number.NaN : Number(x)))),
        };
      const cats = i.categories!;
      return {
        kind: "categorical",
        codes: Int32Array.from(v.map((x) => (x === null ? -1 : cats.indexOf(String(x))))),
        categories: cats,
        ordered: false,
      };
    },
    labels: (name) => [...cols[name]!],
  };
}

export function fakeStore(spec: FakeSpec): StoreFile {
  const layout = spec.layout ?? "csr";
  let closed = false;
  return {
    path: spec.path,
    shape: [spec.X.length, spec.vars.length],
    obs: frame(spec.X.length, spec.obs ?? {}),
    varNames: () => [...spec.vars],
    matrix(key) {
      if (closed) throw new Error("closed");
      if (key === "X") return matrix(spec.path, key, spec.X, layout);
      if (key === "raw.X" && spec.raw) return matrix(spec.path, key, spec.raw.X, "csr");
      const l = spec.layers?.[key];
      if (!l) throw new Error(`no layer ${key}`);
      return matrix(spec.path, key, l, "dense");
    },
    obsm(key) {
      const m = spec.obsm?.[key];
      if (!m) throw new Error(`no obsm ${key}`);
      return matrix(spec.path, `obsm/${key}`, m, "dense");
    },
    layers: Object.keys(spec.layers ?? {}),
    obsmKeys: Object.keys(spec.obsm ?? {}),
    raw: spec.raw ? { varNames: () => [...spec.raw!.vars] } : null,
    close() {
      closed = true;
    },
  };
}

/** An opener over a fixed set of fake files, keyed by path. */
export function fakeOpener(specs: FakeSpec[]) {
  return async (path: string) => {
    const s = specs.find((x) => x.path === path);
    if (!s) throw new Error(`no fake ${path}`);
    return fakeStore(s);
  };
}
