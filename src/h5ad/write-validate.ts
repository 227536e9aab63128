/**
 * Checks writeH5ad's input before any byte is written and turns it into one canonical form
 * (categoricals as codes + categories, booleans and masks as 0/1 bytes). Bad input throws an
 * InvalidArgumentError naming the element (`dataset`) and column.
 */
import { type ErrorDetails, InvalidArgumentError } from "../errors.js";
import { compareCodePoints } from "../order.js";
import type {
  BooleanValuesInput,
  ColumnInput,
  DataFrameInput,
  IntegerArray,
  MaskInput,
  MatrixInput,
  NumericArray,
} from "./write-input.js";

export type CodesArray = Int8Array | Int16Array | Int32Array;

export type PreparedColumn =
  | { kind: "categorical"; codes: CodesArray; categories: string[] | NumericArray; ordered: boolean }
  | { kind: "numeric"; values: NumericArray }
  | { kind: "boolean"; values: Uint8Array }
  | { kind: "string"; values: string[] }
  | { kind: "nullable-integer"; values: IntegerArray; mask: Uint8Array }
  | { kind: "nullable-boolean"; values: Uint8Array; mask: Uint8Array };

export interface PreparedFrame {
  index: string[];
  indexName: string;
  columns: [string, PreparedColumn][];
}

function fail(message: string, details: ErrorDetails): never {
  throw new InvalidArgumentError(message, details);
}

/** HDF5 link names: non-empty, no "/" (it would create nested groups), not "." . */
export function checkName(name: string, what: string, details: ErrorDetails): void {
  if (typeof name !== "string" || name.length === 0 || name.includes("/") || name === ".") {
    fail(`invalid ${what} name ${JSON.stringify(name)}: names must be non-empty and contain no '/'`, details);
  }
}

function checkShape(shape: readonly number[], details: ErrorDetails): [number, number] {
  if (!Array.isArray(shape) || shape.length !== 2) fail("shape must be [rows, columns]", details);
  const [r, c] = shape as [number, number];
  for (const n of [r, c]) {
    if (!Number.isSafeInteger(n) || n < 0)
      fail(`shape [${r}, ${c}] must hold non-negative integers`, details);
  }
  return [r, c];
}

export function isNumericArray(a: unknown): a is NumericArray {
  return ArrayBuffer.isView(a) && !(a instanceof DataView) && !(a instanceof Uint8ClampedArray);
}

/** Checks a matrix and its expected shape (undefined = any); returns its shape. */
export function checkMatrix(
  m: MatrixInput,
  expected: readonly [number | undefined, number | undefined],
  details: ErrorDetails,
): [number, number] {
  if (m === null || typeof m !== "object") fail("matrix must be an object", details);
  const [rows, cols] = checkShape(m.shape, details);
  const [er, ec] = expected;
  if ((er !== undefined && rows !== er) || (ec !== undefined && cols !== ec)) {
    const want = `[${er ?? "any"}, ${ec ?? "any"}]`;
    fail(`shape [${rows}, ${cols}] does not match the expected ${want}`, details);
  }
  if (!isNumericArray(m.data)) fail("data must be a numeric typed array", details);
  if (m.format === "dense") {
    if (m.data.length !== rows * cols) {
      fail(`data has ${m.data.length} values; shape [${rows}, ${cols}] needs ${rows * cols}`, details);
    }
  } else if (m.format === "csr") {
    checkCompressed(m, rows, cols, CSR_AXES, details);
  } else if (m.format === "csc") {
    checkCompressed(m, cols, rows, CSC_AXES, details);
  } else {
    fail(
      `unknown matrix format ${JSON.stringify((m as { format: unknown }).format)} (use "dense", "csr" or "csc")`,
      details,
    );
  }
  return [rows, cols];
}

/** Names of the compressed (major) and indexed (minor) axes, for messages. */
interface Axes {
  major: string;
  majors: string;
  minor: string;
}
const CSR_AXES: Axes = { major: "row", majors: "rows", minor: "column" };
const CSC_AXES: Axes = { major: "column", majors: "columns", minor: "row" };

/**
 * CSR (major = rows) or CSC (major = columns): indptr has major + 1 entries from 0 to nnz,
 * monotone; indices lie in [0, minor) and strictly ascend within each major slice.
 */
function checkCompressed(
  m: Extract<MatrixInput, { format: "csr" | "csc" }>,
  major: number,
  minor: number,
  axes: Axes,
  details: ErrorDetails,
): void {
  const { indptr, indices, data } = m;
  if (!(indptr instanceof Int32Array || indptr instanceof BigInt64Array)) {
    fail("indptr must be an Int32Array or BigInt64Array", details);
  }
  if (!(indices instanceof Int32Array || indices instanceof BigInt64Array)) {
    fail("indices must be an Int32Array or BigInt64Array", details);
  }
  if (indptr.length !== major + 1)
    fail(`indptr has ${indptr.length} entries; ${major} ${axes.majors} need ${major + 1}`, details);
  if (indices.length !== data.length) {
    fail(`indices has ${indices.length} entries but data has ${data.length}`, details);
  }
  if (Number(indptr[0]) !== 0) fail(`indptr[0] is ${indptr[0]}, must be 0`, details);
  if (Number(indptr[major]) !== data.length) {
    fail(`indptr[${major}] is ${indptr[major]} but there are ${data.length} stored values`, details);
  }
  // Monotone first: then every slice's range lies inside [0, nnz].
  for (let r = 0; r < major; r++) {
    const start = Number(indptr[r]);
    const end = Number(indptr[r + 1]);
    if (end < start)
      fail(`indptr is not monotone: indptr[${r + 1}] = ${end} < indptr[${r}] = ${start}`, details);
  }
  for (let r = 0; r < major; r++) {
    const start = Number(indptr[r]);
    const end = Number(indptr[r + 1]);
    let prev = -1;
    for (let k = start; k < end; k++) {
      const c = Number(indices[k]);
      if (!(c >= 0 && c < minor))
        fail(`indices[${k}] = ${c} (${axes.major} ${r}) is outside [0, ${minor})`, details);
      if (c <= prev)
        fail(
          `${axes.major} ${r}: ${axes.minor} indices must be strictly ascending (indices[${k}] = ${c})`,
          details,
        );
      prev = c;
    }
  }
}

/** The default index anndata gives: "0", "1", …. */
export function defaultFrame(n: number): PreparedFrame {
  return { index: Array.from({ length: n }, (_, i) => String(i)), indexName: "_index", columns: [] };
}

export function prepareFrame(frame: DataFrameInput, length: number, details: ErrorDetails): PreparedFrame {
  if (frame === null || typeof frame !== "object") fail("must be an object with an index", details);
  const index = frame.index;
  if (!Array.isArray(index)) fail("index must be an array of strings", details);
  if (index.length !== length) fail(`index has ${index.length} names but the matrix has ${length}`, details);
  index.forEach((name, i) => {
    if (typeof name !== "string") fail(`index[${i}] is not a string`, details);
  });
  const indexName = frame.indexName ?? "_index";
  checkName(indexName, "index", details);
  const entries =
    frame.columns instanceof Map ? [...frame.columns.entries()] : Object.entries(frame.columns ?? {});
  const columns: [string, PreparedColumn][] = [];
  for (const [name, col] of entries) {
    const at = { ...details, column: name };
    checkName(name, "column", at);
    if (name === indexName) fail(`column name equals the index name '${indexName}'`, at);
    columns.push([name, prepareColumn(col, length, at)]);
  }
  return { index: [...index], indexName, columns };
}

function checkLength(n: number, length: number, what: string, details: ErrorDetails): void {
  if (n !== length) fail(`${what} has ${n} entries; the frame has ${length} rows`, details);
}

function toBytes(values: BooleanValuesInput | MaskInput, what: string, details: ErrorDetails): Uint8Array {
  if (values instanceof Uint8Array) return values.map((v) => (v === 0 ? 0 : 1));
  if (!Array.isArray(values)) fail(`${what} must be a Uint8Array or an array of booleans`, details);
  return Uint8Array.from(values, (v, i) => {
    if (typeof v !== "boolean") fail(`${what}[${i}] is not a boolean`, details);
    return v ? 1 : 0;
  });
}

function isIntegerArray(a: unknown): a is IntegerArray {
  return isNumericArray(a) && !(a instanceof Float32Array || a instanceof Float64Array);
}

export function prepareColumn(col: ColumnInput, length: number, details: ErrorDetails): PreparedColumn {
  if (col === null || typeof col !== "object") fail("column must be an object with a kind", details);
  switch (col.kind) {
    case "categorical":
      return "codes" in col
        ? prepareCategorical(col.categories, col.codes, col.ordered ?? false, length, details)
        : categoricalFromLabels(col.values, col.ordered ?? false, length, details);
    case "numeric":
      if (!isNumericArray(col.values)) fail("numeric values must be a typed array", details);
      checkLength(col.values.length, length, "values", details);
      return { kind: "numeric", values: col.values };
    case "boolean": {
      const values = toBytes(col.values, "values", details);
      checkLength(values.length, length, "values", details);
      return { kind: "boolean", values };
    }
    case "string":
      if (!Array.isArray(col.values)) fail("string values must be an array of strings", details);
      checkLength(col.values.length, length, "values", details);
      col.values.forEach((v, i) => {
        if (typeof v !== "string")
          fail(`values[${i}] is not a string (use a categorical for missing labels)`, details);
      });
      return { kind: "string", values: [...col.values] };
    case "nullable-integer": {
      if (!isIntegerArray(col.values))
        fail("nullable-integer values must be an integer typed array", details);
      checkLength(col.values.length, length, "values", details);
      const mask = toBytes(col.mask, "mask", details);
      checkLength(mask.length, length, "mask", details);
      return { kind: "nullable-integer", values: col.values, mask };
    }
    case "nullable-boolean": {
      const values = toBytes(col.values, "values", details);
      checkLength(values.length, length, "values", details);
      const mask = toBytes(col.mask, "mask", details);
      checkLength(mask.length, length, "mask", details);
      return { kind: "nullable-boolean", values, mask };
    }
    default:
      fail(`unknown column kind ${JSON.stringify((col as { kind: unknown }).kind)}`, details);
  }
}

function prepareCategorical(
  categories: readonly string[] | readonly number[] | NumericArray,
  codes: CodesArray,
  ordered: boolean,
  length: number,
  details: ErrorDetails,
): PreparedColumn {
  if (!(codes instanceof Int8Array || codes instanceof Int16Array || codes instanceof Int32Array)) {
    fail("codes must be an Int8Array, Int16Array or Int32Array", details);
  }
  checkLength(codes.length, length, "codes", details);
  const cats = prepareCategories(categories, details);
  const n = cats.length;
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i] as number;
    if (c < -1 || c >= n) fail(`codes[${i}] = ${c} is outside [-1, ${n}) (${n} categories)`, details);
  }
  if (typeof ordered !== "boolean") fail("ordered must be a boolean", details);
  return { kind: "categorical", codes, categories: cats, ordered };
}

function prepareCategories(
  categories: readonly string[] | readonly number[] | NumericArray,
  details: ErrorDetails,
): string[] | NumericArray {
  let out: string[] | NumericArray;
  if (isNumericArray(categories)) {
    out = categories;
  } else if (Array.isArray(categories) && categories.every((c) => typeof c === "string")) {
    out = [...(categories as string[])];
  } else if (Array.isArray(categories) && categories.every((c) => typeof c === "number")) {
    const nums = categories as number[];
    // pandas infers int64 for integer categories and float64 otherwise.
    out = nums.every(Number.isSafeInteger) ? BigInt64Array.from(nums, BigInt) : Float64Array.from(nums);
  } else {
    fail("categories must be all strings or all numbers", details);
  }
  const seen = new Set<string | number | bigint>();
  for (let i = 0; i < out.length; i++) {
    const v = out[i] as string | number | bigint;
    if (typeof v === "number" && Number.isNaN(v)) fail(`categories[${i}] is NaN`, details);
    if (seen.has(v)) fail(`categories are not unique: ${JSON.stringify(String(v))} repeats`, details);
    seen.add(v);
  }
  return out;
}

/** pandas' code dtype: the smallest of int8/16/32 whose max exceeds the number of categories. */
function codesFor(n: number, length: number): CodesArray {
  if (n < 127) return new Int8Array(length);
  if (n < 32767) return new Int16Array(length);
  return new Int32Array(length);
}

function categoricalFromLabels(
  values: readonly (string | null)[] | readonly (number | null)[],
  ordered: boolean,
  length: number,
  details: ErrorDetails,
): PreparedColumn {
  if (!Array.isArray(values)) fail("categorical values must be an array of labels", details);
  checkLength(values.length, length, "values", details);
  const isMissing = (v: unknown) =>
    v === null || v === undefined || (typeof v === "number" && Number.isNaN(v));
  const present = values.filter((v) => !isMissing(v));
  let categories: string[] | NumericArray;
  let keys: (string | number)[];
  if (present.every((v) => typeof v === "string")) {
    keys = [...new Set(present as string[])].sort(compareCodePoints);
    categories = keys as string[];
  } else if (present.every((v) => typeof v === "number")) {
    const nums = [...new Set(present as number[])].sort((a, b) => a - b);
    keys = nums;
    categories = nums.every(Number.isSafeInteger)
      ? BigInt64Array.from(nums, BigInt)
      : Float64Array.from(nums);
  } else {
    fail("categorical labels must be all strings or all numbers (null = missing)", details);
  }
  const position = new Map<string | number, number>(keys.map((k, i) => [k, i]));
  const codes = codesFor(keys.length, length);
  values.forEach((v, i) => {
    codes[i] = isMissing(v) ? -1 : (position.get(v as string | number) as number);
  });
  if (typeof ordered !== "boolean") fail("ordered must be a boolean", details);
  return { kind: "categorical", codes, categories, ordered };
}
