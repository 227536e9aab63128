import { spawnSync } from "node:child_process";
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { FilterSyntaxError } from "../../../src/errors.js";
import { type FilterAst, formatFilter, parseValueFilter } from "../../../src/soma/query/index.js";
import { referencePython } from "../../helpers/fixtures.js";

function errorOf(expr: string): FilterSyntaxError {
  try {
    parseValueFilter(expr);
  } catch (e) {
    expect(e).toBeInstanceOf(FilterSyntaxError);
    return e as FilterSyntaxError;
  }
  throw new Error(`expected ${JSON.stringify(expr)} to be rejected`);
}

describe("parseValueFilter: normalised forms of the doc examples (§2.3)", () => {
  const cases: [string, string][] = [
    [
      `tissue == "brain" and cell_type in ["microglial cell", "neuron"] and suspension_type == "cell" and assay == "10x 3' v3"`,
      `(tissue == "brain" and cell_type in ["microglial cell", "neuron"] and suspension_type == "cell" and assay == "10x 3' v3")`,
    ],
    ["is_primary_data == True", "is_primary_data == True"],
    [
      "tissue_general == 'lung' and is_primary_data == True",
      `(tissue_general == "lung" and is_primary_data == True)`,
    ],
    [`cell_type != "neuron"`, `cell_type != "neuron"`],
    [`cell_type not in ["neuron", "T cell"]`, `cell_type not in ["neuron", "T cell"]`],
    [`sex == "female" or sex == "male"`, `(sex == "female" or sex == "male")`],
    [
      `(tissue == "brain" or tissue == "lung") and is_primary_data == True`,
      `((tissue == "brain" or tissue == "lung") and is_primary_data == True)`,
    ],
    [`(tissue == "brain") & (sex == "female")`, `(tissue == "brain" and sex == "female")`],
    [`(tissue == "brain") | (tissue == "lung")`, `(tissue == "brain" or tissue == "lung")`],
    ["nnz > 500 and raw_sum <= 1e4", "(nnz > 500 and raw_sum <= 10000.0)"],
    ["500 <= nnz < 5000", "(nnz >= 500 and nnz < 5000)"],
    [
      `not (cell_type == "neuron" or cell_type == "T cell")`,
      `(cell_type != "neuron" and cell_type != "T cell")`,
    ],
    [`attr("orig.ident") == "GSM4601695"`, `attr("orig.ident") == "GSM4601695"`],
    [`"brain" == tissue`, `tissue == "brain"`],
    ["nnz >= -1", "nnz >= -1"],
    [`tissue == val("brain")`, `tissue == "brain"`],
    [`attr("orig.ident") != None`, `attr("orig.ident") != None`],
    [`cell_type in ["neuron", "astrocyte"]`, `cell_type in ["neuron", "astrocyte"]`],
    [`tissue == "kidney"`, `tissue == "kidney"`],
  ];
  it.each(cases)("%s", (expr, normalised) => {
    expect(formatFilter(parseValueFilter(expr))).toBe(normalised);
  });
});

describe("parseValueFilter: precedence, negation and mirroring", () => {
  const cases: [string, string][] = [
    ["a == 1 or b == 2 and c == 3", "(a == 1 or (b == 2 and c == 3))"],
    ["(a == 1 or b == 2) and c == 3", "((a == 1 or b == 2) and c == 3)"],
    ["(a == 1) | (b == 2) & (c == 3)", "(a == 1 or (b == 2 and c == 3))"],
    ["a == 1 and b == 2 and (c == 3 and d == 4)", "(a == 1 and b == 2 and c == 3 and d == 4)"],
    ["not a == 1", "a != 1"],
    ["not not a == 1", "a == 1"],
    ["not a < 1", "a >= 1"],
    ["not a <= 1", "a > 1"],
    ["not a > 1", "a <= 1"],
    ["not a >= 1", "a < 1"],
    ["not a in [1]", "a not in [1]"],
    ["not a not in [1]", "a in [1]"],
    ["not (a == 1 and b == 2)", "(a != 1 or b != 2)"],
    ["not (0 <= a < 5)", "(a < 0 or a >= 5)"],
    ["not a == None", "a != None"],
    ["5 > a", "a < 5"],
    ["5 <= a", "a >= 5"],
    ["1 < a <= 2 < b", "(a > 1 and a <= 2 and b > 2)"],
    ["a == 1 and not b == 2 or c == 3", "((a == 1 and b != 2) or c == 3)"],
    ["x in [1, -2, +3, val(-4), 2.5, True]", "x in [1, -2, 3, -4, 2.5, True]"],
    ["x == --1", "x == 1"],
    ["x == -True", "x == -1"],
    ["x == -2.5", "x == -2.5"],
    [`attr("if") == 1`, `attr("if") == 1`],
    ["true == 1", "true == 1"],
    ["(\n a == 1\n and b == 2\n)", "(a == 1 and b == 2)"],
    ["a == 1 \\\n and b == 2", "(a == 1 and b == 2)"],
    ["a == 1 # a comment", "a == 1"],
    ["a == 1\n", "a == 1"],
    ["\na == 1", "a == 1"],
    ["# note\na == 1\n  # trailing comment\n", "a == 1"],
  ];
  it.each(cases)("%j", (expr, normalised) => {
    expect(formatFilter(parseValueFilter(expr))).toBe(normalised);
  });

  it("keeps positions of columns, operators and values", () => {
    const ast = parseValueFilter(`5 < nnz and attr("a b") in ["x", -1]`) as Extract<
      FilterAst,
      { type: "and" }
    >;
    expect(ast.children[0]).toMatchObject({ column: "nnz", op: ">", columnPos: 4, valuePos: 0, pos: 2 });
    expect(ast.children[1]).toMatchObject({
      type: "in",
      column: "a b",
      columnPos: 12,
      valuePos: [28, 33],
      pos: 24,
    });
  });

  it("normalises identifiers with NFKC, as Python does", () => {
    expect(parseValueFilter("\uFB01eld == 1")).toMatchObject({ column: "field" });
  });
});

describe("parseValueFilter: Python literals", () => {
  const value = (expr: string) => {
    const ast = parseValueFilter(`x == ${expr}`);
    if (ast.type !== "compare") throw new Error("not a comparison");
    return ast.value;
  };
  const cases: [string, unknown][] = [
    [`"a"`, { kind: "str", value: "a" }],
    [`'a'`, { kind: "str", value: "a" }],
    [`"it's"`, { kind: "str", value: "it's" }],
    [`'say "hi"'`, { kind: "str", value: 'say "hi"' }],
    [`'a\\'b'`, { kind: "str", value: "a'b" }],
    [`"\\t\\n\\\\\\x41\\101\\u00e9\\U0001F600"`, { kind: "str", value: "\t\n\\AA\u00e9\u{1F600}" }],
    [`"\\d"`, { kind: "str", value: "\\d" }],
    [`r"\\d\\n"`, { kind: "str", value: "\\d\\n" }],
    [`R'\\''`, { kind: "str", value: "\\'" }],
    [`u"x"`, { kind: "str", value: "x" }],
    [`"a" 'b' r"\\c"`, { kind: "str", value: "ab\\c" }],
    [`"""tri"ple"""`, { kind: "str", value: 'tri"ple' }],
    [`''`, { kind: "str", value: "" }],
    ["1_000", { kind: "int", value: 1000n }],
    ["0x1F", { kind: "int", value: 31n }],
    ["0o17", { kind: "int", value: 15n }],
    ["0b1_01", { kind: "int", value: 5n }],
    ["00", { kind: "int", value: 0n }],
    ["18446744073709551615", { kind: "int", value: 18446744073709551615n }],
    ["2.5", { kind: "float", value: 2.5 }],
    ["1e4", { kind: "float", value: 10000 }],
    ["1.", { kind: "float", value: 1 }],
    [".5", { kind: "float", value: 0.5 }],
    ["1_0.2_5e-0_1", { kind: "float", value: 1.025 }],
    ["1e999", { kind: "float", value: Number.POSITIVE_INFINITY }],
    ["True", { kind: "bool", value: true }],
    ["False", { kind: "bool", value: false }],
    ["None", { kind: "none" }],
  ];
  it.each(cases)("%s", (expr, expected) => {
    expect(value(expr)).toEqual(expected);
  });

  it("agrees with Python's own literal parser", () => {
    const literals = cases.map(([e]) => e).filter((e) => e !== "None" && e !== "1e999");
    const script =
      "import ast, json, sys\n" +
      "out = []\n" +
      "for s in json.load(sys.stdin):\n" +
      "    v = ast.literal_eval(s)\n" +
      "    out.append({'kind': type(v).__name__, 'text': v if isinstance(v, str) else repr(v)})\n" +
      "print(json.dumps(out))\n";
    const r = spawnSync(referencePython, ["-c", script], {
      input: JSON.stringify(literals),
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    const py = JSON.parse(r.stdout) as { kind: string; text: string }[];
    literals.forEach((lit, i) => {
      const ours = value(lit);
      const theirs = py[i]!;
      if (ours.kind === "str") expect([theirs.kind, theirs.text]).toEqual(["str", ours.value]);
      else if (ours.kind === "int")
        expect([theirs.kind, theirs.text]).toEqual(["int", ours.value.toString()]);
      else if (ours.kind === "float")
        expect([theirs.kind, Number(theirs.text)]).toEqual(["float", ours.value]);
      else if (ours.kind === "bool")
        expect([theirs.kind, theirs.text]).toEqual(["bool", ours.value ? "True" : "False"]);
    });
  });

  const bad: [string, string][] = [
    ["01", "leading zeros"],
    ["1__0", "invalid number literal"],
    ["1_", "invalid number literal"],
    ["0x", "invalid number literal"],
    ["1abc", "invalid number literal"],
    ["1j", "complex numbers"],
    [`f"x"`, "f-strings"],
    [`"a" b"b"`, "cannot mix bytes and nonbytes"],
    [`b"x"`, "bytes literals"],
    [`"\\x4"`, "truncated \\xXX escape"],
    [`"\\N{DASH}"`, "named escapes"],
    [`"abc`, "unterminated string literal"],
    [`"a\nb"`, "unterminated string literal"],
    [`ur"x"`, "Could not parse"],
    ["...", "Incorrect type for comparison value"],
  ];
  it.each(bad)("rejects %j", (expr, fragment) => {
    expect(errorOf(`x == ${expr}`).message).toContain(fragment);
  });
});

describe("parseValueFilter: every error case of the doc (§2.4) with its position", () => {
  const cases: [unknown, string, number][] = [
    [`tissue = "brain"`, "Could not parse the given QueryCondition statement", 7],
    [`tissue == "brain" and`, "Could not parse the given QueryCondition statement", 21],
    [`assay == '10x 3' v3'`, "Could not parse the given QueryCondition statement", 19],
    ['`cell type` == "x"', "Could not parse the given QueryCondition statement", 0],
    ["", "Could not parse the given QueryCondition statement", 0],
    ["   ", "Could not parse the given QueryCondition statement", 0],
    [42, "Could not parse the given QueryCondition statement", 0],
    [
      `tissue == brain`,
      "Incorrect type for comparison value: Name(id='brain'): right-hand sides must be constant expressions, not variables -- did you mean to quote the right-hand side as a string?",
      10,
    ],
    [`is_primary_data == true`, "Incorrect type for comparison value: Name(id='true')", 19],
    [`tissue == "brain" & sex == "female"`, "Unable to parse expression component BinOp(", 18],
    [`tissue == "brain" & sex == "female"`, "did you mean to quote it as a string?", 18],
    [`nnz > 1+1`, "Unable to parse expression component BinOp(`1+1`)", 7],
    [`louvain == leuko-cyte`, "Unable to parse expression component BinOp(`leuko-cyte`)", 16],
    [`lou.vain == "x"`, "Unhandled dot operator in Attribute(`lou.vain`)", 0],
    [`lou.vain == "x"`, 'please wrap it with `attr("...")`, e.g. `attr("lou.vain")`', 0],
    [`foo is True`, "the `is` operator is not supported", 4],
    [`foo is not True`, "the `is not` operator is not supported", 4],
    [`x in ("a","b")`, "`in` operator syntax must be written as `attr in ['l', 'i', 's', 't']`", 5],
    [`x in "a"`, "`in` operator syntax must be written as `attr in ['l', 'i', 's', 't']`", 5],
    [`x in {"a"}`, "`in` operator syntax must be written as", 5],
    [`x in []`, "At least one value must be provided to the set membership", 5],
    [`somefunction('x') == 1`, "Valid casts are attr() or val().", 0],
    [`attr('a','b') > 1`, "Exactly one argument must be provided to attr().", 0],
    [`attr() > 1`, "Exactly one argument must be provided to attr().", 0],
    [`x == val()`, "Exactly one argument must be provided to val().", 5],
    [`a > ~0`, "Unsupported UnaryOp type.", 4],
    [`n_genes > b'abc'`, "bytes literals", 10],
    [`percent_mito < n_counts`, "Incorrect type for comparison value: Name(id='n_counts')", 15],
    [
      `is_primary_data`,
      "Malformed query condition statement. A query condition must be made up of one or more boolean expressions.",
      0,
    ],
    [`True`, "Malformed query condition statement.", 0],
    [`a == 1 and flag`, "Malformed query condition statement.", 11],
    [`1 == 1`, "Incorrect type for attribute name", 0],
    [`x == [1]`, "Incorrect type for comparison value: List(", 5],
    [`x == attr("y")`, "comparing two columns is not supported", 5],
    [`x in [y]`, "Incorrect type for comparison value: Name(id='y')", 6],
    [`x in [None]`, "None cannot be a member of an `in` list", 6],
    [`x in [attr("y")]`, "list members must be constants", 6],
    [`1 in [1]`, "cannot handle query condition left-hand side", 0],
    [`x == 1 in [1]`, "cannot be chained", 7],
    [`x in [1] == 1`, "cannot be chained", 2],
    [`x == -"a"`, "Unexpected node type following UnaryOp", 5],
    [`not x`, "`not` can only be applied to a query condition", 4],
    [`a.b(1) == 2`, "Unrecognized expression Attribute(`a.b`)", 0],
    [`attr(x) == 1`, "attr() takes the column name as a string", 5],
    [`x == 1 if y else 2`, "Could not parse", 7],
    [`x == 1, y == 2`, "Could not parse", 6],
    [`x == 1\nand y == 2`, "Could not parse", 6],
    [`x <> 1`, "Could not parse", 3],
    [`x == 1;`, "Could not parse", 6],
    [`x[0] == 1`, "Incorrect type for attribute name: neither Subscript(`x[0]`) nor Constant(`1`)", 0],
    [`attr(name="x") == 1`, "takes no keyword arguments", 0],
    [`x == 2 ** 3`, "Unable to parse expression component BinOp(`2 ** 3`)", 7],
    [`(a == 1) + (b == 2)`, "Unable to parse expression component", 9],
    [`flag & (x == 1)`, "Unable to parse expression component", 0],
  ];
  it.each(cases)("%j → %s", (expr, fragment, pos) => {
    const e = errorOf(expr as string);
    expect(e.message).toContain(fragment);
    expect(e.position).toBe(pos);
    expect(e.code).toBe("filter_syntax");
    expect(e.expression).toBe(typeof expr === "string" ? expr : String(expr));
  });

  it("shows a caret under the position", () => {
    expect(errorOf("nnz > 1+1").message).toContain("nnz > 1+1\n       ^");
  });
});

describe("parseValueFilter on random token soup", () => {
  const ALPHABET = [
    "a",
    "b",
    'attr("x")',
    "val(1)",
    "1",
    "-",
    "2.5",
    "'s'",
    '"t"',
    "True",
    "None",
    "==",
    "!=",
    "<",
    ">=",
    "in",
    "not",
    "and",
    "or",
    "&",
    "|",
    "(",
    ")",
    "[",
    "]",
    ",",
    "~",
    "+",
    "is",
    ".",
    "1e3",
    "0x1F",
  ];
  const rng = seedrandom("value-filter");
  const exprs = Array.from({ length: 1500 }, () => {
    const n = 1 + Math.floor(rng() * 9);
    return Array.from({ length: n }, () => ALPHABET[Math.floor(rng() * ALPHABET.length)]!).join(" ");
  });
  // Also shapes that are usually valid, so the acceptance check below has material.
  for (let i = 0; i < 500; i++) {
    const atom = () =>
      `${rng() < 0.5 ? "a" : 'attr("b c")'} ${["==", "!=", "<", ">="][Math.floor(rng() * 4)]} ${rng() < 0.5 ? "-1" : "'x'"}`;
    const parts = Array.from({ length: 1 + Math.floor(rng() * 4) }, atom);
    exprs.push(parts.map((p) => (rng() < 0.3 ? `not (${p})` : p)).join(rng() < 0.5 ? " and " : " or "));
  }

  it("either parses or throws a positioned FilterSyntaxError, and whatever it accepts Python parses", () => {
    const accepted: string[] = [];
    for (const e of exprs) {
      try {
        parseValueFilter(e);
        accepted.push(e);
      } catch (err) {
        expect(err).toBeInstanceOf(FilterSyntaxError);
        const pos = (err as FilterSyntaxError).position!;
        expect(pos >= 0 && pos <= e.length).toBe(true);
      }
    }
    expect(accepted.length).toBeGreaterThan(400);
    const script =
      "import ast, json, sys\n" +
      "bad = []\n" +
      "for s in json.load(sys.stdin):\n" +
      "    try: ast.parse(s, mode='eval')\n" +
      "    except SyntaxError: bad.append(s)\n" +
      "print(json.dumps(bad))\n";
    const r = spawnSync(referencePython, ["-c", script], {
      input: JSON.stringify(accepted),
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });
});
