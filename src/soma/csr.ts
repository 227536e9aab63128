/** COO cells → CSR matrices placed by query positions, and CSR → dense row blocks. */
import { allocateReusing, sortRowColumns } from "../buffers.js";
import { DuplicateNamesError } from "../errors.js";
import { JoinIndex } from "./coords.js";

export type ValueDtype = "float32" | "float64";

/** A CSR matrix: row r holds `data[indptr[r]..indptr[r+1]]` at columns `indices[...]` (ascending). */
export interface CsrMatrix {
  indptr: Int32Array;
  indices: Int32Array;
  data: Float32Array | Float64Array;
  shape: [number, number];
}

/** id → position in `ids` (any order, no duplicates), or -1. */
export function positionLookup(ids: Float64Array, what: string): (id: number) => number {
  let sorted = true;
  for (let i = 1; i < ids.length; i++)
    if ((ids[i] as number) <= (ids[i - 1] as number)) {
      sorted = false;
      break;
    }
  if (sorted) {
    const index = new JoinIndex(ids);
    return (id) => index.indexOf(id);
  }
  const order = Int32Array.from(ids.keys()).sort((a, b) => (ids[a] as number) - (ids[b] as number));
  const sortedIds = Float64Array.from(order, (i) => ids[i] as number);
  for (let i = 1; i < sortedIds.length; i++)
    if (sortedIds[i] === sortedIds[i - 1])
      throw new DuplicateNamesError(`${what}: joinid ${sortedIds[i]} is listed twice`);
  const index = new JoinIndex(sortedIds);
  return (id) => {
    const k = index.indexOf(id);
    return k < 0 ? -1 : (order[k] as number);
  };
}

/**
 * Places COO cells into a `nRows × nCols` CSR: row = rowOf(dim0), column = colOf(dim1); cells
 * whose row or column maps to -1 are dropped. Columns come out ascending within each row.
 */
export function cooToCsr(
  dim0: Float64Array,
  dim1: Float64Array,
  values: ArrayLike<number>,
  rowOf: (id: number) => number,
  colOf: (id: number) => number,
  nRows: number,
  nCols: number,
  dtype: ValueDtype = "float32",
): CsrMatrix {
  // Two passes (count, then fill) recompute the cheap lookups instead of holding per-cell row and
  // column arrays: a full-array read can hold millions of cells.
  const n = dim0.length;
  const indptr = new Int32Array(nRows + 1);
  for (let i = 0; i < n; i++) {
    const r = rowOf(dim0[i] as number);
    if (r >= 0 && colOf(dim1[i] as number) >= 0) indptr[r + 1]!++;
  }
  for (let r = 0; r < nRows; r++) indptr[r + 1]! += indptr[r]!;
  const kept = indptr[nRows] as number;
  const fill = indptr.slice(0, nRows);
  const indices = new Int32Array(kept);
  const data = dtype === "float64" ? new Float64Array(kept) : new Float32Array(kept);
  for (let i = 0; i < n; i++) {
    const r = rowOf(dim0[i] as number);
    if (r < 0) continue;
    const c = colOf(dim1[i] as number);
    if (c < 0) continue;
    const k = fill[r]!++;
    indices[k] = c;
    data[k] = values[i] as number;
  }
  sortRows(indptr, indices, data);
  return { indptr, indices, data, shape: [nRows, nCols] };
}

/** Sorts each row's entries by column where they are out of order (multi-tile or multi-fragment reads). */
function sortRows(indptr: Int32Array, indices: Int32Array, data: Float32Array | Float64Array): void {
  for (let r = 0; r + 1 < indptr.length; r++) {
    const s = indptr[r] as number;
    const e = indptr[r + 1] as number;
    let ordered = true;
    for (let k = s + 1; k < e; k++)
      if ((indices[k] as number) < (indices[k - 1] as number)) {
        ordered = false;
        break;
      }
    if (!ordered) sortRowColumns(indices, data, s, e);
  }
}

/** Rows `rows` of a CSR as a fresh CSR (in the given order). */
export function csrTakeRows(m: CsrMatrix, rows: ArrayLike<number>): CsrMatrix {
  const indptr = new Int32Array(rows.length + 1);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as number;
    indptr[i + 1] = (indptr[i] as number) + (m.indptr[r + 1] as number) - (m.indptr[r] as number);
  }
  const nnz = indptr[rows.length] as number;
  const indices = new Int32Array(nnz);
  const data = m.data instanceof Float64Array ? new Float64Array(nnz) : new Float32Array(nnz);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as number;
    const s = m.indptr[r] as number;
    const e = m.indptr[r + 1] as number;
    indices.set(m.indices.subarray(s, e), indptr[i] as number);
    data.set(m.data.subarray(s, e), indptr[i] as number);
  }
  return { indptr, indices, data, shape: [rows.length, m.shape[1]] };
}

/** Rows `rows` of a CSR as a dense row-major block (fresh buffer). */
// A recycled buffer (DataLoader.recycle) of exactly the right size is zeroed and filled instead of a new one.
export function csrRowsToDense(
  m: CsrMatrix,
  rows: ArrayLike<number>,
  reuse?: ArrayBuffer[],
): Float32Array | Float64Array {
  const width = m.shape[1];
  const out = allocateReusing(
    m.data instanceof Float64Array ? "float64" : "float32",
    rows.length * width,
    reuse,
  );
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as number;
    const base = i * width;
    for (let k = m.indptr[r] as number; k < (m.indptr[r + 1] as number); k++)
      out[base + (m.indices[k] as number)] = m.data[k] as number;
  }
  return out;
}
