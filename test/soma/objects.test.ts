import { beforeAll, expect, it } from "vitest";
import { FormatError, KeyNotFoundError } from "../../src/errors.js";
import {
  open,
  openExperiment,
  SOMACollection,
  SOMADataFrame,
  type SOMAExperiment,
  type SOMAMeasurement,
  SOMASparseNDArray,
} from "../../src/soma/index.js";
import { describeWithFixtures, fixturePath } from "../helpers/fixtures.js";
import { csv, denseLayer, experimentPath, lines, metaData, scaleData } from "./truth.js";

describeWithFixtures("soma", "SOMA objects on the tiledbsoma pbmc-small experiment", () => {
  let exp: SOMAExperiment;
  let rna: SOMAMeasurement;
  beforeAll(async () => {
    exp = await openExperiment(experimentPath());
    rna = await exp.ms.get("RNA");
  });

  it("opens every object by soma_object_type, with metadata", async () => {
    expect(exp.soma_type).toBe("SOMAExperiment");
    expect(exp.metadata.soma_encoding_version).toBe("1.1.0");
    expect(exp.metadata.dataset_type).toBe("soma");
    expect(exp.ms.keys()).toEqual(["RNA"]);
    expect(rna.soma_type).toBe("SOMAMeasurement");
    expect(rna.metadata.soma_ecosystem_seurat_assay_version).toBe("v3");
    expect(rna.X.keys().sort()).toEqual(["counts", "data", "scale_data"]);
    expect(rna.obsm?.keys().sort()).toEqual(["X_pca", "X_tsne"]);
    expect(rna.varm?.keys()).toEqual(["PCs"]);
    expect(rna.obsp?.keys()).toEqual(["RNA_snn"]);
    expect(await open(`${experimentPath()}/ms/RNA/X/counts`)).toBeInstanceOf(SOMASparseNDArray);
    expect(await open(`${experimentPath()}/obs`)).toBeInstanceOf(SOMADataFrame);
    expect(await open(`${experimentPath()}/uns`)).toBeInstanceOf(SOMACollection);
    const cmd = await open(`${experimentPath()}/uns/seurat_commands/RunPCA.RNA`);
    expect(cmd.metadata.soma_uns_outgest_hint).toBe("array_1d");
    await expect(rna.X.get("nope")).rejects.toBeInstanceOf(KeyNotFoundError);
    await expect(open(fixturePath("soma", "pbmc-small"))).rejects.toBeInstanceOf(FormatError);
    await expect(openExperiment(`${experimentPath()}/ms`)).rejects.toThrow(/not a SOMAExperiment/);
  });

  it("reads obs with labels for enumerations, every column equal to meta_data.csv", async () => {
    const t = await exp.obs.read();
    const meta = metaData();
    expect(t.numRows).toBe(80);
    expect(t.schema.fields.map((f) => f.name)).toEqual([
      "soma_joinid",
      "orig.ident",
      "nCount_RNA",
      "nFeature_RNA",
      "RNA_snn_res.0.8",
      "letter.idents",
      "groups",
      "RNA_snn_res.1",
      "obs_id",
    ]);
    expect(String(t.getChild("RNA_snn_res.1")?.type)).toBe("Dictionary<Int8, Utf8>");
    expect(String(t.getChild("soma_joinid")?.type)).toBe("Int64");
    expect(t.schema.fields.map((f) => f.nullable)).toEqual([
      false,
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    // The only fragment names a schema with empty enumerations: labels must come from the latest one.
    const dict = t.getChild("RNA_snn_res.1")?.data[0]?.dictionary;
    expect(dict?.toArray()).toEqual(["0", "1", "2"]);
    for (let i = 0; i < 80; i++) {
      const row = meta[i] as Record<string, string | null>;
      expect(t.getChild("soma_joinid")?.get(i)).toBe(BigInt(i));
      expect(t.getChild("obs_id")?.get(i)).toBe(row.cell);
      for (const c of ["orig.ident", "RNA_snn_res.0.8", "letter.idents", "groups", "RNA_snn_res.1"])
        expect(t.getChild(c)?.get(i)).toBe(row[c]);
      expect(t.getChild("nCount_RNA")?.get(i)).toBe(Number(row.nCount_RNA));
      expect(t.getChild("nFeature_RNA")?.get(i)).toBe(Number(row.nFeature_RNA));
    }
    expect(exp.obs.domain).toEqual([0, 79]);
    expect(await exp.obs.count()).toBe(80);
  });

  it("reads var equal to feature_meta.csv (bools, doubles bit-exact)", async () => {
    const t = await rna.var.read();
    const { header, rows } = csv("feature_meta.csv");
    expect(t.numRows).toBe(230);
    expect(String(t.getChild("vst.variable")?.type)).toBe("Bool");
    rows.forEach((r, j) => {
      expect(t.getChild("var_id")?.get(j)).toBe(r[0]);
      for (let k = 1; k < 5; k++) expect(t.getChild(header[k] as string)?.get(j)).toBe(Number(r[k]));
      expect(t.getChild("vst.variable")?.get(j)).toBe(r[5] === "TRUE");
    });
  });

  it("reads columns and coordinates (points and slices) pushed down", async () => {
    const t = await exp.obs.read({ coords: [79, 3, 3, 40], columnNames: ["obs_id", "soma_joinid"] });
    const cells = lines("cells.txt");
    expect(t.schema.fields.map((f) => f.name)).toEqual(["obs_id", "soma_joinid"]);
    expect(t.getChild("obs_id")?.toArray()).toEqual([cells[3], cells[40], cells[79]]);
    const s = await exp.obs.read({ coords: { start: 10, stop: 12 }, columnNames: ["soma_joinid"] });
    expect(Array.from(s.getChild("soma_joinid")?.toArray() as BigInt64Array, Number)).toEqual([10, 11, 12]);
    const none = await exp.obs.read({ coords: [], columnNames: ["groups"] });
    expect(none.numRows).toBe(0);
    // Many scattered points (more than are pushed down as ranges) still select exactly.
    const odd = Array.from({ length: 40 }, (_, i) => 2 * i + 1);
    const o = await exp.obs.read({ coords: odd, columnNames: ["soma_joinid"] });
    expect(Array.from(o.getChild("soma_joinid")?.toArray() as BigInt64Array, Number)).toEqual(odd);
    await expect(exp.obs.read({ columnNames: ["nope"] })).rejects.toBeInstanceOf(KeyNotFoundError);
  });

  it("reads X counts and data through the SOMA API, bit-exact", async () => {
    for (const [layer, file] of [
      ["counts", "counts_coo.csv"],
      ["data", "data_coo.csv"],
    ] as const) {
      const X = (await rna.X.get(layer)) as SOMASparseNDArray;
      expect(X.shape).toEqual([80, 230]);
      expect(await X.nnz()).toBe(4456);
      const want = denseLayer(file);
      const t = await X.read();
      expect(t.numRows).toBe(4456);
      const d0 = t.getChild("soma_dim_0")?.toArray() as BigInt64Array;
      const d1 = t.getChild("soma_dim_1")?.toArray() as BigInt64Array;
      const v = t.getChild("soma_data")?.toArray() as Float64Array;
      for (let i = 0; i < t.numRows; i++) expect(v[i]).toBe(want[Number(d0[i]) * 230 + Number(d1[i])]);
      // Exact coordinates: only cells of rows {3, 70} × columns 5..60 come back.
      const sub = await X.read({ coords: [[70, 3], { start: 5, stop: 60 }] });
      let wantCells = 0;
      for (const c of [3, 70]) for (let g = 5; g <= 60; g++) if (want[c * 230 + g] !== 0) wantCells++;
      expect(sub.numRows).toBe(wantCells);
      const r0 = sub.getChild("soma_dim_0")?.toArray() as BigInt64Array;
      const r1 = sub.getChild("soma_dim_1")?.toArray() as BigInt64Array;
      const rv = sub.getChild("soma_data")?.toArray() as Float64Array;
      for (let i = 0; i < sub.numRows; i++) {
        expect([3, 70]).toContain(Number(r0[i]));
        expect(rv[i]).toBe(want[Number(r0[i]) * 230 + Number(r1[i])]);
      }
      const m = await X.toCsr([5, 0, 77], [229, 0, 1, 2, 3], { dtype: "float64" });
      expect(m.shape).toEqual([3, 5]);
      const dense = new Float64Array(15);
      for (let r = 0; r < 3; r++)
        for (let k = m.indptr[r] as number; k < (m.indptr[r + 1] as number); k++)
          dense[r * 5 + (m.indices[k] as number)] = m.data[k] as number;
      const expected = [5, 0, 77].flatMap((c) => [229, 0, 1, 2, 3].map((g) => want[c * 230 + g] as number));
      expect(Array.from(dense)).toEqual(expected);
    }
  });

  it("reads scale_data, obsm, varm (NaNs) and obsp equal to the truth", async () => {
    const scale = (await rna.X.get("scale_data")) as SOMASparseNDArray;
    const { values, genes } = scaleData();
    const s = await scale.readCoo();
    let seen = 0;
    for (let i = 0; i < s.data.length; i++) {
      const key = `${s.dims[0]?.[i]},${s.dims[1]?.[i]}`;
      if (values.has(key)) {
        expect(s.data[i]).toBe(values.get(key));
        seen++;
      }
    }
    expect(seen).toBe(20 * 80);
    expect(genes).toHaveLength(20);

    const pca = csv("reduction_pca_embeddings.csv").rows;
    const q = exp.axisQuery({ measurementName: "RNA" });
    const X_pca = await q.obsm("X_pca");
    expect(X_pca.shape).toEqual([80, 19]);
    pca.forEach((r, i) => {
      for (let k = 0; k < 19; k++) expect(X_pca.data[i * 19 + k]).toBe(Number(r[k + 1]));
    });
    const tsne = csv("reduction_tsne_embeddings.csv").rows;
    const X_tsne = await q.obsm("X_tsne");
    tsne.forEach((r, i) => {
      expect([X_tsne.data[2 * i], X_tsne.data[2 * i + 1]]).toEqual([Number(r[1]), Number(r[2])]);
    });

    const features = lines("features.txt");
    const loadings = new Map(
      csv("reduction_pca_loadings.csv").rows.map((r) => [r[0] as string, r.slice(1).map(Number)]),
    );
    const PCs = await q.varm("PCs");
    expect(PCs.shape).toEqual([230, 19]);
    let nan = 0;
    features.forEach((g, j) => {
      const want = loadings.get(g);
      for (let k = 0; k < 19; k++) {
        const v = PCs.data[j * 19 + k] as number;
        if (want) expect(v).toBe(want[k]);
        else if (Number.isNaN(v)) nan++;
      }
    });
    expect(nan).toBe(210 * 19);

    const snn = (await rna.obsp?.get("RNA_snn")) as SOMASparseNDArray;
    const graph = csv("graph_RNA_snn_coo.csv").rows;
    const m = await snn.toCsr(
      Array.from({ length: 80 }, (_, i) => i),
      undefined,
      { dtype: "float64" },
    );
    expect(m.indices.length).toBe(graph.length);
    for (const [r, c, v] of graph) {
      const row = Number(r);
      const lo = m.indptr[row] as number;
      const hi = m.indptr[row + 1] as number;
      const k = Array.from(m.indices.subarray(lo, hi)).indexOf(Number(c));
      expect(k).toBeGreaterThanOrEqual(0);
      expect(m.data[lo + k]).toBe(Number(v));
    }
  });
});
