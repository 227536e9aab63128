import { mkdir, stat, utimes } from "node:fs/promises";
import { dirname } from "node:path";
import { InvalidArgumentError, throwIfAborted } from "../../errors.js";
import { type RetryOptions, retrying, withRetry } from "../retry.js";
import type { S3Options } from "../s3/client.js";
import { SharedTask } from "../shared-task.js";
import type { ByteSource } from "../types.js";
import { type CacheProgress, downloadTo, type MetaFile, type ObjectVersion, readJson } from "./download.js";
import { evictLru } from "./evict.js";
import { cachePathFor, defaultCacheDir, suffixes } from "./paths.js";

export type { CacheProgress } from "./download.js";

export interface CacheOptions {
  /** Cache folder (default `CELLFEED_CACHE_DIR`, else `~/.cache/cellfeed`). */
  cacheDir?: string;
  /** Progress of the download (also called once, with `reused: true`, when the copy is reused). */
  onProgress?: (progress: CacheProgress) => void;
  signal?: AbortSignal;
  /** Bound on the cache's total size; least recently used objects are deleted after each call. */
  maxBytes?: number;
  /** Parts downloaded at once (default 4). */
  concurrency?: number;
  /** Bytes per ranged request (default 8 MiB). Changing it restarts an interrupted download. */
  partSize?: number;
  /** How to reach S3. */
  s3?: S3Options;
  /** Retry policy for the HeadObject and every part (defaults of `withRetry`). */
  retry?: RetryOptions;
}

/** What `cache()` needs from a remote object: its current version, and a reader pinned to it. */
export interface RemoteObject {
  uri: string;
  version(signal?: AbortSignal): Promise<ObjectVersion>;
  /** A source that fails (not retried) if the object is no longer `version`. */
  open(version: ObjectVersion): ByteSource;
  close(): Promise<void>;
}

interface Running {
  task: SharedTask<string>;
  listeners: Set<(p: CacheProgress) => void>;
}

const running = new Map<string, Running>();

function isLocal(uriOrPath: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(uriOrPath);
}

async function openRemote(uri: string, options: CacheOptions): Promise<RemoteObject> {
  if (/^s3:\/\//i.test(uri)) {
    const { s3RemoteObject } = await import("../s3/remote.js");
    return s3RemoteObject(uri, options.s3 ?? {});
  }
  throw new InvalidArgumentError("cache() supports local paths and s3:// URIs", { path: uri });
}

function positiveInt(name: string, value: number, uri: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(`${name} must be a positive integer, got ${value}`, { path: uri });
  }
  return value;
}

/**
 * A local copy of a remote object, downloaded once and reused while the object is unchanged.
 * Local paths come back unchanged.
 *
 * - The download runs `concurrency` ranged reads of `partSize` bytes (each retried on transient
 *   failures) into a temporary name, and is renamed into place only after its size, and its MD5 when
 *   the ETag is a plain MD5, match. Multipart (`…-N`) and SSE-KMS/SSE-C ETags are not MD5s: those
 *   objects are verified by size only.
 * - Later calls send one HeadObject: same ETag → the cached file; new ETag → a fresh download.
 * - Concurrent calls for the same object in this process share one download; an abort stops only
 *   the caller's wait (the download stops when every caller has aborted).
 * - An interrupted download resumes: the completed parts stay in the temp file, listed in a small
 *   JSON sidecar keyed by ETag.
 * - Not coordinated across processes: two processes caching the same object at the same time may
 *   each download it.
 *
 * ```ts
 * const path = await cache("s3://bucket/pbmc.h5ad", { onProgress: (p) => bar.update(p.bytesDone) });
 * ```
 */
export async function cache(uriOrPath: string, options: CacheOptions = {}): Promise<string> {
  if (isLocal(uriOrPath)) return uriOrPath;
  const uri = uriOrPath;
  const signal = options.signal;
  throwIfAborted(signal, { path: uri });
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const final = cachePathFor(cacheDir, uri);
  const partSize = positiveInt("partSize", options.partSize ?? 8 << 20, uri);
  const concurrency = positiveInt("concurrency", options.concurrency ?? 4, uri);
  if (options.maxBytes !== undefined && !(options.maxBytes >= 0)) {
    throw new InvalidArgumentError(`maxBytes must be >= 0, got ${options.maxBytes}`, { path: uri });
  }

  let entry = running.get(final);
  if (!entry || entry.task.abandoned) {
    const previous = entry?.task.promise;
    const listeners = new Set<(p: CacheProgress) => void>();
    const task = new SharedTask(async (taskSignal) => {
      // A run that everyone abandoned may still be cleaning up its temp file.
      await previous?.catch(() => {});
      return fetchIntoCache(uri, final, {
        ...options,
        partSize,
        concurrency,
        signal: taskSignal,
        onProgress: (p) => {
          for (const l of listeners) l(p);
        },
      });
    });
    entry = { task, listeners };
    const mine = entry;
    running.set(final, mine);
    task.promise.then(
      () => running.get(final) === mine && running.delete(final),
      () => running.get(final) === mine && running.delete(final),
    );
  }
  const listener = options.onProgress;
  if (listener) entry.listeners.add(listener);
  try {
    const path = await entry.task.join(signal, uri);
    if (options.maxBytes !== undefined) {
      // Never evict this object or one another caller in this process is fetching right now.
      await evictLru(cacheDir, options.maxBytes, new Set([path, ...running.keys()]));
    }
    return path;
  } finally {
    if (listener) entry.listeners.delete(listener);
  }
}

interface FetchOptions extends CacheOptions {
  partSize: number;
  concurrency: number;
  signal: AbortSignal;
  onProgress: (p: CacheProgress) => void;
}

async function fetchIntoCache(uri: string, final: string, options: FetchOptions): Promise<string> {
  const { signal } = options;
  const remote = await openRemote(uri, options);
  try {
    const version = await retrying(() => remote.version(signal), options.retry, signal, uri);
    const meta = await readJson<MetaFile>(final + suffixes.meta);
    if (meta && meta.etag === version.etag && meta.size === version.size) {
      const s = await stat(final).catch(() => undefined);
      if (s?.isFile() && s.size === version.size) {
        // Mark as used for LRU eviction (atime may not be updated by the file system itself).
        await utimes(final, new Date(), s.mtime);
        options.onProgress({ uri, bytesDone: version.size, totalBytes: version.size, reused: true });
        return final;
      }
    }
    await mkdir(dirname(final), { recursive: true });
    const source = withRetry(remote.open(version), options.retry);
    await downloadTo(source, version, final, options);
    return final;
  } finally {
    await remote.close();
  }
}
