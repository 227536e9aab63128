import { AbortError, type ErrorDetails, IoError } from "../errors.js";

/**
 * A failed request to a remote store. `retryable` says whether trying again may help (throttling,
 * 5xx, dropped connections, timeouts, truncated bodies); `status` is the HTTP status when there was one.
 */
export class RemoteError extends IoError {
  readonly retryable: boolean;
  readonly status?: number;
  /** The service's error code (e.g. `SlowDown`, `AccessDenied`). */
  readonly remoteCode?: string;

  constructor(
    message: string,
    details: ErrorDetails & { retryable: boolean; status?: number; remoteCode?: string },
  ) {
    const { retryable, status, remoteCode, ...rest } = details;
    super(message, rest);
    this.retryable = retryable;
    if (status !== undefined) this.status = status;
    if (remoteCode !== undefined) this.remoteCode = remoteCode;
  }
}

/** An AbortError for `signal`, naming `path`. */
export function abortError(signal: AbortSignal | undefined, path?: string): AbortError {
  return new AbortError("operation aborted", {
    ...(path === undefined ? {} : { path }),
    cause: signal?.reason,
  });
}

/**
 * Waits for `promise`, but rejects with an AbortError as soon as `signal` aborts (the underlying work
 * is not cancelled by this; pass the signal down for that).
 */
export function abortable<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  path?: string,
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(abortError(signal, path));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal, path));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/** Sleeps `ms`, waking early with an AbortError when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal, path?: string): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal, path));
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal, path));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
