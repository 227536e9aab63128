import { beforeAll, expect, it } from "vitest";
import { FilterSyntaxError, KeyNotFoundError } from "../../src/errors.js";
import { type CsrMatrix, openExperiment, type SOMAExperiment } from "../../src/soma/index.js";
import { describeWithFixtures } from "../helpers/fixtures.js";
import { denseLayer, experimentPath, lines, metaData } from "./truth.js";

/** Row-major dense copy of a CSR. */
function densify(m: CsrMatrix): Float64Array {
  const [rows, cols] = m.shape;
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let k = m.indptr[r] as number; k < (m.indptr[r + 1] as number); k++) {
      if (k > (m.indptr[r] as number)) expect(m.indices[k]).toBeGreaterThan(m.indices[k - 1] as number);
      out[r * cols + (m.indices[k] as number)] = m.data[k] as number;
    }
  return out;
}

/** The truth layer restricted to `cells` × `genes` (joinids), row-major. */
function expected(layer: Float64Array, cells: number[], genes: number[]): Float64Array {
  return Float64Array.from(cells.flatMap((c) => genes.map((g) => layer[c * 230 + g] as number)));
}

describeWithFixtures("soma", "ExperimentAxisQuery on pbmc-small", () => {
  let exp: SOMAExperiment;
  let counts: Float64Array;
  let data: Float64Array;
  beforeAll(async () => {
    exp = await openExperiment(experimentPath());
    counts = denseLayer("counts_coo.csv");
    data = denseLayer("data_coo.csv");
  });

  it('filters obs with groups == "g1" and returns X for those cells × all genes', async () => {
    const meta = metaData();
    const want = meta.flatMap((r, i) => (r.groups === "g1" ? [i] : []));
    expect(want.length).toBe(44);
    const q = exp.axisQuery({ measurementName: "RNA", obsQuery: { valueFilter: 'groups == "g1"' } });
    expect(Array.from(await q.obsJoinids())).toEqual(want);
    expect(await q.nVars()).toBe(230);
    const X = await q.X("counts", { dtype: "float64" });
    expect(X.shape).toEqual([44, 230]);
    expect(X.data).toBeInstanceOf(Float64Array);
    expect(densify(X)).toEqual(
      expected(
        counts,
        want,
        Array.from({ length: 230 }, (_, i) => i),
      ),
    );
    const f32 = await q.X("counts");
    expect(f32.data).toBeInstanceOf(Float32Array);
    const obs = await q.obs({ columnNames: ["obs_id", "groups"] });
    const cells = lines("cells.txt");
    expect(obs.getChild("obs_id")?.toArray()).toEqual(want.map((i) => cells[i]));
    expect(new Set(obs.getChild("groups")?.toArray())).toEqual(new Set(["g1"]));
  });

  it("combines numeric and enumeration filters via attr(), with a var query", async () => {
    const meta = metaData();
    const want = meta.flatMap((r, i) =>
      Number(r.nFeature_RNA) > 60 && (r["RNA_snn_res.1"] === "0" || r["RNA_snn_res.1"] === "1") ? [i] : [],
    );
    expect(want.length).toBeGreaterThan(0);
    expect(want.length).toBeLessThan(80);
    const features = lines("features.txt");
    const wantGenes = features.flatMap((g, j) => (g.startsWith("C") ? [j] : []));
    const geneFilter = `var_id in [${features
      .filter((g) => g.startsWith("C"))
      .map((g) => `"${g}"`)
      .join(", ")}]`;
    const q = exp.axisQuery({
      measurementName: "RNA",
      obsQuery: { valueFilter: 'nFeature_RNA > 60 and attr("RNA_snn_res.1") in ["0", "1"]' },
      varQuery: { valueFilter: geneFilter },
    });
    expect(Array.from(await q.obsJoinids())).toEqual(want);
    expect(Array.from(await q.varJoinids())).toEqual(wantGenes);
    const X = await q.X("data", { dtype: "float64" });
    expect(X.shape).toEqual([want.length, wantGenes.length]);
    expect(densify(X)).toEqual(expected(data, want, wantGenes));
    const v = await q.var({ columnNames: ["var_id"] });
    expect(v.getChild("var_id")?.toArray()).toEqual(wantGenes.map((j) => features[j]));
    const pca = await q.obsm("X_pca");
    expect(pca.shape).toEqual([want.length, 19]);
  });

  it("intersects coords with a filter and keeps query order for scattered coords", async () => {
    const meta = metaData();
    const coords = [70, 2, 33, 11, 50, 51, 52, 79];
    const want = [...coords].sort((a, b) => a - b).filter((i) => meta[i]?.groups === "g2");
    const q = exp.axisQuery({
      measurementName: "RNA",
      obsQuery: { valueFilter: "groups == 'g2'", coords },
      varQuery: { coords: { start: 100, stop: 119 } },
    });
    expect(Array.from(await q.obsJoinids())).toEqual(want);
    const genes = Array.from({ length: 20 }, (_, i) => 100 + i);
    expect(densify(await q.X("counts", { dtype: "float64" }))).toEqual(expected(counts, want, genes));
    // X for explicit rows in any order (the dataset's read path).
    const rows = Float64Array.of(79, 3, 40);
    expect(densify(await q.XRows("counts", rows, undefined, { dtype: "float64" }))).toEqual(
      expected(counts, [79, 3, 40], genes),
    );
  });

  it("pushes soma_joinid conditions of a filter down and still evaluates the whole filter", async () => {
    const meta = metaData();
    const want = meta.flatMap((r, i) => ((i >= 70 || i === 3 || i === 5) && r.groups === "g1" ? [i] : []));
    const q = exp.axisQuery({
      measurementName: "RNA",
      obsQuery: { valueFilter: '(soma_joinid >= 70 or soma_joinid in [3, 5]) and groups == "g1"' },
    });
    expect(Array.from(await q.obsJoinids())).toEqual(want);
    const withCoords = exp.axisQuery({
      measurementName: "RNA",
      obsQuery: { valueFilter: "soma_joinid > 40", coords: [3, 41, 79, 12] },
    });
    expect(Array.from(await withCoords.obsJoinids())).toEqual([41, 79]);
    const none = exp.axisQuery({ measurementName: "RNA", obsQuery: { valueFilter: "soma_joinid < 0" } });
    expect((await none.obsJoinids()).length).toBe(0);
  });

  it("reports unknown columns with the obs columns and a hint when the column is on var", async () => {
    const q = exp.axisQuery({ measurementName: "RNA", obsQuery: { valueFilter: 'var_id == "CD3E"' } });
    const err = await q.obsJoinids().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FilterSyntaxError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/Column 'var_id' does not exist in the obs schema/);
    expect(msg).toContain("'nFeature_RNA'");
    expect(msg).toContain("'groups'");
    expect(msg).toMatch(/column of the var axis/);
    const bad = exp.axisQuery({ measurementName: "RNA", obsQuery: { valueFilter: "nFeature_RNA >" } });
    await expect(bad.obsJoinids()).rejects.toBeInstanceOf(FilterSyntaxError);
    const noMs = exp.axisQuery({ measurementName: "ATAC" });
    await expect(noMs.obsJoinids()).rejects.toBeInstanceOf(KeyNotFoundError);
    await expect(exp.axisQuery({ measurementName: "RNA" }).X("nope")).rejects.toBeInstanceOf(
      KeyNotFoundError,
    );
  });

  it("returns empty results for a filter that matches nothing", async () => {
    const q = exp.axisQuery({ measurementName: "RNA", obsQuery: { valueFilter: "nCount_RNA < 0" } });
    expect((await q.obsJoinids()).length).toBe(0);
    const X = await q.X("counts");
    expect(X.shape).toEqual([0, 230]);
    expect(X.indptr).toEqual(Int32Array.of(0));
  });
});
