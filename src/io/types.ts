/**
 * The bottom layer: everything cellfeed reads comes through a `ByteSource` (one object: a file or an
 * S3 object) or a `ByteStore` (a directory-like tree of objects: a TileDB array on disk or on S3).
 * Decorators (block cache, range coalescing, retry) wrap these interfaces without changing them.
 */

export interface ReadOptions {
  signal?: AbortSignal;
}

/** Random access to the bytes of one object. */
export interface ByteSource {
  /** Where the bytes come from (a local path or an `s3://bucket/key` URI), for error messages. */
  readonly uri: string;
  /** The object's size in bytes. */
  size(options?: ReadOptions): Promise<number>;
  /**
   * Exactly `length` bytes from `offset`. Reading past the end throws a `TruncatedFileError`.
   * The returned array is fresh: callers may keep it.
   */
  read(offset: number, length: number, options?: ReadOptions): Promise<Uint8Array>;
  /** Releases file descriptors / sockets. Reads after close throw. */
  close(): Promise<void>;
}

/** One entry of a `ByteStore` listing. */
export interface StoreEntry {
  /** Name relative to the listed prefix, without a trailing slash. */
  name: string;
  /** True for a "directory" (a common prefix on S3). */
  isDirectory: boolean;
  /** Size in bytes for objects (undefined for directories). */
  size?: number;
}

/** A directory-like tree of objects addressed by `/`-separated relative paths. */
export interface ByteStore {
  readonly uri: string;
  /** The immediate children of `dir` ("" for the root), sorted by name. Missing dir → []. */
  list(dir: string, options?: ReadOptions): Promise<StoreEntry[]>;
  /** True if an object (not a directory) exists at `path`. */
  exists(path: string, options?: ReadOptions): Promise<boolean>;
  /** The whole object at `path`. Missing → `FileNotFoundError`. */
  get(path: string, options?: ReadOptions): Promise<Uint8Array>;
  /** `length` bytes from `offset` of the object at `path`. */
  getRange(path: string, offset: number, length: number, options?: ReadOptions): Promise<Uint8Array>;
  /** A store rooted at `path` below this one. */
  child(path: string): ByteStore;
}
