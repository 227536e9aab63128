/**
 * Scatter: turns the rows read for each distinct slot into the caller's order, as CSR or dense,
 * in the requested float dtype. Fresh buffers every call (ownership passes to the caller).
 */

import { allocate, sortRowColumns } from "../buffers.js";
import { FormatError } from "../errors.js";
import type { NumberArray } from "./convert.js";
import type { CsrRows, DenseRows, FloatArray, OutputDtype } from "./types.js";

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
  const data = allocate(dtype, total);
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
  const data = allocate(dtype, n * nCols);
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
  const data = allocate(dtype, n * nCols);
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

/**
 * Where each distinct row sits in a batch read: rows of slot `s` are elements
 * `[at[s], at[s] + len[s])` of the concatenated values/indices that `readRuns` returned.
 */
export interface FlatRows {
  at: Float64Array;
  len: Int32Array;
}

/**
 * Sparse rows read as one flat block → CSR in the caller's order. Column indices are checked to lie
 * in [0, nCols) and sorted within a row when a writer left them unsorted.
 */
export function flatToCsr(
  values: NumberArray,
  cols: NumberArray,
  rows: FlatRows,
  slotOf: Int32Array,
  nCols: number,
  dtype: OutputDtype,
  where: { path: string; dataset: string },
): CsrRows {
  const n = slotOf.length;
  const indptr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) indptr[i + 1] = indptr[i]! + rows.len[slotOf[i]!]!;
  const total = indptr[n]!;
  const indices = new Int32Array(total);
  const data = allocate(dtype, total);
  for (let i = 0; i < n; i++) {
    const s = slotOf[i]!;
    const len = rows.len[s]!;
    if (len === 0) continue;
    const a = rows.at[s]!;
    const o = indptr[i]!;
    data.set(values.subarray(a, a + len), o);
    indices.set(cols.subarray(a, a + len), o);
    let sorted = true;
    for (let k = o; k < o + len; k++) {
      const c = indices[k]!;
      if (c < 0 || c >= nCols || c !== cols[a + k - o]) {
        throw new FormatError(`column index ${cols[a + k - o]} out of range [0, ${nCols})`, where);
      }
      if (k > o && c < indices[k - 1]!) sorted = false;
    }
    if (!sorted) sortRowColumns(indices, data, o, o + len);
  }
  return { format: "csr", shape: [n, nCols], indptr, indices, data };
}

/** Sparse rows read as one flat block → dense rows in the caller's order. */
export function flatToDense(
  values: NumberArray,
  cols: NumberArray,
  rows: FlatRows,
  slotOf: Int32Array,
  nCols: number,
  dtype: OutputDtype,
  where: { path: string; dataset: string },
): DenseRows {
  const n = slotOf.length;
  const data = allocate(dtype, n * nCols);
  // Same scatter as a caller-owned target, with row i at row i and every column kept.
  const pos = Int32Array.from({ length: n }, (_, i) => i);
  flatScatter(values, cols, rows, slotOf, nCols, { out: data, width: nCols, pos, colMap: null }, where);
  return { format: "dense", shape: [n, nCols], data };
}

/** Dense rows read as one flat block (slot `s` starts at element `at[s]`) → dense, caller's order. */
export function flatDenseToDense(
  block: NumberArray,
  at: Float64Array,
  slotOf: Int32Array,
  nCols: number,
  dtype: OutputDtype,
): DenseRows {
  const n = slotOf.length;
  const data = allocate(dtype, n * nCols);
  for (let i = 0; i < n; i++) {
    const a = at[slotOf[i]!]!;
    data.set(block.subarray(a, a + nCols), i * nCols);
  }
  return { format: "dense", shape: [n, nCols], data };
}

/** Dense rows read as one flat block → CSR of their nonzeros (NaN counts as nonzero), caller's order. */
export function flatDenseToCsr(
  block: NumberArray,
  at: Float64Array,
  slotOf: Int32Array,
  nCols: number,
  dtype: OutputDtype,
): CsrRows {
  const n = slotOf.length;
  const indptr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const a = at[slotOf[i]!]!;
    let nnz = 0;
    for (let c = 0; c < nCols; c++) if (block[a + c] !== 0) nnz++;
    indptr[i + 1] = indptr[i]! + nnz;
  }
  const indices = new Int32Array(indptr[n]!);
  const data = allocate(dtype, indptr[n]!);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const a = at[slotOf[i]!]!;
    for (let c = 0; c < nCols; c++) {
      const v = block[a + c]!;
      if (v !== 0) {
        indices[o] = c;
        data[o++] = v;
      }
    }
  }
  return { format: "csr", shape: [n, nCols], indptr, indices, data };
}

/**
 * A dense row-major batch being filled by several readers: caller row k goes to row `pos[k]` of
 * `out` (`width` columns), file column c to column `colMap[c]` (dropped when negative; identity when
 * `colMap` is null). Cells no row writes stay 0.
 */
export interface DenseTarget {
  out: FloatArray;
  width: number;
  pos: Int32Array;
  colMap: Int32Array | null;
}

/** Sparse rows read as one flat block, scattered straight into a dense target (no CSR in between). */
export function flatScatter(
  values: NumberArray,
  cols: NumberArray,
  rows: FlatRows,
  slotOf: Int32Array,
  nCols: number,
  target: DenseTarget,
  where: { path: string; dataset: string },
): void {
  const { out, width, pos, colMap } = target;
  for (let i = 0; i < slotOf.length; i++) {
    const s = slotOf[i]!;
    const a = rows.at[s]!;
    const end = a + rows.len[s]!;
    const base = pos[i]! * width;
    for (let k = a; k < end; k++) {
      const c = cols[k]!;
      if (!(c >= 0 && c < nCols) || !Number.isInteger(c)) {
        throw new FormatError(`column index ${c} out of range [0, ${nCols})`, where);
      }
      if (colMap === null) out[base + c] = values[k]!;
      else {
        const t = colMap[c]!;
        if (t >= 0) out[base + t] = values[k]!;
      }
    }
  }
}

/** Dense rows read as one flat block (slot `s` starts at element `at[s]`), scattered into a target. */
export function flatDenseScatter(
  block: NumberArray,
  at: Float64Array,
  slotOf: Int32Array,
  nCols: number,
  target: DenseTarget,
): void {
  const { out, width, pos, colMap } = target;
  for (let i = 0; i < slotOf.length; i++) {
    const a = at[slotOf[i]!]!;
    const base = pos[i]! * width;
    if (colMap === null) out.set(block.subarray(a, a + nCols), base);
    else {
      for (let c = 0; c < nCols; c++) {
        const t = colMap[c]!;
        if (t >= 0) out[base + t] = block[a + c]!;
      }
    }
  }
}
