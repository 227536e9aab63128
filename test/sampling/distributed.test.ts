import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/errors.js";
import { DistributedSampler } from "../../src/sampling/distributed.js";
import { SequentialSampler } from "../../src/sampling/sequential.js";
import type { Sampler } from "../../src/sampling/types.js";

function allRanks(make: (rank: number) => Sampler, worldSize: number, epoch = 0): Int32Array[] {
  return Array.from({ length: worldSize }, (_, rank) => {
    const s = make(rank);
    s.setEpoch(epoch);
    return s.indices() as Int32Array;
  });
}

/** Interleaves per-rank outputs back into the padded global order (position p = rank + k·W). */
function interleave(parts: Int32Array[]): number[] {
  const out: number[] = [];
  for (let k = 0; k < (parts[0]?.length ?? 0); k++) for (const p of parts) out.push(p[k]!);
  return out;
}

describe("DistributedSampler (torch semantics)", () => {
  it("without shuffle, pads by repeating from the start and strides by worldSize", () => {
    // torch: indices = list(range(10)) + [0, 1]; rank r takes indices[r::4].
    const parts = allRanks((rank) => new DistributedSampler(10, { rank, worldSize: 4, shuffle: false }), 4);
    expect(parts.map((p) => Array.from(p))).toEqual([
      [0, 4, 8],
      [1, 5, 9],
      [2, 6, 0],
      [3, 7, 1],
    ]);
  });

  it("with dropLast, truncates to a multiple of worldSize", () => {
    const parts = allRanks(
      (rank) => new DistributedSampler(10, { rank, worldSize: 4, shuffle: false, dropLast: true }),
      4,
    );
    expect(parts.map((p) => Array.from(p))).toEqual([
      [0, 4],
      [1, 5],
      [2, 6],
      [3, 7],
    ]);
  });

  it("pads cyclically when there are fewer indices than ranks", () => {
    const parts = allRanks((rank) => new DistributedSampler(3, { rank, worldSize: 7, shuffle: false }), 7);
    expect(parts.map((p) => Array.from(p))).toEqual([[0], [1], [2], [0], [1], [2], [0]]);
  });

  it("shuffled: equal counts, ranks together cover every index once plus the padding from the start", () => {
    for (const [n, w] of [
      [1000, 8],
      [1003, 8],
      [5, 2],
    ] as const) {
      for (const epoch of [0, 1]) {
        const parts = allRanks(
          (rank) => new DistributedSampler(n, { rank, worldSize: w, seed: 3 }),
          w,
          epoch,
        );
        const per = Math.ceil(n / w);
        for (const p of parts) expect(p.length).toBe(per);
        const global = interleave(parts);
        expect(global.length).toBe(per * w);
        const head = global.slice(0, n);
        expect(new Set(head).size).toBe(n); // the epoch's order: every index once
        expect(global.slice(n)).toEqual(head.slice(0, per * w - n)); // padding repeats its start
      }
    }
  });

  it("shuffled with dropLast: equal counts and no index on two ranks", () => {
    const parts = allRanks(
      (rank) => new DistributedSampler(1003, { rank, worldSize: 8, seed: 1, dropLast: true }),
      8,
    );
    for (const p of parts) expect(p.length).toBe(125);
    expect(new Set(parts.flatMap((p) => Array.from(p))).size).toBe(1000);
  });

  it("setEpoch changes the shuffle; the same (seed, epoch) gives the same split", () => {
    const s = new DistributedSampler(100, { rank: 2, worldSize: 4, seed: 5 });
    s.setEpoch(1);
    const e1 = s.indices();
    s.setEpoch(2);
    const e2 = s.indices();
    expect(e2).not.toEqual(e1);
    const again = new DistributedSampler(100, { rank: 2, worldSize: 4, seed: 5 });
    again.setEpoch(1);
    expect(again.indices()).toEqual(e1);
    expect([...again]).toEqual(Array.from(e1));
  });

  it("keeps a base sampler's order by default and forwards setEpoch to it", () => {
    const base = new SequentialSampler(6);
    const s = new DistributedSampler(base, { rank: 1, worldSize: 2 });
    expect(s.shuffle).toBe(false);
    s.setEpoch(4);
    expect(base.epoch).toBe(4);
    expect(Array.from(s.indices())).toEqual([1, 3, 5]);
    // shuffle: true reshuffles the base order (still a valid split).
    const parts = allRanks(
      (rank) => new DistributedSampler(new SequentialSampler(6), { rank, worldSize: 2, shuffle: true }),
      2,
    );
    expect(new Set(interleave(parts)).size).toBe(6);
    expect(interleave(parts)).not.toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("rejects bad ranks, world sizes and bases", () => {
    expect(() => new DistributedSampler(10, { rank: 4, worldSize: 4 })).toThrow(
      /rank must be < worldSize \(4\), got 4/,
    );
    expect(() => new DistributedSampler(10, { rank: -1, worldSize: 4 })).toThrow(InvalidArgumentError);
    expect(() => new DistributedSampler(10, { rank: 0, worldSize: 0 })).toThrow(
      /worldSize must be a positive integer/,
    );
    expect(() => new DistributedSampler(10, { rank: 0.5, worldSize: 2 })).toThrow(InvalidArgumentError);
    expect(() => new DistributedSampler(-3, { rank: 0, worldSize: 2 })).toThrow(/n must be/);
    expect(() => new DistributedSampler({} as Sampler, { rank: 0, worldSize: 2 })).toThrow(
      /Sampler or a row count/,
    );
    expect(() => new DistributedSampler(10, undefined as never)).toThrow(InvalidArgumentError);
  });
});
