/**
 * Decoders for the header messages this reader needs: dataspace, datatype, filter pipeline, data
 * layout (v3, v4), link, link info and symbol table. Anything outside that subset is reported as
 * `{ unsupported: reason }` so the caller can fall back to h5wasm.
 */
import { FormatError } from "../../errors.js";
import type { NumericDtype } from "../types.js";
import type { Cursor } from "./cursor.js";

/** The numeric element types this reader decodes: the same set as the h5ad reader's. */
export type Hdf5Dtype = NumericDtype;

export interface Unsupported {
  unsupported: string;
}

export function isUnsupported(v: unknown): v is Unsupported {
  return typeof v === "object" && v !== null && "unsupported" in v;
}

export interface Dataspace {
  /** [] for a scalar. */
  dims: number[];
  /** Maximum dims (UNDEFINED = unlimited); equal to `dims` when the file stores none. */
  maxDims: number[];
}

export function decodeDataspace(c: Cursor): Dataspace | Unsupported {
  const version = c.u8();
  const rank = c.u8();
  const flags = c.u8();
  if (version === 1) {
    c.skip(5);
  } else if (version === 2) {
    const type = c.u8();
    if (type === 2) return { unsupported: "null dataspace" };
  } else {
    return { unsupported: `dataspace version ${version}` };
  }
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(c.length());
  const maxDims: number[] = [];
  if (flags & 1) for (let i = 0; i < rank; i++) maxDims.push(c.maybeUndefined(c.lengthSize));
  return { dims, maxDims: flags & 1 ? maxDims : dims };
}

export interface Datatype {
  dtype: Hdf5Dtype;
  size: number;
}

const CLASS_NAMES = [
  "fixed-point",
  "floating-point",
  "time",
  "string",
  "bitfield",
  "opaque",
  "compound",
  "reference",
  "enum",
  "variable-length",
  "array",
];

export function decodeDatatype(c: Cursor): Datatype | Unsupported {
  const classVersion = c.u8();
  const cls = classVersion & 0x0f;
  const bits0 = c.u8();
  c.skip(2);
  const size = c.u32();
  const name = CLASS_NAMES[cls] ?? `class ${cls}`;
  if (cls === 0) {
    if (bits0 & 1) return { unsupported: `big-endian ${size * 8}-bit integer` };
    const bitOffset = c.u16();
    const precision = c.u16();
    if (precision !== size * 8 || bitOffset !== 0) {
      return { unsupported: `${precision}-bit integer at bit ${bitOffset} in ${size} bytes` };
    }
    const signed = (bits0 & 0x08) !== 0;
    const dtype = INT_DTYPES[`${signed ? "int" : "uint"}${size * 8}`];
    return dtype ? { dtype, size } : { unsupported: `${size}-byte integer` };
  }
  if (cls === 1) {
    if (bits0 & 0x41) return { unsupported: `non-little-endian ${size * 8}-bit float` };
    // Only IEEE 754 binary32/binary64: offset, precision, exponent at/size, mantissa at/size, bias.
    const props = [c.u16(), c.u16(), c.u8(), c.u8(), c.u8(), c.u8(), c.u32()].join(",");
    if (size === 4 && props === "0,32,23,8,0,23,127") return { dtype: "float32", size };
    if (size === 8 && props === "0,64,52,11,0,52,1023") return { dtype: "float64", size };
    return { unsupported: `non-IEEE or ${size * 8}-bit float` };
  }
  return { unsupported: `${name} datatype` };
}

const INT_DTYPES: Record<string, Hdf5Dtype> = {
  int8: "int8",
  uint8: "uint8",
  int16: "int16",
  uint16: "uint16",
  int32: "int32",
  uint32: "uint32",
  int64: "int64",
  uint64: "uint64",
};

/**
 * The fill value's bytes when it is defined and not all zeros (unwritten chunks read as it),
 * else undefined (they read as 0). `old` is the pre-1.6 fill value message (type 4).
 */
export function decodeFillValue(c: Cursor, old: boolean): Uint8Array | undefined {
  let bytes: Uint8Array | undefined;
  if (old) {
    bytes = c.take(c.u32());
  } else {
    const version = c.u8();
    if (version === 1 || version === 2) {
      c.skip(2);
      const defined = c.u8();
      if (version === 1 || defined) bytes = c.take(c.u32());
    } else if (version === 3) {
      const flags = c.u8();
      if (flags & 0x20) bytes = c.take(c.u32());
    } else {
      throw new FormatError(`fill value message version ${version}`, { path: c.where.path });
    }
  }
  return bytes?.some((b) => b !== 0) ? bytes : undefined;
}

export interface FilterSpec {
  id: number;
  name: string;
  /** Optional filters may be skipped by the writer (then the chunk's filter mask says so). */
  optional: boolean;
  clientData: number[];
}

const FILTER_NAMES: Record<number, string> = {
  1: "deflate",
  2: "shuffle",
  3: "fletcher32",
  4: "szip",
  5: "nbit",
  6: "scaleoffset",
  32000: "lzf",
  32001: "blosc",
  32004: "lz4",
  32008: "bitshuffle",
  32015: "zstd",
};

export function decodeFilters(c: Cursor): FilterSpec[] {
  const version = c.u8();
  const count = c.u8();
  if (version === 1) c.skip(6);
  else if (version !== 2) throw new FormatError(`filter pipeline version ${version}`, { path: c.where.path });
  const out: FilterSpec[] = [];
  for (let i = 0; i < count; i++) {
    const id = c.u16();
    const nameLength = version === 1 || id >= 256 ? c.u16() : 0;
    const flags = c.u16();
    const nValues = c.u16();
    let name = "";
    if (nameLength > 0) {
      const raw = c.take(version === 1 ? Math.ceil(nameLength / 8) * 8 : nameLength);
      const end = raw.indexOf(0);
      name = new TextDecoder().decode(raw.subarray(0, end < 0 ? raw.length : end));
    }
    const clientData: number[] = [];
    for (let j = 0; j < nValues; j++) clientData.push(c.u32());
    if (version === 1 && nValues % 2 === 1) c.skip(4);
    out.push({
      id,
      name: FILTER_NAMES[id] ?? (name || `filter ${id}`),
      optional: (flags & 1) !== 0,
      clientData,
    });
  }
  return out;
}

export type ChunkIndexInfo =
  | { type: "btree1"; address: number }
  | { type: "single"; address: number; filteredSize?: number; filterMask: number }
  | { type: "implicit"; address: number }
  | { type: "fixed"; address: number; pageBits: number }
  | { type: "extensible"; address: number }
  | { type: "btree2"; address: number };

export type Layout =
  | { kind: "compact"; data: Uint8Array }
  | { kind: "contiguous"; address: number; size: number }
  | {
      kind: "chunked";
      /** Chunk dims per dataset dimension (the element-size entry removed). */
      chunkDims: number[];
      /** Layout v4 flag: edge chunks that are only partly inside the dataset are stored unfiltered. */
      unfilteredEdges: boolean;
      index: ChunkIndexInfo;
    };

export function decodeLayout(c: Cursor): Layout | Unsupported {
  const version = c.u8();
  if (version < 3 || version > 4) return { unsupported: `data layout message version ${version}` };
  const cls = c.u8();
  if (cls === 0) {
    const size = c.u16();
    return { kind: "compact", data: c.take(size) };
  }
  if (cls === 1) {
    const address = c.offset();
    const size = c.length();
    return { kind: "contiguous", address, size };
  }
  if (cls !== 2) return { unsupported: cls === 3 ? "virtual dataset layout" : `layout class ${cls}` };
  if (version === 3) {
    const rank = c.u8();
    const address = c.offset();
    const dims: number[] = [];
    for (let i = 0; i < rank; i++) dims.push(c.u32());
    return {
      kind: "chunked",
      chunkDims: dims.slice(0, -1),
      unfilteredEdges: false,
      index: { type: "btree1", address },
    };
  }
  const flags = c.u8();
  const rank = c.u8();
  const encLength = c.u8();
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(c.uint(encLength));
  const indexType = c.u8();
  let index: ChunkIndexInfo;
  switch (indexType) {
    case 1: {
      let filteredSize: number | undefined;
      let filterMask = 0;
      if (flags & 0x2) {
        filteredSize = c.length();
        filterMask = c.u32();
      }
      const address = c.offset();
      index =
        filteredSize === undefined
          ? { type: "single", address, filterMask }
          : { type: "single", address, filteredSize, filterMask };
      break;
    }
    case 2:
      index = { type: "implicit", address: c.offset() };
      break;
    case 3: {
      const pageBits = c.u8();
      index = { type: "fixed", address: c.offset(), pageBits };
      break;
    }
    case 4:
      c.skip(5);
      index = { type: "extensible", address: c.offset() };
      break;
    case 5:
      c.skip(6);
      index = { type: "btree2", address: c.offset() };
      break;
    default:
      return { unsupported: `chunk index type ${indexType}` };
  }
  return { kind: "chunked", chunkDims: dims.slice(0, -1), unfilteredEdges: (flags & 0x1) !== 0, index };
}

export interface Link {
  name: string;
  /** Object header address for hard links; undefined for soft/external links. */
  address?: number;
  kind: "hard" | "soft" | "external";
}

export function decodeLink(c: Cursor): Link {
  const version = c.u8();
  if (version !== 1) throw new FormatError(`link message version ${version}`, { path: c.where.path });
  const flags = c.u8();
  const type = flags & 0x8 ? c.u8() : 0;
  if (flags & 0x4) c.skip(8);
  if (flags & 0x10) c.skip(1);
  const nameLength = c.uint(1 << (flags & 3));
  const name = new TextDecoder().decode(c.take(nameLength));
  if (type === 0) return { name, address: c.offset(), kind: "hard" };
  return { name, kind: type === 1 ? "soft" : "external" };
}

export interface LinkInfo {
  heapAddress: number;
  nameIndexAddress: number;
}

export function decodeLinkInfo(c: Cursor): LinkInfo {
  c.u8();
  const flags = c.u8();
  if (flags & 1) c.skip(8);
  const heapAddress = c.offset();
  const nameIndexAddress = c.offset();
  return { heapAddress, nameIndexAddress };
}

export function decodeSymbolTable(c: Cursor): { btree: number; heap: number } {
  return { btree: c.offset(), heap: c.offset() };
}
