/**
 * Data-driven: every fixture in <fixtures>/h5ad with a truth/<file>.json (written by Python anndata
 * 0.8 + h5py) must read exactly as the truth says. A new fixture + truth file is covered
 * automatically.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { type H5adDescription, type H5adFile, openH5ad } from "../../src/h5ad/index.js";
import { describeWithFixtures, fixturePath } from "../helpers/fixtures.js";

interface TruthColumn {
  pandas_dtype: string;
  kind: string;
  ordered?: boolean;
  n_categories?: number;
  categories_head?: (string | number)[];
  head: unknown[];
  n_null: number;
}
interface TruthElement {
  type: string;
  shape: [number, number];
  dtype: string;
  sum?: number;
  nnz?: number | null;
}
interface Truth {
  file: string;
  shape: [number, number];
  X: {
    layout: string;
    dtype: string;
    stored_nnz?: number;
    n_nonzero_values: number;
    sum: number;
    sum_abs: number;
    first_rows: { row: number; nonzero_col_indices: number[]; nonzero_values: number[] }[];
  };
  obs_names_head: string[];
  var_names_head: string[];
  obs_columns: string[];
  obs: Record<string, TruthColumn>;
  var_columns: string[];
  var: Record<string, TruthColumn>;
  layers: Record<string, TruthElement>;
  obsm: Record<string, TruthElement>;
  varm: Record<string, TruthElement>;
  obsp: Record<string, TruthElement>;
  raw: {
    shape: [number, number];
    layout: string;
    dtype: string;
    sum: number;
    nnz: number;
    var_names_head: string[];
    var_columns: string[];
  } | null;
  uns_keys: string[];
}

/** Relative closeness; `scale` lets sums that cancel to ~0 be judged against their sum of |x|. */
function expectClose(actual: number, expected: number, scale = Math.abs(expected), rel = 1e-6): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.max(scale, 1e-12));
}

/** anndata/pandas kinds → cellfeed kinds. */
function expectedKind(c: TruthColumn): string {
  if (c.kind === "categorical") return "categorical";
  if (c.pandas_dtype === "bool" || c.pandas_dtype === "boolean") return "boolean";
  if (c.pandas_dtype === "object" || c.pandas_dtype === "string") return "string";
  return "numeric";
}

function truthFiles(): string[] {
  const dir = fixturePath("h5ad", "truth");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -".json".length))
    .sort();
}

describeWithFixtures("h5ad", "h5ad reader against anndata truth", () => {
  const files = truthFiles();

  it("has truth files to check", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const name of files) {
    it(name, async () => {
      const truth = JSON.parse(readFileSync(fixturePath("h5ad", "truth", `${name}.json`), "utf8")) as Truth;
      const file = await openH5ad(fixturePath("h5ad", name));
      try {
        const d = await file.describe({ head: 10 });
        checkFile(file, d, truth);
        checkFrames(file, d, truth);
        await checkElements(file, d, truth);
      } finally {
        file.close();
      }
    });
  }
});

function checkFile(file: H5adFile, d: H5adDescription, t: Truth): void {
  expect(file.shape).toEqual(t.shape);
  expect(d.shape).toEqual(t.shape);
  const x = d.X!;
  expect(x.layout).toBe(t.X.layout);
  expect(x.dtype).toBe(t.X.dtype);
  if (t.X.stored_nnz !== undefined) expect(x.stored).toBe(t.X.stored_nnz);
  else expect(x.stored).toBe(t.shape[0] * t.shape[1]);
  expect(x.nonzero).toBe(t.X.n_nonzero_values);
  expectClose(x.sumAbs, t.X.sum_abs);
  expectClose(x.sum, t.X.sum, t.X.sum_abs);
  expect(x.firstRows.length).toBe(t.X.first_rows.length);
  t.X.first_rows.forEach((tr, i) => {
    const row = x.firstRows[i]!;
    expect(row.row).toBe(tr.row);
    expect(row.indices).toEqual(tr.nonzero_col_indices);
    expect(row.values.length).toBe(tr.nonzero_values.length);
    row.values.forEach((v, k) => {
      expectClose(v, tr.nonzero_values[k]!, Math.abs(tr.nonzero_values[k]!), 1e-12);
    });
  });
  expect(d.obsNames.head).toEqual(t.obs_names_head);
  expect(d.varNames.head).toEqual(t.var_names_head);
  expect(d.obsNames.n).toBe(t.shape[0]);
  expect(d.varNames.n).toBe(t.shape[1]);
  expect([...file.unsKeys].sort()).toEqual([...t.uns_keys].sort());
}

function checkFrames(file: H5adFile, d: H5adDescription, t: Truth): void {
  expect([...file.obs.columns]).toEqual(t.obs_columns);
  // The truth lists the first 20 var columns.
  expect(file.var.columns.slice(0, t.var_columns.length)).toEqual(t.var_columns);
  for (const [frame, truthCols, got] of [
    ["obs", t.obs, d.obs],
    ["var", t.var, d.var],
  ] as const) {
    for (const [col, tc] of Object.entries(truthCols)) {
      const c = got[col];
      expect(c, `${frame}.${col}`).toBeDefined();
      expect(c!.kind, `${frame}.${col} kind`).toBe(expectedKind(tc));
      expect(c!.head.slice(0, tc.head.length), `${frame}.${col} head`).toEqual(tc.head);
      expect(c!.nNull, `${frame}.${col} n_null`).toBe(tc.n_null);
      if (tc.kind === "categorical") {
        expect(c!.nCategories, `${frame}.${col} n_categories`).toBe(tc.n_categories);
        expect(c!.categories!.slice(0, tc.categories_head!.length), `${frame}.${col} categories`).toEqual(
          tc.categories_head,
        );
        expect(c!.ordered ?? false, `${frame}.${col} ordered`).toBe(tc.ordered ?? false);
      }
    }
  }
}

/** Truth "type" → our layout. */
function layoutOf(type: string): string {
  return type === "DataFrame" ? "dataframe" : type;
}

async function checkElements(file: H5adFile, d: H5adDescription, t: Truth): Promise<void> {
  expect(Object.keys(d.layers).sort()).toEqual(Object.keys(t.layers).sort());
  for (const [name, te] of Object.entries(t.layers)) {
    const e = d.layers[name]!;
    expect(e.layout, `layer ${name}`).toBe(te.type);
    expect(e.shape).toEqual(te.shape);
    expect(e.dtype).toBe(te.dtype);
    expectClose(e.sum!, te.sum!);
  }
  for (const group of ["obsm", "varm", "obsp"] as const) {
    expect(Object.keys(d[group]).sort(), group).toEqual(Object.keys(t[group]).sort());
    for (const [name, te] of Object.entries(t[group])) {
      const e = d[group][name]!;
      expect(e.layout, `${group} ${name}`).toBe(layoutOf(te.type));
      if (te.type === "DataFrame") continue;
      expect(e.shape, `${group} ${name}`).toEqual(te.shape);
      expect(e.dtype, `${group} ${name}`).toBe(te.dtype);
      if (typeof te.nnz === "number") expect(e.nnz, `${group} ${name} nnz`).toBe(te.nnz);
    }
  }
  if (t.raw === null) {
    expect(d.raw).toBeNull();
    expect(file.raw).toBeNull();
    return;
  }
  expect(d.raw!.shape).toEqual(t.raw.shape);
  expect(d.raw!.layout).toBe(t.raw.layout);
  expect(d.raw!.nnz).toBe(t.raw.nnz);
  expectClose(d.raw!.sum, t.raw.sum);
  expect(file.raw!.matrix().dtype).toBe(t.raw.dtype);
  expect(file.raw!.varNames().slice(0, t.raw.var_names_head.length)).toEqual(t.raw.var_names_head);
  expect(file.raw!.var?.columns.slice(0, t.raw.var_columns.length) ?? []).toEqual(t.raw.var_columns);
}
