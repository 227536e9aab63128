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
}

export interface ToTfDatasetOptions extends ToTensorsOptions {
  /**
   * Hand each batch back to the loader (`DataLoader.recycle`) once its tensors exist. "auto"
   * (default) does so only on the wasm backend, which copies the array into the tensor; the cpu,
   * webgl and node backends keep reading it, so recycling there would corrupt training data.
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
  const generator = async function* () {
    const mode = options.recycle ?? "auto";
    for await (const batch of loader) {
      const { xs, ys } = toTensors(batch, tf, options);
      // Checked per batch: the backend may change between epochs.
      const recycle = mode === "auto" ? tf.getBackend?.() === "wasm" : mode;
      if (recycle && typeof loader.recycle === "function") loader.recycle(batch);
      yield ys === undefined ? { xs } : { xs, ys };
    }
  };
  return tf.data.generator(generator);
}
