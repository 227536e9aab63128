/** The measurement behind `cellfeed bench`: open a collection, iterate a DataLoader, time it. */
import { InvalidArgumentError } from "../errors.js";
import { DataLoader } from "../loader/index.js";
import { MappedCollection } from "../mapped/index.js";
import {
  BlockShuffleSampler,
  RandomSampler,
  type Sampler,
  SequentialSampler,
  WeightedRandomSampler,
} from "../sampling/index.js";

export type SamplerName = "random" | "weighted" | "block" | "sequential";

export interface BenchConfig {
  /** Local paths or s3:// URIs. */
  paths: string[];
  /** Read s3:// objects in place instead of caching them first. */
  stream?: boolean;
  batchSize: number;
  workers: number;
  prefetch: number;
  join: "inner" | "outer" | null;
  obsKeys: string[];
  sampler: SamplerName;
  /** Stop after this many seconds (checked between batches) ... */
  seconds?: number;
  /** ... or after this many epochs. */
  epochs?: number;
  output: "dense" | "csr";
  /** The consumer hands each batch back once counted (`DataLoader.recycle`). */
  recycle?: boolean;
  seed: number;
  blockSize: number;
  bufferSize: number;
  onProgress?: (fraction: number, samplesPerSec: number) => void;
}

export interface BenchResult {
  sampler: SamplerName;
  workers: number;
  batchSize: number;
  /** Whether the consumer recycled batches (`--recycle`). */
  recycle: boolean;
  /** Samples per second after the first batch (steady state). */
  samplesPerSec: number;
  /** From the start of the first pass to the first batch (includes worker start-up). */
  firstBatchMs: number;
  /** Peak resident set size of the process: the main thread and every worker thread. */
  peakRssMb: number;
  /** Peak RSS during each epoch, to show memory stays flat. */
  epochPeakRssMb: number[];
  openMs: number;
  samples: number;
  batches: number;
  seconds: number;
  epochs: number;
  nObs: number;
  nVars: number | null;
}

function makeSampler(mc: MappedCollection, c: BenchConfig): Sampler {
  const n = mc.length;
  switch (c.sampler) {
    case "sequential":
      return new SequentialSampler(n);
    case "random":
      return new RandomSampler(n, { seed: c.seed });
    case "weighted":
      if (c.obsKeys.length === 0)
        throw new InvalidArgumentError("--sampler weighted needs --obs-keys (the labels to balance)");
      return new WeightedRandomSampler(mc.getLabelWeights(c.obsKeys), n, { seed: c.seed });
    case "block": {
      const boundaries: number[] = [];
      let offset = 0;
      for (const [rows] of mc.originalShapes) {
        offset += rows;
        boundaries.push(offset);
      }
      return new BlockShuffleSampler(n, {
        blockSize: c.blockSize,
        bufferSize: c.bufferSize,
        seed: c.seed,
        boundaries,
      });
    }
  }
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

export async function runBench(c: BenchConfig): Promise<BenchResult> {
  if (c.seconds === undefined && c.epochs === undefined) c.seconds = 10;
  const tOpen = performance.now();
  const mc = await MappedCollection.open(c.paths, {
    obsKeys: c.obsKeys,
    join: c.join,
    ...(c.stream ? { stream: true } : {}),
  });
  const openMs = performance.now() - tOpen;
  const loader = new DataLoader(mc, {
    batchSize: c.batchSize,
    sampler: makeSampler(mc, c),
    numWorkers: c.workers,
    prefetch: c.prefetch,
    output: c.output,
  });
  let peak = process.memoryUsage.rss();
  let epochPeak = peak;
  const timer = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > peak) peak = rss;
    if (rss > epochPeak) epochPeak = rss;
  }, 25);
  const epochPeaks: number[] = [];
  let samples = 0;
  let batches = 0;
  let firstBatchMs = 0;
  let tFirst = 0;
  let samplesAfterFirst = 0;
  let epochs = 0;
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  const maxEpochs = c.epochs ?? Number.POSITIVE_INFINITY;
  const perEpoch = loader.length;
  try {
    outer: while (epochs < maxEpochs) {
      epochPeak = process.memoryUsage.rss();
      for await (const batch of loader) {
        const n = (batch as { indices: Int32Array }).indices.length;
        samples += n;
        batches++;
        if (c.recycle) loader.recycle(batch);
        if (batches === 1) {
          tFirst = performance.now();
          firstBatchMs = tFirst - t0;
        } else samplesAfterFirst += n;
        const fraction =
          c.seconds !== undefined
            ? elapsed() / c.seconds
            : (epochs + (batches % perEpoch) / perEpoch) / maxEpochs;
        const rate = batches > 1 ? samplesAfterFirst / ((performance.now() - tFirst) / 1000) : 0;
        c.onProgress?.(Math.min(1, fraction), rate);
        if (c.seconds !== undefined && elapsed() >= c.seconds) {
          epochPeaks.push(mb(epochPeak));
          break outer;
        }
      }
      epochs++;
      epochPeaks.push(mb(epochPeak));
    }
  } finally {
    clearInterval(timer);
    await loader.close();
    await mc.close();
  }
  const steady = (performance.now() - tFirst) / 1000;
  return {
    sampler: c.sampler,
    workers: c.workers,
    batchSize: c.batchSize,
    recycle: c.recycle === true,
    samplesPerSec: batches > 1 ? samplesAfterFirst / steady : samples / elapsed(),
    firstBatchMs,
    peakRssMb: mb(peak),
    epochPeakRssMb: epochPeaks,
    openMs,
    samples,
    batches,
    seconds: elapsed(),
    epochs,
    nObs: mc.length,
    nVars: mc.shape[1],
  };
}
