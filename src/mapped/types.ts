/**
 * Public shapes of `MappedCollection`: options, items, batches and the serialisable description, plus
 * the small slice of the h5ad reader (`StoreFile`) the collection needs.
 */
import type { DirectStorePlan } from "../h5ad/direct-store.js";
import type { DataFrameReader, MatrixReader, OutputDtype } from "../h5ad/types.js";
import type { S3Options } from "../io/s3/client.js";

/** A label as the reader returns it; `null` = missing (NaN, code -1, masked). */
export type Label = string | number | boolean | null;

/** What MappedCollection uses of an opened .h5ad file (the h5ad reader's `H5adFile` satisfies it). */
export interface StoreFile {
  readonly path: string;
  readonly shape: readonly [number, number] | [number, number];
  readonly obs: DataFrameReader;
  varNames(): string[];
  /** "X", "raw.X" or a layer name. */
  matrix(key: string): MatrixReader;
  obsm(key: string): MatrixReader;
  readonly layers: readonly string[];
  readonly obsmKeys: readonly string[];
  /** Non-null when the file has `raw` (only its presence is used). */
  readonly raw: object | null;
  /** False when the file has no X (anndata allows it); default true. */
  readonly hasX?: boolean;
  close(): void | Promise<void>;
}

/** Opens one file; the default is the h5ad reader's `openH5ad`. */
export type StoreOpener = (path: string, options: { signal?: AbortSignal }) => Promise<StoreFile>;

/** A filter value: a string (compared with the label as a string), a number, or `null`/NaN for "missing". */
export type FilterValue = string | number | null;

export interface MappedCollectionOptions {
  /** "X" (default), "raw.X" or layer names. A key missing in a file is omitted for that file's rows. */
  layersKeys?: string | readonly string[];
  /** obs columns returned per item. */
  obsKeys?: string | readonly string[];
  /** obsm entries returned per item (never joined). */
  obsmKeys?: string | readonly string[];
  /** Per file: AND across keys, OR across values. A key absent from a file selects none of its rows. */
  obsFilter?: Record<string, FilterValue | readonly FilterValue[]>;
  /** Var join of X and layers (not raw.X). Default "inner"; `null` keeps each file's own width. */
  join?: "inner" | "outer" | null;
  /** Encode labels as Int32 codes: `true` = all `obsKeys` (default), or a subset of them. */
  encodeLabels?: boolean | readonly string[];
  /** This label is encoded as -1 (like a missing label). A string for every encoded key, or per key. */
  unknownLabel?: string | Record<string, string>;
  /** Output dtype of X, layers and obsm (default "float32"), whatever the files store. */
  dtype?: OutputDtype;
  /** Make duplicate var names unique per file ("-1", "-2" suffixes, like anndata) instead of failing. */
  makeVarsUnique?: boolean;
  /**
   * `s3://` paths: read them in place by byte ranges (true) instead of caching a local copy first
   * (default). Loader workers reopen the files the same way.
   */
  stream?: boolean;
  /** Where cached copies of `s3://` files go (default `~/.cache/cellfeed`, or `CELLFEED_CACHE_DIR`). */
  cacheDir?: string;
  /** S3 settings (region, endpoint, anonymous, ...) for `s3://` paths; plain data only, so workers get them too. */
  s3?: RemoteS3Options;
  signal?: AbortSignal;
}

/** The serialisable part of the S3 options (no client object, no credential functions). */
export type RemoteS3Options = Omit<S3Options, "client" | "credentials"> & {
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
};

/** How the files of a collection are opened: kept in `describe()` so workers open them the same way. */
export interface RemoteSettings {
  stream?: boolean;
  cacheDir?: string;
  s3?: RemoteS3Options;
}

/** One matrix of a batch: dense row-major `[rows, cols]` or CSR. */
export type BatchMatrix =
  | { format: "dense"; data: Float32Array | Float64Array; shape: [number, number]; missing?: Uint8Array }
  | {
      format: "csr";
      data: Float32Array | Float64Array;
      indices: Int32Array;
      indptr: Int32Array;
      shape: [number, number];
      missing?: Uint8Array;
    };

/** Obs values of a batch: Int32Array codes (encoded keys; -1 = missing or unknown) or raw labels. */
export type BatchLabels = Int32Array | Label[];

export interface Batch {
  /** The global indices asked for, in the caller's order. */
  indices: Int32Array;
  /** Position of each row's file in the path list. */
  storeIdx: Int32Array;
  /**
   * One matrix per layer key present in at least one row's file. `missing[r] = 1` marks rows whose file
   * lacks the key (their values are zeros); `missing` is absent when every row has the key.
   */
  layers: Record<string, BatchMatrix>;
  obsm: Record<string, BatchMatrix>;
  obs: Record<string, BatchLabels>;
}

export interface Item {
  storeIdx: number;
  layers: Record<string, Float32Array | Float64Array>;
  obsm: Record<string, Float32Array | Float64Array>;
  /** Encoded code (-1 = missing/unknown) or the raw label (null = missing). */
  obs: Record<string, number | Label>;
}

export interface GetItemsOptions {
  /** "dense" (default) or "csr". */
  output?: "dense" | "csr";
  /**
   * Spare buffers (from `DataLoader.recycle`): a dense matrix whose byte size matches one exactly is
   * written into it (the buffer is taken off the list) instead of a fresh allocation.
   */
  reuse?: ArrayBuffer[];
  signal?: AbortSignal;
}

/** Per-file part of a description. Int32 arrays are base64 of little-endian bytes. */
export interface FileDescription {
  path: string;
  /** Rows in the file (before the filter). */
  nRows: number;
  /** Rows kept by the filter (base64 Int32Array), or null when every row is kept. */
  rows: string | null;
  /** Number of rows kept. */
  nKept: number;
  /** Width of the file's var space (null when join is null and var was never read). */
  nVars: number | null;
  /** file column → joint column (-1 = dropped), base64 Int32Array; null = identity or no join. */
  colMap: string | null;
  layers: string[];
  obsm: string[];
  obs: string[];
  /**
   * How a worker reads this (local) file without h5wasm: matrix paths and categorical obs codes.
   * Absent when the file has something the direct reader's plan does not cover.
   */
  direct?: DirectStorePlan;
}

/** A plain-JSON description from which `MappedCollection.fromDescription` rebuilds the collection. */
export interface MappedCollectionDescription {
  kind: "cellfeed.MappedCollection";
  version: 1;
  options: {
    layersKeys: string[];
    obsKeys: string[];
    obsmKeys: string[];
    join: "inner" | "outer" | null;
    encodeKeys: string[];
    dtype: OutputDtype;
    makeVarsUnique: boolean;
    obsFilter: Record<string, FilterValue[]> | null;
    /** How `s3://` files are opened (absent for local collections). */
    remote?: RemoteSettings;
  };
  files: FileDescription[];
  varJoint: string[] | null;
  /** True when every file has the same var list (no remapping). */
  varsEqual: boolean;
  encoders: Record<string, Record<string, number>>;
  warnings: string[];
}
