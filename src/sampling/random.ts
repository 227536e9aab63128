/** Uniform random order (a permutation) or uniform draws with replacement. */
import { InvalidArgumentError } from "../errors.js";
import { rngFor } from "./rng.js";
import { allocIndices, EpochSampler, type IndexArray, iota, type Seed } from "./types.js";
import { checkNonNegativeInt, checkSeed } from "./validate.js";

export interface RandomSamplerOptions {
  /** Draw with replacement (default false: a permutation). */
  replacement?: boolean;
  /**
   * Indices per epoch (default `n`). Without replacement a value above `n` chains whole
   * permutations and ends with a partial one, as torch's RandomSampler does.
   */
  numSamples?: number;
  /** Seed shared by every rank and worker (default 0). */
  seed?: Seed;
}

/**
 * Random order over `0..n-1`, reproducible for (seed, epoch).
 *
 * ```ts
 * const s = new RandomSampler(10, { seed: 42 });
 * s.setEpoch(1);
 * s.indices(); // a permutation of 0..9, the same on every run for seed 42, epoch 1
 * new RandomSampler(10, { replacement: true, numSamples: 100, seed: 42 }).indices(); // 100 draws
 * ```
 */
export class RandomSampler extends EpochSampler {
  readonly length: number;
  readonly n: number;
  readonly replacement: boolean;
  readonly seed: Seed;

  constructor(n: number, options: RandomSamplerOptions = {}) {
    super();
    this.n = checkNonNegativeInt(n, "n");
    this.replacement = options.replacement ?? false;
    this.seed = checkSeed(options.seed ?? 0);
    this.length = checkNonNegativeInt(options.numSamples ?? n, "numSamples");
    if (this.length > 0 && this.n === 0) {
      throw new InvalidArgumentError(`cannot draw numSamples=${this.length} from an empty range (n=0)`);
    }
  }

  indices(): IndexArray {
    const { n, length } = this;
    const rng = rngFor({ seed: this.seed, epoch: this.epoch, stream: "random" });
    const out = allocIndices(length, n);
    if (this.replacement) {
      for (let i = 0; i < length; i++) out[i] = rng.int(n);
      return out;
    }
    // Forward Fisher–Yates: after step i, perm[0..i] is a uniform random prefix. Reusing `perm`
    // for the next round is fine: shuffling any permutation gives a uniform one.
    const perm = iota(n);
    for (let done = 0; done < length; ) {
      const take = Math.min(n, length - done);
      for (let i = 0; i < take; i++) {
        const j = i + rng.int(n - i);
        const picked = perm[j]!;
        perm[j] = perm[i]!;
        perm[i] = picked;
        out[done + i] = picked;
      }
      done += take;
    }
    return out;
  }
}
