/**
 * Type edges: h5wasm returns int64 as BigInt64Array and bools as Int8Array; everything past this
 * module sees plain numbers.
 */
import type { Metadata } from "h5wasm/node";
import type { NumberArray } from "../typed-arrays.js";
import type { NumericDtype } from "./types.js";

export type { NumberArray };

/** What a dataset's element type is, in cellfeed's words. */
export type ElementType = NumericDtype | "bool" | "string" | "compound" | "reference" | "float16" | "other";

const H5T_INTEGER = 0;
const H5T_FLOAT = 1;
const H5T_STRING = 3;
const H5T_COMPOUND = 6;
const H5T_REFERENCE = 7;
const H5T_ENUM = 8;
const H5T_VLEN = 9;

/** The element type described by h5wasm metadata. */
export function elementType(meta: Metadata): ElementType {
  switch (meta.type) {
    case H5T_INTEGER: {
      const bits = meta.size * 8;
      if (![8, 16, 32, 64].includes(bits)) return "other";
      return `${meta.signed ? "int" : "uint"}${bits}` as NumericDtype;
    }
    case H5T_FLOAT:
      return meta.size === 4
        ? "float32"
        : meta.size === 8
          ? "float64"
          : meta.size === 2
            ? "float16"
            : "other";
    case H5T_STRING:
      return "string";
    case H5T_VLEN:
      return meta.vlen_type?.type === H5T_STRING ? "string" : "other";
    case H5T_COMPOUND:
      return "compound";
    case H5T_REFERENCE:
      return "reference";
    case H5T_ENUM: {
      const names = Object.keys(meta.enum_type?.members ?? {}).map((n) => n.toUpperCase());
      if (names.length === 2 && names.includes("TRUE") && names.includes("FALSE")) return "bool";
      return "other";
    }
    default:
      return "other";
  }
}

/** True for "int8".."float64". */
export function isNumeric(t: ElementType): t is NumericDtype {
  return /^(u?int(8|16|32|64)|float(32|64))$/.test(t);
}

/** Any h5wasm numeric output (typed array, BigInt array, number[], scalar) as plain numbers. */
export function toNumberArray(v: unknown): NumberArray {
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) {
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = Number(v[i]);
    return out;
  }
  if (ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof Uint8ClampedArray)) {
    return v as NumberArray;
  }
  if (Array.isArray(v)) return Float64Array.from(v, (x) => Number(x));
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") {
    return Float64Array.of(Number(v));
  }
  return new Float64Array(0);
}

/** Plain number[] (for shapes, small attributes). */
export function toNumbers(v: unknown): number[] {
  return Array.from(toNumberArray(v));
}

/** Indices (int32 or int64 on disk) as Int32Array; values past int32 would be a format error upstream. */
export function toInt32(v: NumberArray): Int32Array {
  return v instanceof Int32Array ? v : Int32Array.from(v);
}

/** Strings from an h5wasm string read (which returns string | string[]). */
export function toStrings(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((s) => (typeof s === "string" ? s : String(s)));
  if (typeof v === "string") return [v];
  if (ArrayBuffer.isView(v)) return Array.from(toNumberArray(v), (x) => String(x));
  return [];
}

/** A scalar string attribute (h5wasm may return a string or a 1-element array). */
export function toStringScalar(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === "string") return v[0];
  return undefined;
}

/** A scalar boolean attribute (enum bool comes back as a number, Int8Array or boolean). */
export function toBool(v: unknown): boolean {
  if (typeof v === "boolean") return v;
  if (typeof v === "number" || typeof v === "bigint") return Number(v) !== 0;
  if (ArrayBuffer.isView(v) || Array.isArray(v)) return toNumberArray(v)[0] === 1;
  return false;
}
