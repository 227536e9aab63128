/**
 * A MappedCollection whose description also carries how to reopen its files (stream/S3 settings), so
 * DataLoader workers reopen them the same way. It uses the loader's `module` hook until
 * MappedCollection.describe() carries these settings itself.
 */
import { type H5adOpenerOptions, h5adOpener } from "../../src/h5ad/remote.js";
import type { BatchDataset, DatasetDescription } from "../../src/loader/types.js";
import { MappedCollection } from "../../src/mapped/index.js";

type Described = DatasetDescription & { remote: H5adOpenerOptions };

export function remoteDataset(c: MappedCollection, remote: H5adOpenerOptions): BatchDataset {
  return {
    length: c.length,
    getItems: (indices, options) => c.getItems(indices, options),
    describe: () => ({ ...c.describe(), module: import.meta.url, remote }) as unknown as DatasetDescription,
  };
}

/** Called by the loader's worker registry. */
export async function fromDescription(d: Described): Promise<BatchDataset> {
  const { module: _module, remote, ...description } = d;
  return (await MappedCollection.fromDescription(description as never, {
    opener: h5adOpener(remote),
  })) as unknown as BatchDataset;
}
