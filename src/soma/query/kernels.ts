/**
 * Row tests over one Arrow `Data` chunk. A test writes 1 into `out[base + i]` for each matching
 * row i and leaves the others untouched. Nulls follow TileDB: a null cell matches no comparison
 * and no `in`/`not in`; only `== None` selects it.
 */
import { type Data, makeVector } from "apache-arrow";
import type { CompareOp } from "./ast.js";
import type { Scalar } from "./cast.js";
import type { ValueKind } from "./columns.js";

/** Bit i of the validity bitmap (with the chunk's bit offset); all valid when there are no nulls. */
export function validity(data: Data): ((i: number) => boolean) | undefined {
  if (data.nullCount <= 0 || data.nullBitmap === undefined || data.nullBitmap.length === 0) return undefined;
  const bm = data.nullBitmap;
  const off = data.offset;
  return (i) => ((bm[(off + i) >> 3]! >> ((off + i) & 7)) & 1) === 1;
}

/**
 * Compares strings by code point, which is the UTF-8 byte order TileDB uses. UTF-16 code-unit
 * order differs only between surrogates and U+E000..U+FFFF, so those units are shifted.
 */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

/** `x op v` for one scalar type. */
export function scalarTest(op: CompareOp, v: Scalar): (x: Scalar) => boolean {
  if (typeof v === "string") {
    switch (op) {
      case "==":
        return (x) => x === v;
      case "!=":
        return (x) => x !== v;
      case "<":
        return (x) => compareStrings(x as string, v) < 0;
      case "<=":
        return (x) => compareStrings(x as string, v) <= 0;
      case ">":
        return (x) => compareStrings(x as string, v) > 0;
      case ">=":
        return (x) => compareStrings(x as string, v) >= 0;
    }
  }
  switch (op) {
    case "==":
      return (x) => x === v;
    case "!=":
      return (x) => x !== v;
    case "<":
      return (x) => (x as number) < (v as number);
    case "<=":
      return (x) => (x as number) <= (v as number);
    case ">":
      return (x) => (x as number) > (v as number);
    case ">=":
      return (x) => (x as number) >= (v as number);
  }
}

/** Reads row i of a non-dictionary chunk as a Scalar in the column's domain (generic path). */
export function rowReader(data: Data, kind: ValueKind): (i: number) => Scalar {
  if (kind.k === "bool") {
    const bits = data.values as Uint8Array;
    const off = data.offset;
    return (i) => (bits[(off + i) >> 3]! >> ((off + i) & 7)) & 1;
  }
  if (kind.k === "string") {
    const vec = makeVector(data);
    return (i) => vec.get(i) as string;
  }
  const values = data.values as ArrayLike<number | bigint>;
  return (i) => values[i]!;
}

/** Dictionary labels as Scalars (null labels become undefined). */
export function labels(data: Data): (Scalar | undefined)[] {
  const dict = data.dictionary;
  if (dict === undefined) return [];
  const out: (Scalar | undefined)[] = [];
  for (let j = 0; j < dict.length; j++) {
    const v = dict.get(j) as unknown;
    if (v === null || v === undefined) out.push(undefined);
    else if (typeof v === "boolean") out.push(v ? 1 : 0);
    else out.push(v as Scalar);
  }
  return out;
}

/** out[base + i] = ok[code of row i]: one table lookup per row for dictionary columns. */
export function fillByCode(data: Data, ok: Uint8Array, out: Uint8Array, base: number): void {
  const codes = data.values as ArrayLike<number | bigint>;
  const n = data.length;
  if (codes instanceof BigInt64Array || codes instanceof BigUint64Array) {
    for (let i = 0; i < n; i++) out[base + i] = ok[Number(codes[i]!)] ?? 0;
  } else {
    const c = codes as ArrayLike<number>;
    for (let i = 0; i < n; i++) out[base + i] = ok[c[i]!] ?? 0;
  }
}

type Num = number | bigint;

/** Tight per-operator loops over a numeric typed array (number or bigint elements). */
export function fillCompare(
  values: ArrayLike<Num>,
  n: number,
  op: CompareOp,
  v: Num,
  out: Uint8Array,
  base: number,
) {
  // Mixed number/bigint comparisons are exact in JS, but keep both sides the same type for speed.
  const x = values as ArrayLike<number>;
  const w = v as number;
  switch (op) {
    case "==":
      for (let i = 0; i < n; i++) out[base + i] = x[i] === w ? 1 : 0;
      return;
    case "!=":
      for (let i = 0; i < n; i++) out[base + i] = x[i] !== w ? 1 : 0;
      return;
    case "<":
      for (let i = 0; i < n; i++) out[base + i] = x[i]! < w ? 1 : 0;
      return;
    case "<=":
      for (let i = 0; i < n; i++) out[base + i] = x[i]! <= w ? 1 : 0;
      return;
    case ">":
      for (let i = 0; i < n; i++) out[base + i] = x[i]! > w ? 1 : 0;
      return;
    case ">=":
      for (let i = 0; i < n; i++) out[base + i] = x[i]! >= w ? 1 : 0;
      return;
  }
}

const utf8 = new TextEncoder();

/** memcmp-style order of bytes[start, end) against `target` (TileDB's string order). */
function compareBytes(bytes: Uint8Array, start: number, end: number, target: Uint8Array): number {
  const len = end - start;
  const m = Math.min(len, target.length);
  for (let k = 0; k < m; k++) {
    const d = bytes[start + k]! - target[k]!;
    if (d !== 0) return d;
  }
  return len - target.length;
}

/**
 * String comparisons on the UTF-8 bytes of Utf8/LargeUtf8 chunks, without decoding rows.
 * Returns false when the chunk layout is not one of those (the caller then uses the generic path).
 */
export function fillStrings(
  data: Data,
  test: { op: CompareOp; value: string } | { members: readonly string[]; negated: boolean },
  out: Uint8Array,
  base: number,
): boolean {
  const offsets = data.valueOffsets as ArrayLike<number | bigint> | undefined;
  const bytes = data.values as unknown;
  if (offsets === undefined || !(bytes instanceof Uint8Array)) return false;
  const at = (i: number) => Number(offsets[i]!);
  const n = data.length;
  if ("members" in test) {
    const targets = test.members.map((m) => utf8.encode(m));
    const hit = test.negated ? 0 : 1;
    for (let i = 0; i < n; i++) {
      const s = at(i);
      const e = at(i + 1);
      let found = false;
      for (const t of targets) {
        if (t.length === e - s && compareBytes(bytes, s, e, t) === 0) {
          found = true;
          break;
        }
      }
      out[base + i] = found ? hit : 1 - hit;
    }
    return true;
  }
  const target = utf8.encode(test.value);
  const keep = signTest(test.op);
  for (let i = 0; i < n; i++) {
    const s = at(i);
    const e = at(i + 1);
    // Different lengths can never be equal: skip the byte loop for ==/!=.
    const c =
      (test.op === "==" || test.op === "!=") && e - s !== target.length
        ? 1
        : compareBytes(bytes, s, e, target);
    out[base + i] = keep(c) ? 1 : 0;
  }
  return true;
}

function signTest(op: CompareOp): (c: number) => boolean {
  switch (op) {
    case "==":
      return (c) => c === 0;
    case "!=":
      return (c) => c !== 0;
    case "<":
      return (c) => c < 0;
    case "<=":
      return (c) => c <= 0;
    case ">":
      return (c) => c > 0;
    case ">=":
      return (c) => c >= 0;
  }
}

/** Sets out[base + i] = 0 for every null row of the chunk (nulls match no comparison). */
export function clearNulls(data: Data, out: Uint8Array, base: number): void {
  const valid = validity(data);
  if (valid === undefined) return;
  for (let i = 0; i < data.length; i++) if (!valid(i)) out[base + i] = 0;
}
