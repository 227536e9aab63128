/**
 * Sampler throughput: how long one epoch's `indices()` takes at realistic sizes.
 * Run: `npx tsx benchmarks/sampling.bench.ts [rows]` (default 10 million rows).
 */
import {
  BatchSampler,
  BlockShuffleSampler,
  DistributedSampler,
  RandomSampler,
  type Sampler,
  WeightedRandomSampler,
} from "../src/sampling/index.js";

const n = Number(process.argv[2] ?? 10_000_000);

function time(label: string, run: () => { length: number }): void {
  run(); // warm-up
  const t0 = performance.now();
  const reps = 3;
  let length = 0;
  for (let i = 0; i < reps; i++) length = run().length;
  const ms = (performance.now() - t0) / reps;
  console.log(
    `${label.padEnd(58)} ${ms.toFixed(1).padStart(8)} ms  ${(((length / ms) * 1e3) / 1e6).toFixed(1)} M idx/s`,
  );
}

function epoch(s: Sampler): () => { length: number } {
  let e = 0;
  return () => {
    s.setEpoch(e++);
    return s.indices();
  };
}

const weights = Float64Array.from({ length: n }, (_, i) => 1 + (i % 97));
console.log(`n = ${n.toLocaleString("en")}`);
time("RandomSampler permutation", epoch(new RandomSampler(n, { seed: 0 })));
time("RandomSampler with replacement", epoch(new RandomSampler(n, { seed: 0, replacement: true })));
time(
  "WeightedRandomSampler with replacement (alias, n draws)",
  epoch(new WeightedRandomSampler(weights, n, { seed: 0 })),
);
time(
  "WeightedRandomSampler without replacement (n/10 of n)",
  epoch(new WeightedRandomSampler(weights, Math.floor(n / 10), { seed: 0, replacement: false })),
);
time(
  "BlockShuffleSampler blockSize 64, bufferSize 16",
  epoch(new BlockShuffleSampler(n, { blockSize: 64, bufferSize: 16 })),
);
time("DistributedSampler n, rank 3 of 8", epoch(new DistributedSampler(n, { rank: 3, worldSize: 8 })));
const batches = new BatchSampler(new RandomSampler(n, { seed: 0 }), 256);
time("BatchSampler(RandomSampler, 256).batches() [rows]", () => ({
  length: batches.batches().length * 256,
}));
