/** Reading and unfiltering data tiles of one field of one fragment, coalescing neighbouring tiles. */
import { FormatError } from "../../errors.js";
import type { ByteStore, ReadOptions } from "../../io/types.js";
import { type Pipeline, type TileContext, unfilterTile } from "./filters.js";

/**
 * The unfiltered bytes of tiles `tiles` (sorted ascending) of `file`, given each tile's start offset
 * and the file size. Runs of consecutive tiles are fetched with one range read.
 */
export async function readTiles(
  store: ByteStore,
  file: string,
  offsets: Float64Array,
  fileSize: number,
  tiles: readonly number[],
  pipeline: Pipeline,
  ctx: Omit<TileContext, "path">,
  options?: ReadOptions,
  /** Per-tile additions to the context (e.g. a holder for rebuilt string offsets). */
  perTile?: (tile: number) => Partial<TileContext>,
): Promise<Map<number, Uint8Array>> {
  const out = new Map<number, Uint8Array>();
  const end = (i: number) => (i + 1 < offsets.length ? (offsets[i + 1] as number) : fileSize);
  let k = 0;
  const runs: [number, number][] = [];
  while (k < tiles.length) {
    let j = k;
    while (j + 1 < tiles.length && (tiles[j + 1] as number) === (tiles[j] as number) + 1) j++;
    runs.push([tiles[k] as number, tiles[j] as number]);
    k = j + 1;
  }
  await Promise.all(
    runs.map(async ([a, b]) => {
      const start = offsets[a];
      if (start === undefined)
        throw new FormatError(`tile ${a} has no offset`, { path: `${store.uri}/${file}` });
      const stop = end(b);
      const bytes = await store.getRange(file, start, stop - start, options);
      for (let t = a; t <= b; t++) {
        const s = (offsets[t] as number) - start;
        const e = end(t) - start;
        const path = `${store.uri}/${file} (tile ${t})`;
        out.set(t, unfilterTile(pipeline, bytes.subarray(s, e), { ...ctx, ...perTile?.(t), path }));
      }
    }),
  );
  return out;
}
