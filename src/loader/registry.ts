import { InvalidArgumentError } from "../errors.js";
import type { BatchDataset, DatasetDescription } from "./types.js";

/**
 * Rebuilds a dataset from its description inside a worker. Built-in kinds are loaded lazily so a
 * worker only imports what it uses; a custom dataset names an ES module (`module`: file URL or
 * package specifier) that exports `fromDescription(description)`.
 */
export async function datasetFromDescription(description: DatasetDescription): Promise<BatchDataset> {
  if (typeof description.module === "string") {
    const mod = (await import(description.module)) as {
      fromDescription?: (d: DatasetDescription) => Promise<BatchDataset> | BatchDataset;
    };
    if (typeof mod.fromDescription !== "function") {
      throw new InvalidArgumentError(`module '${description.module}' does not export fromDescription()`);
    }
    return await mod.fromDescription(description);
  }
  switch (description.kind) {
    case "cellfeed.MappedCollection": {
      const { MappedCollection } = await import("../mapped/index.js");
      // Workers only read batches: local files are read without h5wasm (see h5ad/direct-store.ts).
      const mc = await MappedCollection.fromDescription(description as never, { batchReadsOnly: true });
      return mc as unknown as BatchDataset;
    }
    default:
      throw new InvalidArgumentError(
        `unknown dataset kind '${description.kind}' (expected "cellfeed.MappedCollection", or a description with "module")`,
      );
  }
}
