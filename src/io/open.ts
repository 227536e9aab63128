import { InvalidArgumentError, UnsupportedFeatureError } from "../errors.js";
import { BlockCache, type BlockCacheOptions } from "./block-cache.js";
import { LocalDirectoryStore, LocalFileSource } from "./local.js";
import { type RetryOptions, withRetry, withStoreRetry } from "./retry.js";
import type { S3Options } from "./s3/client.js";
import type { ByteSource, ByteStore } from "./types.js";

export interface OpenOptions {
  /** How to reach S3 (for `s3://` URIs). */
  s3?: S3Options & { pageSize?: number };
  /** Retry policy for remote reads, or `false` for none (default: `withRetry` defaults). */
  retry?: RetryOptions | false;
  /** Wrap remote sources in a `BlockCache` (default: no block cache). */
  blockCache?: BlockCacheOptions | boolean;
}

function scheme(uriOrPath: string): string | undefined {
  return /^([a-z][a-z0-9+.-]*):\/\//i.exec(uriOrPath)?.[1]?.toLowerCase();
}

/** Loads the S3 module on demand, so the root package works without `@aws-sdk/client-s3`. */
async function loadS3(uri: string): Promise<typeof import("./s3/index.js")> {
  try {
    return await import("./s3/index.js");
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" && /@aws-sdk\/client-s3/.test(String((e as Error).message))) {
      throw new UnsupportedFeatureError(
        "reading s3:// needs the optional package @aws-sdk/client-s3 (npm i @aws-sdk/client-s3)",
        {
          path: uri,
          cause: e,
        },
      );
    }
    throw e;
  }
}

function unsupported(uri: string, s: string): never {
  throw new InvalidArgumentError(`unsupported URI scheme '${s}://' (use a local path or s3://)`, {
    path: uri,
  });
}

/**
 * A `ByteSource` for a local path or an `s3://` URI. Remote sources are retried on transient
 * failures and, if asked, block-cached.
 *
 * ```ts
 * const source = await openSource("s3://bucket/pbmc.h5ad", { blockCache: { blockSize: 1 << 20 } });
 * ```
 */
export async function openSource(uriOrPath: string, options: OpenOptions = {}): Promise<ByteSource> {
  const s = scheme(uriOrPath);
  if (s === undefined) return new LocalFileSource(uriOrPath);
  if (s !== "s3") unsupported(uriOrPath, s);
  const { S3ByteSource } = await loadS3(uriOrPath);
  let source: ByteSource = new S3ByteSource(uriOrPath, options.s3 ?? {});
  if (options.retry !== false) source = withRetry(source, options.retry ?? {});
  if (options.blockCache)
    source = new BlockCache(source, options.blockCache === true ? {} : options.blockCache);
  return source;
}

/**
 * A `ByteStore` for a local directory or an `s3://bucket/prefix/` URI (retried on transient failures).
 *
 * ```ts
 * const store = await openStore("s3://bucket/experiment.soma/");
 * ```
 */
export async function openStore(uriOrPath: string, options: OpenOptions = {}): Promise<ByteStore> {
  const s = scheme(uriOrPath);
  if (s === undefined) return new LocalDirectoryStore(uriOrPath);
  if (s !== "s3") unsupported(uriOrPath, s);
  const { S3Store } = await loadS3(uriOrPath);
  const store = new S3Store(uriOrPath, options.s3 ?? {});
  return options.retry === false ? store : withStoreRetry(store, options.retry ?? {});
}
