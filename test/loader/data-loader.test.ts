import { afterEach, describe, expect, it } from "vitest";
import { AbortError, isCellfeedError, WorkerError } from "../../src/errors.js";
import { DataLoader } from "../../src/loader/index.js";
import { ArrayDataset, arrayDescription } from "./array-dataset.js";

type TestBatch = {
  X: Float32Array;
  shape: [number, number];
  indices: Int32Array;
  obs: { label: Int32Array };
};

const loaders: DataLoader[] = [];
function make(ds: ArrayDataset, options: ConstructorParameters<typeof DataLoader>[1]) {
  const loader = new DataLoader<TestBatch>(ds, options);
  loaders.push(loader as unknown as DataLoader);
  return loader;
}
afterEach(async () => {
  await Promise.all(loaders.splice(0).map((l) => l.close()));
});

async function collect(loader: DataLoader<TestBatch>): Promise<TestBatch[]> {
  const out: TestBatch[] = [];
  for await (const b of loader) out.push(b);
  return out;
}

function checkRows(batch: TestBatch, nVars: number): void {
  for (let k = 0; k < batch.indices.length; k++) {
    const i = batch.indices[k]!;
    expect(Array.from(batch.X.subarray(k * nVars, (k + 1) * nVars))).toEqual(
      Array.from({ length: nVars }, (_, j) => i * nVars + j),
    );
    expect(batch.obs.label[k]).toBe(i % 3);
  }
}

describe("DataLoader in the calling thread", () => {
  it("yields sequential batches covering every index once, last batch smaller", async () => {
    const loader = make(new ArrayDataset(arrayDescription({ n: 23 })), { batchSize: 5 });
    expect(loader.length).toBe(5);
    const batches = await collect(loader);
    expect(batches.map((b) => b.indices.length)).toEqual([5, 5, 5, 5, 3]);
    expect(batches.flatMap((b) => Array.from(b.indices))).toEqual(Array.from({ length: 23 }, (_, i) => i));
    for (const b of batches) checkRows(b, 4);
  });

  it("drops the last batch with dropLast", async () => {
    const loader = make(new ArrayDataset(arrayDescription({ n: 23 })), { batchSize: 5, dropLast: true });
    expect(loader.length).toBe(4);
    expect((await collect(loader)).length).toBe(4);
  });

  it("shuffles reproducibly per (seed, epoch), a new order each epoch", async () => {
    const ds = new ArrayDataset(arrayDescription({ n: 40 }));
    const a = make(ds, { batchSize: 8, shuffle: true, seed: 7 });
    const b = make(ds, { batchSize: 8, shuffle: true, seed: 7 });
    const order = async (l: DataLoader<TestBatch>) =>
      (await collect(l)).flatMap((x) => Array.from(x.indices));
    const a0 = await order(a);
    const a1 = await order(a);
    expect(a0).not.toEqual(a1);
    expect([...a0].sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(await order(b)).toEqual(a0);
    b.setEpoch(1);
    expect(await order(b)).toEqual(a1);
  });

  it("keeps at most `prefetch` reads in flight, however slow the consumer", async () => {
    const ds = new ArrayDataset(arrayDescription({ n: 60, delayMs: 2 }));
    const loader = make(ds, { batchSize: 4, prefetch: 3 });
    for await (const _ of loader) await new Promise((r) => setTimeout(r, 5));
    expect(ds.maxActive).toBeLessThanOrEqual(3);
    expect(ds.maxActive).toBeGreaterThan(1);
  });

  it("reports progress", async () => {
    const seen: number[] = [];
    const loader = make(new ArrayDataset(arrayDescription({ n: 10 })), {
      batchSize: 4,
      onProgress: (p) => seen.push(p.samples),
    });
    await collect(loader);
    expect(seen).toEqual([4, 8, 10]);
  });

  it("turns a read error into a WorkerError naming the batch's indices", async () => {
    const loader = make(new ArrayDataset(arrayDescription({ n: 20, failAt: 13 })), { batchSize: 5 });
    const err = await collect(loader).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerError);
    expect((err as Error).message).toMatch(/batch 2 \(indices 10, 11, 12, 13, 14\)/);
    expect((err as Error).message).toMatch(/cannot read row 13/);
    expect((err as Error).cause).toBeInstanceOf(Error);
  });

  it("stops with an AbortError when its signal is aborted", async () => {
    const controller = new AbortController();
    const ds = new ArrayDataset(arrayDescription({ n: 100, delayMs: 1 }));
    const loader = make(ds, { batchSize: 5, signal: controller.signal });
    let got = 0;
    const err = await (async () => {
      for await (const _ of loader) {
        if (++got === 3) controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(isCellfeedError(err, "aborted")).toBe(true);
    expect(got).toBe(3);
    expect(ds.calls).toBeLessThan(10);
  });
});

describe("DataLoader with worker threads", () => {
  it("delivers the same batches, in sampler order, as the calling thread", async () => {
    const d = arrayDescription({ n: 97, nVars: 6 });
    const inThread = await collect(make(new ArrayDataset(d), { batchSize: 10, shuffle: true, seed: 3 }));
    const workers = make(new ArrayDataset(d), { batchSize: 10, shuffle: true, seed: 3, numWorkers: 2 });
    const viaWorkers = await collect(workers);
    expect(viaWorkers.length).toBe(10);
    expect(viaWorkers.map((b) => Array.from(b.indices))).toEqual(inThread.map((b) => Array.from(b.indices)));
    for (const b of viaWorkers) {
      checkRows(b, 6);
      expect(b.shape).toEqual([b.indices.length, 6]);
      expect(b.X.buffer.byteLength).toBe(b.X.byteLength); // a fresh buffer of its own
    }
  });

  it("reports a worker's read error with indices, files and the worker's stack as cause", async () => {
    const loader = make(new ArrayDataset(arrayDescription({ n: 30, failAt: 7 })), {
      batchSize: 5,
      numWorkers: 2,
    });
    const err = await collect(loader).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerError);
    expect((err as Error).message).toMatch(
      /indices 5, 6, 7, 8, 9\) from memory:\/\/array failed: cannot read row 7/,
    );
    expect(String(((err as Error).cause as Error).stack)).toMatch(/array-dataset/);
  });

  it("reports a worker that dies instead of waiting for it", async () => {
    const loader = make(new ArrayDataset(arrayDescription({ n: 30, exitAt: 12 })), {
      batchSize: 5,
      numWorkers: 2,
    });
    const err = await collect(loader).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerError);
    expect((err as Error).message).toMatch(/batch 2/);
  });

  it("stops promptly on break and on abort, and close() ends every thread", async () => {
    const controller = new AbortController();
    const loader = make(new ArrayDataset(arrayDescription({ n: 400, delayMs: 5 })), {
      batchSize: 4,
      numWorkers: 2,
      signal: controller.signal,
    });
    let n = 0;
    for await (const _ of loader) if (++n === 2) break;
    expect(n).toBe(2);
    const err = await (async () => {
      for await (const _ of loader) if (++n === 4) controller.abort();
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    const threads = loader.threads;
    expect(threads.length).toBe(2);
    await loader.close();
    expect(loader.threads.length).toBe(0);
    // A Worker's threadId becomes -1 once the thread has exited.
    expect(threads.map((t) => t.threadId)).toEqual([-1, -1]);
    await expect(collect(loader)).rejects.toThrow(/closed/);
  });
});
