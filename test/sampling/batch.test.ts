import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/errors.js";
import { BatchSampler, epochBatches } from "../../src/sampling/batch.js";
import { RandomSampler } from "../../src/sampling/random.js";
import { SequentialSampler } from "../../src/sampling/sequential.js";
import type { Sampler } from "../../src/sampling/types.js";

describe("BatchSampler", () => {
  it("cuts the order into batches, keeping or dropping the short last one", () => {
    const keep = new BatchSampler(new SequentialSampler(10), 4);
    expect(keep.length).toBe(3);
    expect(keep.batches().map((b) => Array.from(b))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    const drop = new BatchSampler(new SequentialSampler(10), 4, true);
    expect(drop.length).toBe(2);
    expect([...drop].map((b) => Array.from(b))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    expect(new BatchSampler(new SequentialSampler(0), 4).batches()).toEqual([]);
  });

  it("gives each batch its own buffer so it can be transferred alone", () => {
    const batches = new BatchSampler(new SequentialSampler(10), 4).batches();
    expect(batches[0]!.buffer).not.toBe(batches[1]!.buffer);
    expect(batches[0]!.buffer.byteLength).toBe(16);
  });

  it("concatenated batches equal the sampler's epoch order; setEpoch / epochBatches follow the epoch", () => {
    const sampler = new RandomSampler(103, { seed: 6 });
    const b = new BatchSampler(sampler, 10);
    const e2 = epochBatches(b, 2);
    expect(b.epoch).toBe(2);
    expect(sampler.epoch).toBe(2);
    expect(e2.flatMap((x) => Array.from(x))).toEqual(Array.from(sampler.indices()));
    b.setEpoch(3);
    expect(b.batches()).not.toEqual(e2);
    expect(epochBatches(b, 2)).toEqual(e2);
  });

  it("rejects batchSize < 1 and non-samplers", () => {
    expect(() => new BatchSampler(new SequentialSampler(3), 0)).toThrow(
      /batchSize must be a positive integer, got 0/,
    );
    expect(() => new BatchSampler(new SequentialSampler(3), 2.5)).toThrow(InvalidArgumentError);
    expect(() => new BatchSampler(null as unknown as Sampler, 2)).toThrow(/needs a Sampler/);
  });
});
