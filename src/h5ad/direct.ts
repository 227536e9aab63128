/**
 * The direct HDF5 reader behind matrix reads. Each open .h5ad gets one `Hdf5File` (opened on the
 * first matrix read, shared by every matrix of that file, closed with the file) over a
 * `LocalFileSource`, or, for a streamed S3 file, over the async source its context provides (so
 * rows are fetched by awaited range reads instead of h5wasm's blocking sieve-buffer reads).
 * Datasets it cannot read (or files it cannot open) stay with h5wasm, one by one.
 * `CELLFEED_H5_DIRECT=0` in the environment turns it off (to compare against h5wasm).
 */

import { AbortError, FileNotFoundError, IoError } from "../errors.js";
import { LocalFileSource } from "../io/local.js";
import type { ByteSource } from "../io/types.js";
import type { H5Context } from "./h5context.js";
import { Hdf5File } from "./hdf5/index.js";

/** A context whose file is not local but whose bytes it can serve asynchronously (streamed S3). */
export interface DirectSourceProvider {
  /** A new source over the same bytes; the direct reader owns it and closes it with the file. */
  openDirectSource(): ByteSource;
}

function providerOf(ctx: H5Context): DirectSourceProvider | null {
  const p = ctx as Partial<DirectSourceProvider>;
  return typeof p.openDirectSource === "function" ? (p as DirectSourceProvider) : null;
}

/** Failures of the transport, not of the file: worth another try by a later matrix. */
function transient(e: unknown): boolean {
  return e instanceof IoError || e instanceof FileNotFoundError || e instanceof AbortError;
}

/** Decoded-chunk cache per file: only filtered (compressed) chunks are cached; raw ones are read in place. */
export const DIRECT_CHUNK_CACHE_BYTES = 8 << 20;

interface DirectFile {
  source: ByteSource;
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

/**
 * The file's direct reader, or null when the reader cannot open the file (or it is a URI whose
 * context provides no source). h5wasm serves the matrices then.
 */
export function directFile(ctx: H5Context): Promise<Hdf5File | null> {
  const existing = files.get(ctx);
  if (existing !== undefined) return existing.file;
  const provider = providerOf(ctx);
  if (provider === null && isUri(ctx.path)) return Promise.resolve(null);
  const source = provider ? provider.openDirectSource() : new LocalFileSource(ctx.path);
  const d: DirectFile = {
    source,
    file: Hdf5File.open(source, { chunkCacheBytes: DIRECT_CHUNK_CACHE_BYTES }).catch((e: unknown) => {
      if (provider && transient(e)) {
        // A failed request says nothing about the file: this matrix falls back to h5wasm (which
        // reports the failure, typed, if it persists), the next one tries the direct reader again.
        if (files.get(ctx) === d) files.delete(ctx);
        void source.close().catch(() => undefined);
      }
      return null;
    }),
  };
  files.set(ctx, d);
  return d.file;
}

/** Closes the direct reader of a file (if one was opened). */
export function closeDirect(ctx: H5Context): Promise<void> {
  const d = files.get(ctx);
  if (d === undefined) return Promise.resolve();
  files.delete(ctx);
  return d.source.close().catch(() => undefined);
}
