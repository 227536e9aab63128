/**
 * The input shapes of `writeH5ad`: an AnnData object described with typed arrays. Each shape maps to
 * one anndata on-disk encoding (see write.ts).
 */

import type { NumericArray } from "../typed-arrays.js";

/** Any numeric typed array h5wasm can store; the file keeps its dtype (Float32Array → float32, …). */
export type { NumericArray };

export type IntegerArray = Exclude<NumericArray, Float32Array | Float64Array>;

/** A dense row-major matrix: element (r, c) is `data[r * shape[1] + c]`. */
export interface DenseMatrixInput {
  format: "dense";
  shape: readonly [number, number];
  data: NumericArray;
}

/**
 * A CSR matrix: row r holds `data[indptr[r]..indptr[r+1]]` at columns `indices[...]`, strictly
 * ascending within a row (no duplicates).
 */
export interface CsrMatrixInput {
  format: "csr";
  shape: readonly [number, number];
  indptr: Int32Array | BigInt64Array;
  indices: Int32Array | BigInt64Array;
  data: NumericArray;
}

/**
 * A CSC matrix (anndata's `csc_matrix`): column c holds `data[indptr[c]..indptr[c+1]]` at rows
 * `indices[...]`, strictly ascending within a column (no duplicates); indptr has shape[1] + 1 entries.
 */
export interface CscMatrixInput {
  format: "csc";
  shape: readonly [number, number];
  indptr: Int32Array | BigInt64Array;
  indices: Int32Array | BigInt64Array;
  data: NumericArray;
}

export type MatrixInput = DenseMatrixInput | CsrMatrixInput | CscMatrixInput;

/** 1 (or any non-zero) / true = missing. */
export type MaskInput = Uint8Array | readonly boolean[];
export type BooleanValuesInput = Uint8Array | readonly boolean[];

/**
 * One obs/var column. Categoricals come either as `categories` + `codes` (−1 = missing) or as plain
 * labels (`values`, null = missing; categories become the sorted distinct labels).
 */
export type ColumnInput =
  | {
      kind: "categorical";
      /** Unique. Integer numbers are stored as int64, other numbers as float64, typed arrays as-is. */
      categories: readonly string[] | readonly number[] | NumericArray;
      codes: Int8Array | Int16Array | Int32Array;
      ordered?: boolean;
    }
  | {
      kind: "categorical";
      values: readonly (string | null)[] | readonly (number | null)[];
      ordered?: boolean;
    }
  | { kind: "numeric"; values: NumericArray }
  | { kind: "boolean"; values: BooleanValuesInput }
  | { kind: "string"; values: readonly string[] }
  | { kind: "nullable-integer"; values: IntegerArray; mask: MaskInput }
  | { kind: "nullable-boolean"; values: BooleanValuesInput; mask: MaskInput };

/** obs or var. Column order is the record's key order (or the Map's). */
export interface DataFrameInput {
  /** obs_names / var_names. */
  index: readonly string[];
  /** Name of the index dataset (anndata's `_index` attribute). Default "_index". */
  indexName?: string;
  columns?: Readonly<Record<string, ColumnInput>> | ReadonlyMap<string, ColumnInput>;
}

/** A uns scalar: strings, booleans, bigint (int64), integer numbers (int64), other numbers (float64). */
export type UnsScalar = string | number | boolean | bigint;

/**
 * anndata's `.raw`: the matrix and var before feature selection. It shares obs with the main
 * object (same rows) but has its own variables.
 */
export interface RawInput {
  /** n_obs × n_raw_vars. */
  X: MatrixInput;
  var: DataFrameInput;
}

export interface AnnDataInput {
  X: MatrixInput;
  /** Default: index "0", "1", … and no columns (as anndata does). */
  obs?: DataFrameInput;
  var?: DataFrameInput;
  layers?: Readonly<Record<string, MatrixInput>>;
  /** n_obs × k matrices (dense, CSR or CSC). */
  obsm?: Readonly<Record<string, MatrixInput>>;
  /** n_vars × k matrices (dense, CSR or CSC). */
  varm?: Readonly<Record<string, MatrixInput>>;
  /** Pairwise n_obs × n_obs matrices (e.g. neighbour graphs, usually CSR). */
  obsp?: Readonly<Record<string, MatrixInput>>;
  /** Pairwise n_vars × n_vars matrices. */
  varp?: Readonly<Record<string, MatrixInput>>;
  uns?: Readonly<Record<string, UnsScalar>>;
  /** Written as the `raw` group (X, var, empty varm), as anndata writes `adata.raw`. */
  raw?: RawInput;
}

export interface WriteH5adOptions {
  /** "gzip" compresses every numeric/boolean dataset (h5wasm cannot compress vlen strings). Default null. */
  compression?: "gzip" | null;
  /** gzip level 0–9. Default 4 (h5py's default). */
  compressionLevel?: number;
  /** Rows per chunk of compressed datasets. Default: about 256 KiB per chunk. */
  chunkRows?: number;
  signal?: AbortSignal;
}
