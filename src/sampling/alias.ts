/** Walker/Vose alias table: O(n) to build, O(1) per weighted draw. */
import type { Rng } from "./rng.js";
import { allocIndices, type IndexArray } from "./types.js";

/**
 * Draws index `i` with probability `weights[i] / sum(weights)` in constant time: pick a column
 * uniformly, keep it with the column's probability, else take its alias.
 * `weights` must already be validated (finite, ≥ 0, some > 0); zero weights are never drawn.
 *
 * ```ts
 * const table = new AliasTable(Float64Array.of(1, 0, 3));
 * table.draw(rngFor({ seed: 0, epoch: 0, stream: "demo" })); // 0 (25%) or 2 (75%), never 1
 * ```
 */
export class AliasTable {
  /** Interleaved (keep probability, alias) per column: one cache line per draw. */
  readonly #table: Float64Array;

  constructor(weights: Float64Array) {
    const n = weights.length;
    const table = new Float64Array(2 * n);
    let max = 0;
    for (let i = 0; i < n; i++) max = Math.max(max, weights[i]!);
    // Divide by the largest weight first so the sum cannot overflow.
    let total = 0;
    for (let i = 0; i < n; i++) total += weights[i]! / max;
    const scaled = new Float64Array(n);
    const small = allocIndices(n, n);
    const large = allocIndices(n, n);
    let ns = 0;
    let nl = 0;
    for (let i = 0; i < n; i++) {
      const p = ((weights[i]! / max) * n) / total;
      scaled[i] = p;
      if (p < 1) small[ns++] = i;
      else large[nl++] = i;
      table[2 * i + 1] = i;
    }
    while (ns > 0 && nl > 0) {
      const s = small[--ns]!;
      const g = large[--nl]!;
      table[2 * s] = scaled[s]!;
      table[2 * s + 1] = g;
      const rest = scaled[g]! + scaled[s]! - 1;
      scaled[g] = rest;
      if (rest < 1) small[ns++] = g;
      else large[nl++] = g;
    }
    // Whatever is left is (up to rounding) exactly full.
    while (nl > 0) table[2 * large[--nl]!] = 1;
    while (ns > 0) table[2 * small[--ns]!] = 1;
    // Rounding must never make a zero weight drawable.
    let argmax = 0;
    for (let i = 0; i < n; i++) if (weights[i]! === max) argmax = i;
    for (let i = 0; i < n; i++) {
      if (weights[i] === 0) {
        table[2 * i] = 0;
        if (weights[table[2 * i + 1]!] === 0) table[2 * i + 1] = argmax;
      }
    }
    this.#table = table;
  }

  /** Number of columns (= number of weights). */
  get size(): number {
    return this.#table.length / 2;
  }

  /** Probability that column `i` yields `i` itself. */
  probability(i: number): number {
    return this.#table[2 * i]!;
  }

  /** The index column `i` yields otherwise. */
  alias(i: number): number {
    return this.#table[2 * i + 1]!;
  }

  /** One weighted draw. */
  draw(rng: Rng): number {
    const i = rng.int(this.#table.length / 2);
    return rng.float() < this.#table[2 * i]! ? i : this.#table[2 * i + 1]!;
  }

  /** Fills `out` with independent weighted draws. */
  fill(out: IndexArray, rng: Rng): void {
    const table = this.#table;
    const n = table.length / 2;
    for (let k = 0; k < out.length; k++) {
      const i = rng.int(n);
      out[k] = rng.float() < table[2 * i]! ? i : table[2 * i + 1]!;
    }
  }
}
