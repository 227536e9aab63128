/**
 * `describe()`: the JSON summary behind `cellfeed inspect --json`. Sums stream over the matrix in
 * blocks and accumulate in float64, so big matrices are never loaded whole.
 */
import { throwIfAborted } from "../errors.js";
import { columnLabels } from "./dataframe.js";
import type { H5adFile } from "./file.js";
import { filterName } from "./runtime.js";
import type { CsrRows, DataFrameReader } from "./types.js";

export interface DescribeOptions {
  signal?: AbortSignal;
  /** How many leading names / column values to show (default 5). */
  head?: number;
  /** How many leading X rows to show in `firstRows` (default 5). */
  sampleRows?: number;
  /** Categories listed per categorical column (default 100; `nCategories` has the full count). */
  maxCategories?: number;
}

export interface RowSample {
  row: number;
  /** Columns of the nonzero values, ascending. */
  indices: number[];
  values: number[];
}

export interface XDescription {
  layout: "dense" | "csr" | "csc";
  dtype: string;
  shape: [number, number];
  chunks: number[] | null;
  compression: string | null;
  /** Stored values (nnz for sparse, rows × cols for dense). */
  stored: number;
  /** Stored values that are not zero. */
  nonzero: number;
  sum: number;
  sumAbs: number;
  firstRows: RowSample[];
}

export interface ColumnDescription {
  kind: "categorical" | "numeric" | "boolean" | "string";
  dtype: string;
  nullable?: boolean;
  categories?: (string | number)[];
  nCategories?: number;
  ordered?: boolean;
  head: (string | number | boolean | null)[];
  nNull: number;
}

export interface ElementDescription {
  shape: [number, number] | null;
  dtype: string;
  layout: "dense" | "csr" | "csc" | "dataframe" | "other";
  /** Stored values of sparse elements. */
  nnz?: number;
  /** Float64 sum of the stored values (layers only). */
  sum?: number;
}

export interface H5adDescription {
  path: string;
  shape: [number, number];
  X: XDescription | null;
  obsNames: { n: number; head: string[] };
  varNames: { n: number; head: string[] };
  obs: Record<string, ColumnDescription>;
  var: Record<string, ColumnDescription>;
  layers: Record<string, ElementDescription>;
  obsm: Record<string, ElementDescription>;
  varm: Record<string, ElementDescription>;
  obsp: Record<string, ElementDescription>;
  varp: Record<string, ElementDescription>;
  raw: { shape: [number, number]; layout: "dense" | "csr" | "csc"; sum: number; nnz: number } | null;
  unsKeys: string[];
}

export async function describeH5ad(file: H5adFile, options: DescribeOptions = {}): Promise<H5adDescription> {
  const head = options.head ?? 5;
  const signal = options.signal;
  const where = { path: file.path };
  throwIfAborted(signal, where);
  const obsNames = file.obsNames();
  const varNames = file.varNames();
  const out: H5adDescription = {
    path: file.path,
    shape: file.shape,
    X: file.hasX ? await describeX(file, options.sampleRows ?? 5, signal) : null,
    obsNames: { n: obsNames.length, head: obsNames.slice(0, head) },
    varNames: { n: varNames.length, head: varNames.slice(0, head) },
    obs: describeFrame(file.obs, head, options.maxCategories ?? 100),
    var: describeFrame(file.var, head, options.maxCategories ?? 100),
    layers: {},
    obsm: {},
    varm: {},
    obsp: {},
    varp: {},
    raw: null,
    unsKeys: [...file.unsKeys],
  };
  for (const name of file.layers) {
    throwIfAborted(signal, where);
    const m = file.matrix(name);
    const st = await m.stats(signal === undefined ? {} : { signal });
    out.layers[name] = {
      shape: m.shape,
      dtype: m.dtype,
      layout: m.layout,
      sum: st.sum,
      ...(m.layout === "dense" ? {} : { nnz: st.stored }),
    };
  }
  const groups = [
    ["obsm", file.obsmKeys],
    ["varm", file.varmKeys],
    ["obsp", file.obspKeys],
    ["varp", file.varpKeys],
  ] as const;
  for (const [group, keys] of groups) {
    for (const key of keys) {
      const layout = file.elementLayout(group, key);
      if (layout !== "dense" && layout !== "csr" && layout !== "csc") {
        out[group][key] = { shape: null, dtype: layout, layout };
        continue;
      }
      const m = file[group](key);
      const nnz = "nnz" in m && typeof m.nnz === "number" ? m.nnz : undefined;
      out[group][key] = {
        shape: m.shape,
        dtype: m.dtype,
        layout: m.layout,
        ...(nnz === undefined ? {} : { nnz }),
      };
    }
  }
  if (file.raw !== null) {
    const st = await file.raw.matrix().stats(signal === undefined ? {} : { signal });
    out.raw = { shape: file.raw.shape, layout: file.raw.layout, sum: st.sum, nnz: st.stored };
  }
  return out;
}

async function describeX(file: H5adFile, sampleRows: number, signal?: AbortSignal): Promise<XDescription> {
  const x = file.matrix("X");
  const ctx = file.ctx;
  const meta = ctx.metadata(x.source.valuesDataset);
  const filters = ctx.guard(
    x.source.valuesDataset,
    "filter query",
    () => ctx.dataset(x.source.valuesDataset).filters,
  );
  const codec = filters.find((f) => f.id !== 2 && f.id !== 3);
  const st = await x.stats(signal === undefined ? {} : { signal });
  const n = Math.min(sampleRows, x.shape[0]);
  const rows = Array.from({ length: n }, (_, i) => i);
  const csr = (await x.readRows(rows, {
    output: "csr",
    dtype: "float64",
    ...(signal === undefined ? {} : { signal }),
  })) as CsrRows;
  const firstRows: RowSample[] = rows.map((r) => {
    const indices: number[] = [];
    const values: number[] = [];
    for (let k = csr.indptr[r]!; k < csr.indptr[r + 1]!; k++) {
      // Explicitly stored zeros are not "nonzero" columns.
      if (csr.data[k] !== 0) {
        indices.push(csr.indices[k]!);
        values.push(csr.data[k]!);
      }
    }
    return { row: r, indices, values };
  });
  return {
    layout: x.layout,
    dtype: x.dtype,
    shape: x.shape,
    chunks: meta.chunks ?? null,
    compression: codec === undefined ? null : filterName(codec.id, codec.name),
    stored: st.stored,
    nonzero: st.nonzero,
    sum: st.sum,
    sumAbs: st.sumAbs,
    firstRows,
  };
}

function describeFrame(
  df: DataFrameReader,
  head: number,
  maxCategories: number,
): Record<string, ColumnDescription> {
  const out: Record<string, ColumnDescription> = {};
  for (const name of df.columns) {
    const info = df.info(name);
    const labels = columnLabels(df.read(name));
    let nNull = 0;
    for (const l of labels) if (l === null) nNull++;
    const d: ColumnDescription = { kind: info.kind, dtype: info.dtype, head: labels.slice(0, head), nNull };
    if (info.nullable) d.nullable = true;
    if (info.categories !== undefined) {
      d.categories = info.categories.slice(0, maxCategories);
      d.nCategories = info.categories.length;
      d.ordered = info.ordered ?? false;
    }
    out[name] = d;
  }
  return out;
}
