/**
 * Label maths over plain arrays: encoders (sorted like Python's `sorted`, an unknown label → -1), encoding,
 * label weights (LaminDB's `get_label_weights`) and obs-filter matching. No I/O.
 */

import { sortLabels } from "./order.js";
import type { FilterValue, Label } from "./types.js";

/** The string a label is keyed by in encoders and weights; missing labels are "nan" (numpy's `astype(str)`). */
export function labelString(v: Label): string {
  if (v === null || (typeof v === "number" && Number.isNaN(v))) return "nan";
  return String(v);
}

/** True when the label is missing (null or NaN). */
export function isMissing(v: Label): boolean {
  return v === null || (typeof v === "number" && Number.isNaN(v));
}

/** Distinct non-missing values, in first-seen order. */
export function uniqueValues(labels: readonly Label[]): (string | number | boolean)[] {
  const seen = new Map<string, string | number | boolean>();
  for (const v of labels) {
    if (isMissing(v)) continue;
    const k = `${typeof v}:${String(v)}`;
    if (!seen.has(k)) seen.set(k, v as string | number | boolean);
  }
  return [...seen.values()];
}

/** Sorted union of per-file category lists (numbers numerically, strings by code point). */
export function mergeCategories(
  perFile: readonly (readonly (string | number | boolean)[])[],
): (string | number | boolean)[] {
  const all = new Map<string, string | number | boolean>();
  for (const cats of perFile) for (const c of cats) if (!all.has(String(c))) all.set(String(c), c);
  return sortLabels(all.values());
}

/**
 * `{label: code}` over sorted categories; `unknown` (when among them) gets -1 and the rest 0..k-2.
 * Keys are `String(label)`.
 */
export function buildEncoder(
  sorted: readonly (string | number | boolean)[],
  unknown?: string,
): Map<string, number> {
  // LaminDB puts the unknown label first: {unknown: -1, a: 0, b: 1, …}.
  const enc = new Map<string, number>();
  const keys = sorted.map(String);
  if (unknown !== undefined && keys.includes(unknown)) enc.set(unknown, -1);
  let next = 0;
  for (const k of keys) if (k !== unknown) enc.set(k, next++);
  return enc;
}

/** Codes for labels; missing labels and labels not in the encoder are -1. */
export function encode(labels: readonly Label[], encoder: ReadonlyMap<string, number>): Int32Array {
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    out[i] = isMissing(v) ? -1 : (encoder.get(String(v)) ?? -1);
  }
  return out;
}

/**
 * Codes for a categorical column: maps each stored category once, then the codes (-1 stays -1, which is
 * also how anndata 0.7's missing categories are handled: missing, not the last category).
 */
export function encodeCategorical(
  codes: Int32Array,
  categories: readonly (string | number)[],
  encoder: ReadonlyMap<string, number>,
): Int32Array {
  const table = new Int32Array(categories.length);
  categories.forEach((c, i) => {
    table[i] = encoder.get(String(c)) ?? -1;
  });
  const out = new Int32Array(codes.length);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    out[i] = c >= 0 && c < table.length ? table[c]! : -1;
  }
  return out;
}

/**
 * Per-observation weights `1/count` (or `scaler/(count+scaler)`) of the combined label: several keys are
 * joined with "__", a missing label is "nan". `columns[k][i]` is key k's label of observation i.
 */
export function labelWeights(columns: readonly (readonly Label[])[], scaler?: number): Float64Array {
  const n = columns[0]?.length ?? 0;
  const keys = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    let k = labelString(columns[0]![i]!);
    for (let c = 1; c < columns.length; c++) k += `__${labelString(columns[c]![i]!)}`;
    keys[i] = k;
  }
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = counts.get(keys[i]!)!;
    out[i] = scaler === undefined ? 1 / c : scaler / (c + scaler);
  }
  return out;
}

/** True when a label is selected by one filter value (null/NaN selects missing labels). */
export function matchesValue(label: Label, value: FilterValue): boolean {
  if (value === null || (typeof value === "number" && Number.isNaN(value))) return isMissing(label);
  if (isMissing(label)) return false;
  if (typeof label === "boolean") {
    // Python spells booleans True/False; accept both spellings.
    const s = String(value);
    return s === String(label) || s === (label ? "True" : "False");
  }
  return String(label) === String(value);
}

/** Rows whose label matches any of the values (OR), as a 0/1 mask. */
export function filterMask(labels: readonly Label[], values: readonly FilterValue[]): Uint8Array {
  const out = new Uint8Array(labels.length);
  const plain = new Set<string>();
  const special: FilterValue[] = [];
  for (const v of values) {
    if (typeof v === "string") plain.add(v);
    else special.push(v);
  }
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (!isMissing(l) && typeof l !== "boolean" && plain.has(String(l))) out[i] = 1;
    else if (typeof l === "boolean" || special.length > 0) {
      for (const v of typeof l === "boolean" ? values : special) {
        if (matchesValue(l, v)) {
          out[i] = 1;
          break;
        }
      }
    }
  }
  return out;
}
