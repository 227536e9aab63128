/**
 * toH5ad with extra X layers, varm and obsp, read back by Python anndata and compared with the
 * pbmc-small truth exported by R (restricted to the queried cells and genes).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { InvalidArgumentError, KeyNotFoundError } from "../../src/errors.js";
import { openExperiment } from "../../src/soma/index.js";
import { describeWithAnndata, PY_PRELUDE, runPython } from "../helpers/anndata.js";
import { describeWithFixtures } from "../helpers/fixtures.js";
import { csv, denseLayer, experimentPath, lines, metaData } from "./truth.js";

type Num = number | "NaN";
interface ReadBack {
  shape: [number, number];
  obs_names: string[];
  var_names: string[];
  X: Num[][];
  X_dtype: string;
  layers: Record<string, { sparse: boolean; dense: Num[][] }>;
  obsm: string[];
  varm: Record<string, Num[][]>;
  obsp: Record<string, { sparse: boolean; dense: Num[][] }>;
}

const SCRIPT = `${PY_PRELUDE}
a = ad.read_h5ad(sys.argv[1])
def dense(m):
    return (m.toarray() if sp.issparse(m) else np.asarray(m)).astype(float)
print_json({
  "shape": list(a.shape), "obs_names": list(a.obs_names), "var_names": list(a.var_names),
  "X": dense(a.X), "X_dtype": str(a.X.dtype),
  "layers": {k: {"sparse": sp.issparse(v), "dense": dense(v)} for k, v in a.layers.items()},
  "obsm": sorted(a.obsm.keys()),
  "varm": {k: dense(v) for k, v in a.varm.items()},
  "obsp": {k: {"sparse": sp.issparse(v), "dense": dense(v)} for k, v in a.obsp.items()},
})
`;

const num = (v: string | null | undefined): Num => {
  const x = Number(v);
  return Number.isNaN(x) ? "NaN" : x;
};

describeWithFixtures("soma", "toH5ad layers/varm/obsp", () => {
  describeWithAnndata("toH5ad layers/varm/obsp read back by anndata", () => {
    const dir = mkdtempSync(join(tmpdir(), "cellfeed-soma-h5ad-more-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const meta = metaData();
    const cells = meta.flatMap((r, i) => (r.groups === "g2" || r["letter.idents"] === "A" ? [i] : []));
    // Genes out of order in the request and mixing variable (finite PCs) and other (NaN) genes.
    const genes = [200, 3, 0, 27, 45, 188, 124, 229, 1, 64];
    const sortedGenes = [...genes].sort((x, y) => x - y);
    const query = async () =>
      (await openExperiment(experimentPath())).axisQuery({
        measurementName: "RNA",
        obsQuery: { valueFilter: 'groups == "g2" or attr("letter.idents") == "A"' },
        varQuery: { coords: genes },
      });

    it("writes X, layers, varm (with NaNs) and obsp restricted to the query", async () => {
      const path = join(dir, "more.h5ad");
      await (await query()).toH5ad(path, {
        X: "data",
        layers: ["counts"],
        obsm: ["X_tsne"],
        varm: ["PCs"],
        obsp: ["RNA_snn"],
      });
      const a = await runPython<ReadBack>(SCRIPT, [path]);
      expect(cells.length).toBeGreaterThan(10);
      expect(cells.length).toBeLessThan(80);
      expect(a.shape).toEqual([cells.length, genes.length]);
      const names = lines("cells.txt");
      const features = lines("features.txt");
      expect(a.obs_names).toEqual(cells.map((i) => names[i]));
      expect(a.var_names).toEqual(sortedGenes.map((g) => features[g]));

      const data = denseLayer("data_coo.csv");
      const counts = denseLayer("counts_coo.csv");
      const expectLayer = (m: Num[][], truth: Float64Array, f32: boolean) =>
        expect(m).toEqual(
          cells.map((c) =>
            sortedGenes.map((g) => (f32 ? Math.fround(truth[c * 230 + g] as number) : truth[c * 230 + g])),
          ),
        );
      // X and layers are float32 CSR (the query default), so compare with the truth rounded to float32.
      expectLayer(a.X, data, true);
      expect(a.X_dtype).toBe("float32");
      expect(Object.keys(a.layers)).toEqual(["counts"]);
      expect(a.layers.counts?.sparse).toBe(true);
      expectLayer(a.layers.counts?.dense ?? [], counts, false);

      expect(a.obsm).toEqual(["X_tsne"]);

      // varm PCs: truth loadings for the 20 variable genes, NaN for the rest, rows in var-query order.
      const loadings = new Map(
        csv("reduction_pca_loadings.csv").rows.map((r) => [r[0] as string, r.slice(1)]),
      );
      const pcs = a.varm.PCs ?? [];
      expect(pcs).toEqual(
        sortedGenes.map((g) => {
          const row = loadings.get(features[g] as string);
          return Array.from({ length: 19 }, (_, k) => (row ? num(row[k]) : "NaN"));
        }),
      );
      const finiteRows = pcs.filter((r) => r.every((v) => v !== "NaN")).length;
      expect(finiteRows).toBeGreaterThan(0);
      expect(finiteRows).toBeLessThan(genes.length);

      // obsp RNA_snn: the cell × cell graph restricted to the selected cells on both axes.
      const snn = new Map<string, number>();
      for (const [r, c, v] of csv("graph_RNA_snn_coo.csv").rows) snn.set(`${r},${c}`, Number(v));
      expect(a.obsp.RNA_snn?.sparse).toBe(true);
      expect(a.obsp.RNA_snn?.dense).toEqual(cells.map((r) => cells.map((c) => snn.get(`${r},${c}`) ?? 0)));
      // Some selected pairs are linked and some graph edges leave the selection (so restriction matters).
      expect(cells.some((r) => cells.some((c) => r !== c && snn.has(`${r},${c}`)))).toBe(true);
      const inSel = new Set(cells);
      expect(
        [...snn.keys()].some(
          (k) => inSel.has(Number(k.split(",")[0])) && !inSel.has(Number(k.split(",")[1])),
        ),
      ).toBe(true);
    });

    it("defaults stay as before: every obsm, no layers/varm/obsp", async () => {
      const path = join(dir, "defaults.h5ad");
      await (await query()).toH5ad(path, { X: "counts" });
      const a = await runPython<ReadBack>(SCRIPT, [path]);
      expect(a.layers).toEqual({});
      expect(a.varm).toEqual({});
      expect(a.obsp).toEqual({});
      expect(a.obsm).toEqual(["X_pca", "X_tsne"]);
    });

    it("rejects unknown or repeated keys with typed errors", async () => {
      const q = await query();
      await expect(q.toH5ad(join(dir, "x.h5ad"), { X: "counts", obsp: ["nope"] })).rejects.toThrow(
        KeyNotFoundError,
      );
      await expect(q.toH5ad(join(dir, "x.h5ad"), { X: "counts", layers: ["nope"] })).rejects.toThrow(
        KeyNotFoundError,
      );
      await expect(q.toH5ad(join(dir, "x.h5ad"), { X: "counts", varm: ["PCs", "PCs"] })).rejects.toThrow(
        InvalidArgumentError,
      );
    });
  });
});
