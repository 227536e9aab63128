import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { openExperiment } from "../../src/soma/index.js";
import { describeWithFixtures, referencePython } from "../helpers/fixtures.js";
import { csv, denseLayer, experimentPath, lines, metaData } from "./truth.js";

const dir = mkdtempSync(join(tmpdir(), "cellfeed-soma-h5ad-"));

/** Reads the file with Python anndata and returns what the test compares, as JSON. */
function readWithAnndata(path: string): {
  shape: [number, number];
  obs_names: string[];
  var_names: string[];
  X: number[][];
  obs: Record<string, (string | number | null)[]>;
  obs_dtypes: Record<string, string>;
  obsm_pca: number[][];
  var_mean: number[];
  var_variable: boolean[];
} {
  const script = `
import json, sys, anndata, numpy as np
a = anndata.read_h5ad(sys.argv[1])
X = a.X.toarray() if hasattr(a.X, "toarray") else np.asarray(a.X)
obs = {c: [None if (isinstance(v, float) and v != v) else (v if isinstance(v, str) else float(v)) for v in a.obs[c].tolist()] for c in a.obs.columns}
print(json.dumps({
  "shape": list(a.shape), "obs_names": list(a.obs_names), "var_names": list(a.var_names),
  "X": X.astype(float).tolist(), "obs": obs, "obs_dtypes": {c: str(a.obs[c].dtype) for c in a.obs.columns},
  "obsm_pca": np.asarray(a.obsm["X_pca"]).tolist(),
  "var_mean": a.var["vst.mean"].astype(float).tolist(), "var_variable": [bool(v) for v in a.var["vst.variable"]],
}))
`;
  return JSON.parse(
    execFileSync(referencePython, ["-c", script, path], { encoding: "utf8", maxBuffer: 1 << 26 }),
  );
}

describeWithFixtures("soma", "ExperimentAxisQuery.toH5ad read back by Python anndata", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes obs/var, X and obsm like get_anndata", async () => {
    const exp = await openExperiment(experimentPath());
    const q = exp.axisQuery({
      measurementName: "RNA",
      obsQuery: { valueFilter: 'attr("letter.idents") == "B" or groups == "g1"' },
      varQuery: { coords: { start: 0, stop: 49 } },
    });
    const path = join(dir, "query.h5ad");
    await q.toH5ad(path, { X: "counts" });
    const a = readWithAnndata(path);

    const meta = metaData();
    const cells = meta.flatMap((r, i) => (r["letter.idents"] === "B" || r.groups === "g1" ? [i] : []));
    const names = lines("cells.txt");
    const features = lines("features.txt");
    expect(a.shape).toEqual([cells.length, 50]);
    expect(a.obs_names).toEqual(cells.map((i) => names[i]));
    expect(a.var_names).toEqual(features.slice(0, 50));
    const counts = denseLayer("counts_coo.csv");
    a.X.forEach((row, r) => {
      expect(row).toEqual(Array.from({ length: 50 }, (_, g) => counts[(cells[r] as number) * 230 + g]));
    });
    expect(a.obs_dtypes["RNA_snn_res.1"]).toBe("category");
    expect(a.obs_dtypes.groups).toBe("object");
    for (const c of ["groups", "RNA_snn_res.1", "letter.idents", "orig.ident"])
      expect(a.obs[c]).toEqual(cells.map((i) => meta[i]?.[c]));
    expect(a.obs.nCount_RNA).toEqual(cells.map((i) => Number(meta[i]?.nCount_RNA)));
    expect(a.obs.nFeature_RNA).toEqual(cells.map((i) => Number(meta[i]?.nFeature_RNA)));
    expect(a.obs.soma_joinid).toEqual(cells);
    expect(Object.keys(a.obs)).not.toContain("obs_id");
    const pca = csv("reduction_pca_embeddings.csv").rows;
    expect(a.obsm_pca).toEqual(cells.map((i) => (pca[i] as string[]).slice(1).map(Number)));
    const fm = csv("feature_meta.csv").rows.slice(0, 50);
    expect(a.var_mean).toEqual(fm.map((r) => Number(r[1])));
    expect(a.var_variable).toEqual(fm.map((r) => r[5] === "TRUE"));
  });
});
