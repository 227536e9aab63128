/** TileDB datatypes: ids as stored on disk, byte sizes, and typed-array views. */
import { FormatError } from "../../errors.js";
import type { NumericArray } from "../../typed-arrays.js";
import { copyBytes } from "./bytes.js";

export const Datatype = {
  INT32: 0,
  INT64: 1,
  FLOAT32: 2,
  FLOAT64: 3,
  CHAR: 4,
  INT8: 5,
  UINT8: 6,
  INT16: 7,
  UINT16: 8,
  UINT32: 9,
  UINT64: 10,
  STRING_ASCII: 11,
  STRING_UTF8: 12,
  STRING_UTF16: 13,
  STRING_UTF32: 14,
  STRING_UCS2: 15,
  STRING_UCS4: 16,
  ANY: 17,
  // DATETIME_YEAR (18) .. DATETIME_AS (30), TIME_HR (31) .. TIME_AS (39): all int64 (tiledb_enum.h).
  BLOB: 40,
  BOOL: 41,
  GEOM_WKB: 42,
  GEOM_WKT: 43,
} as const;

const NAMES: Record<number, string> = {};
for (const [k, v] of Object.entries(Datatype)) NAMES[v] = k;
const DT = ["YEAR", "MONTH", "WEEK", "DAY", "HR", "MIN", "SEC", "MS", "US", "NS", "PS", "FS", "AS"];
DT.forEach((u, i) => {
  NAMES[18 + i] = `DATETIME_${u}`;
});
["HR", "MIN", "SEC", "MS", "US", "NS", "PS", "FS", "AS"].forEach((u, i) => {
  NAMES[31 + i] = `TIME_${u}`;
});

export function datatypeName(t: number): string {
  return NAMES[t] ?? `UNKNOWN(${t})`;
}

/** DATETIME_* (18..30) and TIME_* (31..39): int64 counts of their unit. */
export function isDateTime(t: number): boolean {
  return t >= 18 && t <= 39;
}

export function isStringType(t: number): boolean {
  return t === Datatype.CHAR || (t >= Datatype.STRING_ASCII && t <= Datatype.STRING_UCS4);
}

export function datatypeSize(t: number): number {
  switch (t) {
    case Datatype.INT8:
    case Datatype.UINT8:
    case Datatype.CHAR:
    case Datatype.STRING_ASCII:
    case Datatype.STRING_UTF8:
    case Datatype.BOOL:
    case Datatype.BLOB:
    case Datatype.GEOM_WKB:
    case Datatype.GEOM_WKT:
    case Datatype.ANY:
      return 1;
    case Datatype.INT16:
    case Datatype.UINT16:
    case Datatype.STRING_UTF16:
    case Datatype.STRING_UCS2:
      return 2;
    case Datatype.INT32:
    case Datatype.UINT32:
    case Datatype.FLOAT32:
    case Datatype.STRING_UTF32:
    case Datatype.STRING_UCS4:
      return 4;
    case Datatype.INT64:
    case Datatype.UINT64:
    case Datatype.FLOAT64:
      return 8;
    default:
      if (isDateTime(t)) return 8;
      throw new FormatError(`unknown datatype ${t}`);
  }
}

export function isSignedInt(t: number): boolean {
  return (
    t === Datatype.INT8 ||
    t === Datatype.INT16 ||
    t === Datatype.INT32 ||
    t === Datatype.INT64 ||
    isDateTime(t)
  );
}

export function isFloat(t: number): boolean {
  return t === Datatype.FLOAT32 || t === Datatype.FLOAT64;
}

export type { NumericArray };

export type TypedArrayCtor = {
  new (length: number): NumericArray;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): NumericArray;
  readonly BYTES_PER_ELEMENT: number;
};

/** The typed array holding values of a fixed-size datatype (BOOL → Uint8Array, int64/datetime → BigInt64Array). */
export function typedArrayFor(t: number): TypedArrayCtor {
  switch (t) {
    case Datatype.INT8:
      return Int8Array as TypedArrayCtor;
    case Datatype.UINT8:
    case Datatype.BOOL:
    case Datatype.CHAR:
    case Datatype.STRING_ASCII:
    case Datatype.STRING_UTF8:
    case Datatype.BLOB:
      return Uint8Array as TypedArrayCtor;
    case Datatype.INT16:
      return Int16Array as TypedArrayCtor;
    case Datatype.UINT16:
    case Datatype.STRING_UTF16:
    case Datatype.STRING_UCS2:
      return Uint16Array as TypedArrayCtor;
    case Datatype.INT32:
      return Int32Array as TypedArrayCtor;
    case Datatype.UINT32:
    case Datatype.STRING_UTF32:
    case Datatype.STRING_UCS4:
      return Uint32Array as TypedArrayCtor;
    case Datatype.FLOAT32:
      return Float32Array as TypedArrayCtor;
    case Datatype.FLOAT64:
      return Float64Array as TypedArrayCtor;
    case Datatype.INT64:
      return BigInt64Array as TypedArrayCtor;
    case Datatype.UINT64:
      return BigUint64Array as TypedArrayCtor;
    default:
      if (isDateTime(t)) return BigInt64Array as TypedArrayCtor;
      throw new FormatError(`no typed array for datatype ${datatypeName(t)}`);
  }
}

/** Reinterprets (copying when unaligned) `bytes` as values of datatype t. */
export function viewAs(bytes: Uint8Array, t: number): NumericArray {
  const C = typedArrayFor(t);
  const n = Math.floor(bytes.byteLength / C.BYTES_PER_ELEMENT);
  if (bytes.byteOffset % C.BYTES_PER_ELEMENT === 0) return new C(bytes.buffer, bytes.byteOffset, n);
  const copy = copyBytes(bytes, 0, n * C.BYTES_PER_ELEMENT);
  return new C(copy.buffer, 0, n);
}

/** One scalar: bigint for 64-bit integer types, number otherwise. */
export type Scalar = number | bigint;

export function readScalar(view: DataView, offset: number, t: number): Scalar {
  switch (t) {
    case Datatype.INT8:
      return view.getInt8(offset);
    case Datatype.UINT8:
    case Datatype.BOOL:
    case Datatype.CHAR:
    case Datatype.STRING_ASCII:
    case Datatype.STRING_UTF8:
      return view.getUint8(offset);
    case Datatype.INT16:
      return view.getInt16(offset, true);
    case Datatype.UINT16:
      return view.getUint16(offset, true);
    case Datatype.INT32:
      return view.getInt32(offset, true);
    case Datatype.UINT32:
      return view.getUint32(offset, true);
    case Datatype.FLOAT32:
      return view.getFloat32(offset, true);
    case Datatype.FLOAT64:
      return view.getFloat64(offset, true);
    case Datatype.UINT64:
      return view.getBigUint64(offset, true);
    default:
      if (t === Datatype.INT64 || isDateTime(t)) return view.getBigInt64(offset, true);
      throw new FormatError(`cannot read a scalar of datatype ${datatypeName(t)}`);
  }
}
