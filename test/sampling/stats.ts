/** Small statistics helpers for the sampling tests. */

/**
 * 0.999 quantiles of the chi-square distribution by degrees of freedom, from
 * `scipy.stats.chi2.ppf(0.999, df)` (scipy 1.x). A correct sampler exceeds them with probability 0.1%.
 */
export const CHI2_999: Readonly<Record<number, number>> = {
  1: 10.8276,
  2: 13.8155,
  3: 16.2662,
  4: 18.4668,
  5: 20.515,
  9: 27.8772,
  23: 49.7282,
};

/** Pearson's chi-square statistic of observed counts against expected probabilities. */
export function chiSquare(observed: ArrayLike<number>, probabilities: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < observed.length; i++) total += observed[i]!;
  let chi2 = 0;
  for (let i = 0; i < observed.length; i++) {
    const expected = total * probabilities[i]!;
    chi2 += (observed[i]! - expected) ** 2 / expected;
  }
  return chi2;
}

/** Counts how often each value in `0..n-1` occurs; throws on values outside. */
export function histogram(values: Iterable<number>, n: number): Float64Array {
  const counts = new Float64Array(n);
  for (const v of values) {
    if (!Number.isInteger(v) || v < 0 || v >= n) throw new Error(`value ${v} outside 0..${n - 1}`);
    counts[v]!++;
  }
  return counts;
}

/** Normalises weights to probabilities. */
export function normalise(weights: ArrayLike<number>): Float64Array {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += weights[i]!;
  return Float64Array.from(weights, (w) => w / sum);
}

/** True when `values` holds each of `0..n-1` exactly once. */
export function isPermutation(values: ArrayLike<number>, n: number): boolean {
  if (values.length !== n) return false;
  const seen = new Uint8Array(n);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= n || seen[v]) return false;
    seen[v] = 1;
  }
  return true;
}
