import { expect, it } from "vitest";
import { DataLoader } from "../../src/loader/index.js";
import { ExperimentDataset, openExperiment, type SomaBatch } from "../../src/soma/index.js";
import { describeWithFixtures } from "../helpers/fixtures.js";
import { denseLayer, experimentPath } from "./truth.js";

describeWithFixtures("soma", "cellfeed's DataLoader driving an ExperimentDataset", () => {
  it("gives the same batches in-process and from 1 or 2 worker threads, X equal to the truth", async () => {
    const exp = await openExperiment(experimentPath());
    const query = exp.axisQuery({ measurementName: "RNA", obsQuery: { valueFilter: "nCount_RNA > 100" } });
    const ds = await ExperimentDataset.create(query, { layerName: "counts", obsColumnNames: ["groups"] });
    const counts = denseLayer("counts_coo.csv");
    const ids = Array.from(await query.obsJoinids());
    const opts = { batchSize: 7, shuffle: true, seed: 5 };
    const run = async (numWorkers: number) => {
      const loader = new DataLoader<SomaBatch>(ds, { ...opts, numWorkers });
      const out: SomaBatch[] = [];
      try {
        for await (const b of loader) out.push(b);
      } finally {
        await loader.close();
      }
      return out;
    };
    const local = await run(0);
    const pooled = await run(1);
    const pooled2 = await run(2);
    const seen = local.flatMap((b) => Array.from(b.soma_joinid as Float64Array));
    expect([...seen].sort((a, b) => a - b)).toEqual(ids);
    expect(pooled.map((b) => Array.from(b.soma_joinid as Float64Array))).toEqual(
      local.map((b) => Array.from(b.soma_joinid as Float64Array)),
    );
    // Two workers: same batches, same order, same X / obs as in-thread.
    expect(pooled2.length).toBe(local.length);
    pooled2.forEach((b, i) => {
      const l = local[i] as SomaBatch;
      expect(Array.from(b.soma_joinid as Float64Array)).toEqual(Array.from(l.soma_joinid as Float64Array));
      expect(Array.from(b.X.data)).toEqual(Array.from(l.X.data));
      expect(b.X.shape).toEqual(l.X.shape);
      expect(Array.from(b.obs.groups ?? [])).toEqual(Array.from(l.obs.groups ?? []));
    });
    for (const b of [...pooled, ...pooled2]) {
      (b.soma_joinid as Float64Array).forEach((id, r) => {
        expect(Array.from(b.X.data.subarray(r * 230, (r + 1) * 230))).toEqual(
          Array.from({ length: 230 }, (_, g) => counts[id * 230 + g]),
        );
        expect(ds.encoders.groups?.[b.obs.groups?.[r] as number]).toMatch(/^g[12]$/);
      });
    }
  });

  it("recycled buffers are refilled with the right X (in-process and in a worker)", async () => {
    const exp = await openExperiment(experimentPath());
    const query = exp.axisQuery({ measurementName: "RNA" });
    const ds = await ExperimentDataset.create(query, { layerName: "counts" });
    const counts = denseLayer("counts_coo.csv");
    for (const numWorkers of [0, 1]) {
      const loader = new DataLoader<SomaBatch>(ds, { batchSize: 20, shuffle: true, seed: 2, numWorkers });
      const handedBack: ArrayBuffer[] = [];
      let reusedOrMoved = 0;
      let rows = 0;
      for await (const b of loader) {
        if (handedBack.includes(b.X.data.buffer as ArrayBuffer)) reusedOrMoved++;
        reusedOrMoved += handedBack.filter((buf) => buf.byteLength === 0).length;
        (b.soma_joinid as Float64Array).forEach((id, r) => {
          expect(Array.from(b.X.data.subarray(r * 230, (r + 1) * 230))).toEqual(
            Array.from({ length: 230 }, (_, g) => counts[id * 230 + g]),
          );
        });
        rows += b.X.shape[0];
        handedBack.push(b.X.data.buffer as ArrayBuffer);
        loader.recycle(b);
      }
      expect(rows).toBe(80);
      expect(reusedOrMoved, `${numWorkers} workers`).toBeGreaterThan(0);
      await loader.close();
    }
  });
});
