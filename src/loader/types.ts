/**
 * What the DataLoader needs from a dataset: a length, a batched read, and a plain description a
 * worker thread can rebuild the dataset from (workers never receive open handles).
 */

/** A serialisable recipe for a dataset; `kind` picks the factory in a worker (see registry.ts). */
export interface DatasetDescription {
  kind: string;
  /** For custom datasets: an ES module (file URL or package name) exporting `fromDescription`. */
  module?: string;
}

export interface GetItemsOptions {
  output?: "dense" | "csr";
  /**
   * Buffers the consumer handed back (`DataLoader.recycle`): a dataset may write a dense matrix into
   * one whose byteLength is exactly what it needs (removing it from the list) instead of allocating.
   * Datasets that ignore this allocate, which is also correct.
   */
  reuse?: ArrayBuffer[];
  signal?: AbortSignal;
}

/** Anything with `length` and a batched `getItems` (MappedCollection, SOMA datasets). */
export interface BatchDataset<TBatch = unknown> {
  readonly length: number;
  getItems(indices: ArrayLike<number>, options?: GetItemsOptions): Promise<TBatch>;
  /** Needed only for `numWorkers > 0`. */
  describe?(): DatasetDescription;
  /** File paths or URIs behind the dataset, to name in error messages. */
  readonly paths?: readonly string[];
}

/** Yields the indices of one epoch. */
export interface IndexSampler {
  readonly length: number;
  setEpoch?(epoch: number): void;
  indices(): ArrayLike<number>;
}

/** Yields the batches (lists of indices) of one epoch. */
export interface BatchIndexSampler {
  readonly length: number;
  setEpoch?(epoch: number): void;
  batches(): Iterable<ArrayLike<number>>;
}
