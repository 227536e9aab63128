/**
 * value_filter over the real pbmc_small obs (SeuratObject's export in the shared fixtures):
 * factors become dictionary columns with R's levels, integers int32, doubles float64, plus an int64
 * `soma_joinid`. Each filter is checked against a plain-JS predicate over the parsed CSV rows.
 */
import { readFileSync } from "node:fs";
import { Float64, Int32, Int64, Table, Utf8, type Vector } from "apache-arrow";
import { expect, it } from "vitest";
import { FilterSyntaxError } from "../../../src/errors.js";
import { compileValueFilter, filterTable } from "../../../src/soma/query/index.js";
import { describeWithFixtures, fixturePath } from "../../helpers/fixtures.js";
import { column, dictColumn } from "./arrow-helpers.js";

/** CSV as written by R's write.csv: quoted strings, no embedded quotes or commas in this file. */
function readCsv(path: string): { header: string[]; rows: string[][] } {
  const lines = readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.length > 0);
  const split = (l: string) => l.split(",").map((f) => f.replace(/^"(.*)"$/, "$1"));
  return { header: split(lines[0]!), rows: lines.slice(1).map(split) };
}

interface Cell {
  cell: string;
  "orig.ident": string;
  nCount_RNA: number;
  nFeature_RNA: number;
  "RNA_snn_res.0.8": string;
  "letter.idents": string;
  groups: string;
  "RNA_snn_res.1": string;
  soma_joinid: number;
}

describeWithFixtures("soma", "value_filter on pbmc-small obs", () => {
  const truth = (f: string) => fixturePath("soma", "pbmc-small", "truth", f);
  const info = JSON.parse(readFileSync(truth("info.json"), "utf8")) as {
    ncells: number;
    factor_levels: Record<string, string[]>;
  };
  const csv = readCsv(truth("meta_data.csv"));
  const varColumns = readCsv(truth("feature_meta.csv")).header;
  const cells: Cell[] = csv.rows.map((r, i) => {
    const o: Record<string, string | number> = { soma_joinid: i };
    csv.header.forEach((h, j) => {
      o[h] = r[j]!;
    });
    o.nCount_RNA = Number(o.nCount_RNA);
    o.nFeature_RNA = Number(o.nFeature_RNA);
    return o as unknown as Cell;
  });

  const columns: Record<string, Vector> = {};
  for (const h of csv.header) {
    const values = cells.map((c) => c[h as keyof Cell]);
    const levels = info.factor_levels[h];
    if (levels !== undefined) columns[h] = dictColumn(values as string[], levels);
    else if (h === "nFeature_RNA") columns[h] = column(values, new Int32());
    else if (h === "nCount_RNA") columns[h] = column(values, new Float64());
    else columns[h] = column(values, new Utf8());
  }
  columns.soma_joinid = column(
    cells.map((c) => BigInt(c.soma_joinid)),
    new Int64(),
  );
  const obs = new Table(columns);

  it("builds the obs table from the fixture", () => {
    expect(obs.numRows).toBe(info.ncells);
    expect(String(obs.schema.fields.find((f) => f.name === "RNA_snn_res.1")!.type)).toBe(
      "Dictionary<Int32, Utf8>",
    );
  });

  const cases: [string, (c: Cell) => boolean][] = [
    [`nFeature_RNA > 50 and groups == "g1"`, (c) => c.nFeature_RNA > 50 && c.groups === "g1"],
    [`attr("RNA_snn_res.1") in ["0", "1"]`, (c) => ["0", "1"].includes(c["RNA_snn_res.1"])],
    [`attr("RNA_snn_res.1") not in ["2", "7"]`, (c) => c["RNA_snn_res.1"] !== "2"],
    [`attr("letter.idents") != "A"`, (c) => c["letter.idents"] !== "A"],
    [
      `not (attr("letter.idents") == "A" or groups == "g2")`,
      (c) => c["letter.idents"] !== "A" && c.groups !== "g2",
    ],
    ["40 <= nFeature_RNA < 60", (c) => c.nFeature_RNA >= 40 && c.nFeature_RNA < 60],
    ["nFeature_RNA == 47.9", (c) => c.nFeature_RNA === 47],
    ["nFeature_RNA in [47, 52, -1]", (c) => [47, 52].includes(c.nFeature_RNA)],
    ["nCount_RNA >= 100.5 or nCount_RNA < 60", (c) => c.nCount_RNA >= 100.5 || c.nCount_RNA < 60],
    ["soma_joinid < 10 or soma_joinid >= 75", (c) => c.soma_joinid < 10 || c.soma_joinid >= 75],
    [`attr("RNA_snn_res.0.8") == "2"`, () => false], // not a level
    [`attr("RNA_snn_res.0.8") != "2"`, () => true],
    [`attr("orig.ident") == "SeuratProject"`, () => true],
    [`groups > "g1"`, (c) => c.groups > "g1"],
    [
      `(groups == "g1") & (attr("RNA_snn_res.0.8") == "1") | (nFeature_RNA < 30)`,
      (c) => (c.groups === "g1" && c["RNA_snn_res.0.8"] === "1") || c.nFeature_RNA < 30,
    ],
    [`cell in ["ATGCCAGAACGACT", "GAACCTGATGAACC"]`, (c) => c.soma_joinid === 0 || c.soma_joinid === 2],
  ];

  it.each(cases)("%s", (expr, pred) => {
    const want = cells.flatMap((c, i) => (pred(c) ? [i] : []));
    expect([...filterTable(obs, expr, { axisName: "obs", otherAxisColumns: varColumns })]).toEqual(want);
  });

  it("most fixture filters select a proper subset", () => {
    const proper = cases.filter(([e]) => {
      const n = filterTable(obs, e).length;
      return n > 0 && n < obs.numRows;
    });
    expect(proper.length).toBeGreaterThanOrEqual(cases.length - 3);
  });

  it("rejects inequalities on the (unordered) factors and dotted names", () => {
    expect(() => filterTable(obs, `attr("letter.idents") < "B"`)).toThrow(
      /Cannot apply an inequality operator against an unordered Enumeration/,
    );
    expect(() => filterTable(obs, `letter.idents == "A"`)).toThrow(/attr\("letter.idents"\)/);
  });

  it("points a var column used on obs to the other axis", () => {
    let err: unknown;
    try {
      compileValueFilter(`attr("vst.mean") > 1`, obs.schema, {
        axisName: "obs",
        otherAxisColumns: varColumns,
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FilterSyntaxError);
    expect((err as FilterSyntaxError).message).toMatch(/'vst.mean' is a column of the var axis/);
    expect((err as FilterSyntaxError).message).toContain("'nFeature_RNA'");
    expect((err as FilterSyntaxError).position).toBe(0);
  });
});
