/** Reading and unfiltering data tiles of one field of one fragment, coalescing neighbouring tiles. */
import { FormatError } from "../../errors.js";
import type { ByteStore, ReadOptions } from "../../io/types.js";
import { type Pipeline, type TileContext, unfilterTile } from "./filters.js";
import type { TileCache } from "./tile-cache.js";

/** Read options of tile reads: the array's decoded-tile cache, when it has one. */
export interface TileReadOptions extends ReadOptions {
  tileCache?: TileCache;
}

/**
 * The unfiltered bytes of tiles `tiles` (sorted ascending) of `file`, given each tile's start offset
 * and the file size. Tiles in `options.tileCache` (or being decoded by another read) are reused;
 * runs of consecutive missing tiles are fetched with one range read.
 */
export async function readTiles(
  store: ByteStore,
  file: string,
  offsets: Float64Array,
  fileSize: number,
  tiles: readonly number[],
  pipeline: Pipeline,
  ctx: Omit<TileContext, "path">,
  options?: TileReadOptions,
  /** Per-tile additions to the context (e.g. a holder for rebuilt string offsets); bypasses the cache. */
  perTile?: (tile: number) => Partial<TileContext>,
): Promise<Map<number, Uint8Array>> {
  const out = new Map<number, Uint8Array>();
  const cache = perTile || !options?.tileCache?.maxBytes ? undefined : options.tileCache;
  const readOpts: ReadOptions = { signal: options?.signal };
  const end = (i: number) => (i + 1 < offsets.length ? (offsets[i + 1] as number) : fileSize);
  const waits: Promise<void>[] = [];
  const missing: number[] = [];
  const settle = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: unknown) => void }>();
  for (const t of tiles) {
    const key = `${file}#${t}`;
    const hit = cache?.lookup(key);
    if (hit instanceof Uint8Array) out.set(t, hit);
    else if (hit) waits.push(hit.then((b) => void out.set(t, b)));
    else {
      missing.push(t);
      if (cache) {
        const p = new Promise<Uint8Array>((resolve, reject) => settle.set(t, { resolve, reject }));
        // Readers that share this decode see its failure; this read reports its own.
        p.catch(() => {});
        cache.pending(key, p);
      }
    }
  }
  let k = 0;
  const runs: [number, number][] = [];
  while (k < missing.length) {
    let j = k;
    while (j + 1 < missing.length && (missing[j + 1] as number) === (missing[j] as number) + 1) j++;
    runs.push([missing[k] as number, missing[j] as number]);
    k = j + 1;
  }
  const fetches = runs.map(async ([a, b]) => {
    const start = offsets[a];
    if (start === undefined)
      throw new FormatError(`tile ${a} has no offset`, { path: `${store.uri}/${file}` });
    const stop = end(b);
    const bytes = await store.getRange(file, start, stop - start, readOpts);
    for (let t = a; t <= b; t++) {
      const s = (offsets[t] as number) - start;
      const e = end(t) - start;
      const path = `${store.uri}/${file} (tile ${t})`;
      const tile = unfilterTile(pipeline, bytes.subarray(s, e), { ...ctx, ...perTile?.(t), path });
      out.set(t, tile);
      cache?.put(`${file}#${t}`, tile);
      settle.get(t)?.resolve(tile);
      settle.delete(t);
    }
  });
  try {
    await Promise.all([...fetches, ...waits]);
  } catch (e) {
    for (const s of settle.values()) s.reject(e);
    throw e;
  }
  return out;
}
