/**
 * The h5ad reader: `openH5ad(path)` → `H5adFile` (obs/var dataframes, X/raw/layers/obsm/obsp
 * matrices with batched row reads, and `describe()` for `cellfeed inspect`).
 *
 * ```ts
 * import { openH5ad } from "cellfeed";
 * using f = await openH5ad("pbmc.h5ad");
 * const rows = await f.matrix("X").readRows([3, 0, 3]); // CSR, Float32Array values
 * ```
 */
export type {
  ColumnDescription,
  DescribeOptions,
  ElementDescription,
  H5adDescription,
  RowSample,
  XDescription,
} from "./describe.js";
export { type ElementLayout, H5adFile, type OpenH5adOptions, openH5ad, type RawInfo } from "./file.js";
export type { H5adMatrix, MatrixStats, StatsOptions } from "./matrix.js";
export type { RangeReader, RowBlockReader } from "./range.js";
export * from "./types.js";
