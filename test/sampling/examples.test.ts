/** The examples in the TSDoc comments, checked so the docs stay true. */
import { describe, expect, it } from "vitest";
import {
  AliasTable,
  BatchSampler,
  BlockShuffleSampler,
  checkWeights,
  DistributedSampler,
  EpochSampler,
  iota,
  RandomSampler,
  rngFor,
  SequentialSampler,
  streamSeed,
  WeightedRandomSampler,
} from "../../src/sampling/index.js";

describe("doc examples", () => {
  it("samplers", () => {
    expect(new SequentialSampler(4).indices()).toEqual(Int32Array.of(0, 1, 2, 3));
    expect(iota(4)).toEqual(Int32Array.of(0, 1, 2, 3));
    const b = new BatchSampler(new SequentialSampler(10), 4);
    expect(b.length).toBe(3);
    expect(b.batches()).toEqual([Int32Array.of(0, 1, 2, 3), Int32Array.of(4, 5, 6, 7), Int32Array.of(8, 9)]);
    const d = new DistributedSampler(10, { rank: 1, worldSize: 4, seed: 0 });
    d.setEpoch(2);
    expect(d.length).toBe(3);
    expect(d.indices().length).toBe(3);
    expect(new RandomSampler(10, { replacement: true, numSamples: 100, seed: 42 }).indices().length).toBe(
      100,
    );
    const w = Array.from(
      new WeightedRandomSampler([1, 5, 0, 2], 3, { replacement: false, seed: 3 }).indices(),
    );
    expect(w.sort()).toEqual([0, 1, 3]);
    const offsets = new BlockShuffleSampler(10, { blockSize: 4, bufferSize: 2 }).poolOffsets();
    expect([6, 8]).toContain(offsets[1]);
    expect(offsets[2]).toBe(10);
  });

  it("helpers", () => {
    expect(streamSeed({ seed: 1, epoch: 0, stream: "random" })).toBe('cellfeed/v1 [1,0,"random",null,null]');
    expect(checkWeights([1, 2, 0])).toEqual(Float64Array.of(1, 2, 0));
    expect(() => checkWeights([1, Number.NaN])).toThrow("weights[1] must be a finite number ≥ 0, got NaN");
    const table = new AliasTable(Float64Array.of(1, 0, 3));
    const rng = rngFor({ seed: 0, epoch: 0, stream: "demo" });
    for (let i = 0; i < 100; i++) expect([0, 2]).toContain(table.draw(rng));
    class EvenRows extends EpochSampler {
      constructor(readonly length: number) {
        super();
      }
      indices() {
        return Int32Array.from({ length: this.length }, (_, i) => 2 * i);
      }
    }
    expect([...new EvenRows(3)]).toEqual([0, 2, 4]);
  });
});
