import { expect, it } from "vitest";
import { LocalDirectoryStore } from "../../src/io/local.js";
import { openArray, SOMADenseNDArray, SOMASparseNDArray } from "../../src/soma/index.js";
import { describeWithFixtures, fixturePath } from "../helpers/fixtures.js";

const X = (kind: "dense" | "sparse") =>
  fixturePath("tiledb", "cxg-diffexp-v10", `${kind}_no_col_shift.cxg`, "X");

describeWithFixtures(
  "tiledb",
  "NDArray reads on cellxgene's same matrix stored dense (800 tiles) and sparse",
  () => {
    it("a dense block equals the sparse array's CSR of the same rows and columns", async () => {
      const denseStore = new LocalDirectoryStore(X("dense"));
      const sparseStore = new LocalDirectoryStore(X("sparse"));
      // Plain TileDB arrays (no soma_object_type): wrap them directly; their one attribute is the value.
      const dense = new SOMADenseNDArray(await openArray(denseStore), denseStore);
      const sparse = new SOMASparseNDArray(await openArray(sparseStore), sparseStore);
      expect(dense.shape).toEqual([2000, 2000]);
      expect(sparse.shape).toEqual([2000, 2000]);
      const block = await dense.read({
        coords: [
          { start: 120, stop: 179 },
          { start: 1000, stop: 1149 },
        ],
      });
      expect(block.shape).toEqual([60, 150]);
      const rows = Array.from({ length: 60 }, (_, i) => 120 + i);
      const cols = Array.from({ length: 150 }, (_, j) => 1000 + j);
      const m = await sparse.toCsr(rows, cols);
      const fromSparse = new Float32Array(60 * 150);
      for (let r = 0; r < 60; r++)
        for (let k = m.indptr[r] as number; k < (m.indptr[r + 1] as number); k++)
          fromSparse[r * 150 + (m.indices[k] as number)] = m.data[k] as number;
      expect(m.indices.length).toBeGreaterThan(100);
      expect(Array.from(block.data as Float32Array)).toEqual(Array.from(fromSparse));
      const t = await sparse.read({ coords: [[5, 1999], { start: 0, stop: 9 }] });
      expect(t.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
        "obs:Uint32",
        "var:Uint32",
        "soma_data:Float32",
      ]);
      const obs = Array.from(t.getChild("obs")?.toArray() as Uint32Array);
      const vars = Array.from(t.getChild("var")?.toArray() as Uint32Array);
      expect(obs.every((r) => r === 5 || r === 1999)).toBe(true);
      expect(vars.every((c) => c <= 9)).toBe(true);
      const small = await dense.read({
        coords: [
          { start: 5, stop: 5 },
          { start: 0, stop: 9 },
        ],
      });
      const last = await dense.read({
        coords: [
          { start: 1999, stop: 1999 },
          { start: 0, stop: 9 },
        ],
      });
      const nonzero = [
        ...Array.from(small.data as Float32Array),
        ...Array.from(last.data as Float32Array),
      ].filter((v) => v !== 0);
      expect(t.numRows).toBe(nonzero.length);
      expect(t.numRows).toBeGreaterThan(0);
      await expect(dense.read({ coords: [[1, 5]] })).rejects.toThrow(/one slice/);
    });
  },
);
