/**
 * The asynchronous source behind a streamed file's direct (pure-TS) HDF5 reader: the same S3 object,
 * read from the calling thread with ordinary awaited requests (retried, small-block cached), so
 * matrix rows cost about the bytes they hold instead of h5wasm's sieve-buffer-sized reads.
 */
import { BlockCache } from "../../io/block-cache.js";
import { type RetryOptions, withRetry } from "../../io/retry.js";
import { S3ByteSource } from "../../io/s3/source.js";
import type { ByteSource, ReadOptions } from "../../io/types.js";
import type { PortableS3Options } from "./protocol.js";

/**
 * Default block of the direct reader's cache. Small on purpose: a random row of a CSR matrix is a few
 * hundred bytes, and each read costs about one block (benchmarks/s3-stream.ts, 50 MB file, batches
 * of 256 random rows: 1 KiB blocks fetch 1.8% of the file per batch, 4 KiB 4.4%, 16 KiB 13%, 64 KiB
 * 36%, in about as many requests). Bigger reads (metadata, indptr) still take one request each,
 * since neighbouring missing blocks of one read are fetched together.
 */
export const DIRECT_BLOCK_SIZE = 4 << 10;
/** Default bytes of blocks the direct reader's cache keeps (chunk indexes, indptr, hot rows). */
export const DIRECT_CACHE_BYTES = 16 << 20;

/** Bytes and requests sent by one thread's sources (retries included). */
export interface ByteCounter {
  bytesRead: number;
  requests: number;
}

export interface DirectSourceOptions {
  /** The object's size, already known (saves a HeadObject). */
  size: number;
  blockSize?: number;
  maxCacheBytes?: number;
  /** Retry policy (default `withRetry`'s), or false. */
  retry?: RetryOptions | false;
  /** Every ranged GET is added here. */
  counter: ByteCounter;
}

/** Counts each request as it is sent and the bytes that come back. */
function counted(source: ByteSource, counter: ByteCounter): ByteSource {
  return {
    uri: source.uri,
    size: (o?: ReadOptions) => source.size(o),
    async read(offset, length, o) {
      counter.requests++;
      const bytes = await source.read(offset, length, o);
      counter.bytesRead += bytes.length;
      return bytes;
    },
    close: () => source.close(),
  };
}

/** An async, retried, block-cached source for `uri`; closing it closes its S3 client. */
export function openDirectSource(
  uri: string,
  s3: PortableS3Options,
  options: DirectSourceOptions,
): BlockCache {
  let source = counted(new S3ByteSource(uri, { ...s3, size: options.size }), options.counter);
  if (options.retry !== false) source = withRetry(source, options.retry ?? {});
  return new BlockCache(source, {
    blockSize: options.blockSize ?? DIRECT_BLOCK_SIZE,
    maxBytes: options.maxCacheBytes ?? DIRECT_CACHE_BYTES,
  });
}
