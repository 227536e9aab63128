/**
 * Buffers of matrices shared by the format and dataset layers (h5ad/, mapped/, soma/): fresh output
 * arrays, or ones refilled from the buffers a consumer handed back through `DataLoader.recycle`; and
 * the column sort of a CSR row.
 */

import type { FloatArray } from "./typed-arrays.js";

export function allocate(dtype: "float32" | "float64", length: number): FloatArray {
  return dtype === "float64" ? new Float64Array(length) : new Float32Array(length);
}

/**
 * A zeroed output buffer: one of `reuse` whose byteLength is exactly right (taken off the list), or a
 * fresh one. Reusing a handed-back buffer saves the allocation and, in the thread the batch goes to,
 * the collection of one more large garbage buffer.
 */
export function allocateReusing(
  dtype: "float32" | "float64",
  length: number,
  reuse?: ArrayBuffer[],
): FloatArray {
  const bytes = length * (dtype === "float64" ? 8 : 4);
  const k = bytes > 0 && reuse ? reuse.findIndex((b) => b.byteLength === bytes) : -1;
  if (k < 0) return allocate(dtype, length);
  const buffer = reuse!.splice(k, 1)[0]!;
  const out = dtype === "float64" ? new Float64Array(buffer) : new Float32Array(buffer);
  out.fill(0); // callers write only the stored (nonzero) values
  return out;
}

/**
 * Sorts one CSR row's (column, value) pairs by column, stably. Each pair becomes one float64 key,
 * column × m + position, so the sort is a native typed-array sort without a comparator; keys are
 * exact below 2^53, and wider rows fall back to a comparator sort.
 */
export function sortRowColumns(indices: Int32Array, data: FloatArray, from: number, to: number): void {
  const m = to - from;
  const cols = indices.slice(from, to);
  const vals = data.slice(from, to);
  let maxCol = 0;
  for (let k = 0; k < m; k++) if (cols[k]! > maxCol) maxCol = cols[k]!;
  let order: ArrayLike<number>;
  if ((maxCol + 1) * m <= Number.MAX_SAFE_INTEGER) {
    const keys = new Float64Array(m);
    for (let k = 0; k < m; k++) keys[k] = cols[k]! * m + k;
    keys.sort();
    order = keys.map((key) => key % m);
  } else {
    order = Array.from({ length: m }, (_, k) => k).sort((x, y) => cols[x]! - cols[y]! || x - y);
  }
  for (let j = 0; j < m; j++) {
    indices[from + j] = cols[order[j]!]!;
    data[from + j] = vals[order[j]!]!;
  }
}
