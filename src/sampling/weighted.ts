/** Weighted random sampling, with replacement (alias table) or without (exponential keys). */
import { InvalidArgumentError } from "../errors.js";
import { AliasTable } from "./alias.js";
import { rngFor } from "./rng.js";
import { sortSmallest } from "./select.js";
import { allocIndices, EpochSampler, type IndexArray, type Seed } from "./types.js";
import { checkNonNegativeInt, checkSeed } from "./validate.js";
import { checkWeights, countPositive } from "./weights.js";

export interface WeightedRandomSamplerOptions {
  /** Draw with replacement (default true, like torch). */
  replacement?: boolean;
  /** Seed shared by every rank and worker (default 0). */
  seed?: Seed;
}

/**
 * Draws `numSamples` indices with probability proportional to `weights[i]`.
 *
 * With replacement each draw is O(1) from a Walker/Vose alias table built once. Without
 * replacement it is Efraimidis–Spirakis sampling: every positive-weight index gets the key
 * `E_i / w_i` (E exponential), and the `numSamples` smallest keys, in order, are the sample; that
 * is a weighted random permutation truncated to `numSamples`. Zero weights are never drawn.
 *
 * ```ts
 * const s = new WeightedRandomSampler([0.1, 0.1, 0.8], 1000, { seed: 3 });
 * s.indices(); // about 80% twos
 * new WeightedRandomSampler([1, 5, 0, 2], 3, { replacement: false, seed: 3 }).indices(); // 0, 1, 3 in some order
 * ```
 */
export class WeightedRandomSampler extends EpochSampler {
  readonly length: number;
  readonly replacement: boolean;
  readonly seed: Seed;
  readonly #weights: Float64Array;
  #table: AliasTable | undefined;
  #positive: { ids: IndexArray; logWeights: Float64Array } | undefined;

  constructor(weights: ArrayLike<number>, numSamples: number, options: WeightedRandomSamplerOptions = {}) {
    super();
    this.#weights = checkWeights(weights);
    this.length = checkNonNegativeInt(numSamples, "numSamples");
    this.replacement = options.replacement ?? true;
    this.seed = checkSeed(options.seed ?? 0);
    if (!this.replacement) {
      const positive = countPositive(this.#weights);
      if (this.length > positive) {
        throw new InvalidArgumentError(
          `numSamples=${this.length} exceeds the ${positive} positive weights; sampling without replacement cannot draw more`,
        );
      }
    }
  }

  /** Number of weights (the index range is `0..size-1`). */
  get size(): number {
    return this.#weights.length;
  }

  indices(): IndexArray {
    const rng = rngFor({ seed: this.seed, epoch: this.epoch, stream: "weighted" });
    const n = this.#weights.length;
    const out = allocIndices(this.length, n);
    if (this.replacement) {
      this.#table ??= new AliasTable(this.#weights);
      this.#table.fill(out, rng);
      return out;
    }
    // Keys in log space, log(E) - log(w), so tiny weights cannot overflow to Infinity.
    this.#positive ??= positiveWeights(this.#weights);
    const { ids, logWeights } = this.#positive;
    const keys = new Float64Array(logWeights.length);
    for (let m = 0; m < keys.length; m++) {
      keys[m] = Math.log(-Math.log(rng.floatOpenZero())) - logWeights[m]!;
    }
    const order = ids.slice();
    sortSmallest(keys, order, this.length);
    out.set(order.subarray(0, this.length));
    return out;
  }
}

/** The indices of the positive weights and their logarithms. */
function positiveWeights(weights: Float64Array): { ids: IndexArray; logWeights: Float64Array } {
  const count = countPositive(weights);
  const ids = allocIndices(count, weights.length);
  const logWeights = new Float64Array(count);
  for (let i = 0, m = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (w > 0) {
      ids[m] = i;
      logWeights[m++] = Math.log(w);
    }
  }
  return { ids, logWeights };
}
