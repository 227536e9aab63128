import { beforeAll, expect, it } from "vitest";
import {
  assembleExperiment,
  ExperimentDataset,
  open,
  type SOMADataFrame,
  type SOMAExperiment,
  type SOMASparseNDArray,
} from "../../src/soma/index.js";
import { describeWithFixtures, fixturePath } from "../helpers/fixtures.js";

const root = () => fixturePath("tiledb", "soma-pbmc3k-v18-multitile", "pbmc3k");

describeWithFixtures(
  "tiledb",
  "SOMA on tiledbsoma's pbmc3k (23-tile X, v18 fragment, upgraded shapes)",
  () => {
    let exp: SOMAExperiment;
    let X: SOMASparseNDArray;
    let full: Map<number, Map<number, number>>;
    beforeAll(async () => {
      const obs = (await open(`${root()}/obs`)) as SOMADataFrame;
      const var_ = (await open(`${root()}/ms/raw/var`)) as SOMADataFrame;
      X = (await open(`${root()}/ms/raw/X/data`)) as SOMASparseNDArray;
      exp = assembleExperiment({ uri: root(), obs, measurements: { raw: { var: var_, X: { data: X } } } });
      const coo = await X.readCoo();
      full = new Map();
      for (let i = 0; i < coo.data.length; i++) {
        const r = coo.dims[0]?.[i] as number;
        let row = full.get(r);
        if (!row) {
          row = new Map();
          full.set(r, row);
        }
        row.set(coo.dims[1]?.[i] as number, coo.data[i] as number);
      }
    });

    it("matches the MANIFEST's independently decoded nnz and sum; shape from the upgraded current domain", async () => {
      expect(X.metadata.soma_encoding_version).toBe("1");
      expect(X.shape).toEqual([2638, 13714]);
      expect(await X.nnz()).toBe(2238732);
      let sum = 0;
      for (const row of full.values()) for (const v of row.values()) sum += v;
      expect(sum).toBeCloseTo(2237538.8749, 3);
      expect(await exp.obs.count()).toBe(2638);
    });

    it("a filtered query's X (tile-planned read) equals the rows of the full read", async () => {
      const q = exp.axisQuery({ measurementName: "raw", obsQuery: { valueFilter: 'louvain == "B cells"' } });
      const ids = await q.obsJoinids();
      const louvain = (await exp.obs.read({ columnNames: ["louvain"] }))
        .getChild("louvain")
        ?.toArray() as string[];
      expect(Array.from(ids)).toEqual(louvain.flatMap((l, i) => (l === "B cells" ? [i] : [])));
      const m = await q.X("data");
      expect(m.shape).toEqual([ids.length, 13714]);
      let nnz = 0;
      let mismatches = 0;
      ids.forEach((id, r) => {
        const want = full.get(id) ?? new Map();
        const lo = m.indptr[r] as number;
        const hi = m.indptr[r + 1] as number;
        if (hi - lo !== want.size) mismatches++;
        for (let k = lo; k < hi; k++) if (m.data[k] !== want.get(m.indices[k] as number)) mismatches++;
        nnz += hi - lo;
      });
      expect(mismatches).toBe(0);
      expect(nnz).toBeGreaterThan(100000);
    });

    it("ExperimentDataset holds at most ioBatchSize cells and yields each cell once", async () => {
      const q = exp.axisQuery({ measurementName: "raw", obsQuery: { valueFilter: 'louvain == "B cells"' } });
      const ds = await ExperimentDataset.create(q, {
        layerName: "data",
        batchSize: 32,
        ioBatchSize: 192,
        shuffleChunkSize: 16,
        seed: 11,
        output: "csr",
      });
      const seen: number[] = [];
      for await (const b of ds) {
        expect(b.X.format).toBe("csr");
        const X = b.X;
        if (X.format !== "csr") continue;
        const ids = b.soma_joinid as Float64Array;
        const wrong = Array.from(ids).filter(
          (id, r) => (X.indptr[r + 1] as number) - (X.indptr[r] as number) !== (full.get(id)?.size ?? 0),
        );
        expect(wrong).toEqual([]);
        seen.push(...ids);
      }
      expect(seen.sort((a, b) => a - b)).toEqual(Array.from(await q.obsJoinids()));
      expect(ds.stats.maxRowsRequested).toBe(192);
      expect(ds.stats.maxRowsReturned).toBeLessThanOrEqual(192);
      expect(ds.stats.ioBatches).toBe(2);
    });
  },
);
