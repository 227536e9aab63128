/**
 * cellfeed: single-cell data (AnnData .h5ad, TileDB-SOMA) for tensor training loops.
 * Every public name is listed here explicitly; test/index.test.ts pins the list.
 */
export * from "./errors.js";
export { LocalDirectoryStore, LocalFileSource } from "./io/local.js";
export type { ByteSource, ByteStore, ReadOptions, StoreEntry } from "./io/types.js";
