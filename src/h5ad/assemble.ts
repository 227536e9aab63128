/**
 * Scatter: turns the rows read for each distinct slot into the caller's order, as CSR or dense,
 * in the requested float dtype. Fresh buffers every call (ownership passes to the caller).
 */
import { FormatError } from "../errors.js";
import { allocFloat, type NumberArray } from "./convert.js";
import type { CsrRows, DenseRows, OutputDtype } from "./types.js";

/** One distinct row: its nonzero column indices (ascending) and values. */
export interface SparseRow {
  indices: Int32Array;
  data: NumberArray;
}

export function sparseToCsr(
  rows: readonly SparseRow[],
  slotOf: Int32Array,
  nCols: number,
  dtype: OutputDtype,
): CsrRows {
  const n = slotOf.length;
  const indptr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) indptr[i + 1] = indptr[i]! + rows[slotOf[i]!]!.indices.length;
  const total = indptr[n]!;
  const indices = new Int32Array(total);
  const data = allocFloat(dtype, total);
  for (let i = 0; i < n; i++) {
    const row = rows[slotOf[i]!]!;
    indices.set(row.indices, indptr[i]!);
    data.set(row.data, indptr[i]!);
  }
  return { format: "csr", shape: [n, nCols], indptr, indices, data };
}

export function sparseToDense(
  rows: readonly SparseRow[],
  slotOf: Int32Array,
  nCols: number,
  dtype: OutputDtype,
  where: { path: string; dataset: string },
): DenseRows {
  const n = slotOf.length;
  const data = allocFloat(dtype, n * nCols);
  for (let i = 0; i < n; i++) {
    const row = rows[slotOf[i]!]!;
    const base = i * nCols;
    for (let k = 0; k < row.indices.length; k++) {
      const c = row.indices[k]!;
      if (c < 0 || c >= nCols) {
        throw new FormatError(`column index ${c} out of range [0, ${nCols})`, where);
      }
      data[base + c] = row.data[k]!;
    }
  }
  return { format: "dense", shape: [n, nCols], data };
}

export function denseToDense(
  rows: readonly NumberArray[],
  slotOf: Int32Array,
  nCols: number,
  dtype: OutputDtype,
): DenseRows {
  const n = slotOf.length;
  const data = allocFloat(dtype, n * nCols);
  for (let i = 0; i < n; i++) data.set(rows[slotOf[i]!]!, i * nCols);
  return { format: "dense", shape: [n, nCols], data };
}

/** Dense rows → sparse rows holding the nonzero entries (NaN counts as nonzero, as in numpy). */
export function denseRowsToSparse(rows: readonly NumberArray[]): SparseRow[] {
  return rows.map((row) => {
    let nnz = 0;
    for (let c = 0; c < row.length; c++) if (row[c] !== 0) nnz++;
    const indices = new Int32Array(nnz);
    const data = new Float64Array(nnz);
    let k = 0;
    for (let c = 0; c < row.length; c++) {
      const v = row[c]!;
      if (v !== 0) {
        indices[k] = c;
        data[k++] = v;
      }
    }
    return { indices, data };
  });
}
