/**
 * The piscina worker: rebuilds the dataset once per thread from its description, then reads whole
 * batches with getItems and hands their buffers back by transfer.
 */
import { Piscina, workerData } from "piscina";
import { datasetFromDescription } from "./registry.js";
import { collectTransferables } from "./transfer.js";
import type { BatchDataset, DatasetDescription } from "./types.js";

export interface WorkerTask {
  indices: Int32Array | Float64Array;
  output?: "dense" | "csr";
  /** Recycled buffers (transferred in) the dataset may fill instead of allocating. */
  reuse?: ArrayBuffer[];
}

/** What the pool hands every worker once, at start (piscina's `workerData`). */
export interface WorkerData {
  description: DatasetDescription;
}

let opened: Promise<BatchDataset> | undefined;

function dataset(): Promise<BatchDataset> {
  if (!opened) {
    opened = datasetFromDescription((workerData as WorkerData).description);
    // A failed open is retried by the next task rather than cached.
    opened.catch(() => {
      opened = undefined;
    });
  }
  return opened;
}

export default async function readBatch(task: WorkerTask): Promise<unknown> {
  const batch = await (await dataset()).getItems(task.indices, {
    ...(task.output ? { output: task.output } : {}),
    ...(task.reuse?.length ? { reuse: task.reuse } : {}),
  });
  const transferList = [...collectTransferables(batch)];
  // Piscina.move marks the wrapper so the batch is posted with its buffers transferred, not cloned.
  return Piscina.move({
    [Piscina.transferableSymbol]: transferList,
    [Piscina.valueSymbol]: batch,
  } as never);
}
