/** Splits an epoch's order across distributed ranks (torch DistributedSampler semantics). */
import { InvalidArgumentError } from "../errors.js";
import { rngFor } from "./rng.js";
import { allocIndices, EpochSampler, type IndexArray, iota, type Sampler, type Seed } from "./types.js";
import { checkNonNegativeInt, checkPositiveInt, checkSeed } from "./validate.js";

export interface DistributedSamplerOptions {
  /** This process's rank, `0 <= rank < worldSize`. */
  rank: number;
  /** Number of ranks. */
  worldSize: number;
  /**
   * Shuffle the order each epoch. Default true over `n`; default false over a base sampler, whose
   * own order (e.g. a block shuffle's locality) is kept.
   */
  shuffle?: boolean;
  /** Seed; must be the same on every rank (default 0). */
  seed?: Seed;
  /** Drop the tail so the length divides evenly instead of padding by repeating from the start. */
  dropLast?: boolean;
}

/**
 * This rank's share of an epoch. The full order (0..n-1, or a base sampler's `indices()`, shuffled
 * for the epoch when `shuffle`) is padded by repeating from its start up to a multiple of
 * `worldSize` (or truncated to one when `dropLast`), then rank `r` takes positions
 * `r, r + worldSize, r + 2·worldSize, ...`. Every rank gets the same count, and the ranks together
 * cover the (padded) order exactly once. All ranks must use the same seed and epoch.
 *
 * ```ts
 * const s = new DistributedSampler(10, { rank: 1, worldSize: 4, seed: 0 });
 * s.setEpoch(2);
 * s.length;    // 3 (10 padded to 12)
 * s.indices(); // rank 1's 3 indices for epoch 2
 * // Over a base sampler: the weighted draws for the epoch, dealt out across ranks.
 * new DistributedSampler(new WeightedRandomSampler([1, 2, 3], 1000, { seed: 0 }), { rank: 0, worldSize: 2 });
 * ```
 */
export class DistributedSampler extends EpochSampler {
  readonly length: number;
  readonly rank: number;
  readonly worldSize: number;
  readonly shuffle: boolean;
  readonly seed: Seed;
  readonly dropLast: boolean;
  /** Length of the full order before padding or dropping. */
  readonly totalLength: number;
  readonly #base: Sampler | undefined;

  constructor(base: Sampler | number, options: DistributedSamplerOptions) {
    super();
    if (options === null || typeof options !== "object") {
      throw new InvalidArgumentError("DistributedSampler needs options { rank, worldSize }");
    }
    this.worldSize = checkPositiveInt(options.worldSize, "worldSize");
    this.rank = checkNonNegativeInt(options.rank, "rank");
    if (this.rank >= this.worldSize) {
      throw new InvalidArgumentError(`rank must be < worldSize (${this.worldSize}), got ${this.rank}`);
    }
    this.seed = checkSeed(options.seed ?? 0);
    this.dropLast = options.dropLast ?? false;
    if (typeof base === "number") {
      this.totalLength = checkNonNegativeInt(base, "n");
      this.shuffle = options.shuffle ?? true;
    } else {
      if (base === null || typeof base !== "object" || typeof base.indices !== "function") {
        throw new InvalidArgumentError("DistributedSampler base must be a Sampler or a row count");
      }
      this.#base = base;
      this.totalLength = base.length;
      this.shuffle = options.shuffle ?? false;
    }
    const w = this.worldSize;
    this.length = this.dropLast ? Math.floor(this.totalLength / w) : Math.ceil(this.totalLength / w);
  }

  override setEpoch(epoch: number): void {
    super.setEpoch(epoch);
    this.#base?.setEpoch(epoch);
  }

  indices(): IndexArray {
    const { length, rank, worldSize } = this;
    if (!this.#base && !this.shuffle) {
      // The order is 0..n-1: compute this rank's share without materialising it.
      const out = allocIndices(length, this.totalLength);
      for (let k = 0; k < length; k++) out[k] = (rank + k * worldSize) % this.totalLength;
      return out;
    }
    let order: IndexArray;
    if (this.#base) {
      // The base may be shared with other code; pin it to our epoch before asking.
      this.#base.setEpoch(this.epoch);
      order = this.#base.indices();
      if (order.length !== this.totalLength) {
        throw new InvalidArgumentError(
          `base sampler returned ${order.length} indices but its length is ${this.totalLength}`,
        );
      }
    } else {
      order = iota(this.totalLength);
    }
    if (this.shuffle) rngFor({ seed: this.seed, epoch: this.epoch, stream: "distributed" }).shuffle(order);
    const out = allocIndices(length, order instanceof Float64Array ? Number.MAX_SAFE_INTEGER : 1);
    const total = order.length;
    for (let k = 0; k < length; k++) {
      // Position in the padded order; padding repeats the order from its start (cyclically when
      // there are fewer indices than ranks).
      out[k] = order[(rank + k * worldSize) % total]!;
    }
    return out;
  }
}
