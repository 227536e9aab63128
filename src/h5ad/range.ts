/**
 * The one seam through which matrix reads fetch raw numbers. Today it is backed by h5wasm hyperslab
 * reads; a direct HDF5 layout reader (src/h5ad/hdf5/) can implement the same interfaces later
 * without touching the row-batching code.
 */
import { throwIfAborted } from "../errors.js";
import { type NumberArray, toNumberArray } from "./convert.js";
import type { H5Context } from "./h5context.js";

export interface RangeReadOptions {
  signal?: AbortSignal;
}

/** Element ranges of one 1-D dataset. */
export interface RangeReader {
  /** HDF5 path of the dataset, for error messages. */
  readonly dataset: string;
  readonly length: number;
  /** Elements per storage chunk (0 when contiguous): reads that share a chunk are best merged. */
  readonly chunk: number;
  /** Elements [start, end) as plain numbers (int64 already converted). */
  read(start: number, end: number, options?: RangeReadOptions): Promise<NumberArray>;
}

/** Row ranges of one 2-D dataset, row-major. */
export interface RowBlockReader {
  readonly dataset: string;
  readonly rows: number;
  readonly cols: number;
  /** Rows per storage chunk (0 when contiguous). */
  readonly chunkRows: number;
  /** Rows [start, end), `(end - start) * cols` elements. */
  readRows(start: number, end: number, options?: RangeReadOptions): Promise<NumberArray>;
}

/** RangeReader over h5wasm slices (the filter check runs on every read, cached per dataset). */
export function h5RangeReader(ctx: H5Context, dataset: string): RangeReader {
  const length = ctx.shape(dataset)[0] ?? 0;
  return {
    dataset,
    length,
    chunk: ctx.metadata(dataset).chunks?.[0] ?? 0,
    async read(start, end, options) {
      throwIfAborted(options?.signal, { path: ctx.path, dataset });
      return toNumberArray(ctx.slice(dataset, [[start, end]]));
    },
  };
}

/** RowBlockReader over h5wasm slices. */
export function h5RowBlockReader(ctx: H5Context, dataset: string): RowBlockReader {
  const [rows = 0, cols = 1] = ctx.shape(dataset);
  return {
    dataset,
    rows,
    cols,
    chunkRows: ctx.metadata(dataset).chunks?.[0] ?? 0,
    async readRows(start, end, options) {
      throwIfAborted(options?.signal, { path: ctx.path, dataset });
      return toNumberArray(ctx.slice(dataset, [[start, end]]));
    },
  };
}
