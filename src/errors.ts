/**
 * One base error class with tagged subclasses. Every error cellfeed throws on purpose is a
 * `CellfeedError`; `err.code` tells the kind, and the typed fields say where the problem is
 * (file `path`, HDF5/TileDB `dataset`, `column`, `position` in a filter expression).
 *
 * ```ts
 * try { await openH5ad("missing.h5ad"); }
 * catch (e) { if (isCellfeedError(e, "file_not_found")) console.error(e.path); }
 * ```
 */

export type ErrorCode =
  | "file_not_found"
  | "not_hdf5"
  | "not_anndata"
  | "truncated"
  | "unknown_encoding"
  | "unsupported_filter"
  | "unsupported"
  | "format"
  | "key_not_found"
  | "invalid_index"
  | "invalid_argument"
  | "empty_join"
  | "duplicate_names"
  | "filter_syntax"
  | "io"
  | "aborted"
  | "worker";

export interface ErrorDetails {
  /** The file, directory or URI the error is about. */
  path?: string;
  /** The dataset (HDF5 path such as `X/data`, or a TileDB array/attribute) inside `path`. */
  dataset?: string;
  /** An obs/var/dataframe column name. */
  column?: string;
  /** A 0-based character offset in an expression (value_filter). */
  position?: number;
  /** The underlying error. */
  cause?: unknown;
}

export class CellfeedError extends Error {
  readonly code: ErrorCode;
  readonly path?: string;
  readonly dataset?: string;
  readonly column?: string;
  readonly position?: number;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    if (details.path !== undefined) this.path = details.path;
    if (details.dataset !== undefined) this.dataset = details.dataset;
    if (details.column !== undefined) this.column = details.column;
    if (details.position !== undefined) this.position = details.position;
  }
}

/** Builds the conventional message prefix `path: dataset: message`. */
export function where(details: ErrorDetails, message: string): string {
  const parts: string[] = [];
  if (details.path !== undefined) parts.push(details.path);
  if (details.dataset !== undefined) parts.push(details.dataset);
  if (details.column !== undefined) parts.push(`column '${details.column}'`);
  parts.push(message);
  return parts.join(": ");
}

function tagged(code: ErrorCode) {
  return class extends CellfeedError {
    constructor(message: string, details: ErrorDetails = {}) {
      super(code, where(details, message), details);
    }
  };
}

/** The path does not exist. */
export class FileNotFoundError extends tagged("file_not_found") {}
/** The file exists but is not HDF5. */
export class NotHdf5Error extends tagged("not_hdf5") {}
/** The file is HDF5 (or a TileDB object) but not the expected AnnData/SOMA layout. */
export class NotAnnDataError extends tagged("not_anndata") {}
/** The file ends before its structures say it should. */
export class TruncatedFileError extends tagged("truncated") {}
/** An `encoding-type`/`encoding-version` (or other format version) that cellfeed does not know. */
export class UnknownEncodingError extends tagged("unknown_encoding") {}
/** A compression/filter that cannot be decoded (e.g. an HDF5 filter without its plugin). */
export class UnsupportedFilterError extends tagged("unsupported_filter") {}
/** A format feature cellfeed does not read (encryption, dimension labels, ...). */
export class UnsupportedFeatureError extends tagged("unsupported") {}
/** The data is malformed (inconsistent lengths, bad offsets, corrupt tiles). */
export class FormatError extends tagged("format") {}
/** A layer, column, obsm key, array or member that does not exist. `available` lists what does. */
export class KeyNotFoundError extends CellfeedError {
  readonly key: string;
  readonly available: readonly string[];
  constructor(kind: string, key: string, available: readonly string[], details: ErrorDetails = {}) {
    const list = available.length > 0 ? available.map((k) => `'${k}'`).join(", ") : "(none)";
    super("key_not_found", where(details, `no ${kind} '${key}'; available: ${list}`), details);
    this.key = key;
    this.available = available;
  }
}
/** A row index that is out of range or not an integer. */
export class InvalidIndexError extends tagged("invalid_index") {}
/** An option or argument with a wrong value. */
export class InvalidArgumentError extends tagged("invalid_argument") {}
/** An inner join of var names that is empty. */
export class EmptyJoinError extends tagged("empty_join") {}
/** Duplicate names (var names) where unique names are required. */
export class DuplicateNamesError extends tagged("duplicate_names") {}
/** A syntax or semantic error in a value_filter expression; `position` points into it. */
export class FilterSyntaxError extends CellfeedError {
  readonly expression: string;
  constructor(message: string, expression: string, position: number, details: ErrorDetails = {}) {
    const caret = `${expression}\n${" ".repeat(Math.max(0, position))}^`;
    super("filter_syntax", `${where(details, message)} (at position ${position})\n${caret}`, {
      ...details,
      position,
    });
    this.expression = expression;
  }
}
/** Reading bytes failed (local or remote). */
export class IoError extends tagged("io") {}
/** The operation was aborted through its AbortSignal. */
export class AbortError extends tagged("aborted") {}
/** A worker thread failed or died. */
export class WorkerError extends tagged("worker") {}

/** True when `e` is a CellfeedError (of the given code, if one is given). */
export function isCellfeedError(e: unknown, code?: ErrorCode): e is CellfeedError {
  return e instanceof CellfeedError && (code === undefined || e.code === code);
}

/** Throws an AbortError if the signal has been aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, details: ErrorDetails = {}): void {
  if (signal?.aborted) {
    throw new AbortError("operation aborted", { ...details, cause: signal.reason });
  }
}
