/**
 * Row-batch planning, shared by every matrix layout: validate the caller's indices, sort and
 * de-duplicate them, and group neighbouring rows into runs so each dataset is sliced once per run.
 */
import { InvalidArgumentError, InvalidIndexError } from "../errors.js";

export interface RowPlan {
  /** The distinct requested rows, ascending. */
  unique: Int32Array;
  /** For each caller position, the slot of its row in `unique`. */
  slotOf: Int32Array;
}

/** A run of unique-row slots [first, last] read with one slice covering rows [start, end). */
export interface Run {
  first: number;
  last: number;
  start: number;
  end: number;
}

/** Validates indices (integers in [0, nRows)) and builds the plan. */
export function planRows(
  indices: ArrayLike<number>,
  nRows: number,
  where: { path: string; dataset: string },
): RowPlan {
  const n = indices.length;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError("row indices must be an array-like of numbers", where);
  }
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = indices[i];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= nRows) {
      const why = typeof v !== "number" || !Number.isInteger(v) ? "is not an integer" : "is out of range";
      throw new InvalidIndexError(
        `row index ${String(v)} at position ${i} ${why} (valid: 0..${nRows - 1})`,
        where,
      );
    }
    rows[i] = v;
  }
  const order = new Int32Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    if (i > 0 && rows[i]! < rows[i - 1]!) sorted = false;
  }
  // Batches from MappedCollection arrive sorted: skip the comparator sort then.
  if (!sorted) order.sort((a, b) => rows[a]! - rows[b]! || a - b);
  const slotOf = new Int32Array(n);
  const uniqueTmp = new Int32Array(n);
  let u = 0;
  for (let j = 0; j < n; j++) {
    const pos = order[j]!;
    const r = rows[pos]!;
    if (u === 0 || uniqueTmp[u - 1] !== r) uniqueTmp[u++] = r;
    slotOf[pos] = u - 1;
  }
  return { unique: uniqueTmp.slice(0, u), slotOf };
}

/**
 * Groups ascending unique rows into runs. Two neighbouring rows share a run when the elements
 * between them (as measured by `gapCost(prevRow, nextRow)`) are at most `maxGap`: reading a few
 * unwanted elements is cheaper than another slice call.
 */
export function coalesce(
  unique: Int32Array,
  gapCost: (prevRow: number, nextRow: number) => number,
  maxGap: number,
): Run[] {
  const runs: Run[] = [];
  let i = 0;
  while (i < unique.length) {
    let j = i;
    while (j + 1 < unique.length && gapCost(unique[j]!, unique[j + 1]!) <= maxGap) j++;
    runs.push({ first: i, last: j, start: unique[i]!, end: unique[j]! + 1 });
    i = j + 1;
  }
  return runs;
}
