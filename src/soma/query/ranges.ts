/**
 * Value ranges a filter allows for one int64 column (e.g. `soma_joinid`), so a reader can push
 * them down as TileDB dimension ranges and evaluate the full filter on what comes back.
 *
 * ```ts
 * int64Ranges(parseValueFilter("soma_joinid < 10 or soma_joinid in [50, 51]"), "soma_joinid");
 * // [[-9223372036854775808n, 9n], [50n, 51n]]
 * ```
 */
import type { FilterAst } from "./ast.js";
import { castCompareValue, castMemberValue } from "./cast.js";
import type { ValueKind } from "./columns.js";

/** Sorted, disjoint, inclusive `[lo, hi]` ranges. */
export type Int64Ranges = [bigint, bigint][];

const MIN = -(1n << 63n);
const MAX = (1n << 63n) - 1n;
const INT64: ValueKind = { k: "int", dtype: "int64", bits: 64, signed: true, big: true };
const ALL = (): Int64Ranges => [[MIN, MAX]];

/**
 * A superset of the values of `column` for which `ast` can match (exact when the filter reads
 * only that column). The column is taken to be a non-null int64, like a SOMA dimension; a value
 * that cannot be cast leaves the column unconstrained (the full filter reports the error).
 */
export function int64Ranges(ast: FilterAst, column: string): Int64Ranges {
  switch (ast.type) {
    case "and":
      return ast.children.map((c) => int64Ranges(c, column)).reduce(intersect);
    case "or":
      return normalise(ast.children.flatMap((c) => int64Ranges(c, column)));
    case "in": {
      if (ast.column !== column) return ALL();
      let points: Int64Ranges;
      try {
        points = normalise(ast.values.map((v) => castMemberValue(v, INT64) as bigint).map((v) => [v, v]));
      } catch {
        return ALL();
      }
      return ast.negated ? complement(points) : points;
    }
    case "compare": {
      if (ast.column !== column) return ALL();
      if (ast.value.kind === "none") return ast.op === "!=" ? ALL() : [];
      let v: bigint;
      try {
        v = castCompareValue(ast.value, INT64) as bigint;
      } catch {
        return ALL();
      }
      const clip = (lo: bigint, hi: bigint): Int64Ranges => (lo <= hi ? [[lo, hi]] : []);
      switch (ast.op) {
        case "==":
          return [[v, v]];
        case "!=":
          return complement([[v, v]]);
        case "<":
          return clip(MIN, v - 1n);
        case "<=":
          return [[MIN, v]];
        case ">":
          return clip(v + 1n, MAX);
        case ">=":
          return [[v, MAX]];
      }
    }
  }
}

function normalise(ranges: Int64Ranges): Int64Ranges {
  const sorted = [...ranges].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Int64Ranges = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && lo <= last[1] + 1n) {
      if (hi > last[1]) last[1] = hi;
    } else {
      out.push([lo, hi]);
    }
  }
  return out;
}

function intersect(a: Int64Ranges, b: Int64Ranges): Int64Ranges {
  const out: Int64Ranges = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [alo, ahi] = a[i]!;
    const [blo, bhi] = b[j]!;
    const lo = bigMax(alo, blo);
    const hi = bigMin(ahi, bhi);
    if (lo <= hi) out.push([lo, hi]);
    if (ahi < bhi) i++;
    else j++;
  }
  return out;
}

function complement(ranges: Int64Ranges): Int64Ranges {
  const out: Int64Ranges = [];
  let next = MIN;
  for (const [lo, hi] of ranges) {
    if (lo > next) out.push([next, lo - 1n]);
    next = hi + 1n;
  }
  if (ranges.length === 0 || ranges[ranges.length - 1]![1] < MAX) out.push([next, MAX]);
  return out;
}

// Math.max/min do not take bigints.
function bigMax(a: bigint, b: bigint): bigint {
  if (a > b) return a;
  return b;
}

function bigMin(a: bigint, b: bigint): bigint {
  if (a < b) return a;
  return b;
}
