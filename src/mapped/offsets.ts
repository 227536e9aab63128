/** Global index ↔ (file, local position) through cumulative offsets, as PyTorch's ConcatDataset does. */

/** `offsets[f]` = first global index of file f; `offsets[n]` = total. */
export function cumulativeOffsets(counts: readonly number[]): Float64Array {
  const out = new Float64Array(counts.length + 1);
  for (let i = 0; i < counts.length; i++) out[i + 1] = out[i]! + counts[i]!;
  return out;
}

/**
 * The file holding global index `g` (0 <= g < total): the last f with offsets[f] <= g. Files with no
 * rows share an offset with the next file and are skipped by taking the last match.
 */
export function locate(offsets: Float64Array, g: number): number {
  let lo = 0;
  let hi = offsets.length - 1; // offsets[hi] > g
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (offsets[mid]! <= g) lo = mid;
    else hi = mid;
  }
  return lo;
}
