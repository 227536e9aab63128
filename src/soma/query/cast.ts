/**
 * Value casts, following tiledbsoma's `cast_val_to_dtype` for comparisons (numpy casts: floats
 * truncate on int columns, `bool(v)` on bool columns, no str→number casts) and pybind's stricter
 * rules for `in` lists (no casts; ints for int columns). Bool columns accept `in` here, which is
 * one of the tiledbsoma defects cellfeed fixes.
 *
 * A cast value is a `Scalar`: `number` for ≤32-bit ints, floats and bools (0/1), `bigint` for
 * 64-bit ints and datetimes, `string` for strings.
 */
import type { FilterLiteral } from "./ast.js";
import type { ValueKind } from "./columns.js";

export type Scalar = number | bigint | string;

/** Thrown by the casts; the compiler adds expression, position and column. */
export class CastError extends Error {}

function pyRepr(v: FilterLiteral): string {
  switch (v.kind) {
    case "str":
      return v.value;
    case "int":
      return v.value.toString();
    case "float":
      if (Number.isNaN(v.value)) return "nan";
      if (!Number.isFinite(v.value)) return v.value > 0 ? "inf" : "-inf";
      return Number.isInteger(v.value) ? v.value.toFixed(1) : String(v.value);
    case "bool":
      return v.value ? "True" : "False";
    case "none":
      return "None";
  }
}

function intRange(kind: ValueKind & { k: "int" }): [bigint, bigint] {
  const bits = BigInt(kind.bits);
  return kind.signed ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n] : [0n, (1n << bits) - 1n];
}

function toIntScalar(v: bigint, kind: ValueKind & { k: "int" }): Scalar {
  const [lo, hi] = intRange(kind);
  if (v < lo || v > hi) throw new CastError(`Python integer ${v} out of bounds for ${kind.dtype}`);
  return kind.big ? v : Number(v);
}

/** The cast applied to the value of a comparison (`column op value`). */
export function castCompareValue(v: FilterLiteral, kind: ValueKind): Scalar {
  if (v.kind === "none") throw new CastError("None needs `==` or `!=`");
  if (kind.k === "string") {
    if (v.kind !== "str") {
      throw new CastError(
        `Incorrect type for comparison value: a string column needs a string, got ${pyRepr(v)} (quote it: "${pyRepr(v)}")`,
      );
    }
    return v.value;
  }
  if (v.kind === "str") throw new CastError(`Cannot cast \`${v.value}\` to ${kind.dtype}.`);
  if (kind.k === "bool") {
    // Python's bool(v).
    const truthy = v.kind === "bool" ? v.value : v.kind === "int" ? v.value !== 0n : v.value !== 0;
    return truthy ? 1 : 0;
  }
  if (kind.k === "float") {
    const n = v.kind === "bool" ? (v.value ? 1 : 0) : Number(v.value);
    return kind.single ? Math.fround(n) : n;
  }
  // int and datetime: numpy int casts truncate floats toward zero.
  let int: bigint;
  if (v.kind === "bool") int = v.value ? 1n : 0n;
  else if (v.kind === "int") int = v.value;
  else {
    if (!Number.isFinite(v.value)) throw new CastError(`Cannot cast \`${pyRepr(v)}\` to ${kind.dtype}.`);
    int = BigInt(Math.trunc(v.value));
  }
  if (kind.k === "time") {
    return toIntScalar(int, { k: "int", dtype: kind.dtype, bits: 64, signed: true, big: true });
  }
  return toIntScalar(int, kind);
}

/** A member of an `in` list: no numeric casts beyond what pybind11 accepts. */
export function castMemberValue(v: FilterLiteral, kind: ValueKind): Scalar {
  if (v.kind === "none") throw new CastError("None cannot be a member of an `in` list");
  if (kind.k === "string") {
    if (v.kind !== "str")
      throw new CastError(`\`in\` values for a string column must be strings; got ${pyRepr(v)}`);
    return v.value;
  }
  if (v.kind === "str")
    throw new CastError(`\`in\` values for a ${kind.dtype} column must be numbers; got "${v.value}"`);
  if (kind.k === "bool" || kind.k === "float") return castCompareValue(v, kind);
  if (v.kind === "float") {
    throw new CastError(`\`in\` values for a ${kind.dtype} column must be integers; got ${pyRepr(v)}`);
  }
  return castCompareValue(v, kind);
}
