/**
 * obs / var (and raw/var) in every encoding anndata has written:
 * - 0.8+ `dataframe` groups: `categorical` groups (codes + categories), `nullable-integer`,
 *   `nullable-boolean`, `nullable-string-array` (values + mask), `string-array`, numeric, bool;
 * - 0.7 groups: categorical codes datasets whose `categories` attribute references a dataset in
 *   `__categories/` (which carries `ordered`);
 * - pre-0.7 compound datasets, with categories in `uns/<column>_categories`.
 * Code -1 is a missing value in every version.
 */
import { FormatError, KeyNotFoundError, UnknownEncodingError } from "../errors.js";
import {
  type ElementType,
  elementType,
  isNumeric,
  toBool,
  toNumberArray,
  toStringScalar,
  toStrings,
} from "./convert.js";
import { expectEncoding } from "./encoding.js";
import type { H5Context } from "./h5context.js";
import type { Column, ColumnInfo, DataFrameReader } from "./types.js";

type Label = string | number | boolean | null;

/** Where a column's parts live. */
type ColumnSpec =
  | { kind: "categorical"; codes: string; categories: string; ordered: boolean; dtype: string }
  | { kind: "numeric"; values: string; mask?: string; dtype: string }
  | { kind: "boolean"; values: string; mask?: string }
  | { kind: "string"; values: string; mask?: string };

/** Numbers of a numeric dtype in the Column's array types. */
function numericValues(v: unknown, dtype: string): Float64Array | Int32Array | Float32Array {
  const a = toNumberArray(v);
  if (dtype === "float32") return a instanceof Float32Array ? a : Float32Array.from(a);
  if (/^(int8|int16|int32|uint8|uint16)$/.test(dtype))
    return a instanceof Int32Array ? a : Int32Array.from(a);
  return a instanceof Float64Array ? a : Float64Array.from(a);
}

function toMask(v: unknown): Uint8Array {
  const a = toNumberArray(v);
  return a instanceof Uint8Array ? a : Uint8Array.from(a, (x) => (x !== 0 ? 1 : 0));
}

function categoriesOf(ctx: H5Context, p: string): (string | number)[] {
  const t = elementType(ctx.metadata(p));
  const raw = ctx.readAll(p);
  if (t === "string") return toStrings(raw);
  return Array.from(toNumberArray(raw));
}

function checkCodes(
  codes: Int32Array,
  nCategories: number,
  where: { path: string; dataset: string; column: string },
) {
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c < -1 || c >= nCategories) {
      throw new FormatError(`category code ${c} at row ${i} is outside [-1, ${nCategories})`, where);
    }
  }
}

/** Shared column logic: subclasses say where each column lives. */
abstract class BaseDataFrame implements DataFrameReader {
  abstract readonly length: number;
  abstract readonly columns: readonly string[];
  abstract readonly indexName: string;
  abstract index(): string[];
  abstract info(name: string): ColumnInfo;
  abstract read(name: string): Column;

  constructor(
    protected readonly ctx: H5Context,
    /** HDF5 path of the dataframe ("obs", "var", "raw/var"). */
    readonly key: string,
  ) {}

  protected missing(name: string): never {
    throw new KeyNotFoundError(`${this.key} column`, name, this.columns, {
      path: this.ctx.path,
      dataset: this.key,
    });
  }

  labels(name: string): Label[] {
    return columnLabels(this.read(name));
  }
}

/** Column values as labels: category values, numbers, booleans, strings; null where missing. */
export function columnLabels(col: Column): Label[] {
  switch (col.kind) {
    case "categorical":
      return Array.from(col.codes, (c) => (c < 0 ? null : (col.categories[c] ?? null)));
    case "numeric":
      return Array.from(col.values, (v, i) => (col.mask?.[i] === 1 || Number.isNaN(v) ? null : v));
    case "boolean":
      return Array.from(col.values, (v, i) => (col.mask?.[i] === 1 ? null : v !== 0));
    case "string":
      return col.values.slice();
  }
}

/** anndata ≥ 0.7 dataframe groups. */
export class GroupDataFrame extends BaseDataFrame {
  readonly length: number;
  readonly columns: readonly string[];
  readonly indexName: string;
  private readonly specs = new Map<string, ColumnSpec>();

  constructor(ctx: H5Context, key: string) {
    super(ctx, key);
    expectEncoding(ctx, key, ["dataframe"]);
    this.indexName = toStringScalar(ctx.attr(key, "_index")) ?? "_index";
    if (ctx.kind(`${key}/${this.indexName}`) !== "dataset") {
      throw new FormatError(`dataframe index '${this.indexName}' is missing`, {
        path: ctx.path,
        dataset: key,
      });
    }
    this.length = ctx.shape(`${key}/${this.indexName}`)[0] ?? 0;
    const order = ctx.attr(key, "column-order");
    if (order === undefined) {
      this.columns = ctx.keys(key).filter((k) => k !== this.indexName && k !== "__categories");
    } else {
      this.columns = typeof order === "string" ? [order] : Array.isArray(order) ? toStrings(order) : [];
    }
  }

  index(): string[] {
    return toStrings(this.ctx.readAll(`${this.key}/${this.indexName}`));
  }

  private spec(name: string): ColumnSpec {
    let s = this.specs.get(name);
    if (s === undefined) {
      if (!this.columns.includes(name)) this.missing(name);
      s = this.resolve(name);
      this.specs.set(name, s);
    }
    return s;
  }

  private resolve(name: string): ColumnSpec {
    const ctx = this.ctx;
    const p = `${this.key}/${name}`;
    const where = { path: ctx.path, dataset: p, column: name };
    const kind = ctx.kind(p);
    if (kind === "dataset") {
      const enc = expectEncoding(ctx, p, ["array", "string-array"], name);
      const t = elementType(ctx.metadata(p));
      const ref = ctx.attr(p, "categories");
      if (ref !== undefined && enc === null) return this.legacyCategorical(p, ref, t, name);
      return plainSpec(p, t, where);
    }
    if (kind !== "group") throw new FormatError("column is neither a dataset nor a group", where);
    const enc = expectEncoding(
      ctx,
      p,
      ["categorical", "nullable-integer", "nullable-boolean", "nullable-string-array"],
      name,
    );
    if (enc === null) throw new UnknownEncodingError("column group has no encoding-type", where);
    if (enc.type === "categorical") {
      const codes = `${p}/codes`;
      const categories = `${p}/categories`;
      return {
        kind: "categorical",
        codes,
        categories,
        ordered: toBool(ctx.attr(p, "ordered")),
        dtype: elementType(ctx.metadata(codes)),
      };
    }
    const values = `${p}/values`;
    const mask = `${p}/mask`;
    if (enc.type === "nullable-integer") {
      const t = elementType(ctx.metadata(values));
      return { kind: "numeric", values, mask, dtype: t };
    }
    if (enc.type === "nullable-boolean") return { kind: "boolean", values, mask };
    return { kind: "string", values, mask };
  }

  /** anndata 0.7: `categories` attribute = object reference to `__categories/<name>`. */
  private legacyCategorical(p: string, ref: unknown, t: ElementType, name: string): ColumnSpec {
    const where = { path: this.ctx.path, dataset: p, column: name };
    const first = Array.isArray(ref) ? ref[0] : ref;
    const target = this.ctx.guard(p, "dereference", () =>
      (first as { ref_data?: unknown } | undefined)?.ref_data instanceof Uint8Array
        ? this.ctx.file.dereference(first as never)
        : null,
    );
    const targetPath = (target as { path?: string } | null)?.path;
    if (typeof targetPath !== "string") {
      throw new FormatError("the 'categories' attribute is not an object reference", where);
    }
    const categories = targetPath.replace(/^\/+/, "");
    return {
      kind: "categorical",
      codes: p,
      categories,
      ordered: toBool(this.ctx.attr(categories, "ordered")),
      dtype: t,
    };
  }

  info(name: string): ColumnInfo {
    return specInfo(this.ctx, name, this.spec(name));
  }

  read(name: string): Column {
    return readSpec(this.ctx, name, this.spec(name), this.length);
  }
}

function plainSpec(
  p: string,
  t: ElementType,
  where: { path: string; dataset: string; column: string },
): ColumnSpec {
  if (t === "string") return { kind: "string", values: p };
  if (t === "bool") return { kind: "boolean", values: p };
  if (isNumeric(t)) return { kind: "numeric", values: p, dtype: t };
  throw new FormatError(`column of unsupported type '${t}'`, where);
}

function specInfo(ctx: H5Context, name: string, s: ColumnSpec): ColumnInfo {
  switch (s.kind) {
    case "categorical":
      return {
        name,
        kind: "categorical",
        dtype: s.dtype,
        categories: categoriesOf(ctx, s.categories),
        ordered: s.ordered,
      };
    case "numeric":
      return { name, kind: "numeric", dtype: s.dtype, nullable: s.mask !== undefined };
    case "boolean":
      return { name, kind: "boolean", dtype: "bool", nullable: s.mask !== undefined };
    case "string":
      return { name, kind: "string", dtype: "string", nullable: s.mask !== undefined };
  }
}

function readSpec(ctx: H5Context, name: string, s: ColumnSpec, length: number): Column {
  const check = (p: string, n: number) => {
    if (n !== length) {
      throw new FormatError(`column has ${n} values, expected ${length}`, {
        path: ctx.path,
        dataset: p,
        column: name,
      });
    }
  };
  switch (s.kind) {
    case "categorical": {
      const categories = categoriesOf(ctx, s.categories);
      const codes = Int32Array.from(toNumberArray(ctx.readAll(s.codes)));
      check(s.codes, codes.length);
      checkCodes(codes, categories.length, { path: ctx.path, dataset: s.codes, column: name });
      return { kind: "categorical", codes, categories, ordered: s.ordered };
    }
    case "numeric": {
      const values = numericValues(ctx.readAll(s.values), s.dtype);
      check(s.values, values.length);
      if (s.mask === undefined) return { kind: "numeric", dtype: s.dtype, values };
      return { kind: "numeric", dtype: s.dtype, values, mask: toMask(ctx.readAll(s.mask)) };
    }
    case "boolean": {
      const values = toMask(ctx.readAll(s.values));
      check(s.values, values.length);
      if (s.mask === undefined) return { kind: "boolean", values };
      return { kind: "boolean", values, mask: toMask(ctx.readAll(s.mask)) };
    }
    case "string": {
      const strings: (string | null)[] = toStrings(ctx.readAll(s.values));
      check(s.values, strings.length);
      if (s.mask !== undefined) {
        const mask = toMask(ctx.readAll(s.mask));
        for (let i = 0; i < strings.length; i++) if (mask[i] === 1) strings[i] = null;
      }
      return { kind: "string", values: strings };
    }
  }
}

/**
 * Pre-0.7 anndata: a compound dataset, first field = the index, integer fields with a
 * `uns/<field>_categories` dataset = categorical codes.
 */
export class CompoundDataFrame extends BaseDataFrame {
  readonly length: number;
  readonly columns: readonly string[];
  readonly indexName: string;
  private readonly fields: { name: string; type: ElementType }[];
  private rowsCache: unknown[][] | undefined;

  constructor(ctx: H5Context, key: string) {
    super(ctx, key);
    const meta = ctx.metadata(key);
    this.fields = (meta.compound_type?.members ?? []).map((m) => ({
      name: m.name,
      type: m.array_type === undefined ? elementType(m) : "other",
    }));
    const first = this.fields[0];
    if (first === undefined)
      throw new FormatError("compound dataframe without fields", { path: ctx.path, dataset: key });
    this.indexName = first.name;
    this.columns = this.fields.slice(1).map((f) => f.name);
    this.length = ctx.shape(key)[0] ?? 0;
  }

  /** `uns/<name>_categories` for a legacy categorical column, or undefined. */
  categoriesPath(name: string): string | undefined {
    const p = `uns/${name}_categories`;
    return this.ctx.kind(p) === "dataset" ? p : undefined;
  }

  private rows(): unknown[][] {
    this.rowsCache ??= (() => {
      const v = this.ctx.readAll(this.key);
      return Array.isArray(v) ? (v as unknown[][]) : [];
    })();
    return this.rowsCache;
  }

  private field(name: string): { at: number; type: ElementType } {
    const at = this.fields.findIndex((f) => f.name === name);
    if (at <= 0) this.missing(name);
    return { at, type: this.fields[at]!.type };
  }

  private values(at: number): unknown[] {
    return this.rows().map((r) => r[at]);
  }

  index(): string[] {
    return this.values(0).map((v) => String(v));
  }

  info(name: string): ColumnInfo {
    const { type } = this.field(name);
    const cats = isNumeric(type) ? this.categoriesPath(name) : undefined;
    if (cats !== undefined) {
      return {
        name,
        kind: "categorical",
        dtype: type,
        categories: categoriesOf(this.ctx, cats),
        ordered: false,
      };
    }
    if (type === "string") return { name, kind: "string", dtype: "string" };
    if (type === "bool") return { name, kind: "boolean", dtype: "bool" };
    if (isNumeric(type)) return { name, kind: "numeric", dtype: type };
    throw new FormatError(`column of unsupported type '${type}'`, {
      path: this.ctx.path,
      dataset: this.key,
      column: name,
    });
  }

  read(name: string): Column {
    const info = this.info(name);
    const { at } = this.field(name);
    const raw = this.values(at);
    switch (info.kind) {
      case "categorical": {
        const codes = Int32Array.from(raw, (v) => Number(v));
        const categories = info.categories ?? [];
        checkCodes(codes, categories.length, { path: this.ctx.path, dataset: this.key, column: name });
        return { kind: "categorical", codes, categories, ordered: false };
      }
      case "numeric":
        return { kind: "numeric", dtype: info.dtype, values: numericValues(raw, info.dtype) };
      case "boolean":
        return { kind: "boolean", values: Uint8Array.from(raw, (v) => (Number(v) !== 0 ? 1 : 0)) };
      case "string":
        return { kind: "string", values: raw.map((v) => String(v)) };
    }
  }
}
