/** The identity order. */
import { EpochSampler, type IndexArray, iota } from "./types.js";
import { checkNonNegativeInt } from "./validate.js";

/**
 * Yields `0, 1, ..., n-1` every epoch.
 *
 * ```ts
 * const s = new SequentialSampler(4);
 * s.indices(); // Int32Array [0, 1, 2, 3]
 * ```
 */
export class SequentialSampler extends EpochSampler {
  readonly length: number;

  constructor(n: number) {
    super();
    this.length = checkNonNegativeInt(n, "n");
  }

  indices(): IndexArray {
    return iota(this.length);
  }
}
