/** Validation of sampling weights. */
import { InvalidArgumentError } from "../errors.js";
import { describe } from "./validate.js";

/**
 * Copies `weights` into a Float64Array after checking each is finite and ≥ 0 and that some are
 * positive; the error names the first bad position.
 *
 * ```ts
 * checkWeights([1, 2, 0]);  // Float64Array [1, 2, 0]
 * checkWeights([1, NaN]);   // throws InvalidArgumentError "weights[1] must be a finite number ≥ 0, got NaN"
 * ```
 */
export function checkWeights(weights: ArrayLike<number>, name = "weights"): Float64Array {
  if (weights === null || typeof weights !== "object" || typeof weights.length !== "number") {
    throw new InvalidArgumentError(`${name} must be an array of numbers, got ${describe(weights)}`);
  }
  const out = new Float64Array(weights.length);
  let positive = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    if (typeof w !== "number" || !Number.isFinite(w) || w < 0) {
      throw new InvalidArgumentError(`${name}[${i}] must be a finite number ≥ 0, got ${describe(w)}`);
    }
    out[i] = w;
    if (w > 0) positive++;
  }
  if (positive === 0) {
    throw new InvalidArgumentError(
      weights.length === 0 ? `${name} is empty` : `${name} are all zero (${weights.length} entries)`,
    );
  }
  return out;
}

/** How many weights are > 0. */
export function countPositive(weights: Float64Array): number {
  let count = 0;
  for (let i = 0; i < weights.length; i++) if (weights[i]! > 0) count++;
  return count;
}
