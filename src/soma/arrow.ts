/**
 * TileDB result columns → apache-arrow vectors and tables. Enumerated attributes become dictionary
 * vectors over the labels of the array's latest schema; validity becomes the Arrow null bitmap.
 *
 * Datetimes (as tiledbsoma's Arrow conversion does): DATETIME_SEC/MS/US/NS → `Timestamp` of that
 * unit (no timezone), DATETIME_DAY → `DateDay`. Arrow has no timestamp unit for the other TileDB
 * units (YEAR, MONTH, WEEK, HR, MIN, PS, FS, AS) nor a plain-time type for TIME_*, so those stay
 * `Int64` counts of their unit; converting them would lose range or precision.
 */
import {
  Bool,
  type Data,
  type DataType,
  DateDay,
  Dictionary,
  Field,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
  Utf8,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
import { FormatError, UnsupportedFeatureError } from "../errors.js";
import { isDateTime } from "./tiledb/datatypes.js";
import { type Column, Datatype, datatypeName, type TileDBArray } from "./tiledb/index.js";

/** TileDB's BOOL datatype id (kept for callers that imported it; the enum is `Datatype`). */
export const TILEDB_BOOL: number = Datatype.BOOL;

// TileDB datatype ids (tiledb_enum.h) of the datetimes with an Arrow type.
const DATETIME_DAY = 21;
const DATETIME_SEC = 24;
const DATETIME_MS = 25;
const DATETIME_US = 26;
const DATETIME_NS = 27;

type IntType = Int8 | Int16 | Int32 | Int64 | Uint8 | Uint16 | Uint32 | Uint64;

/** The Arrow type of a fixed-size numeric / string / bool TileDB datatype. */
export function arrowValueType(t: number, where: string): DataType {
  switch (t) {
    case Datatype.INT32:
      return new Int32();
    case Datatype.INT64:
      return new Int64();
    case Datatype.FLOAT32:
      return new Float32();
    case Datatype.FLOAT64:
      return new Float64();
    case Datatype.INT8:
      return new Int8();
    case Datatype.UINT8:
      return new Uint8();
    case Datatype.INT16:
      return new Int16();
    case Datatype.UINT16:
      return new Uint16();
    case Datatype.UINT32:
      return new Uint32();
    case Datatype.UINT64:
      return new Uint64();
    case Datatype.CHAR:
    case Datatype.STRING_ASCII:
    case Datatype.STRING_UTF8:
      return new Utf8();
    case Datatype.BOOL:
      return new Bool();
    case DATETIME_DAY:
      return new DateDay();
    case DATETIME_SEC:
      return new TimestampSecond();
    case DATETIME_MS:
      return new TimestampMillisecond();
    case DATETIME_US:
      return new TimestampMicrosecond();
    case DATETIME_NS:
      return new TimestampNanosecond();
    default:
      // Other datetime/time units have no Arrow type: int64 counts in the column's unit.
      if (isDateTime(t)) return new Int64();
      throw new UnsupportedFeatureError(`TileDB datatype ${datatypeName(t)} has no Arrow mapping`, {
        path: where,
      });
  }
}

let nextDictionaryId = 1;

/** The Arrow type of one field (dimension or attribute) of an opened array. */
export function arrowFieldType(array: TileDBArray, name: string): DataType {
  const attr = array.schema.attributes.find((a) => a.name === name);
  const dim = array.schema.dimensions.find((d) => d.name === name);
  const field = attr ?? dim;
  if (!field) throw new UnsupportedFeatureError(`no field '${name}'`, { path: array.uri });
  if (attr?.enumeration) {
    const e = array.enumerations.get(attr.enumeration);
    if (e) {
      const index = arrowValueType(attr.type, array.uri) as IntType;
      return new Dictionary(arrowValueType(e.type, array.uri), index as never, nextDictionaryId++, e.ordered);
    }
  }
  return arrowValueType(field.type, array.uri);
}

/** The Arrow schema of a SOMA DataFrame (index columns first, then attributes). */
export function arrowSchemaOf(array: TileDBArray): Schema {
  const fields: Field[] = [];
  for (const d of array.schema.dimensions)
    fields.push(new Field(d.name, arrowFieldType(array, d.name), false));
  for (const a of array.schema.attributes)
    fields.push(new Field(a.name, arrowFieldType(array, a.name), a.nullable));
  return new Schema(fields);
}

/** Packs 1-per-cell flags into an LSB-first bitmap; returns the bitmap and the count of zeros. */
function packBits(flags: ArrayLike<number>, rows: Int32Array | undefined): [Uint8Array, number] {
  const n = rows ? rows.length : flags.length;
  const out = new Uint8Array((n + 7) >> 3);
  let zeros = 0;
  for (let i = 0; i < n; i++) {
    const v = flags[rows ? (rows[i] as number) : i];
    if (v) out[i >> 3]! |= 1 << (i & 7);
    else zeros++;
  }
  return [out, zeros];
}

type Gatherable = { length: number; [i: number]: unknown; constructor: unknown };

function gather<T extends ArrayLike<unknown>>(data: T, rows: Int32Array | undefined): T {
  if (!rows) return data;
  const src = data as unknown as Gatherable;
  if (Array.isArray(data)) return Array.from(rows, (r) => data[r]) as unknown as T;
  const Ctor = src.constructor as new (n: number) => Gatherable;
  const out = new Ctor(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = src[rows[i] as number];
  return out as unknown as T;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** TileDB's int64 day counts as Arrow date32 days (int32), rejecting days it cannot hold. */
function daysToInt32(days: BigInt64Array | Int32Array): Int32Array {
  if (days instanceof Int32Array) return days;
  const out = new Int32Array(days.length);
  for (let i = 0; i < days.length; i++) {
    const d = Number(days[i]);
    if (d < INT32_MIN || d > INT32_MAX)
      throw new FormatError(`DATETIME_DAY value ${days[i]} (row ${i}) is outside Arrow date32's range`);
    out[i] = d;
  }
  return out;
}

/**
 * One column as an Arrow vector of `type`, keeping only `rows` (positions into the column) when
 * given. Invalid cells become nulls.
 */
export function columnToVector(col: Column, type: DataType, rows?: Int32Array): Vector {
  const n = rows ? rows.length : col.data.length;
  let nullBitmap: Uint8Array | undefined;
  let nullCount = 0;
  if (col.validity) {
    [nullBitmap, nullCount] = packBits(col.validity, rows);
    if (nullCount === 0) nullBitmap = undefined;
  }
  if (type instanceof Dictionary) {
    const dictionary = vectorFromArray(col.enumeration ?? [], type.dictionary);
    const codes = gather(col.data as Int32Array, rows);
    const data = makeData({ type, length: n, nullCount, nullBitmap, data: codes, dictionary } as never);
    return makeVector(data as Data);
  }
  if (type instanceof Utf8) {
    const strings = gather(col.data as string[], rows);
    if (nullBitmap) {
      const withNulls = strings.map((s, i) => ((nullBitmap![i >> 3]! >> (i & 7)) & 1 ? s : null));
      return vectorFromArray(withNulls, new Utf8());
    }
    return vectorFromArray(strings, new Utf8());
  }
  if (type instanceof Bool) {
    const [bits] = packBits(col.data as Uint8Array, rows);
    return makeVector(makeData({ type, length: n, nullCount, nullBitmap, data: bits } as never) as Data);
  }
  if (type instanceof DateDay) {
    const days = daysToInt32(gather(col.data as BigInt64Array, rows));
    return makeVector(makeData({ type, length: n, nullCount, nullBitmap, data: days } as never) as Data);
  }
  const values = gather(col.data as Float64Array, rows);
  return makeVector(makeData({ type, length: n, nullCount, nullBitmap, data: values } as never) as Data);
}

/**
 * Builds a table from named vectors, in the given order. With `nullable` flags the schema keeps
 * them (index columns are not nullable), as long as every vector is one chunk.
 */
export function tableOf(
  names: readonly string[],
  vectors: readonly Vector[],
  nullable?: readonly boolean[],
): Table {
  if (nullable && vectors.every((v) => v.data.length === 1)) {
    const fields = names.map((n, i) => new Field(n, (vectors[i] as Vector).type, nullable[i] ?? true));
    const length = vectors[0]?.length ?? 0;
    const children = vectors.map((v) => v.data[0] as Data);
    const data = makeData({ type: new Struct(fields), length, nullCount: 0, children });
    return new Table([new RecordBatch(new Schema(fields), data)]);
  }
  const record: Record<string, Vector> = {};
  names.forEach((name, i) => {
    record[name] = vectors[i] as Vector;
  });
  return new Table(record);
}
