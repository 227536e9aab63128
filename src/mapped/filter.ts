/**
 * obs_filter over files: per file, AND across keys and OR across values; a key the file lacks selects
 * none of its rows (LaminDB's semantics, without its stale-state bug). Findings go to `warnings`.
 */
import { filterMask } from "./labels.js";
import type { FilterValue, Label } from "./types.js";

export interface FilterSource {
  path: string;
  nRows: number;
  has(key: string): boolean;
  labels(key: string): Label[];
}

/** Kept rows per file (ascending), or null where every row is kept. */
export function computeKeptRows(
  files: readonly FilterSource[],
  filter: Readonly<Record<string, readonly FilterValue[]>>,
  warnings: string[],
): (Int32Array | null)[] {
  const entries = Object.entries(filter);
  const hits = entries.map(([, values]) => new Array<number>(values.length).fill(0));
  const out = files.map((file) => {
    const mask = new Uint8Array(file.nRows).fill(1);
    entries.forEach(([key, values], e) => {
      if (!file.has(key)) {
        warnings.push(`${file.path}: no obs column '${key}', so obsFilter selects none of its rows`);
        mask.fill(0);
        return;
      }
      const labels = file.labels(key);
      const m = filterMask(labels, values);
      for (let i = 0; i < mask.length; i++) mask[i]! &= m[i]!;
      values.forEach((v, vi) => {
        const one = filterMask(labels, [v]);
        if (one.includes(1)) hits[e]![vi]!++;
      });
    });
    let n = 0;
    for (let i = 0; i < mask.length; i++) n += mask[i]!;
    if (n === mask.length) return null;
    const rows = new Int32Array(n);
    let o = 0;
    for (let i = 0; i < mask.length; i++) if (mask[i]) rows[o++] = i;
    return rows;
  });
  entries.forEach(([key, values], e) => {
    values.forEach((v, vi) => {
      if (hits[e]![vi] === 0)
        warnings.push(`obsFilter value ${JSON.stringify(v)} of '${key}' matches no observation in any file`);
    });
  });
  return out;
}
