import { beforeAll, expect, it } from "vitest";
import { AbortError, InvalidArgumentError, KeyNotFoundError } from "../../src/errors.js";
import {
  compareCodePoints,
  ExperimentDataset,
  type ExperimentDatasetOptions,
  fromDescription,
  openExperiment,
  type SOMAExperiment,
  type SomaBatch,
} from "../../src/soma/index.js";
import { describeWithFixtures } from "../helpers/fixtures.js";
import { denseLayer, experimentPath, metaData } from "./truth.js";

async function collect(ds: ExperimentDataset): Promise<SomaBatch[]> {
  const out: SomaBatch[] = [];
  for await (const b of ds) out.push(b);
  return out;
}

function joinids(batches: SomaBatch[]): number[] {
  return batches.flatMap((b) => Array.from(b.soma_joinid as Float64Array));
}

describeWithFixtures("soma", "ExperimentDataset on pbmc-small", () => {
  let exp: SOMAExperiment;
  let counts: Float64Array;
  let meta: Record<string, string | null>[];
  let g1: number[];
  beforeAll(async () => {
    exp = await openExperiment(experimentPath());
    counts = denseLayer("counts_coo.csv");
    meta = metaData();
    g1 = meta.flatMap((r, i) => (r.groups === "g1" ? [i] : []));
  });

  const make = (options: Partial<ExperimentDatasetOptions> = {}) =>
    ExperimentDataset.create(
      exp.axisQuery({ measurementName: "RNA", obsQuery: { valueFilter: 'groups == "g1"' } }),
      {
        layerName: "counts",
        obsColumnNames: ["RNA_snn_res.1", "letter.idents"],
        batchSize: 5,
        ioBatchSize: 12,
        ...options,
      },
    );

  it("yields every selected cell once per epoch in joinid order without shuffle; X rows equal the truth", async () => {
    const ds = await make({ shuffle: false });
    expect(ds.length).toBe(44);
    const batches = await collect(ds);
    expect(joinids(batches)).toEqual(g1);
    expect(batches.map((b) => b.X.shape[0])).toEqual([5, 5, 5, 5, 5, 5, 5, 5, 4]);
    expect(ds.batchCount).toBe(9);
    expect(ds.encoders).toEqual({ "RNA_snn_res.1": ["0", "1", "2"], "letter.idents": ["A", "B"] });
    for (const b of batches) {
      expect(b.X.format).toBe("dense");
      expect(b.X.data).toBeInstanceOf(Float32Array);
      const ids = b.soma_joinid as Float64Array;
      ids.forEach((id, r) => {
        const row = Array.from(b.X.data.subarray(r * 230, (r + 1) * 230));
        expect(row).toEqual(Array.from({ length: 230 }, (_, g) => counts[id * 230 + g]));
        expect(b.obs["RNA_snn_res.1"]?.[r]).toBe(
          ["0", "1", "2"].indexOf(meta[id]?.["RNA_snn_res.1"] as string),
        );
        expect(b.obs["letter.idents"]?.[r]).toBe(["A", "B"].indexOf(meta[id]?.["letter.idents"] as string));
      });
    }
  });

  it("shuffles reproducibly from (seed, epoch), covering every cell once, bounded by ioBatchSize", async () => {
    const a = await make({ seed: 7, shuffleChunkSize: 4 });
    const first = joinids(await collect(a));
    expect([...first].sort((x, y) => x - y)).toEqual(g1);
    expect(first).not.toEqual(g1);
    const again = await make({ seed: 7, shuffleChunkSize: 4 });
    expect(joinids(await collect(again))).toEqual(first);
    a.setEpoch(1);
    const second = joinids(await collect(a));
    expect([...second].sort((x, y) => x - y)).toEqual(g1);
    expect(second).not.toEqual(first);
    const other = await make({ seed: 8, shuffleChunkSize: 4 });
    expect(joinids(await collect(other))).not.toEqual(first);
    // ioBatchSize 12 rounds down to 10 (a multiple of batchSize): never more cells read at once.
    expect(a.stats.maxRowsRequested).toBe(10);
    expect(a.stats.maxRowsReturned).toBeLessThanOrEqual(10);
    expect(a.stats.ioBatches).toBe(10);
  });

  it("splits across ranks and workers with equal batch counts and no overlap", async () => {
    const parts: number[][] = [];
    const counts_: number[] = [];
    for (let rank = 0; rank < 2; rank++)
      for (let workerId = 0; workerId < 3; workerId++) {
        const ds = await make({ seed: 3, rank, worldSize: 2, workerId, numWorkers: 3, batchSize: 4 });
        const b = await collect(ds);
        counts_.push(b.length);
        parts.push(joinids(b));
      }
    expect(new Set(counts_)).toEqual(new Set([2])); // floor(44 / 6) = 7 cells → 2 batches each
    const all = parts.flat();
    expect(all).toHaveLength(42);
    expect(new Set(all).size).toBe(42);
    for (const id of all) expect(g1).toContain(id);
    const dropped = await make({ seed: 3, worldSize: 2, rank: 1, batchSize: 4, dropLast: true });
    expect(dropped.batchCount).toBe(5);
    expect((await collect(dropped)).every((b) => b.X.shape[0] === 4)).toBe(true);
  });

  it("serves getItems (any order, CSR or dense, bigint joinids) and rebuilds from describe()", async () => {
    const ds = await make({ joinidType: "bigint64" });
    const b = await ds.getItems([43, 0, 7], { output: "csr" });
    expect(b.soma_joinid).toEqual(BigInt64Array.from([g1[43], g1[0], g1[7]] as number[], BigInt));
    expect(b.X.format).toBe("csr");
    if (b.X.format !== "csr") return;
    for (let r = 0; r < 3; r++) {
      const id = Number(b.soma_joinid[r]);
      const row = new Float64Array(230);
      for (let k = b.X.indptr[r] as number; k < (b.X.indptr[r + 1] as number); k++)
        row[b.X.indices[k] as number] = b.X.data[k] as number;
      expect(Array.from(row)).toEqual(Array.from({ length: 230 }, (_, g) => counts[id * 230 + g]));
    }
    expect(b.indices).toEqual(Int32Array.of(43, 0, 7));
    await expect(ds.getItems([44])).rejects.toBeInstanceOf(InvalidArgumentError);
    const d = ds.describe();
    expect(d.module).toMatch(/dataset\.(ts|js)$/);
    const copy = await fromDescription(JSON.parse(JSON.stringify(d)));
    expect(copy.length).toBe(44);
    expect(copy.encoders).toEqual(ds.encoders);
    const c = await copy.getItems([43, 0, 7]);
    expect(c.X.format).toBe("dense");
    expect(Array.from(c.soma_joinid as BigInt64Array, Number)).toEqual([g1[43], g1[0], g1[7]]);
  });

  it("validates options and orders encoder classes by code point", async () => {
    await expect(make({ batchSize: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(make({ layerName: "raw" })).rejects.toBeInstanceOf(KeyNotFoundError);
    const ds = await make();
    const controller = new AbortController();
    controller.abort();
    await expect(ds.getItems([0, 1], { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
    await expect(make({ rank: 2, worldSize: 2 })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(["b", "\u{1F600}", "\uFFFF", "B", "a"].sort(compareCodePoints)).toEqual([
      "B",
      "a",
      "b",
      "\uFFFF",
      "\u{1F600}",
    ]);
  });
});
