/**
 * A pure-TypeScript reader of HDF5 *layout*: superblock, groups, dataset messages, chunk indexes
 * and the common filters, so numeric row ranges can be read without h5wasm and so remote readers
 * know which byte ranges a read needs.
 *
 * ```ts
 * const file = await Hdf5File.open(new LocalFileSource("pbmc.h5ad"));
 * const data = await file.dataset("X/data");           // null → use h5wasm instead
 * const values = await data?.read(1000, 2000);          // Float32Array of 1000 values
 * ```
 */
export type { ByteRange, DirectArray, DirectDataset } from "./dataset.js";
export { Hdf5File, type Hdf5OpenOptions } from "./file.js";
export type { Hdf5Dtype } from "./messages.js";
