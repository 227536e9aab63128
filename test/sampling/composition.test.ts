import { describe, expect, it } from "vitest";
import { BatchSampler } from "../../src/sampling/batch.js";
import { BlockShuffleSampler } from "../../src/sampling/block-shuffle.js";
import { DistributedSampler } from "../../src/sampling/distributed.js";
import { WeightedRandomSampler } from "../../src/sampling/weighted.js";
import { CHI2_999, chiSquare, histogram, isPermutation, normalise } from "./stats.js";

/** Puts per-rank outputs back into global positions p = rank + k·worldSize. */
function interleave(parts: ArrayLike<number>[]): number[] {
  const out: number[] = [];
  for (let k = 0; k < (parts[0]?.length ?? 0); k++) for (const p of parts) out.push(p[k]!);
  return out;
}

describe("DistributedSampler over WeightedRandomSampler", () => {
  const weights = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const worldSize = 4;
  const make = (rank: number) =>
    new DistributedSampler(new WeightedRandomSampler(weights, 40_002, { seed: 8 }), {
      rank,
      worldSize,
      seed: 8,
    });

  it("deals the base's epoch draws out across ranks with equal counts", () => {
    for (const epoch of [0, 1]) {
      const base = new WeightedRandomSampler(weights, 40_002, { seed: 8 });
      base.setEpoch(epoch);
      const expected = Array.from(base.indices());
      const parts = Array.from({ length: worldSize }, (_, rank) => {
        const s = make(rank);
        s.setEpoch(epoch);
        return s.indices();
      });
      for (const p of parts) expect(p.length).toBe(10_001); // 40_002 padded to 40_004
      const global = interleave(parts);
      expect(global.slice(0, 40_002)).toEqual(expected);
      expect(global.slice(40_002)).toEqual(expected.slice(0, 2));
    }
  });

  it("each rank's share still follows the weights (chi-square)", () => {
    const share = make(3).indices();
    expect(chiSquare(histogram(share, 10), normalise(weights))).toBeLessThan(CHI2_999[9]!);
  });

  it("different epochs give different draws on a rank", () => {
    const s = make(0);
    const e0 = s.indices();
    s.setEpoch(1);
    expect(s.indices()).not.toEqual(e0);
  });
});

describe("DistributedSampler over BlockShuffleSampler", () => {
  const n = 64 * 64;
  const worldSize = 4;
  const parts = (epoch: number) =>
    Array.from({ length: worldSize }, (_, rank) => {
      const base = new BlockShuffleSampler(n, { blockSize: 64, bufferSize: 8, seed: 1 });
      const s = new DistributedSampler(base, { rank, worldSize, seed: 1 });
      s.setEpoch(epoch);
      return { base, sampler: s, out: s.indices() };
    });

  it("splits the block-shuffled order: ranks are disjoint and cover every row once", () => {
    for (const epoch of [0, 3]) {
      const all = parts(epoch);
      const base = all[0]!.base;
      expect(base.epoch).toBe(epoch);
      const global = interleave(all.map((p) => p.out));
      expect(isPermutation(global, n)).toBe(true);
      expect(global).toEqual(Array.from(base.indices()));
    }
  });

  it("keeps locality per rank: a rank batch that stays inside one pool touches ≤ bufferSize blocks", () => {
    // Pools are 512 rows; each rank gets 128 of them, so rank batches of 32 stay inside one pool.
    const all = parts(2);
    for (const { base, sampler } of all) {
      const batches = new BatchSampler(sampler, 32).batches();
      expect(batches.length).toBe(32);
      for (const batch of batches) {
        const blocks = new Set(Array.from(batch, (row) => base.blockOf(row)));
        expect(blocks.size).toBeLessThanOrEqual(8);
      }
    }
  });
});
