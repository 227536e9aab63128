/**
 * The batched read plan: group global indices by file, sort rows within a file (so the reader can
 * coalesce neighbours), then scatter what the reader returns straight into a fresh output buffer through
 * the join map, restoring the caller's order. No I/O here.
 */

import { allocate, sortRowColumns } from "../buffers.js";
import { InvalidIndexError } from "../errors.js";
import type { CsrRows, DenseRows, FloatArray, MatrixReader, OutputDtype } from "../h5ad/types.js";
import { locate } from "./offsets.js";

/** One file's share of a batch: its rows in ascending order and the caller positions they fill. */
export interface FileGroup {
  file: number;
  /** Rows in the file (after mapping through the filter), ascending; repeats allowed. */
  rows: Int32Array;
  /** `pos[k]` = caller position of `rows[k]`. */
  pos: Int32Array;
}

export interface Plan {
  indices: Int32Array;
  storeIdx: Int32Array;
  groups: FileGroup[];
}

/**
 * Validates `indices` (integers in [0, total)) and groups them by file. `kept[f]` maps a file's
 * filtered position to its row (null = identity).
 */
export function planBatch(
  indices: ArrayLike<number>,
  offsets: Float64Array,
  kept: readonly (Int32Array | null)[],
): Plan {
  const n = indices.length;
  const total = offsets[offsets.length - 1]!;
  const out = new Int32Array(n);
  const storeIdx = new Int32Array(n);
  const local = new Float64Array(n);
  const counts = new Int32Array(kept.length);
  for (let p = 0; p < n; p++) {
    const g = indices[p]!;
    if (!Number.isInteger(g) || g < 0 || g >= total) {
      throw new InvalidIndexError(
        `index ${g} at position ${p} is out of range for a collection of ${total} observations`,
      );
    }
    const f = locate(offsets, g);
    const k = g - offsets[f]!;
    const rowsOf = kept[f];
    out[p] = g;
    storeIdx[p] = f;
    local[p] = rowsOf ? rowsOf[k]! : k;
    counts[f]!++;
  }
  // Sort each file's (row, position) pairs by row: pack both into one float64 key (exact below 2^53).
  const keys: Float64Array[] = [];
  const fill = new Int32Array(kept.length);
  for (let f = 0; f < kept.length; f++) keys.push(new Float64Array(counts[f]!));
  for (let p = 0; p < n; p++) {
    const f = storeIdx[p]!;
    keys[f]![fill[f]!++] = local[p]! * n + p;
  }
  const groups: FileGroup[] = [];
  for (let f = 0; f < kept.length; f++) {
    const key = keys[f]!;
    if (key.length === 0) continue;
    key.sort();
    const rows = new Int32Array(key.length);
    const pos = new Int32Array(key.length);
    for (let k = 0; k < key.length; k++) {
      const v = key[k]!;
      const p = v % n;
      pos[k] = p;
      rows[k] = (v - p) / n;
    }
    groups.push({ file: f, rows, pos });
  }
  return { indices: out, storeIdx, groups };
}

/** A reader that writes rows straight into a dense batch (the h5ad reader's matrices do). */
export interface Scatterer {
  scatterRows(
    indices: ArrayLike<number>,
    target: { out: FloatArray; width: number; pos: Int32Array; colMap: Int32Array | null },
    options: { signal?: AbortSignal },
  ): Promise<void>;
}

export function canScatter(r: MatrixReader): r is MatrixReader & Scatterer {
  return typeof (r as Partial<Scatterer>).scatterRows === "function";
}

/**
 * Writes rows into a dense `[*, width]` buffer: row k of `src` goes to row `pos[k]`, file column c to
 * column `colMap[c]` (skipped when -1; identity when colMap is null).
 */
export function scatterDense(
  out: FloatArray,
  width: number,
  src: CsrRows | DenseRows,
  pos: Int32Array,
  colMap: Int32Array | null,
): void {
  const nr = src.shape[0];
  if (src.format === "csr") {
    const { indptr, indices, data } = src;
    for (let k = 0; k < nr; k++) {
      const base = pos[k]! * width;
      const end = indptr[k + 1]!;
      if (colMap === null) {
        for (let j = indptr[k]!; j < end; j++) out[base + indices[j]!] = data[j]!;
      } else {
        for (let j = indptr[k]!; j < end; j++) {
          const c = colMap[indices[j]!]!;
          if (c >= 0) out[base + c] = data[j]!;
        }
      }
    }
    return;
  }
  const w = src.shape[1];
  const data = src.data;
  for (let k = 0; k < nr; k++) {
    const base = pos[k]! * width;
    const from = k * w;
    if (colMap === null) {
      out.set(data.subarray(from, from + w), base);
    } else {
      for (let c = 0; c < w; c++) {
        const t = colMap[c]!;
        if (t >= 0) out[base + t] = data[from + c]!;
      }
    }
  }
}

/** One file's rows for CSR assembly. */
export interface CsrPart {
  src: CsrRows | DenseRows;
  pos: Int32Array;
  colMap: Int32Array | null;
}

/**
 * Builds a CSR batch of `n` rows in caller order from per-file parts: columns mapped through the join
 * (dropped ones skipped, explicit zeros of dense rows skipped) and sorted within each row.
 */
export function assembleCsr(
  n: number,
  parts: readonly CsrPart[],
  dtype: OutputDtype,
): { indptr: Int32Array; indices: Int32Array; data: FloatArray } {
  const where = new Int32Array(n * 2).fill(-1); // per position: part, row within part
  const nnz = new Int32Array(n);
  parts.forEach((part, pi) => {
    const { src, pos, colMap } = part;
    for (let k = 0; k < src.shape[0]; k++) {
      const p = pos[k]!;
      where[2 * p] = pi;
      where[2 * p + 1] = k;
      let c = 0;
      if (src.format === "csr") {
        const end = src.indptr[k + 1]!;
        if (colMap === null) c = end - src.indptr[k]!;
        else for (let j = src.indptr[k]!; j < end; j++) if (colMap[src.indices[j]!]! >= 0) c++;
      } else {
        const w = src.shape[1];
        for (let j = 0; j < w; j++)
          if (src.data[k * w + j] !== 0 && (colMap === null || colMap[j]! >= 0)) c++;
      }
      nnz[p] = c;
    }
  });
  const indptr = new Int32Array(n + 1);
  for (let p = 0; p < n; p++) indptr[p + 1] = indptr[p]! + nnz[p]!;
  const total = indptr[n]!;
  const indices = new Int32Array(total);
  const data = allocate(dtype, total);
  for (let p = 0; p < n; p++) {
    const pi = where[2 * p]!;
    if (pi < 0) continue;
    const { src, colMap } = parts[pi]!;
    const k = where[2 * p + 1]!;
    let o = indptr[p]!;
    let sorted = true;
    let last = -1;
    const put = (col: number, v: number) => {
      indices[o] = col;
      data[o++] = v;
      if (col < last) sorted = false;
      last = col;
    };
    if (src.format === "csr") {
      const end = src.indptr[k + 1]!;
      for (let j = src.indptr[k]!; j < end; j++) {
        const c = colMap === null ? src.indices[j]! : colMap[src.indices[j]!]!;
        if (c >= 0) put(c, src.data[j]!);
      }
    } else {
      const w = src.shape[1];
      for (let j = 0; j < w; j++) {
        const v = src.data[k * w + j]!;
        const c = colMap === null ? j : colMap[j]!;
        if (v !== 0 && c >= 0) put(c, v);
      }
    }
    if (!sorted) sortRowColumns(indices, data, indptr[p]!, indptr[p + 1]!);
  }
  return { indptr, indices, data };
}
