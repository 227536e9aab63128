/** An axis query → AnnData input for `writeH5ad` (obs/var frames, X as CSR, obsm). */
import { DataType, type Table, type Vector } from "apache-arrow";
import { writeH5ad } from "../h5ad/write.js";
import type { ColumnInput, DataFrameInput, DenseMatrixInput } from "../h5ad/write-input.js";
import type { ExperimentAxisQuery } from "./axis-query.js";

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
  return { kind: "string", values: Array.from({ length: n }, (_, i) => String(v.get(i))) };
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

export async function writeQueryH5ad(
  query: ExperimentAxisQuery,
  path: string,
  options: { X: string; obsm?: readonly string[]; signal?: AbortSignal },
): Promise<void> {
  const { signal } = options;
  const obs = frameInput(await query.obs({ signal }), "obs_id");
  const var_ = frameInput(await query.var({ signal }), "var_id");
  const X = await query.X(options.X, { signal });
  const obsm: Record<string, DenseMatrixInput> = {};
  for (const key of options.obsm ?? (await query.obsmKeys())) {
    const m = await query.obsm(key, { signal });
    obsm[key] = { format: "dense", shape: m.shape, data: m.data };
  }
  await writeH5ad(path, {
    X: { format: "csr", shape: X.shape, indptr: X.indptr, indices: X.indices, data: X.data },
    obs,
    var: var_,
    obsm,
  });
}
