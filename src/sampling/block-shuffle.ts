/** Locality-aware shuffle: shuffle contiguous blocks, then shuffle rows within pools of blocks. */
import { InvalidArgumentError } from "../errors.js";
import { rngFor } from "./rng.js";
import { allocIndices, EpochSampler, type IndexArray, iota, type Seed } from "./types.js";
import { checkNonNegativeInt, checkPositiveInt, checkSeed, describe } from "./validate.js";

export interface BlockShuffleSamplerOptions {
  /** Rows per block: contiguous rows that are read together. */
  blockSize: number;
  /** Blocks pooled and shuffled together (default 1). Larger pools mix better but read more at once. */
  bufferSize?: number;
  /** Seed shared by every rank and worker (default 0). */
  seed?: Seed;
  /** Shuffle at all (default true); false gives `0..n-1` in order. */
  shuffle?: boolean;
  /**
   * Row offsets no block may straddle, e.g. where each file starts in a collection. Sorted
   * integers in `[0, n]`; `0` and `n` may be included or left out.
   */
  boundaries?: ArrayLike<number>;
}

/**
 * The block shuffle of scDataset / tiledbsoma-ml. Rows `0..n-1` are cut into contiguous blocks of
 * `blockSize` (a block also ends at each boundary, so it never spans two files); the block order is
 * shuffled; then each run of `bufferSize` consecutive blocks forms a pool whose rows are shuffled
 * together. Every index appears exactly once per epoch, and each pool (at most
 * `blockSize·bufferSize` consecutive outputs, see `poolOffsets()`) touches at most `bufferSize`
 * blocks, so a batch inside a pool reads few contiguous ranges. When `n` is a multiple of
 * `blockSize` and there are no boundaries, pools are exactly `blockSize·bufferSize` long, so every
 * aligned batch whose size divides that touches at most `bufferSize` blocks.
 *
 * ```ts
 * const s = new BlockShuffleSampler(1_000_000, { blockSize: 64, bufferSize: 16, seed: 0 });
 * s.setEpoch(5);
 * const order = s.indices(); // a permutation; each 1024-row pool comes from 16 blocks of 64 rows
 * // Blocks never cross a file start at rows 300_000 and 700_000:
 * new BlockShuffleSampler(1_000_000, { blockSize: 64, bufferSize: 16, boundaries: [300_000, 700_000] });
 * ```
 */
export class BlockShuffleSampler extends EpochSampler {
  readonly length: number;
  readonly blockSize: number;
  readonly bufferSize: number;
  readonly seed: Seed;
  readonly shuffle: boolean;
  /** Start row of each block, ascending; block `b` is `[blockStarts[b], blockStarts[b + 1])`. */
  readonly #blockStarts: Float64Array;

  constructor(n: number, options: BlockShuffleSamplerOptions) {
    super();
    if (options === null || typeof options !== "object") {
      throw new InvalidArgumentError("BlockShuffleSampler needs options { blockSize }");
    }
    this.length = checkNonNegativeInt(n, "n");
    this.blockSize = checkPositiveInt(options.blockSize, "blockSize");
    this.bufferSize = checkPositiveInt(options.bufferSize ?? 1, "bufferSize");
    this.seed = checkSeed(options.seed ?? 0);
    this.shuffle = options.shuffle ?? true;
    this.#blockStarts = cutBlocks(
      this.length,
      this.blockSize,
      checkBoundaries(options.boundaries, this.length),
    );
  }

  /** Number of blocks. */
  get numBlocks(): number {
    return this.#blockStarts.length - 1;
  }

  /** The block holding `row` (binary search). */
  blockOf(row: number): number {
    if (!Number.isSafeInteger(row) || row < 0 || row >= this.length) {
      throw new InvalidArgumentError(`row must be an integer in [0, ${this.length}), got ${describe(row)}`);
    }
    const starts = this.#blockStarts;
    let lo = 0;
    let hi = starts.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= row) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  indices(): IndexArray {
    if (!this.shuffle) return iota(this.length);
    const starts = this.#blockStarts;
    const blocks = this.#blockOrder();
    const out = allocIndices(this.length, this.length);
    const rng = rngFor({ seed: this.seed, epoch: this.epoch, stream: "block-pool" });
    let pos = 0;
    for (let first = 0; first < blocks.length; first += this.bufferSize) {
      const poolStart = pos;
      const last = Math.min(first + this.bufferSize, blocks.length);
      for (let k = first; k < last; k++) {
        const b = blocks[k]!;
        for (let row = starts[b]!, end = starts[b + 1]!; row < end; row++) out[pos++] = row;
      }
      rng.shuffle(out, poolStart, pos);
    }
    return out;
  }

  /**
   * Where each pool of the current epoch starts in `indices()`, plus the total at the end: pool
   * `p` is `indices().subarray(offsets[p], offsets[p + 1])`.
   *
   * ```ts
   * new BlockShuffleSampler(10, { blockSize: 4, bufferSize: 2 }).poolOffsets(); // e.g. [0, 6, 10]
   * ```
   */
  poolOffsets(): Float64Array {
    const starts = this.#blockStarts;
    if (!this.shuffle) return Float64Array.of(0, this.length);
    const blocks = this.#blockOrder();
    const offsets = new Float64Array(Math.ceil(blocks.length / this.bufferSize) + 1);
    let pos = 0;
    for (let k = 0; k < blocks.length; k++) {
      const b = blocks[k]!;
      pos += starts[b + 1]! - starts[b]!;
      if ((k + 1) % this.bufferSize === 0 || k === blocks.length - 1) {
        offsets[Math.ceil((k + 1) / this.bufferSize)] = pos;
      }
    }
    return offsets;
  }

  #blockOrder(): IndexArray {
    return rngFor({ seed: this.seed, epoch: this.epoch, stream: "block-order" }).shuffle(
      iota(this.numBlocks),
    );
  }
}

/** Validates boundaries; returns the interior cut points, sorted, without 0 and n. */
function checkBoundaries(boundaries: ArrayLike<number> | undefined, n: number): number[] {
  if (boundaries === undefined) return [];
  if (boundaries === null || typeof boundaries !== "object" || typeof boundaries.length !== "number") {
    throw new InvalidArgumentError(`boundaries must be an array of row offsets, got ${describe(boundaries)}`);
  }
  const cuts: number[] = [];
  let previous = 0;
  for (let i = 0; i < boundaries.length; i++) {
    const b = boundaries[i];
    if (typeof b !== "number" || !Number.isSafeInteger(b) || b < 0 || b > n) {
      throw new InvalidArgumentError(`boundaries[${i}] must be an integer in [0, ${n}], got ${describe(b)}`);
    }
    if (b < previous) {
      throw new InvalidArgumentError(
        `boundaries must be sorted: boundaries[${i}]=${b} is below the previous ${previous}`,
      );
    }
    if (b > 0 && b < n && b !== previous) cuts.push(b);
    previous = b;
  }
  return cuts;
}

/** Block start rows (plus `n` at the end) for blocks of `blockSize` that restart at every cut. */
function cutBlocks(n: number, blockSize: number, cuts: number[]): Float64Array {
  const segmentEnds = [...cuts, n];
  let count = 0;
  let start = 0;
  for (const end of segmentEnds) {
    count += Math.ceil((end - start) / blockSize);
    start = end;
  }
  const starts = new Float64Array(count + 1);
  let k = 0;
  start = 0;
  for (const end of segmentEnds) {
    for (let row = start; row < end; row += blockSize) starts[k++] = row;
    start = end;
  }
  starts[k] = n;
  return starts;
}
