/**
 * The piscina worker: rebuilds the dataset once per thread from its description, then reads whole
 * batches with getItems and hands their buffers back by transfer.
 */
import { Piscina } from "piscina";
import { datasetFromDescription } from "./registry.js";
import { collectTransferables } from "./transfer.js";
import type { BatchDataset, DatasetDescription } from "./types.js";

export interface WorkerTask {
  /** JSON of the description; the same string reuses the already opened dataset. */
  descriptionJson: string;
  indices: Int32Array | Float64Array;
  output?: "dense" | "csr";
}

const opened = new Map<string, Promise<BatchDataset>>();

function datasetFor(json: string): Promise<BatchDataset> {
  let ds = opened.get(json);
  if (!ds) {
    ds = datasetFromDescription(JSON.parse(json) as DatasetDescription);
    opened.set(json, ds);
    ds.catch(() => opened.delete(json));
  }
  return ds;
}

export default async function readBatch(task: WorkerTask): Promise<unknown> {
  const dataset = await datasetFor(task.descriptionJson);
  const batch = await dataset.getItems(task.indices, task.output ? { output: task.output } : {});
  const transferList = [...collectTransferables(batch)];
  // Piscina.move marks the wrapper so the batch is posted with its buffers transferred, not cloned.
  return Piscina.move({
    [Piscina.transferableSymbol]: transferList,
    [Piscina.valueSymbol]: batch,
  } as never);
}
