/**
 * MatrixReader implementations: dense (2-D dataset), CSR and CSC (anndata groups or legacy
 * h5sparse groups). Row reads go through RangeReader / RowBlockReader, one slice per coalesced run.
 */
import { FormatError, throwIfAborted } from "../errors.js";
import {
  type DenseTarget,
  type FlatRows,
  flatDenseScatter,
  flatDenseToCsr,
  flatDenseToDense,
  flatScatter,
  flatToCsr,
  flatToDense,
  type SparseRow,
  sparseToCsr,
  sparseToDense,
} from "./assemble.js";
import { type NumberArray, toInt32 } from "./convert.js";
import type { RangeReader, RowBlockReader } from "./range.js";
import { coalesce, planRows, type RowPlan, type Run } from "./rows.js";
import type { CsrRows, DenseRows, MatrixReader, NumericDtype, ReadRowsOptions } from "./types.js";

/** Elements per read when streaming a whole matrix (sums, CSC scans). */
export const STREAM_BLOCK_ELEMENTS = 1 << 20;

/**
 * True when the element after a run (`prevEnd`, exclusive) and the next wanted element (`nextStart`)
 * fall in the same storage chunk: separate slices would decompress that chunk twice.
 */
export function sameChunk(prevEnd: number, nextStart: number, chunk: number): boolean {
  return chunk > 0 && prevEnd > 0 && Math.floor((prevEnd - 1) / chunk) === Math.floor(nextStart / chunk);
}

/** Element (or row) bounds of each run: `[at(run.start), at(run.end))`. */
function bounds(
  runs: readonly Run[],
  at: (row: number) => number,
): { starts: Float64Array; ends: Float64Array } {
  const starts = new Float64Array(runs.length);
  const ends = new Float64Array(runs.length);
  for (let k = 0; k < runs.length; k++) {
    starts[k] = at(runs[k]!.start);
    ends[k] = at(runs[k]!.end);
  }
  return { starts, ends };
}

/** Float64 totals over all stored values. */
export interface MatrixStats {
  /** Stored values: nnz for sparse, rows × cols for dense. */
  stored: number;
  /** Stored values that are not 0 (NaN counts as nonzero). */
  nonzero: number;
  sum: number;
  sumAbs: number;
}

export interface StatsOptions {
  signal?: AbortSignal;
}

/** Where a matrix lives, for errors and descriptions. */
export interface MatrixSource {
  /** The file path. */
  path: string;
  /** HDF5 path of the element ("X", "raw/X", "layers/counts", "obsm/X_pca", ...). */
  key: string;
  /** The dataset that holds the values (for chunking/compression details). */
  valuesDataset: string;
}

export abstract class H5adMatrix implements MatrixReader {
  abstract readonly layout: "dense" | "csr" | "csc";
  readonly key: string;

  constructor(
    readonly source: MatrixSource,
    readonly shape: [number, number],
    readonly dtype: NumericDtype,
  ) {
    this.key = source.key;
  }

  protected where(dataset = this.source.key): { path: string; dataset: string } {
    return { path: this.source.path, dataset };
  }

  protected plan(indices: ArrayLike<number>): RowPlan {
    return planRows(indices, this.shape[0], this.where());
  }

  abstract readRows(indices: ArrayLike<number>, options?: ReadRowsOptions): Promise<CsrRows | DenseRows>;

  /**
   * The rows of `indices` written straight into a dense batch (`target`), for callers that build
   * one dense buffer from several files: the same values `readRows` gives, without the CSR (or dense)
   * copy in between. Caller row k lands in row `target.pos[k]`.
   */
  async scatterRows(
    indices: ArrayLike<number>,
    target: DenseTarget,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const dtype = target.out instanceof Float64Array ? "float64" : "float32";
    const src = await this.readRows(indices, { ...options, output: "csr", dtype });
    if (src.format !== "csr") throw new FormatError("expected CSR rows", this.where());
    const n = src.shape[0];
    const rows: FlatRows = { at: new Float64Array(n), len: new Int32Array(n) };
    const slotOf = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      rows.at[i] = src.indptr[i]!;
      rows.len[i] = src.indptr[i + 1]! - src.indptr[i]!;
      slotOf[i] = i;
    }
    flatScatter(src.data, src.indices, rows, slotOf, this.shape[1], target, this.where());
  }

  /** Streams over every stored value (block by block) and totals it in float64. */
  abstract stats(options?: StatsOptions): Promise<MatrixStats>;
}

function accumulate(values: NumberArray, acc: MatrixStats): void {
  let sum = 0;
  let sumAbs = 0;
  let nonzero = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    sum += v;
    sumAbs += Math.abs(v);
    if (v !== 0) nonzero++;
  }
  acc.sum += sum;
  acc.sumAbs += sumAbs;
  acc.nonzero += nonzero;
  acc.stored += values.length;
}

/** A dense 2-D dataset: runs of rows are sliced whole. */
export class DenseMatrix extends H5adMatrix {
  readonly layout = "dense" as const;

  constructor(
    source: MatrixSource,
    shape: [number, number],
    dtype: NumericDtype,
    private readonly reader: RowBlockReader,
  ) {
    super(source, shape, dtype);
  }

  /** Every distinct row in one flat block; `at[s]` is where slot `s` starts. */
  async #readFlat(
    indices: ArrayLike<number>,
    options: { signal?: AbortSignal },
  ): Promise<{ slotOf: Int32Array; block: NumberArray; at: Float64Array }> {
    const plan = this.plan(indices);
    throwIfAborted(options.signal, this.where());
    await this.reader.ready();
    const nCols = this.shape[1];
    const chunk = this.reader.chunkRows;
    const runs = coalesce(
      plan.unique,
      (a, b) => (sameChunk(a + 1, b, chunk) ? 0 : (b - a - 1) * nCols),
      this.reader.mergeGap,
    );
    const { starts, ends } = bounds(runs, (r) => r);
    const block = await this.reader.readRowRuns(starts, ends, options);
    const at = new Float64Array(plan.unique.length);
    let base = 0;
    for (const run of runs) {
      for (let s = run.first; s <= run.last; s++) at[s] = base + (plan.unique[s]! - run.start) * nCols;
      base += (run.end - run.start) * nCols;
    }
    if (block.length !== base) {
      throw new FormatError(`read ${block.length} values for ${base} requested`, this.where());
    }
    return { slotOf: plan.slotOf, block, at };
  }

  async readRows(indices: ArrayLike<number>, options: ReadRowsOptions = {}): Promise<CsrRows | DenseRows> {
    const { slotOf, block, at } = await this.#readFlat(indices, options);
    const dtype = options.dtype ?? "float32";
    const nCols = this.shape[1];
    if ((options.output ?? "dense") === "dense") return flatDenseToDense(block, at, slotOf, nCols, dtype);
    return flatDenseToCsr(block, at, slotOf, nCols, dtype);
  }

  override async scatterRows(
    indices: ArrayLike<number>,
    target: DenseTarget,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const { slotOf, block, at } = await this.#readFlat(indices, options);
    flatDenseScatter(block, at, slotOf, this.shape[1], target);
  }

  async stats(options: StatsOptions = {}): Promise<MatrixStats> {
    const acc: MatrixStats = { stored: 0, nonzero: 0, sum: 0, sumAbs: 0 };
    const [nRows, nCols] = this.shape;
    const step = Math.max(1, Math.floor(STREAM_BLOCK_ELEMENTS / Math.max(1, nCols)));
    for (let r = 0; r < nRows; r += step) {
      throwIfAborted(options.signal, this.where());
      accumulate(await this.reader.readRows(r, Math.min(nRows, r + step), options), acc);
    }
    return acc;
  }
}

/** CSR or CSC: `indptr` is read once at open; data/indices are sliced per run. */
export abstract class SparseMatrix extends H5adMatrix {
  constructor(
    source: MatrixSource,
    shape: [number, number],
    dtype: NumericDtype,
    /** Offsets into data/indices, length (major dimension + 1). */
    readonly indptr: Float64Array,
    protected readonly data: RangeReader,
    protected readonly indices: RangeReader,
  ) {
    super(source, shape, dtype);
  }

  /** Stored values (nnz). */
  get nnz(): number {
    return this.indptr[this.indptr.length - 1] ?? 0;
  }

  protected async readSpan(lo: number, hi: number, options: StatsOptions): Promise<SparseRow> {
    const [data, indices] = [await this.data.read(lo, hi, options), await this.indices.read(lo, hi, options)];
    if (data.length !== hi - lo || indices.length !== hi - lo) {
      throw new FormatError(`short read of elements ${lo}..${hi}`, this.where(this.data.dataset));
    }
    return { data, indices: toInt32(indices) };
  }

  async stats(options: StatsOptions = {}): Promise<MatrixStats> {
    const acc: MatrixStats = { stored: 0, nonzero: 0, sum: 0, sumAbs: 0 };
    const nnz = this.nnz;
    for (let lo = 0; lo < nnz; lo += STREAM_BLOCK_ELEMENTS) {
      throwIfAborted(options.signal, this.where());
      accumulate(await this.data.read(lo, Math.min(nnz, lo + STREAM_BLOCK_ELEMENTS), options), acc);
    }
    return acc;
  }

  protected output(rows: SparseRow[], slotOf: Int32Array, options: ReadRowsOptions): CsrRows | DenseRows {
    const dtype = options.dtype ?? "float32";
    const nCols = this.shape[1];
    if ((options.output ?? "csr") === "csr") return sparseToCsr(rows, slotOf, nCols, dtype);
    return sparseToDense(rows, slotOf, nCols, dtype, this.where(this.indices.dataset));
  }
}

export class CsrMatrix extends SparseMatrix {
  readonly layout = "csr" as const;
  #ready: Promise<unknown> | undefined;

  /** Every distinct row's values and columns in one flat block each; `rows` says where slot s sits. */
  async #readFlat(
    indices: ArrayLike<number>,
    options: { signal?: AbortSignal },
  ): Promise<{ slotOf: Int32Array; values: NumberArray; cols: NumberArray; rows: FlatRows }> {
    const plan = this.plan(indices);
    throwIfAborted(options.signal, this.where());
    this.#ready ??= Promise.all([this.data.ready(), this.indices.ready()]);
    await this.#ready;
    const ip = this.indptr;
    const dChunk = this.data.chunk;
    const iChunk = this.indices.chunk;
    const runs = coalesce(
      plan.unique,
      (a, b) => {
        const end = ip[a + 1]!;
        const next = ip[b]!;
        return sameChunk(end, next, dChunk) || sameChunk(end, next, iChunk) ? 0 : next - end;
      },
      Math.min(this.data.mergeGap, this.indices.mergeGap),
    );
    const { starts, ends } = bounds(runs, (r) => ip[r]!);
    const [values, cols] = await Promise.all([
      this.data.readRuns(starts, ends, options),
      this.indices.readRuns(starts, ends, options),
    ]);
    const rows: FlatRows = {
      at: new Float64Array(plan.unique.length),
      len: new Int32Array(plan.unique.length),
    };
    let base = 0;
    for (let k = 0; k < runs.length; k++) {
      const run = runs[k]!;
      const lo = starts[k]!;
      for (let s = run.first; s <= run.last; s++) {
        const r = plan.unique[s]!;
        rows.at[s] = base + ip[r]! - lo;
        rows.len[s] = ip[r + 1]! - ip[r]!;
      }
      base += ends[k]! - lo;
    }
    if (values.length !== base || cols.length !== base) {
      throw new FormatError(
        `read ${values.length} values and ${cols.length} indices for ${base} requested`,
        this.where(this.data.dataset),
      );
    }
    return { slotOf: plan.slotOf, values, cols, rows };
  }

  async readRows(indices: ArrayLike<number>, options: ReadRowsOptions = {}): Promise<CsrRows | DenseRows> {
    const { slotOf, values, cols, rows } = await this.#readFlat(indices, options);
    const dtype = options.dtype ?? "float32";
    const where = this.where(this.indices.dataset);
    if ((options.output ?? "csr") === "csr") {
      return flatToCsr(values, cols, rows, slotOf, this.shape[1], dtype, where);
    }
    return flatToDense(values, cols, rows, slotOf, this.shape[1], dtype, where);
  }

  override async scatterRows(
    indices: ArrayLike<number>,
    target: DenseTarget,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    const { slotOf, values, cols, rows } = await this.#readFlat(indices, options);
    flatScatter(values, cols, rows, slotOf, this.shape[1], target, this.where(this.indices.dataset));
  }
}

/**
 * CSC: a row is spread over every column, so a batch read scans the whole matrix in column blocks
 * (cost grows with nnz of the matrix, not with the batch). Fine for small matrices and layers;
 * convert big CSC X to CSR for training.
 */
export class CscMatrix extends SparseMatrix {
  readonly layout = "csc" as const;

  async readRows(indices: ArrayLike<number>, options: ReadRowsOptions = {}): Promise<CsrRows | DenseRows> {
    const plan = this.plan(indices);
    const [nRows, nCols] = this.shape;
    const slotOfRow = new Int32Array(nRows).fill(-1);
    plan.unique.forEach((r, s) => {
      slotOfRow[r] = s;
    });
    const slots: number[] = [];
    const cols: number[] = [];
    const vals: number[] = [];
    const ip = this.indptr;
    let c0 = 0;
    while (c0 < nCols) {
      throwIfAborted(options.signal, this.where());
      let c1 = c0 + 1;
      while (c1 < nCols && ip[c1 + 1]! - ip[c0]! <= STREAM_BLOCK_ELEMENTS) c1++;
      const lo = ip[c0]!;
      const block = await this.readSpan(lo, ip[c1]!, options);
      for (let c = c0; c < c1; c++) {
        for (let p = ip[c]! - lo, end = ip[c + 1]! - lo; p < end; p++) {
          const r = block.indices[p]!;
          const s = r >= 0 && r < nRows ? slotOfRow[r]! : -2;
          if (s === -2) {
            throw new FormatError(
              `row index ${r} out of range [0, ${nRows})`,
              this.where(this.indices.dataset),
            );
          }
          if (s >= 0) {
            slots.push(s);
            cols.push(c);
            vals.push(block.data[p]!);
          }
        }
      }
      c0 = c1;
    }
    // Stable counting sort by slot keeps columns ascending within each row.
    const counts = new Int32Array(plan.unique.length + 1);
    for (const s of slots) counts[s + 1]!++;
    for (let s = 0; s < plan.unique.length; s++) counts[s + 1]! += counts[s]!;
    const allIdx = new Int32Array(slots.length);
    const allVal = new Float64Array(slots.length);
    const fill = counts.slice(0, plan.unique.length);
    for (let k = 0; k < slots.length; k++) {
      const at = fill[slots[k]!]!++;
      allIdx[at] = cols[k]!;
      allVal[at] = vals[k]!;
    }
    const rows: SparseRow[] = [];
    for (let s = 0; s < plan.unique.length; s++) {
      rows.push({
        indices: allIdx.subarray(counts[s]!, counts[s + 1]!),
        data: allVal.subarray(counts[s]!, counts[s + 1]!),
      });
    }
    return this.output(rows, plan.slotOf, options);
  }
}
