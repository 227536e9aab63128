/**
 * Recursive-descent parser for the Python expression syntax a value_filter is written in.
 * It accepts more than the filter language (arithmetic, dotted names, calls, tuples) on purpose:
 * tiledbsoma parses with Python's `ast` first and rejects constructs afterwards, so parsing the
 * wider syntax lets `lower.ts` give the same specific errors ("did you mean to quote it as a
 * string?") instead of a bare syntax error. Precedence is Python's:
 * or < and < not < comparisons < | < ^ < & < shifts < + - < * / // % @ < unary < ** < primary.
 */
import type { Token } from "./tokens.js";
import { couldNotParse, tokenize } from "./tokens.js";

export type PyConst =
  | { kind: "str"; value: string }
  | { kind: "bytes"; value: string }
  | { kind: "int"; value: bigint }
  | { kind: "float"; value: number }
  | { kind: "bool"; value: boolean }
  | { kind: "none" }
  | { kind: "ellipsis" };

export type CompareToken = "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in" | "is" | "is not";

/** A Python expression node; `pos` is the 0-based offset of its first character, `end` one past it. */
export type PyNode = { pos: number; end: number } & (
  | { k: "name"; id: string }
  | { k: "const"; value: PyConst }
  | { k: "boolop"; op: "and" | "or"; values: PyNode[] }
  | { k: "not"; operand: PyNode }
  | { k: "compare"; left: PyNode; ops: { op: CompareToken; pos: number }[]; comparators: PyNode[] }
  | { k: "binop"; op: string; opPos: number; left: PyNode; right: PyNode }
  | { k: "unary"; op: "+" | "-" | "~"; operand: PyNode }
  | { k: "call"; func: PyNode; args: PyNode[]; keywords: number }
  | { k: "attribute"; value: PyNode; attr: string }
  | { k: "subscript"; value: PyNode }
  | { k: "list" | "tuple" | "set" | "dict"; elts: PyNode[] }
);

const COMPARE_OPS = new Set(["==", "!=", "<", "<=", ">", ">="]);
const BINARY_LEVELS: readonly (readonly string[])[] = [
  ["|"],
  ["^"],
  ["&"],
  ["<<", ">>"],
  ["+", "-"],
  ["*", "/", "//", "%", "@"],
];

/** Parses `src` as one Python expression (`ast.parse(src, mode="eval")`). */
export function parsePython(src: string): PyNode {
  if (src.trim() === "") throw couldNotParse(src, "the expression is empty", 0);
  const toks = tokenize(src);
  let p = 0;
  const peek = (): Token => toks[p]!;
  const next = (): Token => toks[p++]!;
  const isOp = (text: string, t: Token = peek()) => t.kind === "op" && t.text === text;
  const isKw = (text: string, t: Token = peek()) => t.kind === "keyword" && t.text === text;
  const describe = (t: Token): string => {
    if (t.kind === "end") return "the expression ends too early";
    if (t.kind === "string") return "unexpected string literal";
    if (t.kind === "int" || t.kind === "float") return "unexpected number";
    const hint = t.kind === "op" && t.text === "=" ? " (use '==' to compare)" : "";
    return `unexpected '${t.text}'${hint}`;
  };
  const fail = (t: Token = peek()): never => {
    throw couldNotParse(src, describe(t), t.pos);
  };
  const expectOp = (text: string): Token => {
    if (!isOp(text)) fail();
    return next();
  };

  const expr = (): PyNode => orExpr();

  const orExpr = (): PyNode => boolChain("or", andExpr);
  const andExpr = (): PyNode => boolChain("and", notExpr);
  function boolChain(op: "and" | "or", sub: () => PyNode): PyNode {
    const first = sub();
    const values = [first];
    while (isKw(op)) {
      next();
      values.push(sub());
    }
    if (values.length === 1) return first;
    return { k: "boolop", op, values, pos: first.pos, end: values[values.length - 1]!.end };
  }

  function notExpr(): PyNode {
    if (isKw("not")) {
      const t = next();
      const operand = notExpr();
      return { k: "not", operand, pos: t.pos, end: operand.end };
    }
    return comparison();
  }

  function compareOp(): { op: CompareToken; pos: number } | undefined {
    const t = peek();
    if (t.kind === "op" && COMPARE_OPS.has(t.text)) {
      next();
      return { op: t.text as CompareToken, pos: t.pos };
    }
    if (isKw("in")) {
      next();
      return { op: "in", pos: t.pos };
    }
    if (isKw("not") && isKw("in", toks[p + 1])) {
      p += 2;
      return { op: "not in", pos: t.pos };
    }
    if (isKw("is")) {
      next();
      if (isKw("not")) {
        next();
        return { op: "is not", pos: t.pos };
      }
      return { op: "is", pos: t.pos };
    }
    return undefined;
  }

  function comparison(): PyNode {
    const left = binary(0);
    const ops: { op: CompareToken; pos: number }[] = [];
    const comparators: PyNode[] = [];
    for (let op = compareOp(); op !== undefined; op = compareOp()) {
      ops.push(op);
      comparators.push(binary(0));
    }
    if (ops.length === 0) return left;
    return {
      k: "compare",
      left,
      ops,
      comparators,
      pos: left.pos,
      end: comparators[comparators.length - 1]!.end,
    };
  }

  function binary(level: number): PyNode {
    const ops = BINARY_LEVELS[level];
    if (ops === undefined) return unary();
    let left = binary(level + 1);
    for (;;) {
      const t = peek();
      if (t.kind !== "op" || !ops.includes(t.text)) return left;
      next();
      const right = binary(level + 1);
      left = { k: "binop", op: t.text, opPos: t.pos, left, right, pos: left.pos, end: right.end };
    }
  }

  function unary(): PyNode {
    const t = peek();
    if (t.kind === "op" && (t.text === "+" || t.text === "-" || t.text === "~")) {
      next();
      const operand = unary();
      return { k: "unary", op: t.text, operand, pos: t.pos, end: operand.end };
    }
    return power();
  }

  function power(): PyNode {
    const base = primary();
    if (!isOp("**")) return base;
    const t = next();
    const exponent = unary();
    return {
      k: "binop",
      op: "**",
      opPos: t.pos,
      left: base,
      right: exponent,
      pos: base.pos,
      end: exponent.end,
    };
  }

  function primary(): PyNode {
    let node = atom();
    for (;;) {
      if (isOp(".")) {
        next();
        const name = next();
        if (name.kind !== "name" && name.kind !== "keyword") fail(name);
        node = {
          k: "attribute",
          value: node,
          attr: (name as { text: string }).text,
          pos: node.pos,
          end: name.end,
        };
      } else if (isOp("(")) {
        next();
        const args: PyNode[] = [];
        let keywords = 0;
        while (!isOp(")")) {
          if ((peek().kind === "name" || peek().kind === "keyword") && isOp("=", toks[p + 1])) {
            p += 2; // keyword argument: parsed so the call can be rejected with a clear message
            keywords++;
            expr();
          } else {
            args.push(expr());
          }
          if (!isOp(",")) break;
          next();
        }
        const close = expectOp(")");
        node = { k: "call", func: node, args, keywords, pos: node.pos, end: close.end };
      } else if (isOp("[")) {
        next();
        while (!isOp("]")) {
          if (!isOp(":")) expr();
          while (isOp(":")) {
            next();
            if (!isOp("]") && !isOp(":") && !isOp(",")) expr();
          }
          if (!isOp(",")) break;
          next();
        }
        const close = expectOp("]");
        node = { k: "subscript", value: node, pos: node.pos, end: close.end };
      } else {
        return node;
      }
    }
  }

  function sequence(close: string): PyNode[] {
    const elts: PyNode[] = [];
    while (!isOp(close)) {
      elts.push(expr());
      if (!isOp(",")) break;
      next();
    }
    return elts;
  }

  function atom(): PyNode {
    const t = next();
    switch (t.kind) {
      case "name":
        return { k: "name", id: t.text, pos: t.pos, end: t.end };
      case "int":
        return { k: "const", value: { kind: "int", value: t.value }, pos: t.pos, end: t.end };
      case "float":
        return { k: "const", value: { kind: "float", value: t.value }, pos: t.pos, end: t.end };
      case "string":
        return strings(t);
      case "keyword":
        if (t.text === "True" || t.text === "False") {
          return { k: "const", value: { kind: "bool", value: t.text === "True" }, pos: t.pos, end: t.end };
        }
        if (t.text === "None") return { k: "const", value: { kind: "none" }, pos: t.pos, end: t.end };
        return fail(t);
      case "op":
        break;
      default:
        return fail(t);
    }
    if (t.text === "...") return { k: "const", value: { kind: "ellipsis" }, pos: t.pos, end: t.end };
    if (t.text === "(") {
      if (isOp(")")) return { k: "tuple", elts: [], pos: t.pos, end: next().end };
      const first = expr();
      if (isOp(")")) {
        next();
        return first; // plain parentheses keep the inner node (and its position)
      }
      if (!isOp(",")) fail();
      next();
      const elts = [first, ...sequence(")")];
      return { k: "tuple", elts, pos: t.pos, end: expectOp(")").end };
    }
    if (t.text === "[") {
      const elts = sequence("]");
      return { k: "list", elts, pos: t.pos, end: expectOp("]").end };
    }
    if (t.text === "{") {
      if (isOp("}")) return { k: "dict", elts: [], pos: t.pos, end: next().end };
      const first = expr();
      if (isOp(":")) {
        next();
        expr();
        while (isOp(",")) {
          next();
          if (isOp("}")) break;
          expr();
          expectOp(":");
          expr();
        }
        return { k: "dict", elts: [], pos: t.pos, end: expectOp("}").end };
      }
      const elts = [first];
      if (isOp(",")) {
        next();
        elts.push(...sequence("}"));
      }
      return { k: "set", elts, pos: t.pos, end: expectOp("}").end };
    }
    return fail(t);
  }

  /** Adjacent string literals concatenate; str and bytes cannot be mixed (Python rule). */
  function strings(first: Token & { kind: "string" }): PyNode {
    let value = first.value;
    let end = first.end;
    for (let t = peek(); t.kind === "string"; t = peek()) {
      if (t.bytes !== first.bytes) throw couldNotParse(src, "cannot mix bytes and nonbytes literals", t.pos);
      value += t.value;
      end = t.end;
      next();
    }
    const kind = first.bytes ? "bytes" : "str";
    return { k: "const", value: { kind, value }, pos: first.pos, end };
  }

  const tree = expr();
  if (peek().kind !== "end") fail();
  return tree;
}
