/**
 * Output buffers of batches, shared by the datasets (mapped/, soma/): fresh, or refilled from the
 * buffers a consumer handed back through `DataLoader.recycle`.
 */

export type FloatArray = Float32Array | Float64Array;

export function allocate(dtype: "float32" | "float64", length: number): FloatArray {
  return dtype === "float64" ? new Float64Array(length) : new Float32Array(length);
}

/**
 * A zeroed output buffer: one of `reuse` whose byteLength is exactly right (taken off the list), or a
 * fresh one. Reusing a handed-back buffer saves the allocation and, in the thread the batch goes to,
 * the collection of one more large garbage buffer.
 */
export function allocateReusing(
  dtype: "float32" | "float64",
  length: number,
  reuse?: ArrayBuffer[],
): FloatArray {
  const bytes = length * (dtype === "float64" ? 8 : 4);
  const k = bytes > 0 && reuse ? reuse.findIndex((b) => b.byteLength === bytes) : -1;
  if (k < 0) return allocate(dtype, length);
  const buffer = reuse!.splice(k, 1)[0]!;
  const out = dtype === "float64" ? new Float64Array(buffer) : new Float32Array(buffer);
  out.fill(0); // callers write only the stored (nonzero) values
  return out;
}
