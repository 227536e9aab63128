/** Human-readable summaries for the CLI (the library itself never prints). */

type Json = Record<string, unknown>;

const fmtNumber = (v: unknown): string =>
  typeof v === "number" ? (Number.isInteger(v) ? v.toLocaleString("en-US") : v.toPrecision(8)) : String(v);

function shapeText(shape: unknown): string {
  return Array.isArray(shape) ? shape.map((n) => fmtNumber(n)).join(" × ") : "?";
}

function headText(head: unknown): string {
  if (!Array.isArray(head)) return "";
  return head.map((v) => (v === null ? "NA" : typeof v === "string" ? v : fmtNumber(v))).join(", ");
}

function elements(title: string, entries: unknown): string[] {
  const e = (entries ?? {}) as Record<string, Json>;
  const names = Object.keys(e);
  if (names.length === 0) return [`${title}: (none)`];
  return [
    `${title}:`,
    ...names.map((n) =>
      `  ${n}: ${shapeText(e[n]?.shape)} ${e[n]?.layout ?? ""} ${e[n]?.dtype ?? ""}`.trimEnd(),
    ),
  ];
}

function columns(title: string, cols: unknown): string[] {
  const c = (cols ?? {}) as Record<string, Json>;
  const names = Object.keys(c);
  const lines = [`${title} (${names.length} columns):`];
  for (const n of names) {
    const col = c[n]!;
    const cats = Array.isArray(col.categories) ? ` ${col.categories.length} categories` : "";
    const nulls = typeof col.nNull === "number" && col.nNull > 0 ? `, ${fmtNumber(col.nNull)} missing` : "";
    lines.push(`  ${n}: ${col.kind} ${col.dtype}${cats}${nulls} — ${headText(col.head)}`);
  }
  return lines;
}

/** The `cellfeed inspect` text for one file's description. */
export function formatDescription(path: string, d: Json): string {
  const X = (d.X ?? {}) as Json;
  const obsNames = (d.obsNames ?? {}) as Json;
  const varNames = (d.varNames ?? {}) as Json;
  const raw = d.raw as Json | null | undefined;
  const lines = [
    `${path}`,
    `  ${shapeText(d.shape)} (obs × var)`,
    `X: ${X.layout} ${X.dtype}, chunks ${JSON.stringify(X.chunks ?? null)}, compression ${X.compression ?? "none"}`,
    `  stored ${fmtNumber(X.stored)}, nonzero ${fmtNumber(X.nonzero)}, sum ${fmtNumber(X.sum)}, sum |x| ${fmtNumber(X.sumAbs)}`,
    `obs names: ${headText(obsNames.head)}${Number(obsNames.n) > 5 ? ", …" : ""}`,
    `var names: ${headText(varNames.head)}${Number(varNames.n) > 5 ? ", …" : ""}`,
    ...columns("obs", d.obs),
    ...columns("var", d.var),
    ...elements("layers", d.layers),
    ...elements("obsm", d.obsm),
    ...elements("obsp", d.obsp),
    raw ? `raw: ${shapeText(raw.shape)} ${raw.layout}, sum ${fmtNumber(raw.sum)}` : "raw: (none)",
    `uns: ${Array.isArray(d.unsKeys) && d.unsKeys.length > 0 ? d.unsKeys.join(", ") : "(none)"}`,
  ];
  return `${lines.join("\n")}\n`;
}
