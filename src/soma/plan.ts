/**
 * Which ranges to push down to a TileDB read. The reader prunes tiles with the R-tree and tests the
 * cells of tiles that only overlap the ranges (binary search over the sorted ranges), so selections
 * of up to EXACT_PUSHDOWN_RANGES runs are pushed down exactly. Larger ones (many scattered points)
 * fall back to tile planning: find the data tiles the selection touches from the R-tree leaves; when
 * they are most of the array, read without ranges; otherwise read the union of those tiles' bounds.
 * The caller then applies the exact selection either way.
 */
import type { ReadOptions } from "../io/types.js";
import { type AxisSelection, coarsenRanges, MAX_PUSHDOWN_RANGES, pointsToRanges } from "./coords.js";
import type { TileDBArray } from "./tiledb/index.js";

/** Selections of at most this many disjoint ranges are pushed down to the reader as they are. */
export const EXACT_PUSHDOWN_RANGES = 4096;

/** Read without ranges when the selection touches more than this share of the tiles. */
export const FULL_SCAN_TILE_SHARE = 0.5;

interface Leaf {
  lo: ArrayLike<number | string>;
  hi: ArrayLike<number | string>;
  count: number;
}

function overlaps(lo: number, hi: number, ranges: [number, number][]): boolean {
  // Ranges are sorted and disjoint: binary search the first range ending at or after lo.
  let a = 0;
  let b = ranges.length - 1;
  while (a < b) {
    const m = (a + b) >> 1;
    if ((ranges[m] as [number, number])[1] < lo) a = m + 1;
    else b = m;
  }
  const r = ranges[a];
  return r !== undefined && r[1] >= lo && r[0] <= hi;
}

/** Merges intervals into sorted disjoint ranges. */
function union(intervals: [number, number][]): [number, number][] {
  intervals.sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of intervals) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/**
 * Ranges for dimension `d` of a sparse array (undefined = read it all). Points with no cells are
 * simply not covered; the selection must still be applied to the result.
 */
export async function planRanges(
  array: TileDBArray,
  d: number,
  sel: AxisSelection,
  options: ReadOptions = {},
): Promise<[number, number][] | undefined> {
  if (!sel.ranges || sel.ranges.length === 0) return sel.ranges;
  const exact = sel.points ? pointsToRanges(sel.points) : sel.ranges;
  let total = 0;
  const hit: [number, number][] = [];
  try {
    for (const f of await array.fragmentMetadata(options)) {
      const rt = await f.rtree(options);
      const leaf = rt.levels[rt.levels.length - 1] as Leaf | undefined;
      const lo = leaf && (rt.levels[rt.levels.length - 1]?.lo[d] as ArrayLike<number> | undefined);
      const hi = leaf && (rt.levels[rt.levels.length - 1]?.hi[d] as ArrayLike<number> | undefined);
      if (!leaf || !lo || !hi || typeof lo[0] === "string")
        return coarsenRanges(sel.ranges, MAX_PUSHDOWN_RANGES);
      total += leaf.count;
      for (let t = 0; t < leaf.count; t++) {
        const a = lo[t] as number;
        const b = hi[t] as number;
        if (overlaps(a, b, exact)) hit.push([a, b]);
      }
    }
  } catch {
    // No R-tree available (e.g. a dense array): push the coarsened selection down.
    return coarsenRanges(sel.ranges, MAX_PUSHDOWN_RANGES);
  }
  if (hit.length === 0) return [[-1, -1]];
  // The reader tests cells against sorted ranges in O(log R) and skips tiles the ranges miss:
  // pushing the exact selection down beats reading whole tiles and filtering afterwards.
  if (exact.length <= EXACT_PUSHDOWN_RANGES) return exact;
  if (hit.length > FULL_SCAN_TILE_SHARE * total) return undefined;
  return coarsenRanges(union(hit), MAX_PUSHDOWN_RANGES);
}
