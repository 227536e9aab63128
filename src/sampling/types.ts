/** The sampler contract shared by every sampler, and the index arrays they return. */
import { checkNonNegativeInt } from "./validate.js";

/** A user seed: a safe integer or a string. */
export type Seed = number | string;

/**
 * Row indices for one epoch: an `Int32Array` when every index fits (< 2^31), otherwise a
 * `Float64Array` (exact up to 2^53).
 */
export type IndexArray = Int32Array | Float64Array;

/**
 * The largest index an Int32Array can hold; larger row counts use Float64Array.
 *
 * ```ts
 * const needsFloat64 = rows - 1 > MAX_INT32_INDEX;
 * ```
 */
export const MAX_INT32_INDEX = 0x7fffffff;

/**
 * An epoch-indexed order of row indices.
 *
 * ```ts
 * const s: Sampler = new RandomSampler(100, { seed: 1 });
 * s.setEpoch(3);
 * const order = s.indices(); // the whole epoch, deterministic for (seed, epoch)
 * for (const i of s) { ... } // same order, one index at a time
 * ```
 */
export interface Sampler {
  /** How many indices one epoch yields. */
  readonly length: number;
  /** The current epoch (0 until `setEpoch` is called). */
  readonly epoch: number;
  /** Selects the epoch whose order `indices()` returns. */
  setEpoch(epoch: number): void;
  /**
   * The current epoch's whole order as a fresh array the caller owns (may mutate or transfer it).
   * Depends only on the sampler's options and the epoch, never on earlier calls.
   */
  indices(): IndexArray;
  /** Iterates over `indices()`. */
  [Symbol.iterator](): Iterator<number>;
}

/**
 * An index array of `length` elements able to hold indices below `bound` (exclusive).
 *
 * ```ts
 * allocIndices(10, 1000);        // Int32Array(10)
 * allocIndices(10, 2 ** 32);     // Float64Array(10)
 * ```
 */
export function allocIndices(length: number, bound: number): IndexArray {
  return bound - 1 > MAX_INT32_INDEX ? new Float64Array(length) : new Int32Array(length);
}

/**
 * `[0, 1, ..., n-1]` in the smallest fitting array type.
 *
 * ```ts
 * iota(4); // Int32Array [0, 1, 2, 3]
 * ```
 */
export function iota(n: number): IndexArray {
  const out = allocIndices(n, n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/**
 * Shared epoch bookkeeping and iteration for samplers; subclasses supply `length` and `indices()`.
 *
 * ```ts
 * class EvenRows extends EpochSampler {
 *   constructor(readonly length: number) { super(); }
 *   indices() { return Int32Array.from({ length: this.length }, (_, i) => 2 * i); }
 * }
 * [...new EvenRows(3)]; // [0, 2, 4]
 * ```
 */
export abstract class EpochSampler implements Sampler {
  abstract readonly length: number;
  #epoch = 0;

  get epoch(): number {
    return this.#epoch;
  }

  setEpoch(epoch: number): void {
    this.#epoch = checkNonNegativeInt(epoch, "epoch");
  }

  abstract indices(): IndexArray;

  *[Symbol.iterator](): Iterator<number> {
    yield* this.indices();
  }
}
