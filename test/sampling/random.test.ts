import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/errors.js";
import { RandomSampler } from "../../src/sampling/random.js";
import { SequentialSampler } from "../../src/sampling/sequential.js";
import { CHI2_999, chiSquare, histogram, isPermutation } from "./stats.js";

describe("SequentialSampler", () => {
  it("yields 0..n-1 in order every epoch, as an Int32Array and through iteration", () => {
    const s = new SequentialSampler(5);
    expect(s.length).toBe(5);
    expect(s.indices()).toEqual(Int32Array.of(0, 1, 2, 3, 4));
    s.setEpoch(9);
    expect([...s]).toEqual([0, 1, 2, 3, 4]);
    expect(new SequentialSampler(0).indices().length).toBe(0);
  });

  it("rejects bad n and bad epochs", () => {
    for (const n of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "3" as unknown as number]) {
      expect(() => new SequentialSampler(n)).toThrow(InvalidArgumentError);
    }
    expect(() => new SequentialSampler(3).setEpoch(-1)).toThrow(/epoch must be a non-negative integer/);
  });
});

describe("RandomSampler without replacement", () => {
  it("is a permutation of 0..n-1 every epoch", () => {
    const s = new RandomSampler(1000, { seed: 1 });
    for (let e = 0; e < 4; e++) {
      s.setEpoch(e);
      expect(isPermutation(s.indices(), 1000)).toBe(true);
    }
  });

  it("is reproducible for (seed, epoch) whatever happened before, and changes with epoch and seed", () => {
    const fresh = new RandomSampler(500, { seed: 7 });
    fresh.setEpoch(3);
    const expected = fresh.indices();

    const used = new RandomSampler(500, { seed: 7 });
    used.indices();
    used.setEpoch(5);
    used.indices();
    used.indices();
    used.setEpoch(3);
    expect(used.indices()).toEqual(expected);
    expect(Int32Array.from(used)).toEqual(expected);

    used.setEpoch(4);
    expect(used.indices()).not.toEqual(expected);
    const otherSeed = new RandomSampler(500, { seed: 8 });
    otherSeed.setEpoch(3);
    expect(otherSeed.indices()).not.toEqual(expected);
  });

  it("returns a fresh array each call (mutating it does not leak into the next call)", () => {
    const s = new RandomSampler(50, { seed: 0 });
    const a = s.indices();
    const copy = a.slice();
    a.fill(0);
    expect(s.indices()).toEqual(copy);
  });

  it("chains whole permutations when numSamples > n, and takes a uniform prefix when smaller", () => {
    const s = new RandomSampler(10, { seed: 2, numSamples: 25 });
    const out = s.indices();
    expect(out.length).toBe(25);
    expect(isPermutation(out.subarray(0, 10), 10)).toBe(true);
    expect(isPermutation(out.subarray(10, 20), 10)).toBe(true);
    expect(new Set(out.subarray(20)).size).toBe(5);

    const prefix = new RandomSampler(10, { seed: 2, numSamples: 4 }).indices();
    expect(prefix.length).toBe(4);
    expect(new Set(prefix).size).toBe(4);
  });

  it("puts each index first equally often across epochs (chi-square over 4000 epochs)", () => {
    const s = new RandomSampler(5, { seed: 11 });
    const firsts: number[] = [];
    for (let e = 0; e < 4000; e++) {
      s.setEpoch(e);
      firsts.push(s.indices()[0]!);
    }
    expect(chiSquare(histogram(firsts, 5), [0.2, 0.2, 0.2, 0.2, 0.2])).toBeLessThan(CHI2_999[4]!);
  });
});

describe("RandomSampler with replacement", () => {
  it("draws numSamples uniform indices (chi-square) and repeats some", () => {
    const s = new RandomSampler(10, { replacement: true, numSamples: 50_000, seed: 3 });
    const out = s.indices();
    expect(out.length).toBe(50_000);
    expect(chiSquare(histogram(out, 10), new Array(10).fill(0.1))).toBeLessThan(CHI2_999[9]!);
    expect(new Set(new RandomSampler(100, { replacement: true, seed: 3 }).indices()).size).toBeLessThan(100);
  });

  it("rejects numSamples > 0 over an empty range and bad options", () => {
    expect(() => new RandomSampler(0, { replacement: true, numSamples: 3 })).toThrow(/empty range/);
    expect(new RandomSampler(0).indices().length).toBe(0);
    expect(() => new RandomSampler(5, { numSamples: -1 })).toThrow(InvalidArgumentError);
    expect(() => new RandomSampler(5, { seed: 0.5 })).toThrow(/seed must be/);
  });
});
