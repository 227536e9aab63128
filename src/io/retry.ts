import { AbortError, isCellfeedError } from "../errors.js";
import { RemoteError, sleep } from "./remote-error.js";
import type { ByteSource, ByteStore, ReadOptions, StoreEntry } from "./types.js";

export interface RetryOptions {
  /** Retries after the first attempt (default 5). */
  retries?: number;
  /** First backoff ceiling in ms (default 100); doubles each attempt. */
  baseDelayMs?: number;
  /** Largest backoff ceiling in ms (default 5000). */
  maxDelayMs?: number;
  /** Decides what is worth retrying (default `isRetryable`). */
  isRetryable?: (error: unknown) => boolean;
  /** Called before each backoff sleep (for logging/metrics by the caller). */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /** Source of randomness for the jitter (default Math.random); tests pass a fixed one. */
  random?: () => number;
}

const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
]);

/**
 * True for failures that may pass on a second try: throttling (429, 503 SlowDown), other 5xx, dropped
 * connections, timeouts and truncated bodies. Never for 4xx answers (403, 404, 412, 416), aborts, or
 * errors about the data itself.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof AbortError) return false;
  if (error instanceof RemoteError) return error.retryable;
  if (isCellfeedError(error)) return false;
  const e = error as {
    code?: string;
    name?: string;
    status?: number;
    $metadata?: { httpStatusCode?: number };
  };
  const status = e?.$metadata?.httpStatusCode ?? e?.status;
  if (typeof status === "number") return status === 429 || status >= 500;
  if (typeof e?.code === "string" && NETWORK_CODES.has(e.code)) return true;
  return e?.name === "TimeoutError";
}

/** Full-jitter exponential backoff: a uniform delay in [0, min(max, base·2^attempt)). */
export function backoffDelay(attempt: number, options: RetryOptions = {}): number {
  const base = options.baseDelayMs ?? 100;
  const max = options.maxDelayMs ?? 5000;
  const ceiling = Math.min(max, base * 2 ** attempt);
  return Math.floor((options.random ?? Math.random)() * ceiling);
}

/** Runs `fn` until it succeeds, fails with a non-retryable error, or the retries run out. */
export async function retrying<T>(
  fn: () => Promise<T>,
  options: RetryOptions = {},
  signal?: AbortSignal,
  path?: string,
): Promise<T> {
  const retries = options.retries ?? 5;
  const retryable = options.isRetryable ?? isRetryable;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (signal?.aborted || attempt >= retries || !retryable(error)) throw error;
      const delayMs = backoffDelay(attempt, options);
      options.onRetry?.({ attempt: attempt + 1, delayMs, error });
      await sleep(delayMs, signal, path);
    }
  }
}

/**
 * Wraps a source so reads and `size()` are retried with backoff on transient failures.
 *
 * ```ts
 * const source = withRetry(new S3ByteSource("s3://bucket/a.h5ad"), { retries: 8 });
 * ```
 */
export function withRetry(source: ByteSource, options: RetryOptions = {}): ByteSource {
  return {
    uri: source.uri,
    size: (o?: ReadOptions) => retrying(() => source.size(o), options, o?.signal, source.uri),
    read: (offset: number, length: number, o?: ReadOptions) =>
      retrying(() => source.read(offset, length, o), options, o?.signal, source.uri),
    close: () => source.close(),
  };
}

/** `withRetry` for a `ByteStore`: every call, and every child store, retries transient failures. */
export function withStoreRetry(store: ByteStore, options: RetryOptions = {}): ByteStore {
  const run = <T>(fn: () => Promise<T>, o?: ReadOptions) => retrying(fn, options, o?.signal, store.uri);
  return {
    uri: store.uri,
    list: (dir: string, o?: ReadOptions): Promise<StoreEntry[]> => run(() => store.list(dir, o), o),
    exists: (path: string, o?: ReadOptions) => run(() => store.exists(path, o), o),
    get: (path: string, o?: ReadOptions) => run(() => store.get(path, o), o),
    getRange: (path: string, offset: number, length: number, o?: ReadOptions) =>
      run(() => store.getRange(path, offset, length, o), o),
    child: (path: string) => withStoreRetry(store.child(path), options),
  };
}
