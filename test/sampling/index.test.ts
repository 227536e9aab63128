import { describe, expect, it } from "vitest";
import * as sampling from "../../src/sampling/index.js";

describe("the Sampler contract", () => {
  it("every sampler satisfies the Sampler contract", () => {
    const samplers: sampling.Sampler[] = [
      new sampling.SequentialSampler(8),
      new sampling.RandomSampler(8, { seed: 1 }),
      new sampling.WeightedRandomSampler([1, 2, 3], 8, { seed: 1 }),
      new sampling.BlockShuffleSampler(8, { blockSize: 2, bufferSize: 2, seed: 1 }),
      new sampling.DistributedSampler(8, { rank: 0, worldSize: 1, seed: 1 }),
    ];
    for (const s of samplers) {
      s.setEpoch(1);
      expect(s.epoch).toBe(1);
      const order = s.indices();
      expect(order).toBeInstanceOf(Int32Array);
      expect(order.length).toBe(s.length);
      expect(Array.from(s)).toEqual(Array.from(order));
    }
  });

  it("uses Float64Array when indices do not fit in int32", () => {
    expect(sampling.allocIndices(3, 2 ** 31 + 1)).toBeInstanceOf(Float64Array);
    expect(sampling.allocIndices(3, 2 ** 31)).toBeInstanceOf(Int32Array);
    const big = 3 * 2 ** 31;
    const draws = new sampling.RandomSampler(big, { replacement: true, numSamples: 1000, seed: 0 }).indices();
    expect(draws).toBeInstanceOf(Float64Array);
    expect(Math.max(...draws)).toBeGreaterThan(2 ** 31 - 1);
    expect(Math.max(...draws)).toBeLessThan(big);
  });
});
