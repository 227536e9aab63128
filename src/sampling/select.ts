/** Partial sort of (key, id) pairs: only the k smallest keys are put in order. */
import type { IndexArray } from "./types.js";

const INSERTION_LIMIT = 16;

/**
 * Reorders `keys` and `ids` together so that `keys[0..k)` are the k smallest keys in ascending
 * order (ties in any order); the rest is left unordered. Quicksort that skips partitions lying
 * wholly at or beyond `k`, recursing into the smaller side so the stack stays O(log n).
 *
 * ```ts
 * const keys = Float64Array.of(0.5, 0.1, 0.9), ids = Int32Array.of(0, 1, 2);
 * sortSmallest(keys, ids, 2); // ids starts [1, 0]
 * ```
 */
export function sortSmallest(keys: Float64Array, ids: IndexArray, k: number): void {
  sortRange(keys, ids, 0, keys.length - 1, Math.min(k, keys.length));
}

function sortRange(keys: Float64Array, ids: IndexArray, lo: number, hi: number, k: number): void {
  while (lo < hi && lo < k) {
    if (hi - lo < INSERTION_LIMIT) {
      insertionSort(keys, ids, lo, hi);
      return;
    }
    // Median of three, placed so keys[lo] <= pivot <= keys[hi] and the pivot sits at mid.
    const mid = lo + ((hi - lo) >> 1);
    if (keys[mid]! < keys[lo]!) swap(keys, ids, mid, lo);
    if (keys[hi]! < keys[lo]!) swap(keys, ids, hi, lo);
    if (keys[hi]! < keys[mid]!) swap(keys, ids, hi, mid);
    const pivot = keys[mid]!;
    // Hoare partition: afterwards [lo..j] <= pivot <= [j+1..hi], both sides non-empty.
    let i = lo - 1;
    let j = hi + 1;
    for (;;) {
      do i++;
      while (keys[i]! < pivot);
      do j--;
      while (keys[j]! > pivot);
      if (i >= j) break;
      swap(keys, ids, i, j);
    }
    if (j - lo < hi - j - 1) {
      sortRange(keys, ids, lo, j, k);
      lo = j + 1;
    } else {
      if (j + 1 < k) sortRange(keys, ids, j + 1, hi, k);
      hi = j;
    }
  }
}

function insertionSort(keys: Float64Array, ids: IndexArray, lo: number, hi: number): void {
  for (let i = lo + 1; i <= hi; i++) {
    const key = keys[i]!;
    const id = ids[i]!;
    let j = i - 1;
    while (j >= lo && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      ids[j + 1] = ids[j]!;
      j--;
    }
    keys[j + 1] = key;
    ids[j + 1] = id;
  }
}

function swap(keys: Float64Array, ids: IndexArray, a: number, b: number): void {
  const k = keys[a]!;
  keys[a] = keys[b]!;
  keys[b] = k;
  const d = ids[a]!;
  ids[a] = ids[b]!;
  ids[b] = d;
}
