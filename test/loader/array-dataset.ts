/**
 * A tiny in-memory dataset for loader tests: row i of X is [i*nVars, i*nVars+1, ...]; label i%3.
 * Workers rebuild it through `module` (this file) + `fromDescription`. `failAt` makes the batch
 * holding that index throw; `exitAt` kills the worker thread on it; `delayMs` slows reads.
 */
import type { BatchDataset, DatasetDescription, GetItemsOptions } from "../../src/loader/types.js";

export interface ArrayDatasetDescription extends DatasetDescription {
  kind: "array";
  module: string;
  n: number;
  nVars: number;
  failAt?: number;
  exitAt?: number;
  delayMs?: number;
}

export class ArrayDataset implements BatchDataset {
  readonly length: number;
  readonly paths = ["memory://array"];
  active = 0;
  maxActive = 0;
  calls = 0;
  constructor(readonly d: ArrayDatasetDescription) {
    this.length = d.n;
  }
  describe(): ArrayDatasetDescription {
    return this.d;
  }
  async getItems(indices: ArrayLike<number>, options: GetItemsOptions = {}) {
    this.calls++;
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      if (this.d.delayMs) await new Promise((r) => setTimeout(r, this.d.delayMs));
      if (options.signal?.aborted) throw new Error("aborted");
      const { nVars } = this.d;
      const X = new Float32Array(indices.length * nVars);
      const label = new Int32Array(indices.length);
      for (let k = 0; k < indices.length; k++) {
        const i = indices[k]!;
        if (i === this.d.failAt) throw new Error(`cannot read row ${i}`);
        if (i === this.d.exitAt) process.exit(3);
        for (let j = 0; j < nVars; j++) X[k * nVars + j] = i * nVars + j;
        label[k] = i % 3;
      }
      return {
        indices: Int32Array.from(indices),
        layers: { X: { data: X, shape: [indices.length, nVars] } },
        obs: { label },
      };
    } finally {
      this.active--;
    }
  }
}

export function arrayDescription(extra: Partial<ArrayDatasetDescription> = {}): ArrayDatasetDescription {
  return { kind: "array", module: import.meta.url, n: 50, nVars: 4, ...extra };
}

export function fromDescription(d: DatasetDescription): ArrayDataset {
  return new ArrayDataset(d as ArrayDatasetDescription);
}
