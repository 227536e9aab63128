/** Query ranges per dimension, their normalisation, and cell / MBR tests against them. */
import { InvalidArgumentError } from "../../errors.js";
import { copyBytes } from "./bytes.js";
import { Datatype, isDateTime } from "./datatypes.js";
import type { DimRange } from "./fragment-metadata.js";
import type { ArraySchema } from "./schema.js";
import { VAR_NUM } from "./schema.js";

/** One [lo, hi] pair (inclusive). Numbers, bigints (int64) or strings (string dims). */
export type RangeInput = readonly [number | bigint | string, number | bigint | string];

/**
 * Ranges for a read: per dimension (by index, or by name in an object) one [lo, hi] pair or a list of
 * pairs; a missing entry means the whole dimension.
 */
export type RangesInput =
  | readonly (RangeInput | readonly RangeInput[] | null | undefined)[]
  | Readonly<Record<string, RangeInput | readonly RangeInput[] | null | undefined>>;

/** Normalised: per dimension, undefined (all) or a list of ranges (numbers for numeric dims). */
export type Ranges = (DimRange[] | undefined)[];

function isPair(x: unknown): x is RangeInput {
  return Array.isArray(x) && x.length === 2 && !Array.isArray(x[0]);
}

export function normalizeRanges(schema: ArraySchema, input: RangesInput | undefined, where: string): Ranges {
  const out: Ranges = schema.dimensions.map(() => undefined);
  if (!input) return out;
  const entries: [number, unknown][] = [];
  if (Array.isArray(input)) for (const [i, v] of (input as unknown[]).entries()) entries.push([i, v]);
  else
    for (const [k, v] of Object.entries(input)) {
      const i = schema.dimensions.findIndex((d) => d.name === k);
      if (i < 0)
        throw new InvalidArgumentError(
          `no dimension '${k}' (dimensions: ${schema.dimensions.map((d) => d.name).join(", ")})`,
          { path: where },
        );
      entries.push([i, v]);
    }
  for (const [i, v] of entries) {
    if (v === undefined || v === null) continue;
    const dim = schema.dimensions[i];
    if (!dim)
      throw new InvalidArgumentError(
        `range for dimension ${i}, but the array has ${schema.dimensions.length}`,
        { path: where },
      );
    const list = (isPair(v) ? [v] : (v as RangeInput[])).map((p): DimRange => {
      if (!isPair(p))
        throw new InvalidArgumentError(`range for '${dim.name}' must be [lo, hi]`, { path: where });
      if (dim.cellValNum === VAR_NUM) return [String(p[0]), String(p[1])];
      const lo = Number(p[0]);
      const hi = Number(p[1]);
      if (Number.isNaN(lo) || Number.isNaN(hi) || typeof p[0] === "string" || typeof p[1] === "string")
        throw new InvalidArgumentError(`range for '${dim.name}' must be numeric`, { path: where });
      if (lo > hi)
        throw new InvalidArgumentError(`range [${lo}, ${hi}] for '${dim.name}' is reversed`, { path: where });
      return [lo, hi];
    });
    out[i] = list;
  }
  return out;
}

/** 0 = disjoint, 1 = overlaps, 2 = [lo, hi] lies fully inside one of the ranges. */
export function classify(
  lo: number | string,
  hi: number | string,
  ranges: DimRange[] | undefined,
): 0 | 1 | 2 {
  if (!ranges) return 2;
  let res: 0 | 1 | 2 = 0;
  for (const [a, b] of ranges) {
    if (hi < a || lo > b) continue;
    if (lo >= a && hi <= b) return 2;
    res = 1;
  }
  return res;
}

/**
 * One dimension's ranges sorted by start and merged where they overlap, for per-cell tests in
 * O(log R) instead of O(R). Coordinates of a tile mostly come in order, so the range that matched
 * the previous cell is tried first.
 */
export class RangeSet<T extends number | string> {
  readonly lo: T[];
  readonly hi: T[];
  #last = 0;

  constructor(ranges: readonly DimRange[]) {
    const sorted = [...ranges].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    this.lo = [];
    this.hi = [];
    for (const [a, b] of sorted) {
      const k = this.hi.length - 1;
      if (k >= 0 && a <= (this.hi[k] as T)) {
        if (b > (this.hi[k] as T)) this.hi[k] = b as T;
      } else {
        this.lo.push(a as T);
        this.hi.push(b as T);
      }
    }
  }

  /** True when v lies in one of the ranges. */
  has(v: T): boolean {
    const { lo, hi } = this;
    const j = this.#last;
    if (j < lo.length && v >= (lo[j] as T) && v <= (hi[j] as T)) return true;
    // Last range starting at or before v.
    let a = 0;
    let b = lo.length - 1;
    if (b < 0 || v < (lo[0] as T)) return false;
    while (a < b) {
      const m = (a + b + 1) >> 1;
      if ((lo[m] as T) <= v) a = m;
      else b = m - 1;
    }
    this.#last = a;
    return v <= (hi[a] as T);
  }
}

/** Numeric coordinates as doubles (int64 through two 32-bit halves: exact below 2^53). */
export function coordsAsNumbers(bytes: Uint8Array, type: number): Float64Array {
  const copy = bytes.byteOffset % 8 === 0 ? bytes : copyBytes(bytes);
  const n8 = Math.floor(copy.byteLength / 8);
  switch (type) {
    case Datatype.INT64:
    case Datatype.UINT64: {
      const u = new Uint32Array(copy.buffer, copy.byteOffset, n8 * 2);
      const out = new Float64Array(n8);
      const signed = type === Datatype.INT64;
      for (let i = 0; i < n8; i++) {
        const hi = u[2 * i + 1] as number;
        out[i] = (signed ? hi | 0 : hi) * 4294967296 + (u[2 * i] as number);
      }
      return out;
    }
    default: {
      if (isDateTime(type)) return coordsAsNumbers(copy, Datatype.INT64);
      const view = new DataView(copy.buffer, copy.byteOffset, copy.byteLength);
      const size = sizeOf(type);
      const n = Math.floor(copy.byteLength / size);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = readNum(view, i * size, type);
      return out;
    }
  }
}

function sizeOf(type: number): number {
  switch (type) {
    case Datatype.INT8:
    case Datatype.UINT8:
      return 1;
    case Datatype.INT16:
    case Datatype.UINT16:
      return 2;
    case Datatype.INT32:
    case Datatype.UINT32:
    case Datatype.FLOAT32:
      return 4;
    default:
      return 8;
  }
}

function readNum(v: DataView, o: number, type: number): number {
  switch (type) {
    case Datatype.INT8:
      return v.getInt8(o);
    case Datatype.UINT8:
      return v.getUint8(o);
    case Datatype.INT16:
      return v.getInt16(o, true);
    case Datatype.UINT16:
      return v.getUint16(o, true);
    case Datatype.INT32:
      return v.getInt32(o, true);
    case Datatype.UINT32:
      return v.getUint32(o, true);
    case Datatype.FLOAT32:
      return v.getFloat32(o, true);
    default:
      return v.getFloat64(o, true);
  }
}
