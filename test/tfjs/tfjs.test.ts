import "@tensorflow/tfjs-backend-wasm";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { DataLoader } from "../../src/loader/index.js";
import { toTensors, toTfDataset } from "../../src/tfjs/index.js";
import { ArrayDataset, arrayDescription } from "../loader/array-dataset.js";

beforeAll(async () => {
  await tf.setBackend("wasm");
  await tf.ready();
});

describe("toTensors", () => {
  it("makes xs [n, nVars] from X and int32 or one-hot ys from encoded labels", async () => {
    const ds = new ArrayDataset(arrayDescription({ n: 6, nVars: 3 }));
    const batch = (await ds.getItems([4, 1])) as unknown as Record<string, unknown>;
    batch.X = (batch.layers as { X: { data: Float32Array } }).X.data;
    batch.shape = [2, 3];
    const { xs, ys } = toTensors(batch, tf, { labelKey: "label" });
    expect(xs.shape).toEqual([2, 3]);
    expect(Array.from(await xs.data())).toEqual([12, 13, 14, 3, 4, 5]);
    expect(Array.from(await ys!.data())).toEqual([1, 1]);
    const hot = toTensors(batch, tf, { labelKey: "label", oneHot: 3 });
    expect(hot.ys!.shape).toEqual([2, 3]);
    expect(Array.from(await hot.ys!.data())).toEqual([0, 1, 0, 0, 1, 0]);
    tf.dispose([xs, ys!, hot.xs, hot.ys!]);
  });

  it("accepts SOMA-style batches whose X is { data, shape }, and rejects CSR", async () => {
    const batch = { X: { format: "dense", data: new Float32Array([1, 2, 3, 4]), shape: [2, 2] }, obs: {} };
    const { xs } = toTensors(batch, tf);
    expect(xs.shape).toEqual([2, 2]);
    expect(Array.from(await xs.data())).toEqual([1, 2, 3, 4]);
    xs.dispose();
    const csr = { X: { format: "csr", data: new Float32Array(1), shape: [1, 2] } };
    expect(() => toTensors(csr, tf)).toThrow(/dense float32 batch/);
  });

  it("names the label keys that exist when the key is missing", () => {
    const batch = { X: new Float32Array(2), shape: [1, 2], obs: { cell_type: new Int32Array(1) } };
    expect(() => toTensors(batch, tf, { labelKey: "tissue" })).toThrow(/'tissue'.*'cell_type'/);
  });
});

describe("toTfDataset", () => {
  it("recycles batches on the wasm backend only, which copies arrays into tensors", async () => {
    // The premise: on wasm, overwriting the array after tf.tensor2d leaves the tensor unchanged.
    const data = Float32Array.from([1, 2, 3, 4]);
    const t = tf.tensor2d(data, [2, 2]);
    data.fill(9);
    expect(Array.from(await t.data())).toEqual([1, 2, 3, 4]);
    t.dispose();
    expect(tf.getBackend()).toBe("wasm");
    for (const [recycle, expected] of [
      ["auto", 3],
      [false, 0],
      [true, 3],
    ] as const) {
      const ds = new ArrayDataset(arrayDescription({ n: 40, nVars: 4 }));
      const loader = new DataLoader(ds, { batchSize: 16 });
      let recycled = 0;
      const counting = Object.assign(Object.create(loader) as DataLoader, {
        [Symbol.asyncIterator]: () => loader[Symbol.asyncIterator](),
        recycle: (b: unknown) => {
          recycled++;
          loader.recycle(b);
        },
      });
      const it = await toTfDataset(counting, tf, { labelKey: "label", recycle }).iterator();
      for (let r = await it.next(); !r.done; r = await it.next())
        tf.dispose(Object.values(r.value as object));
      expect(recycled, `recycle: ${recycle}`).toBe(expected);
      await loader.close();
    }
  });

  it("on the cpu backend (which reads the array lazily), recycles a batch only once its tensor is disposed", async () => {
    await tf.setBackend("cpu");
    try {
      const ds = new ArrayDataset(arrayDescription({ n: 64, nVars: 300 }));
      const loader = new DataLoader(ds, { batchSize: 16 });
      const recycled: unknown[] = [];
      const counting = Object.assign(Object.create(loader) as DataLoader, {
        [Symbol.asyncIterator]: () => loader[Symbol.asyncIterator](),
        recycle: (b: unknown) => void recycled.push(b),
      });
      const it = await toTfDataset(counting, tf).iterator();
      const first = (await it.next()).value as { xs: tf.Tensor };
      const second = (await it.next()).value as { xs: tf.Tensor };
      expect(recycled.length).toBe(0); // both tensors alive
      first.xs.dispose();
      const third = (await it.next()).value as { xs: tf.Tensor };
      expect(recycled.length).toBe(1);
      second.xs.dispose();
      third.xs.dispose();
      const fourth = (await it.next()).value as { xs: tf.Tensor };
      expect(recycled.length).toBe(3);
      fourth.xs.dispose();
      expect((await it.next()).done).toBe(true);
      expect(recycled.length).toBe(4); // the last one when the pass ends
      expect(new Set(recycled).size).toBe(4);
      await loader.close();
    } finally {
      await tf.setBackend("wasm");
    }
  });

  it("trains with fitDataset, one loader epoch per tf epoch, with a flat tensor count", async () => {
    const ds = new ArrayDataset(arrayDescription({ n: 60, nVars: 4 }));
    const loader = new DataLoader(ds, { batchSize: 16, shuffle: true, seed: 1 });
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 8, activation: "relu" }),
        tf.layers.dense({ units: 3, activation: "softmax" }),
      ],
    });
    model.compile({ optimizer: "adam", loss: "categoricalCrossentropy" });
    const dataset = toTfDataset(loader, tf, { labelKey: "label", oneHot: 3 });
    const counts: number[] = [];
    await model.fitDataset(dataset, {
      epochs: 4,
      verbose: 0,
      callbacks: { onEpochEnd: async () => void counts.push(tf.memory().numTensors) },
    });
    expect(loader.epoch).toBe(4);
    expect(counts.length).toBe(4);
    expect(new Set(counts.slice(1)).size).toBe(1);
    model.dispose();
    await loader.close();
  });
});
