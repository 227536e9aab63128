/**
 * ExperimentDataset: tiledbsoma-ml's training pipeline over an axis query. Per epoch the query's
 * cells are shuffled globally (chunks of `shuffleChunkSize` consecutive joinids in a random order),
 * cut into equal partitions (rank × worker), read in IO batches of `ioBatchSize` cells (kept
 * sparse), shuffled within each IO batch, and densified per mini-batch. Memory is bounded by the
 * IO batch, not by the query.
 *
 * ```ts
 * const ds = await ExperimentDataset.create(exp.axisQuery({ measurementName: "RNA" }), {
 *   layerName: "counts", obsColumnNames: ["cell_type"], batchSize: 128, seed: 1,
 * });
 * for await (const { X, obs, soma_joinid } of ds) train(X.data, obs.cell_type);
 * ```
 */
import { InvalidArgumentError, KeyNotFoundError } from "../errors.js";
import type { BatchMatrix } from "../mapped/types.js";
import { compareCodePoints } from "../order.js";
import { rngFor } from "../sampling/index.js";
import type { AxisQuery, ExperimentAxisQuery } from "./axis-query.js";
import { type CsrMatrix, csrRowsToDense, csrTakeRows, positionLookup, type ValueDtype } from "./csr.js";
import { openExperiment, type SOMAOpenOptions } from "./objects.js";

export interface ExperimentDatasetOptions {
  /** The X layer to read (e.g. "raw", "counts"). */
  layerName: string;
  /** obs columns to return, label-encoded. */
  obsColumnNames?: readonly string[];
  /** Cells per mini-batch (default 1). */
  batchSize?: number;
  /** Shuffle each epoch (default true). */
  shuffle?: boolean;
  seed?: number | string;
  /** Consecutive joinids shuffled as a block (default 64). */
  shuffleChunkSize?: number;
  /** Cells read (and held, sparse) at once; rounded down to a multiple of batchSize (default 65536). */
  ioBatchSize?: number;
  /** Distributed rank and world size (default 0 of 1). */
  rank?: number;
  worldSize?: number;
  /** Loader worker id and count within the rank (default 0 of 1). */
  workerId?: number;
  numWorkers?: number;
  /** Drop each partition's last partial mini-batch (default false). */
  dropLast?: boolean;
  /** "dense" (default) rows × var-query width, or "csr". */
  output?: "dense" | "csr";
  /** Value type of X (default float32). */
  dtype?: ValueDtype;
  /** Classes per obs column (default: built from the query's obs, sorted by code point). */
  encoders?: Readonly<Record<string, readonly string[]>>;
  /** `soma_joinid` as Float64Array (default) or BigInt64Array. */
  joinidType?: "float64" | "bigint64";
}

export interface SomaBatch {
  X: BatchMatrix;
  /** Encoded obs columns: the index of each label in `encoders[column]`; -1 for null / unknown. */
  obs: Record<string, Int32Array>;
  soma_joinid: Float64Array | BigInt64Array;
  /** Query positions of the rows (getItems only). */
  indices?: Int32Array;
}

/** What the dataset has materialised (for memory checks). */
export interface DatasetStats {
  ioBatches: number;
  /** Most cells asked of one X read. */
  maxRowsRequested: number;
  /** Most distinct cells one X read returned. */
  maxRowsReturned: number;
}

export interface ExperimentDatasetDescription {
  kind: "cellfeed.soma.ExperimentDataset";
  module: string;
  uri: string;
  measurementName: string;
  obsQuery?: AxisQuery;
  varQuery?: AxisQuery;
  options: ExperimentDatasetOptions;
  /** How the experiment was opened (the structured-cloneable part: S3 endpoint, retries, cache). */
  open?: SOMAOpenOptions;
}

/** The parts of open options a worker can receive (no clients, signals or callbacks). */
function cloneableOpenOptions(o: SOMAOpenOptions): SOMAOpenOptions | undefined {
  const out: SOMAOpenOptions = {};
  if (o.timestamp !== undefined) out.timestamp = o.timestamp;
  if (o.tileCache !== undefined) out.tileCache = o.tileCache;
  if (o.s3) {
    const { client: _client, credentials, ...rest } = o.s3;
    out.s3 = typeof credentials === "function" || credentials === undefined ? rest : { ...rest, credentials };
  }
  if (o.retry !== undefined) {
    if (o.retry === false) out.retry = false;
    else {
      const { retries, baseDelayMs, maxDelayMs } = o.retry;
      out.retry = { retries, baseDelayMs, maxDelayMs };
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function checkInt(name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min)
    throw new InvalidArgumentError(`${name} must be an integer ≥ ${min} (got ${v})`);
  return v;
}

export class ExperimentDataset {
  readonly #query: ExperimentAxisQuery;
  readonly #ids: Float64Array;
  readonly #opts: Required<Omit<ExperimentDatasetOptions, "encoders" | "seed">> & { seed: number | string };
  readonly #codes: Map<string, Map<string, number>>;
  readonly encoders: Readonly<Record<string, readonly string[]>>;
  readonly options: ExperimentDatasetOptions;
  #epoch = 0;
  readonly stats: DatasetStats = { ioBatches: 0, maxRowsRequested: 0, maxRowsReturned: 0 };

  private constructor(
    query: ExperimentAxisQuery,
    ids: Float64Array,
    options: ExperimentDatasetOptions,
    encoders: Record<string, readonly string[]>,
  ) {
    this.#query = query;
    this.#ids = ids;
    this.options = options;
    const batchSize = checkInt("batchSize", options.batchSize ?? 1, 1);
    const io = checkInt("ioBatchSize", options.ioBatchSize ?? 65536, 1);
    this.#opts = {
      layerName: options.layerName,
      obsColumnNames: options.obsColumnNames ?? [],
      batchSize,
      shuffle: options.shuffle ?? true,
      seed: options.seed ?? 0,
      shuffleChunkSize: checkInt("shuffleChunkSize", options.shuffleChunkSize ?? 64, 1),
      ioBatchSize: Math.max(batchSize, Math.floor(io / batchSize) * batchSize),
      rank: checkInt("rank", options.rank ?? 0, 0),
      worldSize: checkInt("worldSize", options.worldSize ?? 1, 1),
      workerId: checkInt("workerId", options.workerId ?? 0, 0),
      numWorkers: checkInt("numWorkers", options.numWorkers ?? 1, 1),
      dropLast: options.dropLast ?? false,
      output: options.output ?? "dense",
      dtype: options.dtype ?? "float32",
      joinidType: options.joinidType ?? "float64",
    };
    if (this.#opts.rank >= this.#opts.worldSize)
      throw new InvalidArgumentError(`rank ${this.#opts.rank} is outside worldSize ${this.#opts.worldSize}`);
    if (this.#opts.workerId >= this.#opts.numWorkers)
      throw new InvalidArgumentError(
        `workerId ${this.#opts.workerId} is outside numWorkers ${this.#opts.numWorkers}`,
      );
    this.encoders = encoders;
    this.#codes = new Map(
      Object.entries(encoders).map(([k, classes]) => [k, new Map(classes.map((c, i) => [c, i]))]),
    );
  }

  /** Resolves the query and (unless given) builds the obs encoders from the query's obs. */
  static async create(
    query: ExperimentAxisQuery,
    options: ExperimentDatasetOptions,
  ): Promise<ExperimentDataset> {
    const ms = await query.measurement();
    if (!ms.X.has(options.layerName))
      throw new KeyNotFoundError("X layer", options.layerName, ms.X.keys(), { path: ms.uri });
    const ids = await query.obsJoinids();
    const cols = options.obsColumnNames ?? [];
    const encoders: Record<string, readonly string[]> = {};
    const missing = cols.filter((c) => !options.encoders?.[c]);
    for (const c of cols) if (options.encoders?.[c]) encoders[c] = options.encoders[c] as readonly string[];
    if (missing.length > 0) {
      const t = await query.obs({ columnNames: missing });
      for (const c of missing) {
        const v = t.getChild(c);
        const seen = new Set<string>();
        if (v) for (let i = 0; i < v.length; i++) if (v.isValid(i)) seen.add(String(v.get(i)));
        encoders[c] = [...seen].sort(compareCodePoints);
      }
    }
    return new ExperimentDataset(query, ids, options, encoders);
  }

  /** Cells in the query (the DataLoader's index space). */
  get length(): number {
    return this.#ids.length;
  }

  get epoch(): number {
    return this.#epoch;
  }

  /** Mixes the epoch into the shuffle seed. */
  setEpoch(epoch: number): void {
    this.#epoch = checkInt("epoch", epoch, 0);
  }

  /** Cells this rank/worker yields per epoch (equal on every partition). */
  get partitionLength(): number {
    const parts = this.#opts.worldSize * this.#opts.numWorkers;
    return Math.floor(this.#ids.length / parts);
  }

  /** Mini-batches per epoch (equal on every partition). */
  get batchCount(): number {
    const n = this.partitionLength;
    const b = this.#opts.batchSize;
    return this.#opts.dropLast ? Math.floor(n / b) : Math.ceil(n / b);
  }

  /** This partition's query positions for the current epoch, in yield order before IO shuffles. */
  partitionPositions(): Int32Array {
    const o = this.#opts;
    const n = this.#ids.length;
    let order: Int32Array;
    if (o.shuffle) {
      const nChunks = Math.ceil(n / o.shuffleChunkSize);
      const chunks = rngFor({ seed: o.seed, epoch: this.#epoch, stream: "soma-chunks" }).shuffle(
        Int32Array.from({ length: nChunks }, (_, i) => i),
      );
      order = new Int32Array(n);
      let k = 0;
      for (const c of chunks) {
        const end = Math.min(n, (c + 1) * o.shuffleChunkSize);
        for (let p = c * o.shuffleChunkSize; p < end; p++) order[k++] = p;
      }
    } else order = Int32Array.from({ length: n }, (_, i) => i);
    const per = this.partitionLength;
    const part = o.rank * o.numWorkers + o.workerId;
    return order.slice(part * per, (part + 1) * per);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<SomaBatch> {
    const o = this.#opts;
    const positions = this.partitionPositions();
    const limit = o.dropLast ? Math.floor(positions.length / o.batchSize) * o.batchSize : positions.length;
    for (let start = 0; start < limit; start += o.ioBatchSize) {
      const io = positions.slice(start, Math.min(limit, start + o.ioBatchSize));
      if (o.shuffle)
        rngFor({
          seed: o.seed,
          epoch: this.#epoch,
          stream: `soma-io-${start}`,
          rank: o.rank,
          worker: o.workerId,
        }).shuffle(io);
      const block = await this.#readBlock(io);
      for (let b = 0; b < io.length; b += o.batchSize) {
        const rows = Int32Array.from({ length: Math.min(o.batchSize, io.length - b) }, (_, i) => b + i);
        yield this.#batch(block, rows, o.output);
      }
    }
  }

  /**
   * The cells at query positions `indices` (any order) as one batch; the DataLoader's hot path.
   */
  async getItems(
    indices: ArrayLike<number>,
    options: { output?: "dense" | "csr"; reuse?: ArrayBuffer[]; signal?: AbortSignal } = {},
  ): Promise<SomaBatch> {
    const pos = Int32Array.from(indices as ArrayLike<number>);
    for (const p of pos)
      if (!Number.isInteger(p) || p < 0 || p >= this.#ids.length)
        throw new InvalidArgumentError(`index ${p} is outside the dataset (length ${this.#ids.length})`);
    const block = await this.#readBlock(pos, options.signal);
    const batch = this.#batch(
      block,
      Int32Array.from(pos.keys()),
      options.output ?? this.#opts.output,
      options.reuse,
    );
    batch.indices = pos;
    return batch;
  }

  /** Reads the X rows and obs codes of the cells at `pos` (sorted joinids for the read). */
  async #readBlock(pos: Int32Array, signal?: AbortSignal): Promise<Block> {
    const ids = Float64Array.from(pos, (p) => this.#ids[p] as number);
    const sorted = Float64Array.from(new Set(ids)).sort();
    const X = await this.#query.XRows(this.#opts.layerName, sorted, undefined, {
      dtype: this.#opts.dtype,
      signal,
    });
    let returned = 0;
    for (let r = 0; r < sorted.length; r++)
      if ((X.indptr[r + 1] as number) > (X.indptr[r] as number)) returned++;
    this.stats.ioBatches++;
    this.stats.maxRowsRequested = Math.max(this.stats.maxRowsRequested, sorted.length);
    this.stats.maxRowsReturned = Math.max(this.stats.maxRowsReturned, returned);
    const rowOf = positionLookup(sorted, "batch joinids");
    const rowOfPos = Int32Array.from(ids, (id) => rowOf(id));
    const obs: Record<string, Int32Array> = {};
    const names = this.#opts.obsColumnNames;
    if (names.length > 0) {
      const t = await this.#query.experiment.obs.read({ coords: sorted, columnNames: names, signal });
      for (const c of names) {
        const v = t.getChild(c);
        const codes = this.#codes.get(c) as Map<string, number>;
        const bySorted = new Int32Array(sorted.length).fill(-1);
        if (v)
          for (let i = 0; i < v.length; i++)
            if (v.isValid(i)) bySorted[i] = codes.get(String(v.get(i))) ?? -1;
        obs[c] = Int32Array.from(rowOfPos, (r) => bySorted[r] as number);
      }
    }
    return { X, rowOfPos, ids, obs };
  }

  /** `reuse`: recycled buffers a dense X may be written into (DataLoader.recycle). */
  #batch(block: Block, rows: Int32Array, output: "dense" | "csr", reuse?: ArrayBuffer[]): SomaBatch {
    const xr = Int32Array.from(rows, (r) => block.rowOfPos[r] as number);
    const width = block.X.shape[1];
    let X: BatchMatrix;
    if (output === "csr") {
      const m = csrTakeRows(block.X, xr);
      X = { format: "csr", data: m.data, indices: m.indices, indptr: m.indptr, shape: [rows.length, width] };
    } else X = { format: "dense", data: csrRowsToDense(block.X, xr, reuse), shape: [rows.length, width] };
    const obs: Record<string, Int32Array> = {};
    for (const [k, codes] of Object.entries(block.obs))
      obs[k] = Int32Array.from(rows, (r) => codes[r] as number);
    const ids = Float64Array.from(rows, (r) => block.ids[r] as number);
    const soma_joinid =
      this.#opts.joinidType === "bigint64" ? BigInt64Array.from(ids, (v) => BigInt(v)) : ids;
    return { X, obs, soma_joinid };
  }

  /** A plain description a worker can rebuild this dataset from (`fromDescription`). */
  describe(): ExperimentDatasetDescription {
    const q = this.#query.options;
    const plain = (a?: AxisQuery): AxisQuery | undefined => {
      if (!a) return undefined;
      const c = a.coords;
      const coords =
        c && (Array.isArray(c) || ArrayBuffer.isView(c))
          ? Array.from(c as ArrayLike<number | bigint>, Number)
          : c;
      return { ...a, coords };
    };
    return {
      kind: "cellfeed.soma.ExperimentDataset",
      module: import.meta.url,
      uri: this.#query.experiment.uri,
      measurementName: q.measurementName,
      obsQuery: plain(q.obsQuery),
      varQuery: plain(q.varQuery),
      options: { ...this.options, encoders: this.encoders, seed: this.#opts.seed },
      open: cloneableOpenOptions(this.#query.experiment.openOptions),
    };
  }
}

interface Block {
  X: CsrMatrix;
  /** Per requested position: its row in X. */
  rowOfPos: Int32Array;
  ids: Float64Array;
  obs: Record<string, Int32Array>;
}

/** Rebuilds a dataset from `describe()` (used by DataLoader workers). */
export async function fromDescription(d: ExperimentDatasetDescription): Promise<ExperimentDataset> {
  const exp = await openExperiment(d.uri, d.open);
  const query = exp.axisQuery({
    measurementName: d.measurementName,
    obsQuery: d.obsQuery,
    varQuery: d.varQuery,
  });
  return await ExperimentDataset.create(query, d.options);
}
