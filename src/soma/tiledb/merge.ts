/** Combining per-fragment sparse results: concatenation, global-order sort and newest-wins dedup. */
import type { Column } from "./columns.js";
import type { NumericArray } from "./datatypes.js";
import { coordsAsNumbers } from "./ranges.js";
import type { FragmentResult } from "./read-sparse.js";
import type { ArraySchema } from "./schema.js";
import { VAR_NUM } from "./schema.js";

function cellWidth(col: Column, n: number): number {
  return n === 0 ? 1 : Math.max(1, Math.round(col.data.length / n));
}

export function concatColumns(parts: Column[], counts: number[]): Column {
  const first = parts[0] as Column;
  if (parts.length === 1) return first;
  let data: Column["data"];
  if (Array.isArray(first.data))
    data = parts.flatMap((p) => p.data as unknown[]) as string[] | NumericArray[];
  else {
    const total = parts.reduce((s, p) => s + p.data.length, 0);
    const C = (first.data as NumericArray).constructor as new (n: number) => NumericArray;
    const out = new C(total);
    let o = 0;
    for (const p of parts) {
      (out as unknown as { set(a: ArrayLike<unknown>, o: number): void }).set(p.data as NumericArray, o);
      o += p.data.length;
    }
    data = out;
  }
  const col: Column = { type: first.type, data };
  if (first.validity) {
    const n = counts.reduce((s, c) => s + c, 0);
    const v = new Uint8Array(n);
    let o = 0;
    parts.forEach((p, i) => {
      if (p.validity) v.set(p.validity, o);
      o += counts[i] as number;
    });
    col.validity = v;
  }
  return col;
}

export function permuteColumn(col: Column, order: ArrayLike<number>, n: number): Column {
  let data: Column["data"];
  if (Array.isArray(col.data)) {
    const src = col.data as unknown[];
    data = Array.from({ length: order.length }, (_, k) => src[order[k] as number]) as
      | string[]
      | NumericArray[];
  } else {
    const w = cellWidth(col, n);
    const src = col.data as NumericArray;
    const C = src.constructor as new (n: number) => NumericArray;
    const out = new C(order.length * w) as unknown as { [i: number]: unknown };
    const s = src as unknown as { [i: number]: unknown };
    for (let k = 0; k < order.length; k++) {
      const i = order[k] as number;
      for (let j = 0; j < w; j++) out[k * w + j] = s[i * w + j];
    }
    data = out as unknown as NumericArray;
  }
  const res: Column = { type: col.type, data };
  if (col.validity)
    res.validity = Uint8Array.from(
      { length: order.length },
      (_, k) => col.validity?.[order[k] as number] ?? 0,
    );
  if (col.enumeration) res.enumeration = col.enumeration;
  return res;
}

/** Merges fragment results (oldest first) into one set of columns in global order. */
export function mergeFragments(
  schema: ArraySchema,
  results: FragmentResult[],
  dedup: boolean,
): Record<string, Column> {
  const nonEmpty = results.filter((r) => r.count > 0);
  const use = nonEmpty.length > 0 ? nonEmpty : results.slice(0, 1);
  const counts = use.map((r) => r.count);
  const n = counts.reduce((s, c) => s + c, 0);
  const names = Object.keys(use[0]?.columns ?? {});
  const merged: Record<string, Column> = {};
  for (const name of names)
    merged[name] = concatColumns(
      use.map((r) => r.columns[name] as Column),
      counts,
    );
  if (!dedup) return merged;
  // Sort keys: space tile then coordinate, per the tile and cell orders; ties by priority.
  const dims = schema.dimensions;
  const keys = dims.map((dim) => {
    const col = merged[dim.name] as Column;
    if (dim.cellValNum === VAR_NUM) return col.data as string[];
    const arr = col.data as NumericArray;
    return coordsAsNumbers(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength), col.type);
  });
  const tileKeys = dims.map((dim, d) => {
    const k = keys[d] as Float64Array | string[];
    if (dim.cellValNum === VAR_NUM || dim.extent === undefined || !dim.domain) return undefined;
    const lo = Number(dim.domain[0]);
    const ext = Number(dim.extent);
    return Float64Array.from(k as Float64Array, (v) => Math.floor((v - lo) / ext));
  });
  const priority = new Float64Array(n);
  let o = 0;
  for (const r of use) {
    priority.set(r.priority, o);
    o += r.count;
  }
  const dimOrder = (layout: string) =>
    layout === "col-major" ? dims.map((_, d) => dims.length - 1 - d) : dims.map((_, d) => d);
  const tOrder = dimOrder(schema.tileOrder);
  const cOrder = dimOrder(schema.cellOrder);
  const cmpCoords = (a: number, b: number): number => {
    for (const d of tOrder) {
      const t = tileKeys[d];
      if (t) {
        const x = (t[a] as number) - (t[b] as number);
        if (x !== 0) return x;
      }
    }
    for (const d of cOrder) {
      const k = keys[d] as ArrayLike<number | string>;
      const x = k[a] as number | string;
      const y = k[b] as number | string;
      if (x < y) return -1;
      if (x > y) return 1;
    }
    return 0;
  };
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => cmpCoords(a, b) || (priority[a] as number) - (priority[b] as number) || a - b);
  const kept: number[] = [];
  for (let k = 0; k < idx.length; k++) {
    const next = idx[k + 1];
    if (next !== undefined && cmpCoords(idx[k] as number, next) === 0) continue; // a newer duplicate follows
    kept.push(idx[k] as number);
  }
  const out: Record<string, Column> = {};
  for (const name of names) out[name] = permuteColumn(merged[name] as Column, kept, n);
  return out;
}
