/**
 * The public shapes of the h5ad reader. `openH5ad(path)` returns an `H5adFile`; everything above
 * (MappedCollection, the CLI) uses only these types.
 */

export type NumericDtype =
  | "int8"
  | "uint8"
  | "int16"
  | "uint16"
  | "int32"
  | "uint32"
  | "int64"
  | "uint64"
  | "float32"
  | "float64";

export type OutputDtype = "float32" | "float64";

import type { FloatArray } from "../typed-arrays.js";

export type { FloatArray };

/** Rows as CSR: row r's values are `data[indptr[r]..indptr[r+1]]` at columns `indices[...]`. */
export interface CsrRows {
  format: "csr";
  /** [number of rows returned, number of columns]. */
  shape: [number, number];
  indptr: Int32Array;
  /** Column indices, ascending within each row (as the file stores them). */
  indices: Int32Array;
  data: FloatArray;
}

/** Rows as a dense row-major matrix. */
export interface DenseRows {
  format: "dense";
  shape: [number, number];
  data: FloatArray;
}

export interface ReadRowsOptions {
  /** "csr" (default for sparse matrices) or "dense" (default for dense matrices). */
  output?: "csr" | "dense";
  /** The value type returned, whatever the file stores. Default "float32". */
  dtype?: OutputDtype;
  signal?: AbortSignal;
}

/** One 2-D matrix element of the file: X, raw.X, a layer, an obsm/varm/obsp/varp entry. */
export interface MatrixReader {
  /** HDF5 path of the element, e.g. "X", "raw/X", "layers/counts", "obsm/X_pca". */
  readonly key: string;
  readonly shape: [number, number];
  readonly layout: "dense" | "csr" | "csc";
  /** The stored value dtype. */
  readonly dtype: NumericDtype;
  /**
   * Rows `indices` (any order, repeats allowed) in that order. Reads each HDF5 dataset as few times as
   * the indices allow (sorted, neighbouring rows coalesced). CSC is supported: it reads whole column
   * blocks, so its cost grows with the matrix, not the batch.
   */
  readRows(indices: ArrayLike<number>, options?: ReadRowsOptions): Promise<CsrRows | DenseRows>;
}

export type ColumnKind = "categorical" | "numeric" | "boolean" | "string";

export interface ColumnInfo {
  name: string;
  kind: ColumnKind;
  /** Stored dtype: "int8".."float64", "bool", "string"; for categoricals the dtype of the codes. */
  dtype: string;
  /** Categories (categoricals only), in stored order. Numbers for numeric categories. */
  categories?: (string | number)[];
  ordered?: boolean;
  /** True for anndata's nullable-integer / nullable-boolean (values + mask). */
  nullable?: boolean;
}

/** A fully read column. Missing values: code -1, mask = 1, NaN (floats) or null (strings). */
export type Column =
  | { kind: "categorical"; codes: Int32Array; categories: (string | number)[]; ordered: boolean }
  | { kind: "numeric"; dtype: string; values: Float64Array | Int32Array | Float32Array; mask?: Uint8Array }
  | { kind: "boolean"; values: Uint8Array; mask?: Uint8Array }
  | { kind: "string"; values: (string | null)[] };

/** obs or var. */
export interface DataFrameReader {
  readonly length: number;
  /** Column names in anndata's `column-order` (without the index). */
  readonly columns: readonly string[];
  /** The name of the index column (`_index` attribute), e.g. "_index", "index", "gene_ids". */
  readonly indexName: string;
  /** The index (obs_names / var_names) as strings. */
  index(): string[];
  info(name: string): ColumnInfo;
  read(name: string): Column;
  /** Values as labels: category strings, numbers, booleans; null where missing. */
  labels(name: string): (string | number | boolean | null)[];
}
