/**
 * Turns the Python syntax tree into a FilterAst, enforcing the value_filter rules the way
 * tiledbsoma's `QueryConditionTree` visitor does (same accepted forms, same error wording where it
 * has one), minus its defects: signed numbers are allowed inside `in` lists and `val()`.
 */
import { FilterSyntaxError } from "../../errors.js";
import type { CompareOp, FilterAst, FilterLiteral, InNode } from "./ast.js";
import { combine, mirrorOp, negate } from "./ast.js";
import type { CompareToken, PyNode } from "./pysyntax.js";
import { parsePython } from "./pysyntax.js";

const MALFORMED =
  "Malformed query condition statement. A query condition must be made up of one or more boolean expressions.";
const IN_SYNTAX = "`in` operator syntax must be written as `attr in ['l', 'i', 's', 't']`";

/** Parses a value_filter into its normalised AST. Throws FilterSyntaxError with a position. */
export function parseValueFilter(expression: string): FilterAst {
  if (typeof expression !== "string") {
    throw new FilterSyntaxError(
      `Could not parse the given QueryCondition statement: expected a string, got ${typeof expression}`,
      String(expression),
      0,
    );
  }
  return new Lowering(expression).condition(parsePython(expression));
}

type Value = { literal: FilterLiteral; pos: number };

class Lowering {
  constructor(private readonly src: string) {}

  private fail(message: string, pos: number): never {
    throw new FilterSyntaxError(message, this.src, pos);
  }

  private text(n: PyNode): string {
    return this.src.slice(n.pos, n.end);
  }

  /** A Python-`ast.dump`-like description, as tiledbsoma's messages show it. */
  private dump(n: PyNode): string {
    if (n.k === "name") return `Name(id='${n.id}')`;
    const kind: Record<PyNode["k"], string> = {
      name: "Name",
      const: "Constant",
      boolop: "BoolOp",
      not: "UnaryOp",
      compare: "Compare",
      binop: "BinOp",
      unary: "UnaryOp",
      call: "Call",
      attribute: "Attribute",
      subscript: "Subscript",
      list: "List",
      tuple: "Tuple",
      set: "Set",
      dict: "Dict",
    };
    return `${kind[n.k]}(\`${this.text(n)}\`)`;
  }

  private isCondition(n: PyNode): boolean {
    return (
      n.k === "boolop" ||
      n.k === "not" ||
      n.k === "compare" ||
      (n.k === "binop" && (n.op === "&" || n.op === "|"))
    );
  }

  condition(n: PyNode): FilterAst {
    switch (n.k) {
      case "boolop": {
        const parts = n.values.map((v) => this.condition(v));
        return parts.slice(1).reduce((acc, c) => combine(n.op, acc, c, n.pos), parts[0]!);
      }
      case "not": {
        const inner = n.operand.k;
        if (!this.isCondition(n.operand) && inner !== "attribute" && inner !== "binop") {
          this.fail(
            `\`not\` can only be applied to a query condition, got ${this.dump(n.operand)}`,
            n.operand.pos,
          );
        }
        return negate(this.condition(n.operand));
      }
      case "binop": {
        if (n.op !== "&" && n.op !== "|") this.arithmetic(n);
        const unparsable = `Unable to parse expression component ${this.dump(n)} -- did you mean to quote it as a string?`;
        const left = this.operandCondition(n.left, unparsable);
        const right = this.operandCondition(n.right, unparsable);
        return combine(n.op === "&" ? "and" : "or", left, right, n.opPos);
      }
      case "compare":
        return this.compare(n);
      case "attribute":
        return this.dotted(n);
      case "name":
        return this.fail(`${MALFORMED} A bare column is not a condition: write \`${n.id} == True\`.`, n.pos);
      default:
        return this.fail(MALFORMED, n.pos);
    }
  }

  private operandCondition(n: PyNode, message: string): FilterAst {
    if (this.isCondition(n) || n.k === "attribute" || n.k === "binop") return this.condition(n);
    const hint = n.k === "name" ? ` (a bare column is not a condition: write \`${n.id} == True\`)` : "";
    return this.fail(message + hint, n.pos);
  }

  private arithmetic(n: PyNode & { k: "binop" }): never {
    return this.fail(
      `Unable to parse expression component ${this.dump(n)} -- did you mean to quote it as a string? ` +
        `(operator \`${n.op}\` is not supported in a filter${n.op === "&" || n.op === "|" ? "; `&` and `|` bind tighter than comparisons, so parenthesise each comparison: (a == 1) & (b == 2)" : ""})`,
      n.opPos,
    );
  }

  private dotted(n: PyNode & { k: "attribute" }): never {
    return this.fail(
      `Unhandled dot operator in ${this.dump(n)} -- if your attribute name has a dot in it, e.g. \`orig.ident\`, ` +
        `please wrap it with \`attr("...")\`, e.g. \`attr(${JSON.stringify(this.text(n))})\``,
      n.pos,
    );
  }

  private compare(n: PyNode & { k: "compare" }): FilterAst {
    for (const o of n.ops) {
      if (o.op === "is") this.fail("the `is` operator is not supported (use `== None` / `== True`)", o.pos);
      if (o.op === "is not")
        this.fail("the `is not` operator is not supported (use `!= None` / `!= True`)", o.pos);
    }
    const first = n.ops[0]!;
    const isMember = (op: CompareToken) => op === "in" || op === "not in";
    if (n.ops.length > 1) {
      const bad = n.ops.find((o) => isMember(o.op));
      if (bad !== undefined) this.fail("`in` / `not in` cannot be chained with other comparisons", bad.pos);
    }
    if (isMember(first.op)) return this.member(n.left, first.op === "not in", n.comparators[0]!, first.pos);
    // `a < x < b` is `a < x and x < b`.
    let result: FilterAst | undefined;
    let lhs = n.left;
    n.ops.forEach((o, i) => {
      const rhs = n.comparators[i]!;
      const pair = this.pair(lhs, o.op as CompareOp, rhs, o.pos);
      result = result === undefined ? pair : combine("and", result, pair, n.pos);
      lhs = rhs;
    });
    return result!;
  }

  /** One `operand op operand` with exactly one column reference. */
  private pair(l: PyNode, op: CompareOp, r: PyNode, opPos: number): FilterAst {
    this.checkOperand(l);
    this.checkOperand(r);
    if (!this.isColumnRef(l)) {
      if (!this.isColumnRef(r)) {
        this.fail(
          `Incorrect type for attribute name: neither ${this.dump(l)} nor ${this.dump(r)} is a column -- ` +
            "a comparison needs a column on one side",
          l.pos,
        );
      }
      [l, r] = [r, l];
      op = mirrorOp(op);
    }
    const column = this.columnName(l);
    const value = this.value(r, false);
    return {
      type: "compare",
      column,
      op,
      value: value.literal,
      columnPos: l.pos,
      valuePos: value.pos,
      pos: opPos,
    };
  }

  private member(left: PyNode, negated: boolean, right: PyNode, pos: number): InNode {
    if (right.k !== "list") this.fail(IN_SYNTAX, right.pos);
    if (left.k === "call") this.checkOperand(left);
    if (left.k === "attribute") this.dotted(left);
    if (!this.isColumnRef(left)) {
      this.fail(
        `cannot handle query condition left-hand side ${this.dump(left)}: \`in\` needs a column`,
        left.pos,
      );
    }
    const column = this.columnName(left);
    const elts = (right as PyNode & { k: "list" }).elts;
    if (elts.length === 0) this.fail("At least one value must be provided to the set membership", right.pos);
    const values = elts.map((e) => this.value(e, true));
    for (const v of values) {
      if (v.literal.kind === "none") {
        this.fail("None cannot be a member of an `in` list; test nulls with `== None`", v.pos);
      }
    }
    return {
      type: "in",
      column,
      negated,
      values: values.map((v) => v.literal),
      columnPos: left.pos,
      valuePos: values.map((v) => v.pos),
      pos,
    };
  }

  /** Rejects operands that are never valid, with tiledbsoma's wording. */
  private checkOperand(n: PyNode): void {
    if (n.k === "attribute") this.dotted(n);
    if (n.k === "binop") this.arithmetic(n);
    if (n.k === "call") {
      if (n.func.k !== "name") this.fail(`Unrecognized expression ${this.dump(n.func)}.`, n.func.pos);
      const f = (n.func as PyNode & { k: "name" }).id;
      if (f !== "attr" && f !== "val") this.fail("Valid casts are attr() or val().", n.pos);
      if (n.keywords > 0) this.fail(`${f}() takes no keyword arguments.`, n.pos);
      if (n.args.length !== 1) this.fail(`Exactly one argument must be provided to ${f}().`, n.pos);
    }
  }

  private isColumnRef(n: PyNode): boolean {
    return n.k === "name" || (n.k === "call" && n.func.k === "name" && n.func.id === "attr");
  }

  private columnName(n: PyNode): string {
    if (n.k === "name") return n.id;
    const arg = (n as PyNode & { k: "call" }).args[0]!;
    if (arg.k !== "const" || arg.value.kind !== "str") {
      this.fail(
        `attr() takes the column name as a string, e.g. attr("orig.ident"); got ${this.dump(arg)}`,
        arg.pos,
      );
    }
    return ((arg as PyNode & { k: "const" }).value as { value: string }).value;
  }

  /** A constant, a signed number, or `val(constant)`. */
  private value(n: PyNode, inList: boolean): Value {
    let node = n;
    if (n.k === "call") {
      this.checkOperand(n);
      if (n.func.k === "name" && n.func.id === "attr") {
        const why = inList ? "list members must be constants" : "comparing two columns is not supported";
        this.fail(`Incorrect type for comparison value: ${this.dump(n)}: ${why}`, n.pos);
      }
      node = n.args[0]!;
    }
    if (node.k === "unary") return { literal: this.signed(node), pos: node.pos };
    if (node.k === "binop") this.arithmetic(node);
    if (node.k === "attribute") this.dotted(node);
    if (node.k !== "const") {
      let hint = "";
      if (node.k === "name") {
        const lower = node.id.toLowerCase();
        hint =
          lower === "true" || lower === "false"
            ? ` (Python booleans are spelled ${lower === "true" ? "True" : "False"})`
            : lower === "null" || lower === "none"
              ? " (Python's null is spelled None)"
              : ` (comparing two columns is not supported; for the text write "${node.id}")`;
      }
      this.fail(
        `Incorrect type for comparison value: ${this.dump(node)}: right-hand sides must be constant expressions, ` +
          `not variables -- did you mean to quote the right-hand side as a string?${hint}`,
        node.pos,
      );
    }
    const c = (node as PyNode & { k: "const" }).value;
    if (c.kind === "bytes")
      this.fail("bytes literals (b'...') are not supported; compare with a str", node.pos);
    if (c.kind === "ellipsis") this.fail(`Incorrect type for comparison value: ${this.dump(node)}`, node.pos);
    return { literal: c as FilterLiteral, pos: node.pos };
  }

  /** Folds `+`/`-` chains onto a number (Python: `-True` is the int -1); `~` is rejected. */
  private signed(n: PyNode & { k: "unary" }): FilterLiteral {
    let sign = 1;
    let node: PyNode = n;
    while (node.k === "unary") {
      if (node.op === "~") this.fail(`Unsupported UnaryOp type. Saw ${this.dump(node)}.`, node.pos);
      if (node.op === "-") sign = -sign;
      node = node.operand;
    }
    const c = node.k === "const" ? node.value : undefined;
    if (c === undefined || (c.kind !== "int" && c.kind !== "float" && c.kind !== "bool")) {
      return this.fail(
        `Unexpected node type following UnaryOp. Saw ${this.dump(n)}: only numbers take a sign.`,
        n.pos,
      );
    }
    if (c.kind === "float") return { kind: "float", value: sign * c.value };
    const int = c.kind === "bool" ? (c.value ? 1n : 0n) : c.value;
    return { kind: "int", value: sign < 0 ? -int : int };
  }
}
