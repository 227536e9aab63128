/**
 * The pbmc-small ground truth (SeuratObject's pbmc_small exported by R) parsed in plain JS, so SOMA
 * results are checked against data our reader never touched.
 */
import { readFileSync } from "node:fs";
import { fixturePath } from "../helpers/fixtures.js";

export const experimentPath = (): string => fixturePath("soma", "pbmc-small", "experiment");
const truth = (f: string) => fixturePath("soma", "pbmc-small", "truth", f);

/** Rows of an R-written CSV (quoted strings without commas); "NA" → null. */
export function csv(file: string): { header: string[]; rows: (string | null)[][] } {
  const [head, ...lines] = readFileSync(truth(file), "utf8").trim().split("\n");
  const split = (l: string) => l.split(",").map((f) => (f === "NA" ? null : f.replace(/^"|"$/g, "")));
  return { header: split(head as string) as string[], rows: lines.map(split) };
}

export function lines(file: string): string[] {
  return readFileSync(truth(file), "utf8").trim().split("\n");
}

/** meta_data.csv as records keyed by column (cell i = obs soma_joinid i). */
export function metaData(): Record<string, string | null>[] {
  const { header, rows } = csv("meta_data.csv");
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? null])));
}

/** A layer as a dense cells × genes Float64Array (80 × 230); %.17g parsed with Number is exact. */
export function denseLayer(file: "counts_coo.csv" | "data_coo.csv"): Float64Array {
  const out = new Float64Array(80 * 230);
  for (const [g, c, v] of csv(file).rows) out[Number(c) * 230 + Number(g)] = Number(v);
  return out;
}

/** scale.data as cells × genes with NaN where the gene is not one of the 20 scaled ones. */
export function scaleData(): { values: Map<string, number>; genes: string[] } {
  const cells = lines("cells.txt");
  const genes = lines("features.txt");
  const values = new Map<string, number>();
  for (const [g, c, v] of csv("scale_data_long.csv").rows)
    values.set(`${cells.indexOf(c as string)},${genes.indexOf(g as string)}`, Number(v));
  return { values, genes: lines("scale_data_features.txt") };
}
