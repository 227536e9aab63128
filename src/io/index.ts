/**
 * The byte layer's public names (no AWS SDK import here: `s3://` support loads on demand).
 */
export { BlockCache, type BlockCacheOptions, type BlockCacheStats } from "./block-cache.js";
export { type CacheOptions, type CacheProgress, cache } from "./cache/cache.js";
export { evictLru } from "./cache/evict.js";
export { cachePathFor, defaultCacheDir } from "./cache/paths.js";
export {
  type ByteRange,
  type CoalescedRange,
  type CoalesceOptions,
  coalesceRanges,
  type ReadManyOptions,
  readMany,
} from "./coalesce.js";
export { LocalDirectoryStore, LocalFileSource } from "./local.js";
export { type OpenOptions, openSource, openStore } from "./open.js";
export { RemoteError } from "./remote-error.js";
export {
  backoffDelay,
  isRetryable,
  type RetryOptions,
  retrying,
  withRetry,
  withStoreRetry,
} from "./retry.js";
export type { ByteSource, ByteStore, ReadOptions, StoreEntry } from "./types.js";
