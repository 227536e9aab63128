/**
 * What a filter needs to know about an Arrow column type: its kind, the numpy dtype name
 * tiledbsoma would cast to (used in messages), and, for dictionaries (TileDB enumerations),
 * the label type and whether the enumeration is ordered.
 */
import { DataType, type Field } from "apache-arrow";

export type ValueKind =
  | { k: "string"; dtype: "string" }
  | { k: "int"; dtype: string; bits: number; signed: boolean; big: boolean }
  | { k: "float"; dtype: string; single: boolean }
  | { k: "bool"; dtype: "bool" }
  | { k: "time"; dtype: string };

export interface ColumnKind {
  value: ValueKind;
  /** Set for dictionary-encoded (enumeration) columns; values are compared by label. */
  enumeration?: { ordered: boolean };
}

const TIME_UNITS = ["s", "ms", "us", "ns"];

function valueKind(t: DataType): ValueKind | undefined {
  if (DataType.isUtf8(t) || DataType.isLargeUtf8(t) || DataType.isUtf8View(t))
    return { k: "string", dtype: "string" };
  if (DataType.isInt(t)) {
    const dtype = `${t.isSigned ? "int" : "uint"}${t.bitWidth}`;
    return { k: "int", dtype, bits: t.bitWidth, signed: t.isSigned, big: t.bitWidth === 64 };
  }
  if (DataType.isFloat(t)) {
    // Half floats have no TileDB type; only 32/64-bit floats are filterable.
    if (t.precision === 0) return undefined;
    return { k: "float", dtype: t.precision === 1 ? "float32" : "float64", single: t.precision === 1 };
  }
  if (DataType.isBool(t)) return { k: "bool", dtype: "bool" };
  if (DataType.isTimestamp(t)) return { k: "time", dtype: `datetime64[${TIME_UNITS[t.unit] ?? "ns"}]` };
  if (DataType.isDate(t)) return { k: "time", dtype: t.unit === 0 ? "datetime64[D]" : "datetime64[ms]" };
  return undefined;
}

/** The filter view of a field, or a string describing why the type is not filterable. */
export function columnKind(field: Field): ColumnKind | string {
  const t = field.type;
  if (DataType.isDictionary(t)) {
    const value = valueKind(t.dictionary);
    if (value === undefined || value.k === "time") return `dictionary of ${String(t.dictionary)}`;
    return { value, enumeration: { ordered: t.isOrdered } };
  }
  const value = valueKind(t);
  return value === undefined ? String(t) : { value };
}
