/** Typed-array unions shared by the format layers (h5ad/, soma/) and the batch buffers. */

/** Typed arrays of plain numbers (no BigInt). */
export type NumberArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

/** Every numeric typed array, 64-bit integers (BigInt) included. */
export type NumericArray = NumberArray | BigInt64Array | BigUint64Array;

export type FloatArray = Float32Array | Float64Array;
