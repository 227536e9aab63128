/**
 * The h5wasm calls of the writer: anndata's encoding attributes (variable-length UTF-8 strings, as
 * h5py writes them), numeric and boolean arrays (chunked + gzip on request, written in blocks so a
 * large matrix never needs a second full copy in the wasm heap), string arrays and scalars.
 */
import type { Dataset, Group } from "h5wasm/node";
import { type ErrorDetails, InvalidArgumentError, IoError, throwIfAborted } from "../errors.js";
import { BOOL_PLACEHOLDER } from "./write-bool-patch.js";
import type { NumericArray, UnsScalar } from "./write-input.js";

export interface WriteContext {
  readonly path: string;
  /** gzip level, or null for no compression. */
  readonly gzipLevel: number | null;
  readonly chunkRows: number | undefined;
  /** Arrays larger than this are written block by block. */
  readonly blockBytes: number;
  readonly signal: AbortSignal | undefined;
  /** Boolean datasets/attributes written as placeholders (see write-bool-patch.ts). */
  boolCount: number;
}

type Dtype = string | [string, string][];

const BOOL_DTYPE: Dtype = [[BOOL_PLACEHOLDER, "<b"]];
/** Target size of one chunk when the caller gives no chunkRows (h5py aims at tens of KiB–1 MiB). */
const CHUNK_BYTES = 256 * 1024;
/** HDF5 chunks must stay below 4 GiB. */
const MAX_CHUNK_BYTES = 2 ** 32 - 1;

export function dtypeOf(a: NumericArray): string {
  if (a instanceof Float32Array) return "<f";
  if (a instanceof Float64Array) return "<d";
  if (a instanceof Int8Array) return "<b";
  if (a instanceof Uint8Array) return "<B";
  if (a instanceof Int16Array) return "<h";
  if (a instanceof Uint16Array) return "<H";
  if (a instanceof Int32Array) return "<i";
  if (a instanceof Uint32Array) return "<I";
  if (a instanceof BigInt64Array) return "<q";
  return "<Q";
}

function at(ctx: WriteContext, parent: Group, name: string): ErrorDetails {
  return { path: ctx.path, dataset: `${parent.path}/${name}`.replace(/^\/+/, "") };
}

function created<T>(obj: T | null, ctx: WriteContext, parent: Group, name: string): T {
  if (obj === null) throw new IoError("h5wasm could not create this element", at(ctx, parent, name));
  return obj;
}

export function createGroup(ctx: WriteContext, parent: Group, name: string): Group {
  throwIfAborted(ctx.signal, at(ctx, parent, name));
  return created(parent.create_group(name), ctx, parent, name);
}

export function setEncoding(obj: Group | Dataset, type: string, version: string): void {
  obj.create_attribute("encoding-type", type);
  obj.create_attribute("encoding-version", version);
}

/** A string-array attribute; an empty one is a float64 array of length 0, as h5py stores `[]`. */
export function setStringArrayAttr(obj: Group | Dataset, name: string, values: string[]): void {
  if (values.length === 0) obj.create_attribute(name, new Float64Array(0), [0]);
  else obj.create_attribute(name, values);
}

export function setBoolAttr(ctx: WriteContext, obj: Group | Dataset, name: string, value: boolean): void {
  obj.create_attribute(name, boolData(Uint8Array.of(value ? 1 : 0)), [], BOOL_DTYPE);
  ctx.boolCount++;
}

function boolData(values: Uint8Array): Map<string, Int8Array> {
  return new Map([[BOOL_PLACEHOLDER, new Int8Array(values.buffer, values.byteOffset, values.length)]]);
}

function checkStrings(ctx: WriteContext, parent: Group, name: string, values: readonly string[]): void {
  values.forEach((v, i) => {
    if (v.includes("\0")) {
      throw new InvalidArgumentError(
        `string ${i} contains a NUL character, which HDF5 strings cannot hold`,
        at(ctx, parent, name),
      );
    }
  });
}

/** A 1-D variable-length UTF-8 string dataset (never compressed: h5wasm cannot filter vlen data). */
export function writeStrings(ctx: WriteContext, parent: Group, name: string, values: string[]): Dataset {
  throwIfAborted(ctx.signal, at(ctx, parent, name));
  checkStrings(ctx, parent, name, values);
  const ds = parent.create_dataset({ name, data: values, shape: [values.length], dtype: "S" });
  return created(ds, ctx, parent, name);
}

export interface ArrayWriteExtra {
  /** Store 0/1 bytes as booleans. */
  bool?: boolean;
  /** Chunk length along the first axis (overrides the chunkRows/byte-size rule). */
  chunkLength?: number;
}

/**
 * A numeric (or boolean) dataset of `shape` from row-major `data`. Uncompressed small arrays are
 * contiguous, like h5py's default; compressed or large ones are chunked along the first axis.
 */
export function writeArray(
  ctx: WriteContext,
  parent: Group,
  name: string,
  data: NumericArray,
  shape: number[],
  extra: ArrayWriteExtra = {},
): Dataset {
  const where = at(ctx, parent, name);
  throwIfAborted(ctx.signal, where);
  const bool = extra.bool === true;
  if (bool && !(data instanceof Uint8Array)) throw new TypeError("boolean data must be a Uint8Array");
  const dtype: Dtype = bool ? BOOL_DTYPE : dtypeOf(data);
  const wrap = (a: NumericArray) => (bool ? boolData(a as Uint8Array) : a);
  const total = shape[0] ?? 1;
  const rest = shape.slice(1);
  const rowLength = rest.reduce((a, b) => a * b, 1);
  const rowBytes = Math.max(1, rowLength * data.BYTES_PER_ELEMENT);
  const compress = ctx.gzipLevel !== null && data.length > 0;
  const blocked = data.byteLength > ctx.blockBytes && total > 1 && rowLength > 0;
  if (shape.length === 0 || (!compress && !blocked)) {
    const ds = parent.create_dataset({ name, data: wrap(data), shape, dtype });
    if (bool) ctx.boolCount++;
    return created(ds, ctx, parent, name);
  }
  const wantRows = extra.chunkLength ?? ctx.chunkRows ?? Math.floor(CHUNK_BYTES / rowBytes);
  const chunkRows = Math.max(1, Math.min(total, wantRows, Math.floor(MAX_CHUNK_BYTES / rowBytes)));
  const filter = compress ? { compression: "gzip" as const, compression_opts: ctx.gzipLevel ?? 4 } : {};
  // Blocks hold whole chunks so no chunk is compressed twice.
  const blockRows = blocked
    ? Math.max(chunkRows, Math.floor(ctx.blockBytes / rowBytes / chunkRows) * chunkRows)
    : total;
  const first = Math.min(total, blockRows);
  const ds = created(
    parent.create_dataset({
      name,
      data: wrap(data.subarray(0, first * rowLength)),
      shape: [first, ...rest],
      maxshape: [total, ...rest],
      chunks: [chunkRows, ...rest],
      dtype,
      ...filter,
    }),
    ctx,
    parent,
    name,
  );
  if (bool) ctx.boolCount++;
  for (let start = first; start < total; start += blockRows) {
    throwIfAborted(ctx.signal, where);
    const end = Math.min(total, start + blockRows);
    ds.resize([end, ...rest]);
    ds.write_slice(
      [[start, end], ...rest.map((): [] => [])],
      wrap(data.subarray(start * rowLength, end * rowLength)),
    );
  }
  return ds;
}

/** A uns scalar: `string` for strings, `numeric-scalar` (int64, float64 or bool) otherwise. */
export function writeScalar(ctx: WriteContext, parent: Group, name: string, value: UnsScalar): void {
  let ds: Dataset | null;
  if (typeof value === "string") {
    checkStrings(ctx, parent, name, [value]);
    ds = parent.create_dataset({ name, data: value, shape: [], dtype: "S" });
  } else if (typeof value === "boolean") {
    ds = parent.create_dataset({
      name,
      data: boolData(Uint8Array.of(value ? 1 : 0)),
      shape: [],
      dtype: BOOL_DTYPE,
    });
    ctx.boolCount++;
  } else if (typeof value === "bigint") {
    ds = parent.create_dataset({ name, data: BigInt64Array.of(value), shape: [], dtype: "<q" });
  } else if (Number.isSafeInteger(value)) {
    ds = parent.create_dataset({ name, data: BigInt64Array.of(BigInt(value)), shape: [], dtype: "<q" });
  } else {
    ds = parent.create_dataset({ name, data: Float64Array.of(value), shape: [], dtype: "<d" });
  }
  setEncoding(
    created(ds, ctx, parent, name),
    typeof value === "string" ? "string" : "numeric-scalar",
    "0.2.0",
  );
}
