/**
 * Tokenizer for the value_filter language: the subset of Python's lexical grammar that a
 * filter expression can contain (names, keywords, str/int/float literals, operators).
 * Literal rules follow Python 3 exactly (prefixes, escapes, `_` digit separators, radix ints),
 * so a filter copied from a Python notebook reads the same here.
 */
import { FilterSyntaxError } from "../../errors.js";

export type Token =
  | { kind: "name"; text: string; pos: number; end: number }
  | { kind: "keyword"; text: string; pos: number; end: number }
  | { kind: "op"; text: string; pos: number; end: number }
  | { kind: "string"; value: string; bytes: boolean; pos: number; end: number }
  | { kind: "int"; value: bigint; pos: number; end: number }
  | { kind: "float"; value: number; pos: number; end: number }
  | { kind: "end"; pos: number; end: number };

/** Python keywords: never column names (write `attr("if")` for a column called `if`). */
export const PYTHON_KEYWORDS: ReadonlySet<string> = new Set([
  "False",
  "None",
  "True",
  "and",
  "as",
  "assert",
  "async",
  "await",
  "break",
  "class",
  "continue",
  "def",
  "del",
  "elif",
  "else",
  "except",
  "finally",
  "for",
  "from",
  "global",
  "if",
  "import",
  "in",
  "is",
  "lambda",
  "nonlocal",
  "not",
  "or",
  "pass",
  "raise",
  "return",
  "try",
  "while",
  "with",
  "yield",
]);

// Longest first, so `<=` wins over `<`.
const OPERATORS = [
  "**=",
  "//=",
  ">>=",
  "<<=",
  "...",
  "**",
  "//",
  "<<",
  ">>",
  "<=",
  ">=",
  "==",
  "!=",
  "->",
  ":=",
  "+=",
  "-=",
  "*=",
  "/=",
  "%=",
  "&=",
  "|=",
  "^=",
  "@=",
  "+",
  "-",
  "*",
  "/",
  "%",
  "@",
  "&",
  "|",
  "^",
  "~",
  "<",
  ">",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ",",
  ":",
  ".",
  ";",
  "=",
];

const ID_START = /[\p{XID_Start}_]/u;
const ID_CONTINUE = /[\p{XID_Continue}]/u;
const STRING_PREFIX = /^(?:r|u|b|br|rb|f|fr|rf)$/i;

/** The prefix of every parse error, as in tiledbsoma. */
export function couldNotParse(expression: string, why: string, pos: number): FilterSyntaxError {
  return new FilterSyntaxError(`Could not parse the given QueryCondition statement: ${why}`, expression, pos);
}

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let depth = 0; // bracket nesting: newlines inside brackets are whitespace
  const fail = (why: string, pos: number): never => {
    throw couldNotParse(src, why, pos);
  };

  while (i < src.length) {
    const c = src[i]!;
    if (c === " " || c === "\t" || c === "\f") {
      i++;
      continue;
    }
    if (c === "#") {
      while (i < src.length && src[i] !== "\n" && src[i] !== "\r") i++;
      continue;
    }
    if (c === "\\") {
      // Explicit line joining: a backslash must end the line.
      const m = /^\\(\r\n|\n|\r)/.exec(src.slice(i));
      if (!m) fail("unexpected character after line continuation character", i);
      i += m![0].length;
      continue;
    }
    if (c === "\n" || c === "\r") {
      // Blank and comment-only lines before or after the expression are fine, as in Python.
      const restIsBlank =
        src
          .slice(i)
          .replace(/#[^\r\n]*/g, "")
          .trim() === "";
      if (depth > 0 || tokens.length === 0 || restIsBlank) {
        i++;
        continue;
      }
      fail("a line break outside brackets ends the expression early", i);
    }

    const start = i;
    const cp = src.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);

    if (ID_START.test(ch)) {
      let j = i + ch.length;
      while (j < src.length) {
        const n = String.fromCodePoint(src.codePointAt(j)!);
        if (!ID_CONTINUE.test(n)) break;
        j += n.length;
      }
      const word = src.slice(i, j);
      if ((src[j] === "'" || src[j] === '"') && STRING_PREFIX.test(word)) {
        const lit = readString(src, j, word.toLowerCase(), start, fail);
        tokens.push(lit.token);
        i = lit.end;
        continue;
      }
      // Python compares identifiers after NFKC normalisation.
      const text = word.normalize("NFKC");
      tokens.push({ kind: PYTHON_KEYWORDS.has(text) ? "keyword" : "name", text, pos: start, end: j });
      i = j;
      continue;
    }
    if (c === "'" || c === '"') {
      const lit = readString(src, i, "", start, fail);
      tokens.push(lit.token);
      i = lit.end;
      continue;
    }
    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(src[i + 1] ?? ""))) {
      const num = readNumber(src, i, fail);
      tokens.push(num);
      i = num.end;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op === undefined) {
      const what =
        c === "`" ? 'backticks are not Python syntax; use attr("name")' : `invalid character '${ch}'`;
      fail(what, i);
    }
    if (op === "(" || op === "[" || op === "{") depth++;
    if (op === ")" || op === "]" || op === "}") depth = Math.max(0, depth - 1);
    tokens.push({ kind: "op", text: op!, pos: start, end: i + op!.length });
    i += op!.length;
  }
  tokens.push({ kind: "end", pos: src.length, end: src.length });
  return tokens;
}

function readString(
  src: string,
  quoteAt: number,
  prefix: string,
  start: number,
  fail: (why: string, pos: number) => never,
): { token: Token; end: number } {
  if (prefix.includes("f")) fail("f-strings are not supported in a filter; write a plain string", start);
  const raw = prefix.includes("r");
  const bytes = prefix.includes("b");
  const q = src[quoteAt]!;
  const triple = src.startsWith(q.repeat(3), quoteAt);
  const close = triple ? q.repeat(3) : q;
  let i = quoteAt + close.length;
  let out = "";
  for (;;) {
    if (i >= src.length) fail("unterminated string literal", start);
    if (src.startsWith(close, i)) {
      i += close.length;
      break;
    }
    const c = src[i]!;
    if (!triple && (c === "\n" || c === "\r")) fail("unterminated string literal", start);
    if (bytes && c.charCodeAt(0) > 0x7f) fail("bytes can only contain ASCII literal characters", i);
    if (c !== "\\") {
      out += c;
      i++;
      continue;
    }
    const next = src[i + 1];
    if (next === undefined) fail("unterminated string literal", start);
    if (raw) {
      // A raw string keeps the backslash; it only stops the next character from ending the string.
      out += c + next!;
      i += 2;
      continue;
    }
    const esc = readEscape(src, i, bytes, fail);
    out += esc.text;
    i = esc.end;
  }
  return { token: { kind: "string", value: out, bytes, pos: start, end: i }, end: i };
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

function readEscape(
  src: string,
  at: number,
  bytes: boolean,
  fail: (why: string, pos: number) => never,
): { text: string; end: number } {
  const e = src[at + 1]!;
  if (e === "\n") return { text: "", end: at + 2 };
  if (e === "\r") return { text: "", end: src[at + 2] === "\n" ? at + 3 : at + 2 };
  const simple = SIMPLE_ESCAPES[e];
  if (simple !== undefined) return { text: simple, end: at + 2 };
  if (/[0-7]/.test(e)) {
    const m = /^[0-7]{1,3}/.exec(src.slice(at + 1))!;
    return { text: String.fromCodePoint(Number.parseInt(m[0], 8)), end: at + 1 + m[0].length };
  }
  const hexLen = e === "x" ? 2 : !bytes && e === "u" ? 4 : !bytes && e === "U" ? 8 : 0;
  if (hexLen > 0) {
    const digits = src.slice(at + 2, at + 2 + hexLen);
    if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(digits)) {
      fail(`truncated \\${e}${"X".repeat(hexLen)} escape`, at);
    }
    const code = Number.parseInt(digits, 16);
    if (code > 0x10ffff) fail("illegal Unicode character", at);
    return { text: String.fromCodePoint(code), end: at + 2 + hexLen };
  }
  if (!bytes && e === "N") fail("\\N{...} named escapes are not supported; use \\uXXXX", at);
  // Python keeps unknown escapes as written (with a warning).
  return { text: `\\${e}`, end: at + 2 };
}

const DIGITS = { dec: "[0-9]", hex: "[0-9a-fA-F]", oct: "[0-7]", bin: "[01]" };
const part = (d: string) => `${d}(?:_?${d})*`;
const DEC = part(DIGITS.dec);
const NUMBER_RE = new RegExp(
  [
    `0[xX](?:_?${DIGITS.hex})+`,
    `0[oO](?:_?${DIGITS.oct})+`,
    `0[bB](?:_?${DIGITS.bin})+`,
    // floats: digitpart? fraction exponent? | digitpart . exponent? | digitpart exponent
    `(?:${DEC})?\\.${DEC}(?:[eE][+-]?${DEC})?`,
    `${DEC}\\.(?:[eE][+-]?${DEC})?`,
    `${DEC}[eE][+-]?${DEC}`,
    `${DEC}`,
  ]
    .map((p) => `(?:${p})`)
    .join("|"),
  "y",
);

function readNumber(
  src: string,
  at: number,
  fail: (why: string, pos: number) => never,
): Token & { end: number } {
  NUMBER_RE.lastIndex = at;
  const m = NUMBER_RE.exec(src);
  if (!m) fail("invalid number literal", at);
  const text = m![0];
  const end = at + text.length;
  const after = src[end] ?? "";
  if (after === "j" || after === "J") fail("complex numbers are not supported", at);
  if (/[0-9_]/.test(after) || ID_CONTINUE.test(after)) fail(`invalid number literal '${text}${after}'`, at);
  const clean = text.replace(/_/g, "");
  if (/^0[xXoObB]/.test(clean)) return { kind: "int", value: BigInt(clean), pos: at, end };
  if (/[.eE]/.test(clean)) return { kind: "float", value: Number(clean), pos: at, end };
  if (/^0+[1-9]/.test(clean)) {
    fail("leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal", at);
  }
  return { kind: "int", value: BigInt(clean), pos: at, end };
}
