/**
 * Seeded random streams. Every random choice a sampler makes comes from a stream named by
 * (seed, epoch, stream, rank, worker), so an epoch's order depends only on the seed and the epoch,
 * never on how many workers run or on timing.
 */
import seedrandom from "seedrandom";
import { InvalidArgumentError } from "../errors.js";
import type { Seed } from "./types.js";
import { checkNonNegativeInt, checkSeed } from "./validate.js";

/** Names one independent random stream. */
export interface RngKey {
  /** The user's seed (same on every rank and worker). */
  seed: Seed;
  /** The epoch (a non-negative integer). */
  epoch: number;
  /** What the stream is for, e.g. `"random"`, `"blocks"`; different names give unrelated streams. */
  stream: string;
  /** Distributed rank; leave unset for streams every rank must share (sampling order). */
  rank?: number;
  /** Loader worker id; leave unset for streams every worker must share. */
  worker?: number;
}

const TWO_21 = 2097152;
const TWO_31 = 2147483648;
const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;

/**
 * A seeded generator with the helpers samplers need. It continues seedrandom's xor4096 (Brent's
 * xorgens: 4096-bit state, long period, passes BigCrush): seedrandom turns the seed text into the
 * state, and the class steps that state itself. Stepping in one class method keeps the hot loops
 * monomorphic; calling each generator's own closure deoptimised them whenever a new epoch made a
 * new generator. The output equals seedrandom's `xor4096(seed).int32()` stream (a test pins it).
 *
 * ```ts
 * const rng = rngFor({ seed: 42, epoch: 0, stream: "augment", worker: 1 });
 * const p = rng.float();            // [0, 1)
 * const k = rng.int(10);            // 0..9, unbiased
 * rng.shuffle(Int32Array.of(1, 2, 3));
 * ```
 */
export class Rng {
  readonly #x: Int32Array;
  #i: number;
  #w: number;

  /** Starts from a seeded xor4096 state (`seedrandom.xor4096(seed, { state: true }).state()`); prefer {@link rngFor}. */
  constructor(state: seedrandom.State.Xor4096) {
    if (state.X.length !== 128) throw new InvalidArgumentError("xor4096 state must have 128 words");
    this.#x = Int32Array.from(state.X);
    this.#i = state.i;
    this.#w = state.w;
  }

  /** One xorgens step: a 128-word xorshift recurrence plus a Weyl sequence; a signed 32-bit result. */
  #next(): number {
    const x = this.#x;
    const w = (this.#w + 0x61c88647) | 0;
    this.#w = w;
    let v = x[(this.#i + 34) & 127]!;
    const i = (this.#i + 1) & 127;
    let t = x[i]!;
    v ^= v << 13;
    t ^= t << 17;
    v ^= v >>> 15;
    t ^= t >>> 12;
    v ^= t;
    x[i] = v;
    this.#i = i;
    return (v + (w ^ (w >>> 16))) | 0;
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    return this.#next() >>> 0;
  }

  /** A uniform float in [0, 1) with 53 random bits. */
  float(): number {
    const hi = this.#next() >>> 5; // 27 bits
    const lo = this.#next() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / TWO_53;
  }

  /** A uniform float in (0, 1]: safe to pass to `Math.log`. */
  floatOpenZero(): number {
    return 1 - this.float();
  }

  /**
   * A uniform integer in [0, n) without modulo bias, for any integer 1 <= n <= 2^53. Draws that
   * fall in the incomplete last block of size n are rejected and redrawn.
   *
   * ```ts
   * rngFor({ seed: 1, epoch: 0, stream: "x" }).int(6); // a fair die, 0..5
   * ```
   */
  int(n: number): number {
    if (n <= TWO_21) {
      // Lemire's multiply-shift: r·n < 2^53 is exact, and the slow threshold is rarely needed.
      for (;;) {
        const m = (this.#next() >>> 0) * n;
        const hi = Math.floor(m / TWO_32);
        const lo = m - hi * TWO_32;
        if (lo >= n || lo >= (TWO_32 - n) % n) return hi;
      }
    }
    if (n <= TWO_31) {
      // 31-bit draws keep the remainder in small-integer arithmetic.
      for (;;) {
        const r = this.#next() >>> 1;
        const v = r % n;
        if (r - v <= TWO_31 - n) return v;
      }
    }
    if (n <= TWO_32) {
      for (;;) {
        const r = this.#next() >>> 0;
        const v = r % n;
        if (r - v <= TWO_32 - n) return v;
      }
    }
    for (;;) {
      const r = (this.#next() >>> 11) * TWO_32 + (this.#next() >>> 0);
      const v = r % n;
      if (r - v <= TWO_53 - n) return v;
    }
  }

  /**
   * Fisher–Yates shuffle of `array[start, end)` in place; returns `array`.
   *
   * ```ts
   * const order = rngFor({ seed: 7, epoch: 3, stream: "demo" }).shuffle(Int32Array.from([0, 1, 2, 3]));
   * ```
   */
  shuffle<T extends Int32Array | Uint32Array | Float64Array | number[]>(
    array: T,
    start = 0,
    end: number = array.length,
  ): T {
    for (let i = end - 1; i > start; i--) {
      const j = start + this.int(i - start + 1);
      const t = array[i]!;
      array[i] = array[j]!;
      array[j] = t;
    }
    return array;
  }
}

/**
 * The canonical text of a stream key; equal keys give equal streams.
 *
 * ```ts
 * streamSeed({ seed: 1, epoch: 0, stream: "random" }); // 'cellfeed/v1 [1,0,"random",null,null]'
 * ```
 */
export function streamSeed(key: RngKey): string {
  const seed = checkSeed(key.seed);
  checkNonNegativeInt(key.epoch, "epoch");
  if (key.rank !== undefined) checkNonNegativeInt(key.rank, "rank");
  if (key.worker !== undefined) checkNonNegativeInt(key.worker, "worker");
  // JSON keeps the parts unambiguous (a string seed "1" differs from the number 1).
  return `cellfeed/v1 ${JSON.stringify([seed, key.epoch, key.stream, key.rank ?? null, key.worker ?? null])}`;
}

/**
 * A fresh generator for one stream. Calling it twice with the same key gives two generators that
 * produce the same numbers, so nothing depends on call history.
 *
 * ```ts
 * const a = rngFor({ seed: 0, epoch: 2, stream: "random" }).uint32();
 * const b = rngFor({ seed: 0, epoch: 2, stream: "random" }).uint32();
 * // a === b
 * ```
 */
export function rngFor(key: RngKey): Rng {
  return new Rng(seedrandom.xor4096(streamSeed(key), { state: true }).state());
}
