import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/errors.js";
import { BlockShuffleSampler } from "../../src/sampling/block-shuffle.js";
import { isPermutation } from "./stats.js";

/** Distinct blocks touched by `rows`. */
function blocksTouched(s: BlockShuffleSampler, rows: ArrayLike<number>): number {
  const blocks = new Set<number>();
  for (let i = 0; i < rows.length; i++) blocks.add(s.blockOf(rows[i]!));
  return blocks.size;
}

describe("BlockShuffleSampler", () => {
  it("yields every index exactly once per epoch and changes with the epoch", () => {
    const s = new BlockShuffleSampler(10_007, { blockSize: 64, bufferSize: 4, seed: 1 });
    const e0 = s.indices();
    expect(isPermutation(e0, 10_007)).toBe(true);
    s.setEpoch(1);
    const e1 = s.indices();
    expect(isPermutation(e1, 10_007)).toBe(true);
    expect(e1).not.toEqual(e0);
    s.setEpoch(0);
    expect(s.indices()).toEqual(e0);
  });

  it("each pool touches at most bufferSize blocks and holds at most blockSize·bufferSize rows", () => {
    const s = new BlockShuffleSampler(10_007, { blockSize: 64, bufferSize: 4, seed: 2 });
    const order = s.indices();
    const offsets = s.poolOffsets();
    expect(offsets[0]).toBe(0);
    expect(offsets[offsets.length - 1]).toBe(10_007);
    expect(offsets.length - 1).toBe(Math.ceil(s.numBlocks / 4));
    for (let p = 0; p + 1 < offsets.length; p++) {
      const pool = order.subarray(offsets[p]!, offsets[p + 1]!);
      expect(pool.length).toBeLessThanOrEqual(256);
      expect(blocksTouched(s, pool)).toBeLessThanOrEqual(4);
    }
  });

  it("when blockSize divides n, every aligned batch dividing blockSize·bufferSize touches ≤ bufferSize blocks", () => {
    const s = new BlockShuffleSampler(64 * 100, { blockSize: 64, bufferSize: 4, seed: 3 });
    for (const epoch of [0, 1, 2]) {
      s.setEpoch(epoch);
      const order = s.indices();
      for (const batch of [256, 128, 32]) {
        for (let start = 0; start < order.length; start += batch) {
          expect(blocksTouched(s, order.subarray(start, start + batch))).toBeLessThanOrEqual(4);
        }
      }
    }
  });

  it("still mixes: pools are shuffled within and the block order is not sequential", () => {
    const s = new BlockShuffleSampler(4096, { blockSize: 16, bufferSize: 8, seed: 4 });
    const order = Array.from(s.indices());
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
    // Within a pool rows of different blocks are interleaved: far fewer runs of +1 steps than rows.
    let steps = 0;
    for (let i = 1; i < order.length; i++) if (order[i] === order[i - 1]! + 1) steps++;
    expect(steps).toBeLessThan(order.length / 10);
  });

  it("never lets a block straddle a boundary", () => {
    const boundaries = [0, 100, 130, 130, 400, 1000];
    const s = new BlockShuffleSampler(1000, { blockSize: 64, bufferSize: 2, seed: 5, boundaries });
    // Segments 0-100 (2 blocks), 100-130 (1), 130-400 (5), 400-1000 (10).
    expect(s.numBlocks).toBe(18);
    for (const b of [100, 130, 400]) expect(s.blockOf(b - 1)).not.toBe(s.blockOf(b));
    expect(s.blockOf(99)).toBe(s.blockOf(64));
    const order = s.indices();
    expect(isPermutation(order, 1000)).toBe(true);
    const offsets = s.poolOffsets();
    for (let p = 0; p + 1 < offsets.length; p++) {
      expect(blocksTouched(s, order.subarray(offsets[p]!, offsets[p + 1]!))).toBeLessThanOrEqual(2);
    }
  });

  it("with shuffle: false yields 0..n-1", () => {
    const s = new BlockShuffleSampler(300, { blockSize: 7, bufferSize: 3, shuffle: false });
    expect(Array.from(s.indices())).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(Array.from(s.poolOffsets())).toEqual([0, 300]);
  });

  it("handles n = 0 and a single short block", () => {
    expect(new BlockShuffleSampler(0, { blockSize: 8 }).indices().length).toBe(0);
    expect(isPermutation(new BlockShuffleSampler(5, { blockSize: 8, bufferSize: 3 }).indices(), 5)).toBe(
      true,
    );
  });

  it("rejects bad options with InvalidArgumentError naming them", () => {
    expect(() => new BlockShuffleSampler(10, { blockSize: 0 })).toThrow(
      /blockSize must be a positive integer/,
    );
    expect(() => new BlockShuffleSampler(10, { blockSize: 2, bufferSize: 1.5 })).toThrow(/bufferSize/);
    expect(() => new BlockShuffleSampler(10, { blockSize: 2, boundaries: [5, 3] })).toThrow(
      /boundaries\[1\]=3 is below the previous 5/,
    );
    expect(() => new BlockShuffleSampler(10, { blockSize: 2, boundaries: [11] })).toThrow(/boundaries\[0\]/);
    expect(() => new BlockShuffleSampler(10, undefined as never)).toThrow(InvalidArgumentError);
    expect(() => new BlockShuffleSampler(10, { blockSize: 2 }).blockOf(10)).toThrow(/row must be/);
  });
});
