/**
 * Coordinates along one SOMA axis (soma_joinid or soma_dim_N): lists of points or inclusive slices,
 * their conversion to the merged [lo, hi] ranges a TileDB read prunes tiles with, and the
 * joinid → position lookup used to place read cells into query order.
 */
import { InvalidArgumentError } from "../errors.js";

/** Points (any order, duplicates allowed) or an inclusive slice `{ start, stop }` (both optional). */
export type AxisCoords =
  | readonly (number | bigint)[]
  | Int32Array
  | Uint32Array
  | Float64Array
  | BigInt64Array
  | { start?: number | bigint; stop?: number | bigint };

/** int64 values as doubles (exact below 2^53, which every soma_joinid is). */
export function int64ToNumbers(a: BigInt64Array | BigUint64Array): Float64Array {
  const out = new Float64Array(a.length);
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
  const signed = a instanceof BigInt64Array;
  for (let i = 0; i < a.length; i++) {
    const hi = u[2 * i + 1] as number;
    out[i] = (signed ? hi | 0 : hi) * 4294967296 + (u[2 * i] as number);
  }
  return out;
}

/** Any numeric column as doubles. */
export function asNumbers(a: ArrayLike<number | bigint>): Float64Array {
  if (a instanceof BigInt64Array || a instanceof BigUint64Array) return int64ToNumbers(a);
  if (a instanceof Float64Array) return a;
  return Float64Array.from(a as ArrayLike<number>);
}

function isSlice(c: AxisCoords): c is { start?: number | bigint; stop?: number | bigint } {
  return !Array.isArray(c) && !ArrayBuffer.isView(c);
}

/** Sorted, de-duplicated points; rejects negatives and non-integers. */
export function sortedPoints(points: ArrayLike<number | bigint>, what: string): Float64Array {
  const out = Float64Array.from({ length: points.length }, (_, i) => Number(points[i]));
  for (const v of out)
    if (!Number.isInteger(v) || v < 0)
      throw new InvalidArgumentError(`${what}: coordinates must be non-negative integers (got ${v})`);
  out.sort();
  let k = 0;
  for (let i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[k - 1]) out[k++] = out[i] as number;
  return out.subarray(0, k);
}

/** Merges sorted unique points into inclusive ranges of consecutive integers. */
export function pointsToRanges(sorted: Float64Array): [number, number][] {
  const out: [number, number][] = [];
  let i = 0;
  while (i < sorted.length) {
    const lo = sorted[i] as number;
    let hi = lo;
    while (i + 1 < sorted.length && sorted[i + 1] === hi + 1) hi = sorted[++i] as number;
    out.push([lo, hi]);
    i++;
  }
  return out;
}

/** Normalised coordinates: `ranges` for the read (undefined = everything), `points` when listed. */
export interface AxisSelection {
  ranges: [number, number][] | undefined;
  points?: Float64Array;
}

export function selectAxis(coords: AxisCoords | undefined, what: string): AxisSelection {
  if (coords === undefined) return { ranges: undefined };
  if (isSlice(coords)) {
    const lo = coords.start === undefined ? 0 : Number(coords.start);
    const hi = coords.stop === undefined ? Number.MAX_SAFE_INTEGER : Number(coords.stop);
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || hi < lo)
      throw new InvalidArgumentError(`${what}: bad slice {start: ${coords.start}, stop: ${coords.stop}}`);
    return { ranges: [[lo, hi]] };
  }
  const points = sortedPoints(coords, what);
  return { ranges: pointsToRanges(points), points };
}

/** Position of each joinid in a sorted list, by table when the ids are dense, else by binary search. */
export class JoinIndex {
  readonly #ids: Float64Array;
  readonly #table: Int32Array | undefined;
  readonly #min: number;

  constructor(sortedIds: Float64Array) {
    this.#ids = sortedIds;
    const n = sortedIds.length;
    this.#min = n > 0 ? (sortedIds[0] as number) : 0;
    const span = n > 0 ? (sortedIds[n - 1] as number) - this.#min + 1 : 0;
    if (n > 0 && span <= 4 * n + 4096) {
      const table = new Int32Array(span).fill(-1);
      for (let i = 0; i < n; i++) table[(sortedIds[i] as number) - this.#min] = i;
      this.#table = table;
    }
  }

  get size(): number {
    return this.#ids.length;
  }

  /** The position of `id`, or -1. */
  indexOf(id: number): number {
    if (this.#table) {
      const k = id - this.#min;
      return k >= 0 && k < this.#table.length ? (this.#table[k] as number) : -1;
    }
    let lo = 0;
    let hi = this.#ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.#ids[mid] as number;
      if (v === id) return mid;
      if (v < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}

/**
 * At most `max` ranges covering `ranges` (sorted, disjoint): the smallest gaps are bridged. The
 * TileDB reader tests each cell against every range, so long point lists are coarsened for the read
 * and the exact selection is applied afterwards.
 */
export function coarsenRanges(ranges: [number, number][], max: number): [number, number][] {
  if (ranges.length <= max) return ranges;
  const gaps = ranges.slice(1).map((r, i) => ({ i, gap: r[0] - (ranges[i] as [number, number])[1] }));
  gaps.sort((a, b) => b.gap - a.gap || a.i - b.i);
  const splits = new Set(gaps.slice(0, Math.max(0, max - 1)).map((g) => g.i));
  const out: [number, number][] = [];
  let lo = (ranges[0] as [number, number])[0];
  for (let i = 0; i < ranges.length; i++) {
    if (i === ranges.length - 1 || splits.has(i)) {
      out.push([lo, (ranges[i] as [number, number])[1]]);
      if (i + 1 < ranges.length) lo = (ranges[i + 1] as [number, number])[0];
    }
  }
  return out;
}

/** Ranges pushed down to one TileDB read. */
export const MAX_PUSHDOWN_RANGES = 32;

/** Positions of `ids` inside the selection (its points, else its ranges), or undefined when all are. */
export function keepSelected(ids: Float64Array, sel: AxisSelection): Int32Array | undefined {
  if (!sel.ranges) return undefined;
  const keep: number[] = [];
  if (sel.points) {
    const index = new JoinIndex(sel.points);
    for (let i = 0; i < ids.length; i++) if (index.indexOf(ids[i] as number) >= 0) keep.push(i);
  } else {
    const ranges = sel.ranges;
    for (let i = 0; i < ids.length; i++) {
      const v = ids[i] as number;
      if (ranges.some(([lo, hi]) => v >= lo && v <= hi)) keep.push(i);
    }
  }
  return keep.length === ids.length ? undefined : Int32Array.from(keep);
}
