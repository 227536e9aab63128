/** Groups a sampler's epoch order into batches. */
import { InvalidArgumentError } from "../errors.js";
import type { IndexArray, Sampler } from "./types.js";
import { checkPositiveInt } from "./validate.js";

/**
 * Cuts a sampler's epoch order into consecutive batches of `batchSize` (the last one shorter
 * unless `dropLast`).
 *
 * ```ts
 * const b = new BatchSampler(new SequentialSampler(10), 4);
 * b.length;    // 3
 * b.batches(); // [Int32Array [0,1,2,3], Int32Array [4,5,6,7], Int32Array [8,9]]
 * ```
 */
export class BatchSampler {
  readonly sampler: Sampler;
  readonly batchSize: number;
  readonly dropLast: boolean;

  constructor(sampler: Sampler, batchSize: number, dropLast = false) {
    if (sampler === null || typeof sampler !== "object" || typeof sampler.indices !== "function") {
      throw new InvalidArgumentError("BatchSampler needs a Sampler");
    }
    this.sampler = sampler;
    this.batchSize = checkPositiveInt(batchSize, "batchSize");
    this.dropLast = dropLast;
  }

  /** Number of batches per epoch. */
  get length(): number {
    const n = this.sampler.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The sampler's current epoch. */
  get epoch(): number {
    return this.sampler.epoch;
  }

  /** Selects the epoch (forwarded to the sampler). */
  setEpoch(epoch: number): void {
    this.sampler.setEpoch(epoch);
  }

  /**
   * The current epoch's batches. Each batch is its own copy (not a view of a shared buffer), so it
   * can be transferred to a worker on its own.
   */
  batches(): IndexArray[] {
    const order = this.sampler.indices();
    const out: IndexArray[] = [];
    for (let b = 0, count = this.length; b < count; b++) {
      out.push(order.slice(b * this.batchSize, (b + 1) * this.batchSize));
    }
    return out;
  }

  *[Symbol.iterator](): Iterator<IndexArray> {
    yield* this.batches();
  }
}

/**
 * Sets the epoch and returns its batches in one call.
 *
 * ```ts
 * for (let epoch = 0; epoch < 3; epoch++) {
 *   for (const batch of epochBatches(new BatchSampler(new RandomSampler(100, { seed: 1 }), 32), epoch)) { ... }
 * }
 * ```
 */
export function epochBatches(batchSampler: BatchSampler, epoch: number): IndexArray[] {
  batchSampler.setEpoch(epoch);
  return batchSampler.batches();
}
