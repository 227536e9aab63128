/**
 * Targeted checks on the real-tool fixtures: pre-0.7 compound (v050), anndata 0.7.8 with LZF,
 * CSC == CSR == dense, int64 indices, nullable columns. Values are cross-checked with Python anndata.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { isCellfeedError } from "../../src/errors.js";
import { setDirectReads } from "../../src/h5ad/direct.js";
import { type CsrRows, type H5adFile, openH5ad } from "../../src/h5ad/index.js";
import { describeWithFixtures, fixturePath } from "../helpers/fixtures.js";
import { runPython } from "./python.js";

const fx = (name: string) => fixturePath("h5ad", name);

describeWithFixtures("h5ad", "h5ad fixtures, targeted", () => {
  const open: H5adFile[] = [];
  const get = async (name: string) => {
    const f = await openH5ad(fx(name));
    open.push(f);
    return f;
  };
  afterAll(() => {
    for (const f of open) f.close();
  });

  let v050: H5adFile;
  let py050: { bulk: (string | null)[]; pca: number[][]; umap: number[][]; raw: number[][]; hv: boolean[] };
  beforeAll(async () => {
    v050 = await get("legacy_v050_pbmc68k_reduced.h5ad");
    const script = `
import anndata, json, sys, numpy as np
a = anndata.read_h5ad(sys.argv[1])
rows = [3, 0, 699]
print(json.dumps({"bulk": [str(v) for v in a.obs["bulk_labels"]], "pca": a.obsm["X_pca"][rows].astype(float).tolist(),
  "umap": a.obsm["X_umap"][rows].astype(float).tolist(), "raw": a.raw.X[rows].toarray().astype(float).tolist(),
  "hv": [bool(v) for v in a.var["highly_variable"]]}))`;
    py050 = JSON.parse(runPython(script, [fx("legacy_v050_pbmc68k_reduced.h5ad")]));
  });

  it("v050 compound obs: categorical labels from uns/<col>_categories equal anndata's", () => {
    expect(v050.obs.info("bulk_labels")).toMatchObject({ kind: "categorical", dtype: "int8" });
    expect(v050.obs.labels("bulk_labels")).toEqual(py050.bulk);
    expect(v050.var.labels("highly_variable")).toEqual(py050.hv);
    expect(v050.obs.indexName).toBe("index");
  });

  it("v050 compound obsm fields and h5sparse raw.X read like anndata", async () => {
    expect([...v050.obsmKeys]).toEqual(["X_pca", "X_umap"]);
    const pca = await v050.obsm("X_pca").readRows([3, 0, 699], { output: "dense", dtype: "float64" });
    expect(pca.shape).toEqual([3, 50]);
    expect(Array.from(pca.data)).toEqual(py050.pca.flat());
    const umap = await v050.obsm("X_umap").readRows([3, 0, 699], { output: "dense", dtype: "float64" });
    expect(Array.from(umap.data)).toEqual(py050.umap.flat());
    const raw = await v050.matrix("raw.X").readRows([3, 0, 699], { output: "dense", dtype: "float64" });
    expect(v050.raw?.layout).toBe("csr");
    expect(Array.from(raw.data)).toEqual(py050.raw.flat());
  });

  it("v050: neighbour graphs in uns/neighbors appear as obsp, as anndata does", () => {
    expect([...v050.obspKeys].sort()).toEqual(["connectivities", "distances"]);
    expect(v050.obsp("distances").shape).toEqual([700, 700]);
  });

  it("v078 LZF: decodes with the plugin; refuses cleanly without it", async () => {
    const f = await get("legacy_v078_lzf.h5ad");
    const r = (await f.matrix("X").readRows([1])) as CsrRows;
    expect(Array.from(r.indices)).toEqual([2, 5, 11, 13, 17, 18]);
    expect(Array.from(r.data)).toEqual([2, 1, 1, 1, 2, 1]);
    expect(f.obs.info("cat_ordered")).toMatchObject({ kind: "categorical", ordered: true });
    try {
      await openH5ad(fx("legacy_v078_lzf.h5ad"), { decodableFilters: [1, 2, 3, 4] });
      expect.unreachable();
    } catch (e) {
      expect(isCellfeedError(e, "unsupported_filter")).toBe(true);
      expect((e as Error).message).toContain(fx("legacy_v078_lzf.h5ad"));
      expect((e as Error).message).toContain("lzf");
      expect((e as Error).message).toContain("32000");
      expect((e as { dataset?: string }).dataset).toMatch(/^X\//);
    }
  });

  it("v078: a dataframe in obsm is listed but reading it as a matrix is a typed error", async () => {
    const f = await get("legacy_v078_lzf.h5ad");
    expect(f.obsmKeys).toContain("df");
    expect(f.elementLayout("obsm", "df")).toBe("dataframe");
    expect(() => f.obsm("df")).toThrow(expect.objectContaining({ code: "unsupported" }));
    expect(f.obsm("sparse").layout).toBe("csr");
  });

  it("CSC X == dense X of the same data (soma pbmc small)", async () => {
    const csc = await get("soma_pbmc_small_x_csc.h5ad");
    const dense = await get("soma_pbmc_small.h5ad");
    const rows = Array.from({ length: 80 }, (_, i) => (i * 37) % 80);
    const a = await csc.matrix("X").readRows(rows, { output: "dense", dtype: "float64" });
    const b = await dense.matrix("X").readRows(rows, { output: "dense", dtype: "float64" });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
  });

  it("int64 indices/indptr (cxg example) read as Int32Array with the right values", async () => {
    const f = await get("cxg_example_valid.h5ad");
    const r = (await f.matrix("X").readRows([1, 0])) as CsrRows;
    expect(r.indices).toBeInstanceOf(Int32Array);
    expect(Array.from(r.indptr)).toEqual([0, 7, 14]);
    expect(Array.from(r.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 1.5, 1, 2, 3, 4, 5, 6]);
  });

  it("nullable-integer / nullable-boolean columns carry a mask", async () => {
    const f = await get("anndataR_example.h5ad");
    const intNA = f.obs.read("IntNA");
    expect(intNA.kind).toBe("numeric");
    if (intNA.kind !== "numeric") return;
    expect(intNA.mask?.[0]).toBe(1);
    expect(intNA.values[1]).toBe(42);
    expect(f.obs.info("IntNA")).toMatchObject({ kind: "numeric", dtype: "int64", nullable: true });
    expect(f.obs.labels("BoolNA").slice(0, 3)).toEqual([false, null, true]);
    expect(f.obs.info("Bool")).toMatchObject({ kind: "boolean", nullable: true });
    expect(f.obs.labels("FloatNA")[0]).toBeNull();
    expect(f.var.info("String")).toMatchObject({ kind: "string" });
  });

  it("describe() reports X chunking and compression", async () => {
    const f = await get("scanpy_pbmc68k_reduced_v2025.h5ad");
    const d = await f.describe();
    expect(d.X).toMatchObject({ layout: "dense", chunks: [44, 96], compression: "gzip", stored: 700 * 765 });
    expect(d.X?.firstRows.map((r) => r.row)).toEqual([0, 1, 2, 3, 4]);
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
  });

  it("an h5wasm abort() or failed read status becomes a FormatError naming file and dataset", async () => {
    // Matrix reads go to the direct HDF5 reader when it supports the dataset: force h5wasm here.
    setDirectReads(false);
    const f = await get("soma_pbmc_small.h5ad").finally(() => setDirectReads(true));
    const m = f.matrix("X");
    const mod = f.ctx.runtime.module as unknown as { get_dataset_data: (...args: unknown[]) => number };
    const original = mod.get_dataset_data;
    try {
      mod.get_dataset_data = () => {
        // What emscripten throws when the C code calls abort().
        throw Object.assign(new Error("Aborted(native code called abort())"), { name: "RuntimeError" });
      };
      await expect(m.readRows([0])).rejects.toMatchObject({
        code: "format",
        path: fx("soma_pbmc_small.h5ad"),
        dataset: "X",
        message: expect.stringContaining("Aborted"),
      });
      mod.get_dataset_data = () => -1;
      await expect(m.readRows([0])).rejects.toMatchObject({ code: "format", dataset: "X" });
    } finally {
      mod.get_dataset_data = original;
    }
    expect((await m.readRows([0])).shape).toEqual([1, 20]);
  });

  it("matrix() accepts 'layers/<name>' and 'raw/X'", async () => {
    const f = await get("anndataR_example.h5ad");
    expect(f.matrix("layers/counts")).toBe(f.matrix("counts"));
    expect(f.matrix("dense_counts").dtype).toBe("int64");
    const s = await get("soma_pbmc_small.h5ad");
    expect(s.matrix("raw/X").shape).toEqual([80, 230]);
    expect(s.raw?.varNames().length).toBe(230);
  });
});
