import { readdirSync, statSync } from "node:fs";
import { expect, it } from "vitest";
import { Hdf5File } from "../../../src/h5ad/hdf5/index.js";
import { LocalFileSource } from "../../../src/io/local.js";
import { describeWithFixtures, fixturePath } from "../../helpers/fixtures.js";
import { type CompareResult, compareFile } from "./reference.js";

/**
 * Numeric (integer/float, not bool) datasets per fixture, as h5py counts them (dtype kind i/u/f,
 * not an enum): the direct reader must read every one.
 */
const NUMERIC_COUNTS: Record<string, number> = {
  "anndataR_example.h5ad": 55,
  "cxg_example_valid.h5ad": 17,
  "cxg_small_perturbations.h5ad": 76,
  "legacy_v050_pbmc68k_reduced.h5ad": 15,
  "legacy_v078_lzf.h5ad": 63,
  "scanpy_pbmc68k_reduced_v2025.h5ad": 30,
  "soma_pbmc_small.h5ad": 27,
  "soma_pbmc_small_x_csc.h5ad": 15,
};

/** Datasets the task names explicitly. */
const MUST_READ: Record<string, string[]> = {
  "legacy_v050_pbmc68k_reduced.h5ad": ["X", "raw.X/data", "raw.X/indices", "raw.X/indptr"],
  "legacy_v078_lzf.h5ad": ["X/data", "X/indices", "X/indptr", "layers/array"],
  "scanpy_pbmc68k_reduced_v2025.h5ad": ["X", "raw/X/data", "obsm/X_pca"],
  "cxg_small_perturbations.h5ad": ["X/data", "X/indices", "X/indptr"],
  "cxg_example_valid.h5ad": ["X/data", "X/indices", "X/indptr"],
  "anndataR_example.h5ad": ["X/data", "layers/counts/indices", "layers/dense_counts"],
};

describeWithFixtures("h5ad", "direct HDF5 reader vs h5wasm on the h5ad fixtures", () => {
  const files = readdirSync(fixturePath("h5ad"))
    .filter((f) => f.endsWith(".h5ad"))
    .sort();

  it("knows every fixture file", () => {
    expect(files).toEqual(Object.keys(NUMERIC_COUNTS).sort());
  });

  for (const name of Object.keys(NUMERIC_COUNTS)) {
    it(`reads every numeric dataset of ${name} exactly as h5wasm does`, async () => {
      const r: CompareResult = await compareFile(fixturePath("h5ad", name));
      expect(Object.fromEntries(r.declined), "declined numeric datasets").toEqual({});
      expect(r.supported.length).toBe(NUMERIC_COUNTS[name]);
      for (const p of MUST_READ[name] ?? []) expect(r.supported).toContain(p);
      // Non-numeric datasets are the ones a fallback must handle: strings, bools (enum), compounds.
      for (const cls of r.nonNumeric.values()) {
        expect(["string", "variable-length", "enum", "compound"]).toContain(cls);
      }
    });
  }

  it("reports the superblock's end-of-file address, equal to the file size", async () => {
    for (const name of files) {
      const path = fixturePath("h5ad", name);
      const source = new LocalFileSource(path);
      try {
        const f = await Hdf5File.open(source);
        expect(f.endOfFileAddress, name).toBe(statSync(path).size);
      } finally {
        await source.close();
      }
    }
  });

  it("describes the v050 dense X and the v078 LZF CSR X", async () => {
    const open = async (name: string) => Hdf5File.open(new LocalFileSource(fixturePath("h5ad", name)));
    const v050 = await open("legacy_v050_pbmc68k_reduced.h5ad");
    const x = await v050.dataset("X");
    expect(x).toMatchObject({
      shape: [700, 765],
      dtype: "float32",
      layout: "chunked",
      chunkShape: [44, 96],
      filters: [{ id: 1, name: "deflate" }],
    });
    const v078 = await open("legacy_v078_lzf.h5ad");
    expect((await v078.dataset("X/data"))?.filters).toEqual([{ id: 32000, name: "lzf" }]);
    expect((await v078.dataset("/X/indptr"))?.dtype).toBe("int32");
  });
});
