import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/errors.js";
import { type Rng, rngFor, streamSeed } from "../../src/sampling/rng.js";
import { CHI2_999, chiSquare, histogram, isPermutation } from "./stats.js";

const draw = (rng: Rng, count: number) => Array.from({ length: count }, () => rng.uint32());

describe("rngFor", () => {
  it("gives the same stream for the same key and fresh generators each call", () => {
    const key = { seed: 12, epoch: 3, stream: "random" };
    expect(draw(rngFor(key), 20)).toEqual(draw(rngFor(key), 20));
  });

  it("gives different streams when any part of the key differs", () => {
    const base = draw(rngFor({ seed: 1, epoch: 0, stream: "s" }), 8);
    const variants = [
      { seed: 2, epoch: 0, stream: "s" },
      { seed: "1", epoch: 0, stream: "s" },
      { seed: 1, epoch: 1, stream: "s" },
      { seed: 1, epoch: 0, stream: "t" },
      { seed: 1, epoch: 0, stream: "s", rank: 0 },
      { seed: 1, epoch: 0, stream: "s", worker: 0 },
      { seed: 1, epoch: 0, stream: "s", rank: 1, worker: 0 },
    ];
    const streams = variants.map((k) => draw(rngFor(k), 8).join());
    for (const s of streams) expect(s).not.toBe(base.join());
    expect(new Set(streams).size).toBe(streams.length);
  });

  it("keeps string and number seeds apart in the canonical key", () => {
    expect(streamSeed({ seed: "1", epoch: 0, stream: "s" })).not.toBe(
      streamSeed({ seed: 1, epoch: 0, stream: "s" }),
    );
  });

  it("rejects bad seeds, epochs, ranks and workers with InvalidArgumentError", () => {
    for (const key of [
      { seed: 1.5, epoch: 0, stream: "s" },
      { seed: Number.NaN, epoch: 0, stream: "s" },
      { seed: 1, epoch: -1, stream: "s" },
      { seed: 1, epoch: 0.5, stream: "s" },
      { seed: 1, epoch: 0, stream: "s", rank: -2 },
      { seed: 1, epoch: 0, stream: "s", worker: 1.2 },
    ]) {
      expect(() => rngFor(key)).toThrow(InvalidArgumentError);
    }
    expect(() => rngFor({ seed: {} as unknown as number, epoch: 0, stream: "s" })).toThrow(/seed must be/);
  });
});

describe("Rng", () => {
  it("is seedrandom's xor4096 seeded with the canonical key text (pins the algorithm)", () => {
    // Changing the generator or the key text would silently change every user's epoch orders.
    const key = { seed: 42, epoch: 7, stream: "random", rank: 1 };
    const reference = seedrandom.xor4096(streamSeed(key));
    const ours = rngFor(key);
    const mismatches: number[] = [];
    // 1000 outputs wrap the 128-word state several times.
    for (let i = 0; i < 1000; i++) if (ours.uint32() !== reference.int32() >>> 0) mismatches.push(i);
    expect(mismatches).toEqual([]);
  });

  it("float() stays in [0, 1) and float() mean is about 1/2", () => {
    const rng = rngFor({ seed: 0, epoch: 0, stream: "float" });
    let sum = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < 100_000; i++) {
      const f = rng.float();
      min = Math.min(min, f);
      max = Math.max(max, f);
      sum += f;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    // Standard error of the mean is 1/sqrt(12·1e5) ≈ 0.0009; allow 5 of them.
    expect(Math.abs(sum / 100_000 - 0.5)).toBeLessThan(0.0046);
  });

  it("int(n) is uniform over 0..n-1 (chi-square, n = 10 and n = 3)", () => {
    const rng = rngFor({ seed: 5, epoch: 0, stream: "int" });
    for (const n of [10, 3]) {
      const counts = histogram(
        Array.from({ length: 60_000 }, () => rng.int(n)),
        n,
      );
      expect(chiSquare(counts, new Array(n).fill(1 / n))).toBeLessThan(CHI2_999[n - 1]!);
    }
  });

  it("int(n) has no modulo bias for n close to 2^32", () => {
    // With n = 3·2^30, a plain `uint32 % n` would give the low third of values twice the mass.
    const n = 3 * 2 ** 30;
    const rng = rngFor({ seed: 9, epoch: 0, stream: "bias" });
    const thirds = new Float64Array(3);
    for (let i = 0; i < 30_000; i++) thirds[Math.floor((rng.int(n) / n) * 3)]!++;
    expect(chiSquare(thirds, [1 / 3, 1 / 3, 1 / 3])).toBeLessThan(CHI2_999[2]!);
  });

  it("int(n) works above 2^32 and stays in range", () => {
    const rng = rngFor({ seed: 9, epoch: 0, stream: "big" });
    const n = 2 ** 40 + 7;
    let high = 0;
    let bad = 0;
    for (let i = 0; i < 10_000; i++) {
      const v = rng.int(n);
      if (!(Number.isInteger(v) && v >= 0 && v < n)) bad++;
      if (v >= 2 ** 39) high++;
    }
    expect(bad).toBe(0);
    expect(Math.abs(high - 5_000)).toBeLessThan(300);
  });

  it("shuffle() permutes every typed array kind and respects start/end", () => {
    const rng = rngFor({ seed: 3, epoch: 0, stream: "shuffle" });
    for (const make of [Int32Array, Uint32Array, Float64Array]) {
      const a = make.from(Array.from({ length: 1000 }, (_, i) => i));
      rng.shuffle(a);
      expect(isPermutation(a, 1000)).toBe(true);
      expect(Array.from(a)).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
    }
    const part = Int32Array.from({ length: 20 }, (_, i) => i);
    rng.shuffle(part, 5, 15);
    expect(Array.from(part.subarray(0, 5))).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(part.subarray(15))).toEqual([15, 16, 17, 18, 19]);
    expect(Array.from(part.subarray(5, 15)).sort((x, y) => x - y)).toEqual([
      5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    ]);
  });

  it("shuffle() makes all 24 orders of 4 items equally likely (chi-square)", () => {
    const rng = rngFor({ seed: 4, epoch: 0, stream: "perm" });
    const counts = new Map<string, number>();
    const a = Int32Array.of(0, 1, 2, 3);
    for (let i = 0; i < 48_000; i++) {
      rng.shuffle(a);
      const k = a.join("");
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect(counts.size).toBe(24);
    expect(chiSquare([...counts.values()], new Array(24).fill(1 / 24))).toBeLessThan(CHI2_999[23]!);
  });
});
