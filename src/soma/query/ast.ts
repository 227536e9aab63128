/**
 * The typed, normalised form of a value_filter. `not` is already pushed down (operators negated,
 * De Morgan applied), chains are split into ANDed pairs, "value op column" is mirrored to
 * "column op value", and `&`/`|` are the same nodes as `and`/`or`. Positions point into the
 * original expression so later stages (type checks, TileDB push-down) can report errors there.
 */
import { PYTHON_KEYWORDS } from "./tokens.js";

/** A Python literal. Ints are arbitrary precision in Python, hence `bigint`. */
export type FilterLiteral =
  | { kind: "str"; value: string }
  | { kind: "int"; value: bigint }
  | { kind: "float"; value: number }
  | { kind: "bool"; value: boolean }
  | { kind: "none" };

export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=";

/** `column op value`; `value.kind === "none"` only with `==` / `!=` (checked when compiled). */
export interface CompareNode {
  type: "compare";
  column: string;
  op: CompareOp;
  value: FilterLiteral;
  /** Offset of the column reference, of the value, and of the operator. */
  columnPos: number;
  valuePos: number;
  pos: number;
}

/** `column in [values]` (or `not in` when `negated`). `values` is never empty. */
export interface InNode {
  type: "in";
  column: string;
  negated: boolean;
  values: FilterLiteral[];
  columnPos: number;
  valuePos: number[];
  pos: number;
}

/** `and` / `or` with two or more children; nested nodes of the same type are flattened. */
export type BoolNode =
  | { type: "and"; children: FilterAst[]; pos: number }
  | { type: "or"; children: FilterAst[]; pos: number };

export type FilterAst = CompareNode | InNode | BoolNode;

const NEGATED: Record<CompareOp, CompareOp> = {
  "==": "!=",
  "!=": "==",
  "<": ">=",
  ">=": "<",
  ">": "<=",
  "<=": ">",
};

const MIRRORED: Record<CompareOp, CompareOp> = {
  "==": "==",
  "!=": "!=",
  "<": ">",
  ">": "<",
  "<=": ">=",
  ">=": "<=",
};

/** `value op column` ⇔ `column mirror(op) value`. */
export function mirrorOp(op: CompareOp): CompareOp {
  return MIRRORED[op];
}

/**
 * Operator negation as TileDB does it (EQ↔NE, LT↔GE, IN↔NOT_IN, De Morgan). This is not a set
 * complement: a null cell matches neither `x == v` nor `not x == v`.
 */
export function negate(node: FilterAst): FilterAst {
  switch (node.type) {
    case "compare":
      return { ...node, op: NEGATED[node.op] };
    case "in":
      return { ...node, negated: !node.negated };
    case "and":
    case "or":
      return { type: node.type === "and" ? "or" : "and", children: node.children.map(negate), pos: node.pos };
  }
}

/** `and`/`or` of two nodes, flattening same-type children (as TileDB's `combine`). */
export function combine(type: "and" | "or", left: FilterAst, right: FilterAst, pos: number): FilterAst {
  const parts = (n: FilterAst) => (n.type === type ? n.children : [n]);
  return { type, children: [...parts(left), ...parts(right)], pos };
}

/** Every column the filter reads, in first-use order. */
export function referencedColumns(ast: FilterAst): string[] {
  const seen = new Set<string>();
  const walk = (n: FilterAst): void => {
    if (n.type === "and" || n.type === "or") n.children.forEach(walk);
    else seen.add(n.column);
  };
  walk(ast);
  return [...seen];
}

function literalText(v: FilterLiteral): string {
  switch (v.kind) {
    case "str":
      return JSON.stringify(v.value);
    case "int":
      return v.value.toString();
    case "float":
      return Number.isInteger(v.value) ? v.value.toFixed(1) : String(v.value);
    case "bool":
      return v.value ? "True" : "False";
    case "none":
      return "None";
  }
}

/** The normalised filter as text, e.g. `(nnz >= 500 and nnz < 5000)`; useful in messages and tests. */
export function formatFilter(ast: FilterAst): string {
  const col = (c: string) =>
    /^[\p{XID_Start}_][\p{XID_Continue}]*$/u.test(c) && !PYTHON_KEYWORDS.has(c)
      ? c
      : `attr(${JSON.stringify(c)})`;
  switch (ast.type) {
    case "compare":
      return `${col(ast.column)} ${ast.op} ${literalText(ast.value)}`;
    case "in":
      return `${col(ast.column)} ${ast.negated ? "not in" : "in"} [${ast.values.map(literalText).join(", ")}]`;
    case "and":
    case "or":
      return `(${ast.children.map(formatFilter).join(` ${ast.type} `)})`;
  }
}
