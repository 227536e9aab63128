/**
 * The direct HDF5 reader behind matrix reads. Each open .h5ad gets one `Hdf5File` over a
 * `LocalFileSource` (opened on the first matrix read, shared by every matrix of that file, closed
 * with the file). Datasets it cannot read (or files it cannot open) stay with h5wasm, one by one.
 * `CELLFEED_H5_DIRECT=0` in the environment turns it off (to compare against h5wasm).
 */

import { LocalFileSource } from "../io/local.js";
import type { H5Context } from "./h5context.js";
import { Hdf5File } from "./hdf5/index.js";

/** Decoded-chunk cache per file: only filtered (compressed) chunks are cached; raw ones are read in place. */
export const DIRECT_CHUNK_CACHE_BYTES = 8 << 20;

interface DirectFile {
  source: LocalFileSource;
  file: Promise<Hdf5File | null>;
}

const files = new WeakMap<H5Context, DirectFile>();
let enabled = process.env.CELLFEED_H5_DIRECT !== "0";

/** @internal Turns direct reads on or off for matrices opened from now on (tests, benchmarks). */
export function setDirectReads(on: boolean): void {
  enabled = on;
}

/** Whether matrices opened now use direct reads. */
export function directReadsEnabled(): boolean {
  return enabled;
}

/** True for `s3://…`-style URIs: those are not local files (their readers bring their own I/O). */
function isUri(path: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(path);
}

/** The file's direct reader, or null when the file is not a local HDF5 file the reader can open. */
export function directFile(ctx: H5Context): Promise<Hdf5File | null> {
  let d = files.get(ctx);
  if (d === undefined) {
    if (isUri(ctx.path)) return Promise.resolve(null);
    const source = new LocalFileSource(ctx.path);
    d = {
      source,
      file: Hdf5File.open(source, { chunkCacheBytes: DIRECT_CHUNK_CACHE_BYTES }).catch(() => null),
    };
    files.set(ctx, d);
  }
  return d.file;
}

/** Closes the direct reader of a file (if one was opened). */
export function closeDirect(ctx: H5Context): Promise<void> {
  const d = files.get(ctx);
  if (d === undefined) return Promise.resolve();
  files.delete(ctx);
  return d.source.close().catch(() => undefined);
}
