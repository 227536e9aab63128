/**
 * TensorFlow.js adapter (`cellfeed/tfjs`). `@tensorflow/tfjs-core` is an optional peer used for
 * types only: pass in your own `tf` (`@tensorflow/tfjs`, `@tensorflow/tfjs-node`, any backend).
 *
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { toTfDataset } from "cellfeed/tfjs";
 * const ds = toTfDataset(loader, tf, { labelKey: "cell_type", oneHot: mc.encoders.cell_type.size });
 * await model.fitDataset(ds, { epochs: 5 });
 * ```
 */
import type * as tfTypes from "@tensorflow/tfjs-core";
import { InvalidArgumentError, KeyNotFoundError } from "../errors.js";

/** The parts of the `tf` namespace this adapter uses (tfjs, tfjs-node and tfjs-core all fit). */
export interface TfLike {
  tensor2d: typeof tfTypes.tensor2d;
  tensor1d: typeof tfTypes.tensor1d;
  oneHot: typeof tfTypes.oneHot;
  tidy: typeof tfTypes.tidy;
  cast: typeof tfTypes.cast;
}

/** `tf` with `tf.data` (the full `@tensorflow/tfjs` or `@tensorflow/tfjs-node` namespace). */
export interface TfWithData extends TfLike {
  // biome-ignore lint/suspicious/noExplicitAny: tf.data.generator's own signature is generic over the element type.
  data: { generator: (generator: any) => any };
  getBackend?: () => string;
  /** The engine, whose backend says (`refCount`) whether it still holds a tensor's data. */
  engine?: () => { backend?: { refCount?: (dataId: object) => number } };
}

export interface ToTfDatasetOptions extends ToTensorsOptions {
  /**
   * Hand each batch back to the loader (`DataLoader.recycle`) when its array is free, so later batches
   * reuse its buffer. "auto" (default): on the wasm backend, which copies arrays into tensors, at
   * once; on backends that keep reading the array (cpu, webgl, node), once the backend no longer holds
   * the batch's tensor (its `refCount` is 0, i.e. the training step disposed it). `true` recycles at
   * once on every backend (only safe when the backend copies); `false` never.
   */
  recycle?: "auto" | boolean;
}

/** A loader batch as the adapter reads it: dense X plus encoded labels. */
export interface TensorableBatch {
  X?: unknown;
  shape?: unknown;
  obs?: Record<string, unknown>;
}

export interface ToTensorsOptions {
  /** obs key whose encoded labels (Int32Array) become `ys`. */
  labelKey?: string;
  /** With a class count: `ys` is one-hot float32 [n, classes] (rows with label -1 are all zeros). */
  oneHot?: number;
}

export interface BatchTensors {
  xs: tfTypes.Tensor2D;
  ys?: tfTypes.Tensor;
}

/**
 * One batch as tensors: `xs` [n, nVars] float32 from `batch.X`, and `ys` from `batch.obs[labelKey]`
 * (int32 [n], or one-hot). The caller owns (and disposes) the tensors.
 */
export function toTensors(batch: TensorableBatch, tf: TfLike, options: ToTensorsOptions = {}): BatchTensors {
  // MappedCollection batches (through the DataLoader) carry X + shape; SOMA batches carry X = { data, shape }.
  const matrix = batch.X as { data?: unknown; shape?: unknown; format?: string } | undefined;
  const X = batch.X instanceof Float32Array ? batch.X : matrix?.data;
  const shape = (batch.X instanceof Float32Array ? batch.shape : matrix?.shape) as
    | [number, number]
    | undefined;
  if (
    !(X instanceof Float32Array) ||
    !Array.isArray(shape) ||
    shape.length !== 2 ||
    matrix?.format === "csr"
  ) {
    throw new InvalidArgumentError(
      "toTensors needs a dense float32 batch: batch.X a Float32Array with batch.shape [n, nVars], or batch.X = { data, shape }",
    );
  }
  const xs = tf.tensor2d(X, shape, "float32");
  if (options.labelKey === undefined) return { xs };
  const labels = batch.obs?.[options.labelKey];
  if (!(labels instanceof Int32Array)) {
    xs.dispose();
    throw new KeyNotFoundError("encoded label column", options.labelKey, Object.keys(batch.obs ?? {}), {});
  }
  if (options.oneHot === undefined) return { xs, ys: tf.tensor1d(labels, "int32") };
  const classes = options.oneHot;
  const ys = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, "int32"), classes), "float32"));
  return { xs, ys };
}

/** Batches toTfDataset watches for their tensors' release, at most. */
const MAX_WAITING = 64;

/**
 * A `tf.data.Dataset` of `{ xs, ys }` over a loader (anything async-iterable yielding batches):
 * each `model.fitDataset` epoch makes one pass, and each pass is the loader's next epoch.
 */
export function toTfDataset<T extends TfWithData>(
  loader: AsyncIterable<TensorableBatch> & { recycle?: (batch: TensorableBatch) => void },
  tf: T,
  options: ToTfDatasetOptions = {},
): ReturnType<T["data"]["generator"]> {
  if (typeof tf.data?.generator !== "function") {
    throw new InvalidArgumentError(
      "toTfDataset needs the full tf namespace (tf.data.generator): pass @tensorflow/tfjs",
    );
  }
  const mode = options.recycle ?? "auto";
  const recycle = typeof loader.recycle === "function" ? loader.recycle.bind(loader) : null;
  const generator = async function* () {
    // Batches whose tensor a backend may still read: recycled once it has let go of the data.
    const waiting: { batch: TensorableBatch; dataId: object }[] = [];
    const releaseFreed = () => {
      const backend = tf.engine?.().backend;
      if (typeof backend?.refCount !== "function") return;
      for (let k = waiting.length - 1; k >= 0; k--) {
        if (backend.refCount(waiting[k]!.dataId) === 0) recycle!(waiting.splice(k, 1)[0]!.batch);
      }
    };
    try {
      for await (const batch of loader) {
        const { xs, ys } = toTensors(batch, tf, options);
        if (recycle !== null && mode !== false) {
          // Checked per batch: the backend may change between epochs.
          if (mode === true || tf.getBackend?.() === "wasm") recycle(batch);
          else if (typeof tf.engine?.().backend?.refCount === "function") {
            waiting.push({ batch, dataId: xs.dataId });
            // Tensors kept alive for long are simply not recycled (their batches stay fresh).
            if (waiting.length > MAX_WAITING) waiting.shift();
            releaseFreed();
          }
        }
        yield ys === undefined ? { xs } : { xs, ys };
      }
    } finally {
      if (recycle !== null) releaseFreed();
    }
  };
  return tf.data.generator(generator);
}
