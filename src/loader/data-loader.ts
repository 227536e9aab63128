import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Worker } from "node:worker_threads";
import { Piscina } from "piscina";
import { AbortError, InvalidArgumentError, isCellfeedError, WorkerError } from "../errors.js";
import { RandomSampler, SequentialSampler } from "../sampling/index.js";
import { collectTransferables } from "./transfer.js";
import type { BatchDataset, BatchIndexSampler, IndexSampler } from "./types.js";
import type { WorkerData, WorkerTask } from "./worker.js";

export interface DataLoaderProgress {
  epoch: number;
  /** Batches delivered so far in this epoch. */
  batch: number;
  batches: number;
  samples: number;
}

export interface DataLoaderOptions {
  /** Rows per batch (default 256). Ignored when `batchSampler` is given. */
  batchSize?: number;
  /** Random order each epoch (seeded). Ignored when `sampler` or `batchSampler` is given. */
  shuffle?: boolean;
  /** Seed of the default random sampler (default 0). */
  seed?: number;
  /** The order of indices in an epoch (any cellfeed sampler). */
  sampler?: IndexSampler;
  /** Whole batches of indices (e.g. `BatchSampler`); overrides batchSize/sampler/dropLast. */
  batchSampler?: BatchIndexSampler;
  /** Drop the last, smaller batch. */
  dropLast?: boolean;
  /** 0 reads in the calling thread; N > 0 reads in N worker threads (piscina). */
  numWorkers?: number;
  /** Batches read ahead per worker (or in total with numWorkers 0). Default 2. */
  prefetch?: number;
  /** Row layout of X in each batch. Default "dense". */
  output?: "dense" | "csr";
  /** Aborting stops reading promptly; the iteration then throws an AbortError. */
  signal?: AbortSignal;
  onProgress?: (progress: DataLoaderProgress) => void;
}

type AnyBatch = Record<string, unknown>;

/** Matrices smaller than this are not worth recycling. */
const RECYCLE_MIN_BYTES = 16 << 10;

/** Buffers datasets can refill: float matrices' (not labels or indices), when big enough to matter. */
function recyclable(owner: ArrayBufferView | ArrayBuffer): boolean {
  return (
    (owner instanceof Float32Array || owner instanceof Float64Array) && owner.byteLength >= RECYCLE_MIN_BYTES
  );
}
/** Spare buffers kept, in batches' worth: enough for every read in flight plus a little slack. */
const SPARE_BATCHES = 4;

function workerScript(): string {
  const js = new URL("./worker.js", import.meta.url);
  if (existsSync(fileURLToPath(js))) return js.href;
  // Running from the TypeScript sources (tests, tsx): a bootstrap that teaches the worker TypeScript.
  return new URL("./worker-source.mjs", import.meta.url).href;
}

/** Adds `X` (and `shape`) aliases for the main layer, so `batch.X` is the matrix a model takes. */
function withAliases(batch: unknown): AnyBatch {
  const b = batch as AnyBatch;
  const layers = b.layers as Record<string, { data?: unknown; shape?: unknown }> | undefined;
  const main = layers?.X;
  if (main && b.X === undefined) {
    b.X = main.data;
    b.shape = main.shape;
  }
  return b;
}

/**
 * Batches from any dataset with `length` and `getItems` (MappedCollection, SOMA datasets), in
 * sampler order, read ahead by worker threads with bounded memory.
 *
 * ```ts
 * const mc = await MappedCollection.open(["a.h5ad", "b.h5ad"], { obsKeys: ["cell_type"], join: "outer" });
 * const loader = new DataLoader(mc, { batchSize: 256, shuffle: true, seed: 0, numWorkers: 2 });
 * for await (const batch of loader) { batch.X; batch.obs.cell_type; }
 * await loader.close();
 * ```
 *
 * Each pass over the loader is one epoch: the n-th pass uses epoch n unless `setEpoch` says
 * otherwise, so the order of every epoch depends only on the seed and the epoch number. Batches'
 * buffers are fresh and belong to the consumer.
 */
export class DataLoader<TBatch = AnyBatch> implements AsyncIterable<TBatch> {
  readonly dataset: BatchDataset;
  readonly options: Readonly<DataLoaderOptions>;
  #epoch = 0;
  #epochSetExplicitly = false;
  #pool: Piscina | undefined;
  /** Errors the pool emitted outside any task (e.g. a result arriving after its task was aborted). */
  #poolErrors: unknown[] = [];
  #closed = false;
  /** Buffers handed back by `recycle`, for the next reads to fill. */
  #spare: ArrayBuffer[] = [];
  readonly #batchSize: number;
  readonly #numWorkers: number;
  readonly #prefetch: number;
  readonly #sampler: IndexSampler | undefined;

  constructor(dataset: BatchDataset, options: DataLoaderOptions = {}) {
    this.dataset = dataset;
    this.options = options;
    this.#batchSize = options.batchSize ?? 256;
    this.#numWorkers = options.numWorkers ?? 0;
    this.#prefetch = options.prefetch ?? 2;
    if (!Number.isInteger(this.#batchSize) || this.#batchSize < 1) {
      throw new InvalidArgumentError(`batchSize must be a positive integer, got ${options.batchSize}`);
    }
    if (!Number.isInteger(this.#numWorkers) || this.#numWorkers < 0) {
      throw new InvalidArgumentError(`numWorkers must be a non-negative integer, got ${options.numWorkers}`);
    }
    if (!Number.isInteger(this.#prefetch) || this.#prefetch < 1) {
      throw new InvalidArgumentError(`prefetch must be a positive integer, got ${options.prefetch}`);
    }
    if (this.#numWorkers > 0 && typeof dataset.describe !== "function") {
      throw new InvalidArgumentError("numWorkers > 0 needs a dataset with describe() (workers rebuild it)");
    }
    if (!options.batchSampler) {
      this.#sampler =
        options.sampler ??
        (options.shuffle
          ? new RandomSampler(dataset.length, { seed: options.seed ?? 0 })
          : new SequentialSampler(dataset.length));
    }
  }

  /** Batches per epoch. */
  get length(): number {
    if (this.options.batchSampler) return this.options.batchSampler.length;
    const n = this.#sampler?.length ?? 0;
    return this.options.dropLast ? Math.floor(n / this.#batchSize) : Math.ceil(n / this.#batchSize);
  }

  /** The epoch the next pass will use. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Sets the epoch of the next pass (and of the samplers). */
  setEpoch(epoch: number): void {
    if (!Number.isInteger(epoch) || epoch < 0) {
      throw new InvalidArgumentError(`epoch must be a non-negative integer, got ${epoch}`);
    }
    this.#epoch = epoch;
    this.#epochSetExplicitly = true;
  }

  /** The index batches of the current epoch. */
  epochBatches(): ArrayLike<number>[] {
    const bs = this.options.batchSampler;
    if (bs) {
      bs.setEpoch?.(this.#epoch);
      return [...bs.batches()];
    }
    const sampler = this.#sampler!;
    sampler.setEpoch?.(this.#epoch);
    const order = sampler.indices();
    const out: ArrayLike<number>[] = [];
    for (let start = 0; start < order.length; start += this.#batchSize) {
      const end = Math.min(start + this.#batchSize, order.length);
      if (end - start < this.#batchSize && this.options.dropLast) break;
      out.push(Int32Array.from({ length: end - start }, (_, k) => order[start + k]!));
    }
    return out;
  }

  #poolFor(): Piscina {
    if (!this.#pool) {
      const filename = workerScript();
      const workerData: WorkerData = { description: this.dataset.describe!() };
      this.#pool = new Piscina({
        filename,
        // Sent once per worker, not with every task: a description can be tens of kilobytes.
        workerData,
        minThreads: this.#numWorkers,
        maxThreads: this.#numWorkers,
        // Every worker holds at most `prefetch` queued tasks; the loader bounds the total itself.
        concurrentTasksPerWorker: 1,
        idleTimeout: Number.POSITIVE_INFINITY,
      });
      // Piscina reports a result that arrives for an already aborted task as an 'error' event; with no
      // listener that would crash the process. Keep it, and fail the next batch if it was not expected.
      this.#pool.on("error", (err: unknown) => {
        // The known race: a task aborted (by the signal) after its worker posted the result.
        if (/Unexpected message from Worker/.test(String((err as Error)?.message ?? err))) return;
        this.#poolErrors.push(err);
      });
    }
    return this.#pool;
  }

  #describeFailure(batchNo: number, indices: ArrayLike<number>, err: unknown): WorkerError | AbortError {
    if (isCellfeedError(err, "aborted")) return err as AbortError;
    const shown = Array.from(indices).slice(0, 8).join(", ");
    const more = indices.length > 8 ? `, … (${indices.length} in all)` : "";
    const files = this.dataset.paths?.length ? ` from ${this.dataset.paths.join(", ")}` : "";
    const reason = err instanceof Error ? err.message : String(err);
    return new WorkerError(`batch ${batchNo} (indices ${shown}${more})${files} failed: ${reason}`, {
      cause: err,
    });
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<TBatch, void, undefined> {
    if (this.#closed) throw new InvalidArgumentError("the DataLoader is closed");
    const epoch = this.#epoch;
    const batches = this.epochBatches();
    // The next pass is the next epoch, unless the user keeps setting it.
    if (!this.#epochSetExplicitly) this.#epoch = epoch + 1;
    this.#epochSetExplicitly = false;

    const controller = new AbortController();
    const userSignal = this.options.signal;
    const onUserAbort = () => controller.abort(userSignal?.reason);
    if (userSignal?.aborted) throw new AbortError("DataLoader aborted", { cause: userSignal.reason });
    userSignal?.addEventListener("abort", onUserAbort, { once: true });

    this.#poolErrors = [];
    const output = this.options.output ?? "dense";
    const maxInFlight = this.#numWorkers > 0 ? this.#numWorkers * this.#prefetch : this.#prefetch;
    const pool = this.#numWorkers > 0 ? this.#poolFor() : undefined;
    const inFlight: Promise<unknown>[] = [];
    let next = 0;
    let samples = 0;

    const launch = (b: number): Promise<unknown> => {
      const indices = batches[b]!;
      let p: Promise<unknown>;
      // Recycled buffers go with the read (at most as many as a batch gave back).
      const reuse = this.#spare.splice(0, this.#sparePerBatch);
      if (pool) {
        const typed = indices instanceof Int32Array ? indices : Int32Array.from(indices);
        const task: WorkerTask = { indices: typed, output, ...(reuse.length > 0 ? { reuse } : {}) };
        p = pool.run(task, {
          signal: controller.signal,
          ...(reuse.length > 0 ? { transferList: reuse } : {}),
        });
      } else {
        p = this.dataset.getItems(indices, {
          output,
          signal: controller.signal,
          ...(reuse.length > 0 ? { reuse } : {}),
        });
      }
      const wrapped = p.catch((err: unknown) => {
        if (controller.signal.aborted) {
          throw new AbortError("DataLoader aborted", { cause: userSignal?.reason ?? err });
        }
        throw this.#describeFailure(b, indices, err);
      });
      // Rejections of batches never awaited (after a break or an error) must not go unhandled.
      wrapped.catch(() => {});
      return wrapped;
    };

    try {
      for (let b = 0; b < batches.length; b++) {
        while (inFlight.length < maxInFlight && next < batches.length) inFlight.push(launch(next++));
        const batch = withAliases(await inFlight.shift()!);
        if (this.#poolErrors.length > 0) {
          throw new WorkerError(`a worker thread failed: ${String(this.#poolErrors[0])}`, {
            cause: this.#poolErrors[0],
          });
        }
        samples += batches[b]!.length;
        this.options.onProgress?.({ epoch, batch: b + 1, batches: batches.length, samples });
        yield batch as TBatch;
      }
    } finally {
      userSignal?.removeEventListener("abort", onUserAbort);
      // Stopped early (break, error): in the calling thread, abort the reads in flight. Worker tasks
      // are left to finish and their batches dropped: aborting a running piscina task kills its thread
      // and races with the result it may already have posted.
      if (inFlight.length > 0 && !pool) controller.abort(new AbortError("iteration stopped early"));
    }
  }

  /** How many buffers the last recycled batch gave back. */
  #sparePerBatch = 0;

  /**
   * Hands a batch's large buffers back, to be refilled by later reads instead of fresh allocations.
   * Optional: without it every batch has fresh buffers. With it, the thread that consumes batches
   * no longer has to garbage-collect a large buffer per batch (the main cost of a fast loader there).
   * Call it only when nothing will read the batch again: its arrays are detached or overwritten.
   * With TensorFlow.js that is after `tf.tensor` on the wasm backend (which copies); the cpu,
   * webgl and node backends keep reading the array until the tensor is disposed. `toTfDataset`
   * knows the difference and recycles for you.
   */
  recycle(batch: unknown): void {
    const buffers = [...collectTransferables(batch, recyclable)];
    this.#sparePerBatch = Math.max(this.#sparePerBatch, buffers.length);
    const room = Math.max(0, SPARE_BATCHES * Math.max(1, this.#sparePerBatch) - this.#spare.length);
    this.#spare.push(...buffers.slice(0, room));
  }

  /** The live worker threads (empty with `numWorkers: 0`, before the first pass and after close). */
  get threads(): readonly Worker[] {
    return this.#pool ? [...this.#pool.threads] : [];
  }

  /** Ends every worker thread. The loader cannot be iterated afterwards. */
  async close(): Promise<void> {
    this.#closed = true;
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool) await pool.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
