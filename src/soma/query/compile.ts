/**
 * Binds a parsed value_filter to a schema (column existence, types, casts, enumeration rules)
 * and evaluates it over apache-arrow tables into a row mask.
 *
 * ```ts
 * const f = compileValueFilter('tissue == "lung" and is_primary_data == True', obs.schema, { axisName: "obs" });
 * const mask = f.evaluate(obs);                       // Uint8Array, 1 = row kept
 * const rows = filterTable(obs, "500 <= nnz < 5000"); // Int32Array of row positions
 * ```
 */
import type { Data, Field, Schema, Table } from "apache-arrow";
import { FilterSyntaxError } from "../../errors.js";
import type { CompareNode, CompareOp, FilterAst, InNode } from "./ast.js";
import { referencedColumns } from "./ast.js";
import { CastError, castCompareValue, castMemberValue, type Scalar } from "./cast.js";
import { type ColumnKind, columnKind } from "./columns.js";
import {
  clearNulls,
  fillByCode,
  fillCompare,
  fillStrings,
  labels,
  rowReader,
  scalarTest,
  validity,
} from "./kernels.js";
import { parseValueFilter } from "./lower.js";

export interface CompileOptions {
  /** Columns of the other axis; an unknown column found there gets a "wrong axis?" hint. */
  otherAxisColumns?: readonly string[];
  /** The axis the filter is for, used in messages. */
  axisName?: "obs" | "var";
}

export interface CompiledFilter {
  /** The normalised filter. */
  readonly ast: FilterAst;
  /** Columns the filter reads, in first-use order (read them along with the requested ones). */
  readonly columns: string[];
  /** Evaluates over a table with the referenced columns: 1 where the row matches, else 0. */
  evaluate(table: Table): Uint8Array;
}

type Plan =
  | { t: "and"; children: Plan[] }
  | { t: "or"; children: Plan[] }
  | { t: "null"; column: string; isNull: boolean }
  | { t: "cmp"; column: string; kind: ColumnKind; op: CompareOp; value: Scalar }
  | { t: "in"; column: string; kind: ColumnKind; negated: boolean; values: Scalar[] };

/**
 * Parses and checks a filter against a schema (an Arrow `Schema`, or just the column names, in
 * which case types are checked against each table given to `evaluate`).
 */
export function compileValueFilter(
  expression: string,
  schema: Schema | readonly string[],
  opts: CompileOptions = {},
): CompiledFilter {
  const ast = parseValueFilter(expression);
  const columns = referencedColumns(ast);
  const names = isNameList(schema) ? [...schema] : schema.fields.map((f) => f.name);
  checkColumnsExist(ast, expression, names, opts);
  const plans = new WeakMap<Schema, Plan>();
  const planFor = (s: Schema): Plan => {
    let plan = plans.get(s);
    if (plan === undefined) {
      checkColumnsExist(
        ast,
        expression,
        s.fields.map((f) => f.name),
        opts,
      );
      plan = bind(ast, expression, new Map(s.fields.map((f) => [f.name, f])));
      plans.set(s, plan);
    }
    return plan;
  };
  if (!isNameList(schema)) planFor(schema);
  return {
    ast,
    columns,
    evaluate(table: Table): Uint8Array {
      return run(planFor(table.schema), table);
    },
  };
}

/** Row positions of `table` that match `expression`. */
export function filterTable(table: Table, expression: string, opts: CompileOptions = {}): Int32Array {
  return maskToIndices(compileValueFilter(expression, table.schema, opts).evaluate(table));
}

/** Positions of the non-zero entries of a mask. */
export function maskToIndices(mask: Uint8Array): Int32Array {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i]!;
  const out = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] === 1) out[k++] = i;
  return out;
}

function isNameList(s: Schema | readonly string[]): s is readonly string[] {
  return Array.isArray(s);
}

function checkColumnsExist(ast: FilterAst, expression: string, names: string[], opts: CompileOptions): void {
  const known = new Set(names);
  const walk = (n: FilterAst): void => {
    if (n.type === "and" || n.type === "or") {
      n.children.forEach(walk);
      return;
    }
    if (known.has(n.column)) return;
    const where = opts.axisName === undefined ? "schema" : `the ${opts.axisName} schema`;
    const list = names.length > 0 ? names.map((c) => `'${c}'`).join(", ") : "(none)";
    let msg = `Column '${n.column}' does not exist in ${where}; available columns: ${list}`;
    if (opts.otherAxisColumns?.includes(n.column)) {
      const other = opts.axisName === "obs" ? "var" : opts.axisName === "var" ? "obs" : "other";
      msg += `. '${n.column}' is a column of the ${other} axis: is this filter on the wrong axis?`;
    }
    throw new FilterSyntaxError(msg, expression, n.columnPos);
  };
  walk(ast);
}

function bind(ast: FilterAst, expression: string, fields: Map<string, Field>): Plan {
  const fail = (msg: string, pos: number, column: string): never => {
    throw new FilterSyntaxError(msg, expression, pos, { column });
  };
  const kindOf = (n: CompareNode | InNode): ColumnKind => {
    const kind = columnKind(fields.get(n.column)!);
    if (typeof kind === "string") fail(`columns of type ${kind} cannot be filtered`, n.columnPos, n.column);
    return kind as ColumnKind;
  };
  const cast = <T>(f: () => T, pos: number, column: string): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof CastError) fail(e.message, pos, column);
      throw e;
    }
  };
  const walk = (n: FilterAst): Plan => {
    if (n.type === "and") return { t: "and", children: n.children.map(walk) };
    if (n.type === "or") return { t: "or", children: n.children.map(walk) };
    const kind = kindOf(n);
    if (n.type === "in") {
      const values = n.values.map((v, i) =>
        cast(() => castMemberValue(v, kind.value), n.valuePos[i] ?? n.pos, n.column),
      );
      return { t: "in", column: n.column, kind, negated: n.negated, values };
    }
    if (n.value.kind === "none") {
      if (n.op !== "==" && n.op !== "!=")
        fail("Null value can only be used with equality operators", n.pos, n.column);
      return { t: "null", column: n.column, isNull: n.op === "==" };
    }
    if (kind.enumeration !== undefined && !kind.enumeration.ordered && n.op !== "==" && n.op !== "!=") {
      fail(
        "Cannot apply an inequality operator against an unordered Enumeration (categories have no order)",
        n.pos,
        n.column,
      );
    }
    const value = cast(() => castCompareValue(n.value, kind.value), n.valuePos, n.column);
    return { t: "cmp", column: n.column, kind, op: n.op, value };
  };
  return walk(ast);
}

function run(plan: Plan, table: Table): Uint8Array {
  if (plan.t === "and" || plan.t === "or") {
    const [first, ...rest] = plan.children.map((c) => run(c, table));
    const out = first!;
    for (const m of rest) {
      if (plan.t === "and") for (let i = 0; i < out.length; i++) out[i]! &= m[i]!;
      else for (let i = 0; i < out.length; i++) out[i]! |= m[i]!;
    }
    return out;
  }
  const out = new Uint8Array(table.numRows);
  const chunks = table.getChild(plan.column)!.data as Data[];
  if (plan.t === "cmp" && plan.kind.enumeration !== undefined && plan.op === "!=") {
    // A label missing from the enumeration makes `!=` ALWAYS_TRUE in TileDB: every row, nulls too.
    const v = plan.value;
    if (!chunks.some((d) => labels(d).includes(v))) return out.fill(1);
  }
  let base = 0;
  for (const d of chunks) {
    leaf(plan, d, out, base);
    base += d.length;
  }
  return out;
}

function leaf(plan: Exclude<Plan, { t: "and" | "or" }>, d: Data, out: Uint8Array, base: number): void {
  const n = d.length;
  if (plan.t === "null") {
    const valid = validity(d);
    for (let i = 0; i < n; i++) {
      const isValid = valid === undefined || valid(i);
      out[base + i] = isValid !== plan.isNull ? 1 : 0;
    }
    return;
  }
  matchIgnoringNulls(plan, d, out, base);
  clearNulls(d, out, base);
}

/** Writes the match of every row of the chunk as if it were valid; nulls are cleared after. */
function matchIgnoringNulls(
  plan: Extract<Plan, { t: "cmp" | "in" }>,
  d: Data,
  out: Uint8Array,
  base: number,
): void {
  const n = d.length;
  const kind = plan.kind.value;
  if (plan.kind.enumeration !== undefined) {
    // Decide per dictionary entry once, then look rows up by code.
    const labs = labels(d);
    let ok: Uint8Array;
    if (plan.t === "cmp" && plan.op !== "==" && plan.op !== "!=") {
      // Ordered enumeration: compare category positions; an unknown label matches nothing.
      const idx = labs.indexOf(plan.value);
      const test = scalarTest(plan.op, idx);
      ok = Uint8Array.from(labs, (_, j) => (idx >= 0 && test(j) ? 1 : 0));
    } else {
      const test = labelTest(plan);
      ok = Uint8Array.from(labs, (l) => (l !== undefined && test(l) ? 1 : 0));
    }
    fillByCode(d, ok, out, base);
    return;
  }
  if (kind.k === "string") {
    const test =
      plan.t === "cmp"
        ? { op: plan.op, value: plan.value as string }
        : { members: plan.values as string[], negated: plan.negated };
    if (fillStrings(d, test, out, base)) return;
  }
  const values = d.values as unknown;
  if (plan.t === "cmp" && kind.k !== "bool" && kind.k !== "string" && ArrayBuffer.isView(values)) {
    const arr = values as unknown as ArrayLike<number | bigint>;
    const big = arr instanceof BigInt64Array || arr instanceof BigUint64Array;
    // date32 is stored as Int32 days: compare in numbers; its range makes Number(v) exact.
    const v = big ? BigInt(plan.value) : Number(plan.value);
    fillCompare(arr, n, plan.op, v, out, base);
    return;
  }
  const read = rowReader(d, kind);
  const test = labelTest(plan);
  const convert = kind.k === "time" && !(values instanceof BigInt64Array);
  for (let i = 0; i < n; i++) {
    const x = read(i);
    out[base + i] = test(convert ? BigInt(x) : x) ? 1 : 0;
  }
}

function labelTest(plan: Extract<Plan, { t: "cmp" | "in" }>): (x: Scalar) => boolean {
  if (plan.t === "cmp") return scalarTest(plan.op, plan.value);
  const set = new Set<Scalar>(plan.values);
  return plan.negated ? (x) => !set.has(x) : (x) => set.has(x);
}
