/**
 * Trains an MLP cell-type classifier with TensorFlow.js from a MappedCollection of .h5ad files:
 * outer join of genes, weighted sampling to balance rare cell types, two loader worker threads.
 * Reports held-out accuracy, and samples/s with the loader next to the same model fed from arrays
 * already in memory (the loader must not be the bottleneck).
 *
 *   npx tsx examples/train-classifier.ts                        # writes data/demo/ first, then trains
 *   npx tsx examples/train-classifier.ts a.h5ad b.h5ad --label cell_type --epochs 3
 *
 * This uses @tensorflow/tfjs with the wasm backend. With @tensorflow/tfjs-node installed, import it
 * instead and drop the setBackend call: everything else is the same.
 */
import { parseArgs } from "node:util";
import "@tensorflow/tfjs-backend-wasm";
import * as tf from "@tensorflow/tfjs";
import { DataLoader, MappedCollection, WeightedRandomSampler } from "cellfeed";
import { toTfDataset } from "cellfeed/tfjs";
import seedrandom from "seedrandom";
import { writeSyntheticCollection } from "./synthetic.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    label: { type: "string", default: "cell_type" },
    epochs: { type: "string", default: "3" },
    "batch-size": { type: "string", default: "128" },
    workers: { type: "string", default: "2" },
    "held-out": { type: "string", default: "0.2" },
  },
});
const label = values.label!;
const epochs = Number(values.epochs);
const batchSize = Number(values["batch-size"]);
const numWorkers = Number(values.workers);

await tf.setBackend("wasm");
await tf.ready();

const paths = positionals.length > 0 ? positionals : await writeSyntheticCollection("data/demo");
console.log(`files: ${paths.join(", ")}`);

const mc = await MappedCollection.open(paths, { obsKeys: [label], join: "outer" });
const classes = Object.keys(mc.encoders[label] ?? {}).length;
console.log(
  `collection: ${mc.length} cells × ${mc.shape[1]} genes (outer join), ${classes} classes of '${label}'`,
);

// Hold out a seeded random fraction of cells; the sampler never draws them (weight 0).
const rng = seedrandom("held-out");
const heldOut = new Uint8Array(mc.length);
for (let i = 0; i < mc.length; i++) heldOut[i] = rng() < Number(values["held-out"]) ? 1 : 0;
const testIndices = Int32Array.from(
  { length: heldOut.reduce((a, b) => a + b, 0) },
  (() => {
    let next = 0;
    return () => {
      while (!heldOut[next]) next++;
      return next++;
    };
  })(),
);
const nTrain = mc.length - testIndices.length;

// Balance rare cell types: weight 1/count per label (LaminDB's get_label_weights).
const weights = mc.getLabelWeights([label]);
for (let i = 0; i < weights.length; i++) if (heldOut[i]) weights[i] = 0;
const sampler = new WeightedRandomSampler(weights, nTrain, { seed: 0 });
const loader = new DataLoader(mc, { batchSize, sampler, numWorkers, prefetch: 2 });

const nVars = mc.shape[1]!;
const model = tf.sequential({
  layers: [
    tf.layers.dense({ inputShape: [nVars], units: 64, activation: "relu" }),
    tf.layers.dense({ units: classes, activation: "softmax" }),
  ],
});
model.compile({ optimizer: tf.train.adam(0.003), loss: "categoricalCrossentropy", metrics: ["accuracy"] });

// Steady-state rates are timed from the end of the first epoch (worker start-up and kernel warm-up
// excluded), so both runs below compare the same thing.
const epochEnds: number[] = [];
await model.fitDataset(toTfDataset(loader, tf, { labelKey: label, oneHot: classes }), {
  epochs,
  verbose: 0,
  callbacks: {
    onEpochEnd: async (epoch, logs) => {
      epochEnds.push(performance.now());
      console.log(
        `epoch ${epoch + 1}/${epochs}: loss ${logs?.loss?.toFixed(4)}, accuracy ${logs?.acc?.toFixed(4)}`,
      );
    },
  },
});
const steadyRate = (ends: number[], perEpoch: number) =>
  ends.length > 1 ? (perEpoch * (ends.length - 1)) / ((ends.at(-1)! - ends[0]!) / 1000) : Number.NaN;
const loaderRate = steadyRate(epochEnds, nTrain);

// Held-out accuracy, reading the test cells in batches.
let correct = 0;
for (let start = 0; start < testIndices.length; start += 1024) {
  const batch = await mc.getItems(testIndices.subarray(start, start + 1024));
  const X = batch.layers.X!;
  const truth = batch.obs[label] as Int32Array;
  const predicted = tf
    .tidy(() => model.predict(tf.tensor2d(X.data as Float32Array, X.shape)) as tf.Tensor)
    .argMax(1);
  const p = await predicted.data();
  predicted.dispose();
  for (let k = 0; k < truth.length; k++) if (p[k] === truth[k]) correct++;
}
const accuracy = correct / Math.max(1, testIndices.length);

// The same model and pipeline (fitDataset, same batch size and step count) fed from arrays already
// in memory: if this is not much faster, the loader is not the bottleneck.
const inMemory = await mc.getItems(Int32Array.from({ length: Math.min(nTrain, 8192) }, (_, k) => k));
const memX = inMemory.layers.X!.data as Float32Array;
const memY = inMemory.obs[label] as Int32Array;
const rows = inMemory.indices.length;
const stepsPerEpoch = Math.ceil(nTrain / batchSize);
const memoryBatches = async function* () {
  for (let step = 0; step < stepsPerEpoch; step++) {
    const start =
      ((step * batchSize) % rows) - (((step * batchSize) % rows) + batchSize > rows ? batchSize : 0);
    const from = Math.max(0, start);
    yield {
      xs: tf.tensor2d(memX.slice(from * nVars, (from + batchSize) * nVars), [batchSize, nVars]),
      ys: tf.tidy(() =>
        tf.cast(tf.oneHot(tf.tensor1d(memY.slice(from, from + batchSize), "int32"), classes), "float32"),
      ),
    };
  }
};
const memoryEnds: number[] = [];
await model.fitDataset(tf.data.generator(memoryBatches as never), {
  epochs,
  verbose: 0,
  callbacks: { onEpochEnd: async () => void memoryEnds.push(performance.now()) },
});
const memoryRate = steadyRate(memoryEnds, stepsPerEpoch * batchSize);

// The loader alone, no training: how fast batches can arrive.
const t2 = performance.now();
let loaded = 0;
for await (const batch of loader) loaded += (batch as { indices: Int32Array }).indices.length;
const loaderAloneRate = loaded / ((performance.now() - t2) / 1000);

console.log(`held-out accuracy: ${(accuracy * 100).toFixed(1)}% on ${testIndices.length} cells`);
console.log(
  `training throughput (epochs 2+): ${Math.round(loaderRate)} samples/s through the loader (${numWorkers} workers), ` +
    `${Math.round(memoryRate)} samples/s from in-memory arrays (ratio ${(loaderRate / memoryRate).toFixed(2)}); ` +
    `the loader alone delivers ${Math.round(loaderAloneRate)} samples/s`,
);
await loader.close();
await mc.close();
