/**
 * cellfeed: single-cell data (AnnData .h5ad, TileDB-SOMA) for tensor training loops.
 * Every public name is listed here explicitly; test/index.test.ts pins the list.
 * Heavy or optional parts live behind subpaths: `cellfeed/soma`, `cellfeed/s3`, `cellfeed/tfjs`.
 */
export * from "./errors.js";
export * from "./h5ad/index.js";
export { writeH5ad } from "./h5ad/write.js";
export type {
  AnnDataInput,
  ColumnInput,
  CscMatrixInput,
  CsrMatrixInput,
  DataFrameInput,
  DenseMatrixInput,
  MatrixInput,
  RawInput,
  WriteH5adOptions,
} from "./h5ad/write-input.js";
export * from "./io/index.js";
export * from "./loader/index.js";
export * from "./mapped/index.js";
export * from "./sampling/index.js";
