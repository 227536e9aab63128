import { expect, it, describe as suite } from "vitest";
import { DataLoader } from "../../src/loader/index.js";
import { MappedCollection } from "../../src/mapped/index.js";
import { BlockShuffleSampler, WeightedRandomSampler } from "../../src/sampling/index.js";
import { describeWithFixtures, fixturePath } from "../helpers/fixtures.js";

const files = ["soma_pbmc_small.h5ad", "soma_pbmc_small_x_csc.h5ad", "anndataR_example.h5ad"];

type MappedBatch = {
  X: Float32Array;
  shape: [number, number];
  indices: Int32Array;
  storeIdx: Int32Array;
  obs: Record<string, Int32Array>;
};

async function epoch(loader: DataLoader<MappedBatch>) {
  const out: MappedBatch[] = [];
  for await (const b of loader) out.push(b);
  return out;
}

describeWithFixtures("h5ad", "DataLoader over a MappedCollection of real files", () => {
  it("recycle: handed-back buffers are refilled with the right values, in the calling thread and in workers", async () => {
    const paths = files.map((f) => fixturePath("h5ad", f));
    const mc = await MappedCollection.open(paths, { join: "outer", obsKeys: [] });
    const opts = { batchSize: 37, shuffle: true, seed: 5 };
    const fresh = new DataLoader<MappedBatch>(mc, opts);
    const want = (await epoch(fresh)).map((b) => Array.from(b.X));
    await fresh.close();
    for (const numWorkers of [0, 2]) {
      const loader = new DataLoader<MappedBatch>(mc, { ...opts, numWorkers });
      let reused = 0;
      let detached = 0;
      const handedBack: ArrayBuffer[] = [];
      let k = 0;
      for await (const b of loader) {
        expect(Array.from(b.X), `batch ${k} with ${numWorkers} workers`).toEqual(want[k]);
        if (handedBack.includes(b.X.buffer as ArrayBuffer)) reused++;
        detached += handedBack.filter((buf) => buf.byteLength === 0).length;
        handedBack.push(b.X.buffer as ArrayBuffer);
        loader.recycle(b);
        k++;
      }
      expect(k).toBe(want.length);
      // In the calling thread the very buffers come back; to workers they are transferred (detached here).
      // (All but the first reads in flight, and the smaller last batch, can reuse one.)
      if (numWorkers === 0) expect(reused).toBeGreaterThanOrEqual(Math.max(1, want.length - 4));
      else expect(detached).toBeGreaterThan(0);
      await loader.close();
    }
    await mc.close();
  });

  it("gives identical batches in the calling thread and in 2 workers, equal to direct getItems", async () => {
    const paths = files.map((f) => fixturePath("h5ad", f));
    const mc = await MappedCollection.open(paths, { join: "outer", obsKeys: [] });
    const opts = { batchSize: 37, shuffle: true, seed: 11 };
    const local = new DataLoader<MappedBatch>(mc, opts);
    const pooled = new DataLoader<MappedBatch>(mc, { ...opts, numWorkers: 2 });
    try {
      const a = await epoch(local);
      const b = await epoch(pooled);
      expect(b.length).toBe(Math.ceil(mc.length / 37));
      expect(b.map((x) => Array.from(x.indices))).toEqual(a.map((x) => Array.from(x.indices)));
      for (let k = 0; k < a.length; k++) {
        expect(b[k]!.shape).toEqual([a[k]!.indices.length, mc.shape[1]]);
        expect(Buffer.from(b[k]!.X.buffer).equals(Buffer.from(a[k]!.X.buffer))).toBe(true);
        expect(Array.from(b[k]!.storeIdx)).toEqual(Array.from(a[k]!.storeIdx));
      }
      const direct = await mc.getItems(a[3]!.indices);
      expect(Array.from(a[3]!.X)).toEqual(Array.from(direct.layers.X!.data));
      const all = a.flatMap((x) => Array.from(x.indices)).sort((x, y) => x - y);
      expect(all).toEqual(Array.from({ length: mc.length }, (_, i) => i));
    } finally {
      await local.close();
      await pooled.close();
      await mc.close();
    }
  });

  suite("samplers from the collection", () => {
    it("weighted sampling by label weights draws only rows with positive weight", async () => {
      const mc = await MappedCollection.open(
        [fixturePath("h5ad", "cxg_example_valid.h5ad"), fixturePath("h5ad", "soma_pbmc_small.h5ad")],
        {
          join: "outer",
          obsKeys: ["groups"],
        },
      );
      try {
        const weights = mc.getLabelWeights(["groups"]);
        expect(weights.length).toBe(mc.length);
        weights[0] = 0;
        const sampler = new WeightedRandomSampler(weights, 500, { seed: 3 });
        const loader = new DataLoader<MappedBatch>(mc, { batchSize: 100, sampler });
        const drawn = (await epoch(loader)).flatMap((b) => Array.from(b.indices));
        expect(drawn.length).toBe(500);
        expect(drawn.includes(0)).toBe(false);
      } finally {
        await mc.close();
      }
    });

    it("block-shuffle batches cover every row once, blocks never crossing files", async () => {
      const paths = files.map((f) => fixturePath("h5ad", f));
      const mc = await MappedCollection.open(paths, { join: "outer" });
      try {
        const boundaries: number[] = [];
        let offset = 0;
        for (const [rows] of mc.originalShapes) {
          offset += rows;
          boundaries.push(offset);
        }
        const sampler = new BlockShuffleSampler(mc.length, {
          blockSize: 16,
          bufferSize: 2,
          seed: 5,
          boundaries,
        });
        const loader = new DataLoader<MappedBatch>(mc, { batchSize: 32, sampler, numWorkers: 1 });
        const batches = await epoch(loader);
        await loader.close();
        const rows = batches.flatMap((b) => Array.from(b.indices)).sort((x, y) => x - y);
        expect(rows).toEqual(Array.from({ length: mc.length }, (_, i) => i));
      } finally {
        await mc.close();
      }
    });
  });
});
