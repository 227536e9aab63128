import { InvalidArgumentError, TruncatedFileError, throwIfAborted } from "../errors.js";
import { SharedTask } from "./shared-task.js";
import type { ByteSource, ReadOptions } from "./types.js";

export interface BlockCacheOptions {
  /** Block size in bytes (default 1 MiB). Reads are rounded out to whole blocks. */
  blockSize?: number;
  /** Most bytes kept in memory (default 64 MiB); least recently used blocks go first. */
  maxBytes?: number;
}

export interface BlockCacheStats {
  /** Blocks served from memory. */
  hits: number;
  /** Blocks fetched from the underlying source. */
  misses: number;
  /** Bytes fetched from the underlying source. */
  bytesFetched: number;
  /** Bytes held now. */
  cachedBytes: number;
}

interface Pending {
  task: SharedTask<Uint8Array>;
  /** Where this block starts inside the run the task fetches. */
  at: number;
  length: number;
}

/**
 * Keeps fixed-size blocks of a source in memory, so many small reads near each other (HDF5 metadata,
 * TileDB headers) cost one request per block. Neighbouring missing blocks are fetched in one read;
 * concurrent readers of the same block share its fetch.
 *
 * ```ts
 * const source = new BlockCache(withRetry(s3Source), { blockSize: 256 * 1024, maxBytes: 32 << 20 });
 * ```
 */
export class BlockCache implements ByteSource {
  readonly uri: string;
  readonly blockSize: number;
  readonly maxBytes: number;
  readonly #source: ByteSource;
  readonly #blocks = new Map<number, Uint8Array>();
  readonly #pending = new Map<number, Pending>();
  #size: Promise<number> | undefined;
  #stats: BlockCacheStats = { hits: 0, misses: 0, bytesFetched: 0, cachedBytes: 0 };

  constructor(source: ByteSource, options: BlockCacheOptions = {}) {
    this.#source = source;
    this.uri = source.uri;
    this.blockSize = options.blockSize ?? 1 << 20;
    this.maxBytes = options.maxBytes ?? 64 << 20;
    if (!Number.isSafeInteger(this.blockSize) || this.blockSize <= 0) {
      throw new InvalidArgumentError(`blockSize must be a positive integer, got ${this.blockSize}`);
    }
    if (!(this.maxBytes >= 0)) throw new InvalidArgumentError(`maxBytes must be >= 0, got ${this.maxBytes}`);
  }

  get stats(): BlockCacheStats {
    return { ...this.#stats };
  }

  size(options?: ReadOptions): Promise<number> {
    this.#size ??= this.#source.size(options);
    const p = this.#size;
    p.catch(() => {
      if (this.#size === p) this.#size = undefined;
    });
    return p;
  }

  async read(offset: number, length: number, options?: ReadOptions): Promise<Uint8Array> {
    const signal = options?.signal;
    throwIfAborted(signal, { path: this.uri });
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new InvalidArgumentError(`bad range: offset ${offset}, length ${length}`, { path: this.uri });
    }
    const total = await this.size(options);
    if (offset + length > total) {
      throw new TruncatedFileError(
        `read of ${length} bytes at offset ${offset} passes the end of the object (${total} bytes)`,
        { path: this.uri },
      );
    }
    const out = new Uint8Array(length);
    if (length === 0) return out;
    const bs = this.blockSize;
    const first = Math.floor(offset / bs);
    const last = Math.floor((offset + length - 1) / bs);
    this.#startMissing(first, last, total);
    for (let b = first; b <= last; b++) {
      const block = await this.#block(b, total, signal);
      const blockStart = b * bs;
      const from = Math.max(offset, blockStart);
      const to = Math.min(offset + length, blockStart + block.length);
      out.set(block.subarray(from - blockStart, to - blockStart), from - offset);
    }
    return out;
  }

  /** Starts one fetch per run of neighbouring blocks that are neither cached nor being fetched. */
  #startMissing(first: number, last: number, total: number): void {
    const bs = this.blockSize;
    let b = first;
    while (b <= last) {
      if (this.#blocks.has(b) || this.#pending.has(b)) {
        b++;
        continue;
      }
      let end = b;
      while (end + 1 <= last && !this.#blocks.has(end + 1) && !this.#pending.has(end + 1)) end++;
      const runStart = b * bs;
      const runLength = Math.min(total, (end + 1) * bs) - runStart;
      const task = new SharedTask((signal) => this.#source.read(runStart, runLength, { signal }));
      for (let k = b; k <= end; k++) {
        const at = (k - b) * bs;
        const pending: Pending = { task, at, length: Math.min(bs, runLength - at) };
        this.#pending.set(k, pending);
        task.promise.then(
          (run) => {
            if (this.#pending.get(k) !== pending) return;
            this.#pending.delete(k);
            this.#stats.misses++;
            this.#stats.bytesFetched += pending.length;
            const data = runLength === pending.length ? run : run.slice(at, at + pending.length);
            this.#store(k, data);
          },
          () => {
            if (this.#pending.get(k) === pending) this.#pending.delete(k);
          },
        );
      }
      b = end + 1;
    }
  }

  async #block(b: number, total: number, signal: AbortSignal | undefined): Promise<Uint8Array> {
    const cached = this.#blocks.get(b);
    if (cached) {
      this.#stats.hits++;
      // Re-insert to mark as most recently used.
      this.#blocks.delete(b);
      this.#blocks.set(b, cached);
      return cached;
    }
    // Evicted while we awaited earlier blocks of this read: fetch it again.
    if (!this.#pending.has(b)) this.#startMissing(b, b, total);
    const pending = this.#pending.get(b)!;
    const run = await pending.task.join(signal, this.uri);
    return run.subarray(pending.at, pending.at + pending.length);
  }

  #store(b: number, data: Uint8Array): void {
    if (data.length > this.maxBytes) return;
    this.#blocks.set(b, data);
    this.#stats.cachedBytes += data.length;
    for (const [key, block] of this.#blocks) {
      if (this.#stats.cachedBytes <= this.maxBytes) break;
      this.#blocks.delete(key);
      this.#stats.cachedBytes -= block.length;
    }
  }

  async close(): Promise<void> {
    this.#blocks.clear();
    this.#pending.clear();
    this.#stats.cachedBytes = 0;
    await this.#source.close();
  }
}
