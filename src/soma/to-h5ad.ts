/** An axis query → AnnData input for `writeH5ad` (obs/var frames, X and layers as CSR, obsm, varm, obsp). */
import { DataType, type Table, type Vector } from "apache-arrow";
import { InvalidArgumentError } from "../errors.js";
import { writeH5ad } from "../h5ad/write.js";
import type {
  ColumnInput,
  CsrMatrixInput,
  DataFrameInput,
  DenseMatrixInput,
  MatrixInput,
} from "../h5ad/write-input.js";
import type { ExperimentAxisQuery, ToH5adOptions } from "./axis-query.js";
import type { CsrMatrix } from "./csr.js";

function isNull(v: Vector, i: number): boolean {
  return !v.isValid(i);
}

/** One Arrow column as a writeH5ad column (nulls: NaN for floats, masks for ints/bools). */
export function columnInput(v: Vector): ColumnInput {
  const t = v.type;
  const n = v.length;
  if (DataType.isDictionary(t)) {
    const dict = v.data[0]?.dictionary;
    const categories = dict ? Array.from({ length: dict.length }, (_, i) => String(dict.get(i))) : [];
    const codes = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      if (isNull(v, i)) codes[i] = -1;
      else codes[i] = categories.indexOf(String(v.get(i)));
    }
    return { kind: "categorical", categories, codes, ordered: t.isOrdered };
  }
  if (DataType.isUtf8(t) || DataType.isLargeUtf8(t)) {
    const values = Array.from({ length: n }, (_, i) => (isNull(v, i) ? null : String(v.get(i))));
    if (values.includes(null)) return { kind: "categorical", values };
    return { kind: "string", values: values as string[] };
  }
  if (DataType.isBool(t)) {
    const values = Uint8Array.from({ length: n }, (_, i) => (v.get(i) ? 1 : 0));
    if (v.nullCount > 0)
      return {
        kind: "nullable-boolean",
        values,
        mask: Uint8Array.from({ length: n }, (_, i) => (isNull(v, i) ? 1 : 0)),
      };
    return { kind: "boolean", values };
  }
  if (DataType.isFloat(t)) {
    const values = t.precision === 1 ? new Float32Array(n) : new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = isNull(v, i) ? Number.NaN : (v.get(i) as number);
    return { kind: "numeric", values };
  }
  if (DataType.isInt(t)) {
    const values = v.toArray() as Int32Array;
    if (v.nullCount > 0)
      return {
        kind: "nullable-integer",
        values: values.slice(),
        mask: Uint8Array.from({ length: n }, (_, i) => (isNull(v, i) ? 1 : 0)),
      };
    return { kind: "numeric", values: values.slice() };
  }
  if (DataType.isTimestamp(t) || DataType.isDate(t)) {
    // anndata has no datetime column encoding: keep the raw counts in the column's unit (as the
    // int64 columns these were before they became Arrow timestamps).
    const values = rawValues(v);
    if (v.nullCount > 0)
      return {
        kind: "nullable-integer",
        values,
        mask: Uint8Array.from({ length: n }, (_, i) => (isNull(v, i) ? 1 : 0)),
      };
    return { kind: "numeric", values };
  }
  return { kind: "string", values: Array.from({ length: n }, (_, i) => String(v.get(i))) };
}

/** The stored integers of a (possibly chunked) date/timestamp vector, concatenated. */
function rawValues(v: Vector): BigInt64Array | Int32Array {
  const chunks = v.data.map((d) => (d.values as BigInt64Array | Int32Array).subarray(0, d.length));
  const Ctor = chunks[0] instanceof Int32Array ? Int32Array : BigInt64Array;
  const out = new Ctor(v.length);
  let at = 0;
  for (const c of chunks) {
    out.set(c as never, at);
    at += c.length;
  }
  return out;
}

/** A table as a DataFrameInput, its index from `indexColumn` (dropped from the columns) or the joinids. */
export function frameInput(table: Table, indexColumn: string): DataFrameInput {
  const idx = table.getChild(indexColumn);
  const joinids = table.getChild("soma_joinid");
  const n = table.numRows;
  const index = Array.from({ length: n }, (_, i) => String(idx ? idx.get(i) : (joinids?.get(i) ?? i)));
  const columns = new Map<string, ColumnInput>();
  for (const f of table.schema.fields) {
    if (idx && f.name === indexColumn) continue;
    columns.set(f.name, columnInput(table.getChild(f.name) as Vector));
  }
  return { index, columns };
}

function csrInput(m: CsrMatrix): CsrMatrixInput {
  return { format: "csr", shape: m.shape, indptr: m.indptr, indices: m.indices, data: m.data };
}

/** Rejects a key listed twice (it would silently overwrite) before anything is read. */
function uniqueKeys(keys: readonly string[], what: string): readonly string[] {
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k)) throw new InvalidArgumentError(`toH5ad: ${what} '${k}' is listed twice`);
    seen.add(k);
  }
  return keys;
}

export async function writeQueryH5ad(
  query: ExperimentAxisQuery,
  path: string,
  options: ToH5adOptions,
): Promise<void> {
  const { signal } = options;
  const layerKeys = uniqueKeys(options.layers ?? [], "layer");
  const obs = frameInput(await query.obs({ signal }), "obs_id");
  const var_ = frameInput(await query.var({ signal }), "var_id");
  const X = await query.X(options.X, { signal });
  const layers: Record<string, MatrixInput> = {};
  for (const key of layerKeys) layers[key] = csrInput(await query.X(key, { signal }));
  const obsm: Record<string, DenseMatrixInput> = {};
  for (const key of uniqueKeys(options.obsm ?? (await query.obsmKeys()), "obsm")) {
    const m = await query.obsm(key, { signal });
    obsm[key] = { format: "dense", shape: m.shape, data: m.data };
  }
  const varm: Record<string, DenseMatrixInput> = {};
  for (const key of uniqueKeys(options.varm ?? [], "varm")) {
    const m = await query.varm(key, { signal });
    varm[key] = { format: "dense", shape: m.shape, data: m.data };
  }
  const obsp: Record<string, MatrixInput> = {};
  for (const key of uniqueKeys(options.obsp ?? [], "obsp"))
    obsp[key] = csrInput(await query.obsp(key, { signal }));
  await writeH5ad(path, { X: csrInput(X), obs, var: var_, layers, obsm, varm, obsp }, { signal });
}
