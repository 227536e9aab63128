/**
 * The shared-memory protocol between a streamed file (the thread that runs h5wasm and must read
 * synchronously) and its fetcher worker (which does the async S3 reads).
 *
 * One request at a time: the reader posts `{offset, length}` on a MessagePort, then sleeps on
 * `control[STATE]` with `Atomics.wait`; the fetcher copies up to `data.length` bytes into `data`,
 * stores the count, sets `STATE` to DONE or FAILED and wakes it. On FAILED the error travels on the
 * port (read with `receiveMessageOnPort`, which needs no event loop).
 */
import type { RetryOptions } from "../../io/retry.js";
import type { S3Options } from "../../io/s3/client.js";

/** Indices into the Int32Array view of the control block. */
export const STATE = 0;
export const RESULT_LENGTH = 1;
/** Indices into the Float64Array view of the same block (counters the reader reads at any time). */
export const STAT_REQUESTS = 1;
export const STAT_BYTES = 2;
export const CONTROL_BYTES = 32;

export const IDLE = 0;
export const PENDING = 1;
export const DONE = 2;
export const FAILED = 3;

/** S3 options that survive `postMessage` (a ready-made `client` does not). */
export type PortableS3Options = Omit<S3Options, "client">;

/** What the fetcher worker is started with. */
export interface FetcherData {
  uri: string;
  s3: PortableS3Options;
  retry: RetryOptions | false;
  blockSize: number;
  maxCacheBytes: number;
  /** Blocks fetched ahead of a read, in the background (0 = none). */
  readAheadBlocks: number;
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

export interface ReadRequest {
  type: "read";
  seq: number;
  offset: number;
  length: number;
}

/** An error as it crosses the thread boundary. */
export interface PortableError {
  name: string;
  /** CellfeedError code, when it was one. */
  code?: string;
  message: string;
  status?: number;
}

export type FetcherReply = { type: "ready"; size: number } | { type: "error"; error: PortableError };

export function toPortable(e: unknown): PortableError {
  const err = e as { name?: string; code?: unknown; message?: string; status?: unknown };
  const out: PortableError = {
    name: typeof err?.name === "string" ? err.name : "Error",
    message: typeof err?.message === "string" ? err.message : String(e),
  };
  if (typeof err?.code === "string") out.code = err.code;
  if (typeof err?.status === "number") out.status = err.status;
  return out;
}
