/**
 * The one seam through which matrix reads fetch raw numbers: the direct HDF5 layout reader
 * (src/h5ad/hdf5/, positioned reads of the local file) where it supports the dataset, h5wasm
 * hyperslab reads otherwise. Batched reads (`readRuns`) take every range of a batch at once so the
 * direct reader can issue them without a promise per range.
 */
import { IoError, throwIfAborted } from "../errors.js";
import { elementType, type NumberArray, toNumberArray } from "./convert.js";
import { directFile, directReadsEnabled } from "./direct.js";
import type { H5Context } from "./h5context.js";
import type { DirectDataset } from "./hdf5/index.js";

export interface RangeReadOptions {
  signal?: AbortSignal;
}

/** Elements between two wanted ranges that h5wasm would rather read than pay another slice (~0.5 ms). */
export const H5WASM_GAP_ELEMENTS = 16_384;
/** Bytes between two wanted ranges that a positioned read would rather read than issue another (~2 µs). */
export const DIRECT_GAP_BYTES = 8_192;

/** Element ranges of one 1-D dataset. */
export interface RangeReader {
  /** HDF5 path of the dataset, for error messages. */
  readonly dataset: string;
  readonly length: number;
  /**
   * Elements per storage chunk when reading part of a chunk means decoding all of it (0 when
   * contiguous, or unfiltered chunks read in place): reads that share such a chunk are best merged.
   */
  readonly chunk: number;
  /** Unwanted elements between two ranges worth reading to save a separate read. */
  readonly mergeGap: number;
  /** Settles which backend serves the reads; `chunk` and `mergeGap` are final afterwards. */
  ready(): Promise<void>;
  /** Elements [start, end) as plain numbers (int64 already converted). */
  read(start: number, end: number, options?: RangeReadOptions): Promise<NumberArray>;
  /** Elements [starts[i], ends[i]) for every i, concatenated in that order. */
  readRuns(
    starts: ArrayLike<number>,
    ends: ArrayLike<number>,
    options?: RangeReadOptions,
  ): Promise<NumberArray>;
}

/** Row ranges of one 2-D dataset, row-major. */
export interface RowBlockReader {
  readonly dataset: string;
  readonly rows: number;
  readonly cols: number;
  /** Rows per storage chunk that must be decoded whole (0 when contiguous or read in place). */
  readonly chunkRows: number;
  /** Unwanted elements (rows × cols) between two row ranges worth reading to save a separate read. */
  readonly mergeGap: number;
  ready(): Promise<void>;
  /** Rows [start, end), `(end - start) * cols` elements. */
  readRows(start: number, end: number, options?: RangeReadOptions): Promise<NumberArray>;
  /** Rows [starts[i], ends[i]) for every i, concatenated in that order. */
  readRowRuns(
    starts: ArrayLike<number>,
    ends: ArrayLike<number>,
    options?: RangeReadOptions,
  ): Promise<NumberArray>;
}

/** Concatenates same-typed arrays (h5wasm returns one per slice). */
function concat(parts: NumberArray[]): NumberArray {
  const first = parts[0];
  if (first === undefined) return new Float64Array(0);
  if (parts.length === 1) return first;
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new (first.constructor as new (length: number) => NumberArray)(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Slices one range at a time through h5wasm (the filter check runs on every read, cached per dataset). */
function h5Ranges(ctx: H5Context, dataset: string) {
  const read = (start: number, end: number, options?: RangeReadOptions): NumberArray => {
    throwIfAborted(options?.signal, { path: ctx.path, dataset });
    return toNumberArray(ctx.slice(dataset, [[start, end]]));
  };
  const readRuns = (starts: ArrayLike<number>, ends: ArrayLike<number>, options?: RangeReadOptions) =>
    concat(Array.from({ length: starts.length }, (_, i) => read(starts[i]!, ends[i]!, options)));
  return { read, readRuns };
}

/** RangeReader over h5wasm slices. */
export function h5RangeReader(ctx: H5Context, dataset: string): RangeReader {
  const h5 = h5Ranges(ctx, dataset);
  return {
    dataset,
    length: ctx.shape(dataset)[0] ?? 0,
    chunk: ctx.metadata(dataset).chunks?.[0] ?? 0,
    mergeGap: H5WASM_GAP_ELEMENTS,
    ready: async () => {},
    read: async (start, end, options) => h5.read(start, end, options),
    readRuns: async (starts, ends, options) => h5.readRuns(starts, ends, options),
  };
}

/** RowBlockReader over h5wasm slices. */
export function h5RowBlockReader(ctx: H5Context, dataset: string): RowBlockReader {
  const [rows = 0, cols = 1] = ctx.shape(dataset);
  const h5 = h5Ranges(ctx, dataset);
  return {
    dataset,
    rows,
    cols,
    chunkRows: ctx.metadata(dataset).chunks?.[0] ?? 0,
    mergeGap: H5WASM_GAP_ELEMENTS,
    ready: async () => {},
    readRows: async (start, end, options) => h5.read(start, end, options),
    readRowRuns: async (starts, ends, options) => h5.readRuns(starts, ends, options),
  };
}

/**
 * Which backend serves a dataset: the direct reader when it opens the dataset with the shape and
 * dtype h5wasm reports, h5wasm otherwise. h5wasm's filter check runs first, so a filter this runtime
 * cannot decode raises the same UnsupportedFilterError (naming file, dataset and filter) as before.
 */
class Backend {
  #direct: DirectDataset | null | undefined;
  #settling: Promise<void> | undefined;
  /** Decided when the matrix is opened. */
  readonly #wanted = directReadsEnabled();

  constructor(
    readonly ctx: H5Context,
    readonly dataset: string,
  ) {}

  /** The direct dataset, null for h5wasm, undefined before `ready()`. */
  get direct(): DirectDataset | null | undefined {
    return this.#direct;
  }

  ready(): Promise<void> {
    this.#settling ??= this.#settle();
    return this.#settling;
  }

  async #settle(): Promise<void> {
    const { ctx, dataset } = this;
    this.check();
    ctx.checkFilters(dataset);
    const file = this.#wanted ? await directFile(ctx) : null;
    let d: DirectDataset | null = null;
    if (file !== null) {
      try {
        d = await file.dataset(dataset);
      } catch {
        d = null; // anything the direct reader cannot open stays with h5wasm
      }
    }
    const meta = ctx.metadata(dataset);
    const shape = meta.shape ?? [];
    if (
      d !== null &&
      (d.dtype !== elementType(meta) ||
        d.shape.length !== shape.length ||
        d.shape.some((n, k) => n !== shape[k]))
    ) {
      d = null;
    }
    this.#direct = d;
  }

  /** Reads after the file is closed fail like h5wasm's do. */
  check(): void {
    if (this.ctx.closed) {
      throw new IoError("the file is closed", { path: this.ctx.path, dataset: this.dataset });
    }
  }
}

/** The merge gap in elements of `d` (h5wasm's when `d` is null). */
function gapOf(d: DirectDataset | null | undefined): number {
  if (!d) return H5WASM_GAP_ELEMENTS;
  const bytes = d.dtype.endsWith("64") ? 8 : d.dtype.endsWith("32") ? 4 : d.dtype.endsWith("16") ? 2 : 1;
  return Math.floor(DIRECT_GAP_BYTES / bytes);
}

/** Chunk length (along dim 0) that a partial read must decode whole: filtered chunks only. */
function decodeChunkOf(d: DirectDataset | null | undefined, h5chunk: number): number {
  if (!d) return h5chunk;
  return d.layout === "chunked" && d.filters.length > 0 ? (d.chunkShape?.[0] ?? 0) : 0;
}

/** RangeReader over the direct reader, falling back to h5wasm per dataset. */
export function directRangeReader(ctx: H5Context, dataset: string): RangeReader {
  const h5 = h5RangeReader(ctx, dataset);
  const b = new Backend(ctx, dataset);
  return {
    dataset,
    length: h5.length,
    get chunk() {
      return decodeChunkOf(b.direct, h5.chunk);
    },
    get mergeGap() {
      return gapOf(b.direct);
    },
    ready: () => b.ready(),
    async read(start, end, options) {
      await b.ready();
      b.check();
      const d = b.direct;
      return d ? d.readRuns([start], [end], options) : h5.read(start, end, options);
    },
    async readRuns(starts, ends, options) {
      await b.ready();
      b.check();
      const d = b.direct;
      return d ? d.readRuns(starts, ends, options) : h5.readRuns(starts, ends, options);
    },
  };
}

/** RowBlockReader over the direct reader, falling back to h5wasm per dataset. */
export function directRowBlockReader(ctx: H5Context, dataset: string): RowBlockReader {
  const h5 = h5RowBlockReader(ctx, dataset);
  const b = new Backend(ctx, dataset);
  return {
    dataset,
    rows: h5.rows,
    cols: h5.cols,
    get chunkRows() {
      return decodeChunkOf(b.direct, h5.chunkRows);
    },
    get mergeGap() {
      return gapOf(b.direct);
    },
    ready: () => b.ready(),
    async readRows(start, end, options) {
      await b.ready();
      b.check();
      const d = b.direct;
      return d ? d.readRuns([start], [end], options) : h5.readRows(start, end, options);
    },
    async readRowRuns(starts, ends, options) {
      await b.ready();
      b.check();
      const d = b.direct;
      return d ? d.readRuns(starts, ends, options) : h5.readRowRuns(starts, ends, options);
    },
  };
}

/** RangeReader straight over a direct dataset (no h5wasm behind it: see direct-store.ts). */
export function pureRangeReader(d: DirectDataset): RangeReader {
  return {
    dataset: d.path,
    length: d.shape[0] ?? 0,
    chunk: decodeChunkOf(d, 0),
    mergeGap: gapOf(d),
    ready: async () => {},
    read: (start, end, options) => d.readRuns([start], [end], options),
    readRuns: (starts, ends, options) => d.readRuns(starts, ends, options),
  };
}

/** RowBlockReader straight over a direct dataset of `cols` columns (1 for a 1-D dataset). */
export function pureRowBlockReader(d: DirectDataset, cols: number): RowBlockReader {
  return {
    dataset: d.path,
    rows: d.shape[0] ?? 0,
    cols,
    chunkRows: decodeChunkOf(d, 0),
    mergeGap: gapOf(d),
    ready: async () => {},
    readRows: (start, end, options) => d.readRuns([start], [end], options),
    readRowRuns: (starts, ends, options) => d.readRuns(starts, ends, options),
  };
}
