/**
 * The reader's side of a streamed S3 object: `readSync(position, length)` blocks the calling thread
 * (h5wasm reads synchronously) while a fetcher worker does the async, retried, block-cached S3
 * reads. Every wait has a deadline, and a failed read throws the fetcher's error, typed and naming
 * the URI, so nothing hangs.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import {
  AbortError,
  type CellfeedError,
  type ErrorCode,
  FileNotFoundError,
  IoError,
  TruncatedFileError,
} from "../../errors.js";
import { RemoteError } from "../../io/remote-error.js";
import type { RetryOptions } from "../../io/retry.js";
import type { ByteCounter } from "./direct-source.js";
import {
  CONTROL_BYTES,
  DONE,
  type FetcherData,
  type FetcherReply,
  IDLE,
  PENDING,
  type PortableError,
  type PortableS3Options,
  RESULT_LENGTH,
  type ReadRequest,
  STAT_BYTES,
  STAT_REQUESTS,
  STATE,
} from "./protocol.js";

export interface StreamOptions {
  /** Bytes per cached block; every S3 request reads whole blocks (default 64 KiB). */
  blockSize?: number;
  /** Most block bytes kept in memory (default 64 MiB). */
  maxCacheBytes?: number;
  /** Blocks read ahead in the background when reads run sequentially (default 4). */
  readAheadBlocks?: number;
  /** Largest transfer per round trip between the threads (default 4 MiB); bigger reads are chunked. */
  transferBytes?: number;
  /** Give up on one read (all retries included) after this many ms (default 5 min). */
  readTimeoutMs?: number;
  /** Retry policy of the S3 reads (default `withRetry`'s), or false. */
  retry?: RetryOptions | false;
  /**
   * Bytes per cached block of the direct reader, which reads matrix rows asynchronously from the
   * opening thread (default `DIRECT_BLOCK_SIZE`, 4 KiB: a block is what one random row costs).
   */
  directBlockSize?: number;
  /** Most block bytes the direct reader keeps in memory (default 16 MiB). */
  directCacheBytes?: number;
}

/** Byte counts of a streamed object. */
export interface StreamStats {
  /** Bytes fetched from S3 (whole blocks, retries included), by h5wasm and the direct reader. */
  bytesRead: number;
  /** Ranged GET requests sent (retries included), by h5wasm and the direct reader. */
  requests: number;
  /** The object's size (from HeadObject). */
  fileSize: number;
  /** The part of `bytesRead` and `requests` due to the direct reader (matrix rows). */
  direct: ByteCounter;
}

function fetcherScript(): URL {
  const js = new URL("./fetcher.js", import.meta.url);
  if (existsSync(fileURLToPath(js))) return js;
  // Running from the TypeScript sources: a bootstrap that registers tsx in the worker first.
  return new URL("./fetcher-source.mjs", import.meta.url);
}

const CLASSES: Partial<Record<ErrorCode, new (m: string, d: { path: string }) => CellfeedError>> = {
  file_not_found: FileNotFoundError,
  truncated: TruncatedFileError,
  aborted: AbortError,
};

/** Rebuilds the fetcher's error on this side: same class where it matters, always naming the URI. */
export function fromPortable(e: PortableError, uri: string): CellfeedError {
  // The worker's message already starts with the URI when it came from the S3 layer.
  const message = e.message.startsWith(uri) ? e.message.slice(uri.length).replace(/^:\s*/, "") : e.message;
  const Cls = e.code === undefined ? undefined : CLASSES[e.code as ErrorCode];
  if (Cls) return new Cls(message, { path: uri });
  if (e.name === "RemoteError" || e.status !== undefined) {
    return new RemoteError(message, {
      path: uri,
      retryable: false,
      ...(e.status === undefined ? {} : { status: e.status }),
    });
  }
  return new IoError(message, { path: uri });
}

export class RemoteObject {
  readonly uri: string;
  readonly size: number;
  /** What this thread's direct reader fetched from the same object (it adds to it). */
  readonly direct: ByteCounter = { bytesRead: 0, requests: 0 };
  /** The last read failure, until taken: the h5ad layer rethrows it in place of HDF5's own error. */
  lastError: CellfeedError | undefined;
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #control: Int32Array;
  readonly #stats: Float64Array;
  readonly #data: Uint8Array;
  readonly #timeoutMs: number;
  #seq = 0;
  #closed = false;

  private constructor(
    uri: string,
    size: number,
    worker: Worker,
    port: MessagePort,
    control: SharedArrayBuffer,
    data: SharedArrayBuffer,
    timeoutMs: number,
  ) {
    this.uri = uri;
    this.size = size;
    this.#worker = worker;
    this.#port = port;
    this.#control = new Int32Array(control);
    this.#stats = new Float64Array(control);
    this.#data = new Uint8Array(data);
    this.#timeoutMs = timeoutMs;
  }

  /** Starts the fetcher and waits (asynchronously, abortably) for the object's size. */
  static async open(
    uri: string,
    s3: PortableS3Options,
    options: StreamOptions & { signal?: AbortSignal } = {},
  ): Promise<RemoteObject> {
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    const data = new SharedArrayBuffer(options.transferBytes ?? 4 << 20);
    const { port1, port2 } = new MessageChannel();
    const workerData: FetcherData & { port: MessagePort } = {
      uri,
      s3,
      retry: options.retry ?? {},
      blockSize: options.blockSize ?? 64 << 10,
      maxCacheBytes: options.maxCacheBytes ?? 64 << 20,
      readAheadBlocks: options.readAheadBlocks ?? 4,
      control,
      data,
      port: port2,
    };
    const worker = new Worker(fetcherScript(), { workerData, transferList: [port2] });
    // An idle fetcher must not keep the process alive.
    worker.unref();
    const timeoutMs = options.readTimeoutMs ?? 300_000;
    const signal = options.signal;
    try {
      const size = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new IoError(`no answer from S3 within ${timeoutMs} ms`, { path: uri })),
          timeoutMs,
        );
        const onAbort = () =>
          reject(new AbortError("operation aborted", { path: uri, cause: signal?.reason }));
        if (signal?.aborted) onAbort();
        signal?.addEventListener("abort", onAbort, { once: true });
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
        };
        port1.once("message", (m: FetcherReply) => {
          done();
          if (m.type === "ready") resolve(m.size);
          else if (m.type === "error") reject(fromPortable(m.error, uri));
        });
        worker.once("error", (e) => {
          done();
          reject(new IoError(`the S3 fetcher thread failed: ${e.message}`, { path: uri, cause: e }));
        });
        worker.once("exit", (code) => {
          done();
          reject(new IoError(`the S3 fetcher thread exited (${code})`, { path: uri }));
        });
      });
      worker.removeAllListeners("exit");
      worker.removeAllListeners("error");
      // Later failures of the thread itself show up as read timeouts / errors in readSync.
      worker.on("error", () => {});
      port1.unref();
      return new RemoteObject(uri, size, worker, port1, control, data, timeoutMs);
    } catch (e) {
      port1.close();
      await worker.terminate();
      throw e;
    }
  }

  /** The last read failure, once (null when there was none). */
  takeError(): CellfeedError | undefined {
    const e = this.lastError;
    this.lastError = undefined;
    return e;
  }

  get stats(): StreamStats {
    const { bytesRead, requests } = this.direct;
    return {
      bytesRead: (this.#stats[STAT_BYTES] ?? 0) + bytesRead,
      requests: (this.#stats[STAT_REQUESTS] ?? 0) + requests,
      fileSize: this.size,
      direct: { bytesRead, requests },
    };
  }

  /**
   * Copies `length` bytes at `position` into `target` at `at`, blocking until they arrive. Returns the
   * number of bytes copied (short only at the end of the object). Throws a CellfeedError naming the URI.
   */
  readSync(position: number, target: Uint8Array, at: number, length: number): number {
    if (this.#closed) throw new IoError("read after close", { path: this.uri });
    let done = 0;
    const end = Math.min(position + length, this.size);
    while (position + done < end) {
      const n = this.#roundTrip(position + done, Math.min(end - position - done, this.#data.length));
      if (n === 0) break;
      target.set(this.#data.subarray(0, n), at + done);
      done += n;
    }
    return done;
  }

  #roundTrip(offset: number, length: number): number {
    const seq = ++this.#seq;
    Atomics.store(this.#control, STATE, PENDING);
    const request: ReadRequest = { type: "read", seq, offset, length };
    this.#port.postMessage(request);
    const deadline = Date.now() + this.#timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new IoError(
          `no answer for bytes [${offset}, ${offset + length}) within ${this.#timeoutMs} ms`,
          {
            path: this.uri,
          },
        );
      }
      Atomics.wait(this.#control, STATE, PENDING, Math.min(left, 1000));
      const state = Atomics.load(this.#control, STATE);
      if (state === PENDING) continue;
      Atomics.store(this.#control, STATE, IDLE);
      if (state === DONE) return Atomics.load(this.#control, RESULT_LENGTH);
      throw this.#takeError();
    }
  }

  /** The error the fetcher wrote into the data buffer (as JSON) when it flagged the failure. */
  #takeError(): CellfeedError {
    const n = Atomics.load(this.#control, RESULT_LENGTH);
    try {
      const e = JSON.parse(new TextDecoder().decode(this.#data.slice(0, n))) as PortableError;
      return fromPortable(e, this.uri);
    } catch {
      return new IoError("read failed (unreadable error detail from the fetcher)", { path: this.uri });
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#port.close();
    await this.#worker.terminate();
  }
}
