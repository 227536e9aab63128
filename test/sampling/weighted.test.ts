import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/errors.js";
import { AliasTable } from "../../src/sampling/alias.js";
import { rngFor } from "../../src/sampling/rng.js";
import { sortSmallest } from "../../src/sampling/select.js";
import { WeightedRandomSampler } from "../../src/sampling/weighted.js";
import { CHI2_999, chiSquare, histogram, normalise } from "./stats.js";

const WEIGHTS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

describe("WeightedRandomSampler with replacement (alias table)", () => {
  it("draws with frequencies proportional to the weights (10 categories, 200k draws, chi2 < 0.999 quantile)", () => {
    for (const seed of [0, 1, 2]) {
      const out = new WeightedRandomSampler(WEIGHTS, 200_000, { seed }).indices();
      expect(out.length).toBe(200_000);
      expect(chiSquare(histogram(out, 10), normalise(WEIGHTS))).toBeLessThan(CHI2_999[9]!);
    }
  });

  it("handles skewed weights and never draws a zero weight", () => {
    const weights = Float64Array.of(0, 1e-3, 0, 1000, 1, 0, 50, 0.5);
    const out = new WeightedRandomSampler(weights, 100_000, { seed: 4 }).indices();
    const counts = histogram(out, weights.length);
    for (const zero of [0, 2, 5]) expect(counts[zero]).toBe(0);
    // Pool the tiny categories so every expected count is large enough for the chi-square test.
    const p = normalise(weights);
    const pooled = [counts[1]! + counts[4]! + counts[7]!, counts[3]!, counts[6]!];
    const pooledP = [p[1]! + p[4]! + p[7]!, p[3]!, p[6]!];
    expect(chiSquare(pooled, pooledP)).toBeLessThan(CHI2_999[2]!);
  });

  it("builds an alias table that reproduces the weights exactly", () => {
    // Column i keeps i with prob[i] and gives alias[i] otherwise, each column chosen with 1/n.
    const weights = Float64Array.of(3, 0, 1, 7, 0.25, 2);
    const table = new AliasTable(weights);
    const mass = new Float64Array(weights.length);
    for (let i = 0; i < weights.length; i++) {
      mass[i]! += table.probability(i) / weights.length;
      mass[table.alias(i)]! += (1 - table.probability(i)) / weights.length;
    }
    const p = normalise(weights);
    expect(table.size).toBe(6);
    for (let i = 0; i < weights.length; i++) expect(mass[i]).toBeCloseTo(p[i]!, 12);
    // draw() agrees with fill() on the same stream.
    const a = rngFor({ seed: 0, epoch: 0, stream: "alias" });
    const b = rngFor({ seed: 0, epoch: 0, stream: "alias" });
    const filled = new Int32Array(50);
    table.fill(filled, a);
    expect(Array.from(filled)).toEqual(Array.from({ length: 50 }, () => table.draw(b)));
    expect(filled).not.toContain(1);
  });

  it("is reproducible per (seed, epoch) and differs between epochs", () => {
    const s = new WeightedRandomSampler(WEIGHTS, 100, { seed: 9 });
    s.setEpoch(2);
    const a = s.indices();
    s.setEpoch(3);
    const b = s.indices();
    s.setEpoch(2);
    expect(s.indices()).toEqual(a);
    expect(b).not.toEqual(a);
  });

  it("survives weights whose sum overflows a double", () => {
    const out = new WeightedRandomSampler([1e308, 1e308, 0], 10_000, { seed: 1 }).indices();
    const counts = histogram(out, 3);
    expect(counts[2]).toBe(0);
    expect(chiSquare([counts[0]!, counts[1]!], [0.5, 0.5])).toBeLessThan(CHI2_999[1]!);
  });
});

describe("WeightedRandomSampler without replacement", () => {
  it("never repeats, never picks zero weights, and returns numSamples indices", () => {
    const weights = [5, 0, 1, 1, 0, 3, 2, 8];
    const s = new WeightedRandomSampler(weights, 6, { replacement: false, seed: 1 });
    for (let e = 0; e < 50; e++) {
      s.setEpoch(e);
      const out = Array.from(s.indices());
      expect(out.length).toBe(6);
      expect(new Set(out).size).toBe(6);
      expect(out).not.toContain(1);
      expect(out).not.toContain(4);
    }
  });

  it("draws the first item with probability w_i / sum (chi-square over 5000 epochs)", () => {
    const weights = [1, 2, 3, 4, 10];
    const s = new WeightedRandomSampler(weights, 3, { replacement: false, seed: 5 });
    const firsts: number[] = [];
    for (let e = 0; e < 5000; e++) {
      s.setEpoch(e);
      firsts.push(s.indices()[0]!);
    }
    expect(chiSquare(histogram(firsts, 5), normalise(weights))).toBeLessThan(CHI2_999[4]!);
  });

  it("puts high-weight items earlier on average in a full weighted permutation", () => {
    const n = 200;
    const weights = Array.from({ length: n }, (_, i) => (i < 100 ? 1 : 10));
    const s = new WeightedRandomSampler(weights, n, { replacement: false, seed: 2 });
    let heavy = 0;
    let light = 0;
    for (let e = 0; e < 20; e++) {
      s.setEpoch(e);
      const out = s.indices();
      expect(new Set(out).size).toBe(n);
      out.forEach((idx, pos) => {
        if (idx < 100) light += pos;
        else heavy += pos;
      });
    }
    // Mean positions out of 0..199: heavy items well before light ones.
    expect(heavy / 2000).toBeLessThan(80);
    expect(light / 2000).toBeGreaterThan(120);
  });

  it("refuses more samples than positive weights", () => {
    expect(() => new WeightedRandomSampler([1, 0, 2], 3, { replacement: false })).toThrow(
      /numSamples=3 exceeds the 2 positive weights/,
    );
    expect(new WeightedRandomSampler([1, 0, 2], 3).length).toBe(3);
  });
});

describe("weight validation", () => {
  it("names the bad position", () => {
    expect(() => new WeightedRandomSampler([1, 2, Number.NaN], 1)).toThrow(
      /weights\[2\] must be a finite number ≥ 0, got NaN/,
    );
    expect(() => new WeightedRandomSampler([1, -1], 1)).toThrow(/weights\[1\].*got -1/);
    expect(() => new WeightedRandomSampler(Float64Array.of(Number.POSITIVE_INFINITY), 1)).toThrow(
      /weights\[0\]/,
    );
    expect(() => new WeightedRandomSampler([1, "2" as unknown as number], 1)).toThrow(/weights\[1\].*"2"/);
  });

  it("rejects all-zero, empty and non-array weights and bad numSamples", () => {
    expect(() => new WeightedRandomSampler([0, 0], 1)).toThrow(/all zero/);
    expect(() => new WeightedRandomSampler([], 1)).toThrow(/empty/);
    expect(() => new WeightedRandomSampler(5 as unknown as number[], 1)).toThrow(InvalidArgumentError);
    expect(() => new WeightedRandomSampler([1], -2)).toThrow(/numSamples/);
  });

  it("copies the weights, so later changes to the caller's array do not matter", () => {
    const w = [1, 1, 1];
    const s = new WeightedRandomSampler(w, 1000, { seed: 0 });
    const before = s.indices();
    w[0] = 1e9;
    expect(s.indices()).toEqual(before);
  });
});

describe("sortSmallest", () => {
  it("orders the k smallest keys (with their ids) and keeps all pairs", () => {
    const rng = rngFor({ seed: 0, epoch: 0, stream: "test" });
    for (const [n, k] of [
      [1000, 10],
      [1000, 1000],
      [50, 0],
      [5000, 700],
      [17, 16],
    ] as const) {
      const keys = Float64Array.from({ length: n }, () => Math.floor(rng.float() * 100)); // many ties
      const original = keys.slice();
      const ids = Int32Array.from({ length: n }, (_, i) => i);
      sortSmallest(keys, ids, k);
      const sorted = Array.from(original).sort((a, b) => a - b);
      expect(Array.from(keys.subarray(0, k))).toEqual(sorted.slice(0, k));
      for (let i = 0; i < n; i++) expect(keys[i]).toBe(original[ids[i]!]);
      expect(new Set(ids).size).toBe(n);
    }
  });
});
