/**
 * TileDB filter pipelines: parsing their serialized form and running them in reverse over one chunk
 * (metadata + data). Each reverse filter consumes a prefix of the chunk metadata and passes the rest on,
 * as libtiledb's FilterBuffer does.
 */
import { createHash } from "node:crypto";
import { CellfeedError, FormatError, UnsupportedFeatureError, UnsupportedFilterError } from "../../errors.js";
import { concatBytes, copyBytes, Reader } from "./bytes.js";
import { bzip2Part, gunzipPart, lz4Part, rlePart, zstdPart } from "./codecs.js";
import { Datatype, datatypeName, datatypeSize, isDateTime, isFloat, isSignedInt } from "./datatypes.js";

export const FilterType = {
  NONE: 0,
  GZIP: 1,
  ZSTD: 2,
  LZ4: 3,
  RLE: 4,
  BZIP2: 5,
  DOUBLE_DELTA: 6,
  BIT_WIDTH_REDUCTION: 7,
  BITSHUFFLE: 8,
  BYTESHUFFLE: 9,
  POSITIVE_DELTA: 10,
  AES_256_GCM: 11,
  CHECKSUM_MD5: 12,
  CHECKSUM_SHA256: 13,
  DICTIONARY: 14,
  SCALE_FLOAT: 15,
  XOR: 16,
  DEPRECATED: 17,
  WEBP: 18,
  DELTA: 19,
} as const;

const FILTER_NAMES: Record<number, string> = {};
for (const [k, v] of Object.entries(FilterType)) FILTER_NAMES[v] = k;
export function filterName(t: number): string {
  return FILTER_NAMES[t] ?? `UNKNOWN(${t})`;
}

export interface Filter {
  type: number;
  /** Compressors: level. */
  level?: number;
  /** DELTA / DOUBLE_DELTA: the type the values are reinterpreted as (ANY = the input type). */
  reinterpret?: number;
  /** BIT_WIDTH_REDUCTION / POSITIVE_DELTA. */
  maxWindow?: number;
  /** SCALE_FLOAT. */
  scale?: number;
  offset?: number;
  byteWidth?: number;
}

export interface Pipeline {
  maxChunkSize: number;
  filters: Filter[];
}

export const EMPTY_PIPELINE: Pipeline = { maxChunkSize: 0, filters: [] };

const COMPRESSORS: ReadonlySet<number> = new Set([
  FilterType.GZIP,
  FilterType.ZSTD,
  FilterType.LZ4,
  FilterType.RLE,
  FilterType.BZIP2,
  FilterType.DOUBLE_DELTA,
  FilterType.DICTIONARY,
  FilterType.DELTA,
]);

/** Reads a serialized pipeline; each filter's options are skipped by their stated length. */
export function readPipeline(r: Reader): Pipeline {
  const maxChunkSize = r.u32();
  const n = r.u32();
  const filters: Filter[] = [];
  for (let i = 0; i < n; i++) {
    const type = r.u8();
    const len = r.u32();
    const end = r.pos + len;
    r.need(len);
    const f: Filter = { type };
    if (COMPRESSORS.has(type) && len >= 5) {
      r.u8(); // compressor id, redundant with the filter type
      f.level = r.i32();
      if ((type === FilterType.DELTA || type === FilterType.DOUBLE_DELTA) && len >= 6) f.reinterpret = r.u8();
    } else if ((type === FilterType.BIT_WIDTH_REDUCTION || type === FilterType.POSITIVE_DELTA) && len >= 4) {
      f.maxWindow = r.u32();
    } else if (type === FilterType.SCALE_FLOAT && len >= 24) {
      f.scale = r.f64();
      f.offset = r.f64();
      f.byteWidth = r.u64();
    }
    r.pos = end;
    filters.push(f);
  }
  return { maxChunkSize, filters };
}

function signedOfSize(size: number): number {
  switch (size) {
    case 1:
      return Datatype.INT8;
    case 2:
      return Datatype.INT16;
    case 4:
      return Datatype.INT32;
    case 8:
      return Datatype.INT64;
    default:
      throw new FormatError(`no integer type of ${size} bytes`);
  }
}

/** The datatype a filter outputs given its input datatype (libtiledb's output_datatype). */
export function filterOutputType(f: Filter, input: number): number {
  switch (f.type) {
    case FilterType.DELTA:
    case FilterType.DOUBLE_DELTA:
      return f.reinterpret === undefined || f.reinterpret === Datatype.ANY ? input : f.reinterpret;
    case FilterType.XOR:
      return signedOfSize(datatypeSize(input));
    case FilterType.SCALE_FLOAT:
      return signedOfSize(f.byteWidth ?? 8);
    default:
      return input;
  }
}

/** What reverse filters need to know about the tile beyond its bytes. */
export interface TileContext {
  /** The datatype the first filter sees (field type, UINT64 offsets, UINT8 validity). */
  type: number;
  /** Bytes per cell (RLE's value size): type size × cell_val_num, 8 for offsets, 1 for validity. */
  cellSize: number;
  /** Format version of the fragment or generic tile. */
  version: number;
  /** For error messages: the file and field. */
  path: string;
  /** Verify MD5/SHA256 checksums (default true). */
  verifyChecksums?: boolean;
  /**
   * Set for variable-size string data whose offsets are rebuilt by RLE/DICTIONARY (format v12+): the
   * decoder stores the cell start offsets here.
   */
  stringOffsets?: { offsets?: number[] };
}

interface ChunkState {
  md: Uint8Array;
  data: Uint8Array;
}

/** Runs the whole pipeline in reverse over a chunked tile (`u64 num_chunks` then chunks). */
export function unfilterTile(p: Pipeline, tile: Uint8Array, ctx: TileContext): Uint8Array {
  const r = new Reader(tile, ctx.path);
  const nChunks = r.u64();
  const chunks: Uint8Array[] = [];
  for (let c = 0; c < nChunks; c++) {
    const origLen = r.u32();
    const filteredLen = r.u32();
    const mdLen = r.u32();
    const md = r.bytesView(mdLen);
    const data = r.bytesView(filteredLen);
    const out = unfilterChunk(p, { md, data }, ctx);
    if (out.byteLength !== origLen)
      throw new FormatError(`chunk ${c} decoded to ${out.byteLength} bytes, expected ${origLen}`, {
        path: ctx.path,
      });
    chunks.push(out);
  }
  return concatBytes(chunks);
}

export function unfilterChunk(p: Pipeline, chunk: ChunkState, ctx: TileContext): Uint8Array {
  if (p.filters.length === 0) return chunk.data;
  // Input type of each filter, computed forward.
  const types: number[] = [ctx.type];
  for (const f of p.filters) types.push(filterOutputType(f, types[types.length - 1] as number));
  let state = chunk;
  for (let i = p.filters.length - 1; i >= 0; i--) {
    const f = p.filters[i] as Filter;
    try {
      state = reverseFilter(f, types[i] as number, state, ctx);
    } catch (e) {
      // Errors that already name their file pass through; codec errors get the tile's path.
      if (e instanceof CellfeedError && e.path !== undefined) throw e;
      if (e instanceof UnsupportedFilterError || e instanceof UnsupportedFeatureError) {
        const Kind = e instanceof UnsupportedFilterError ? UnsupportedFilterError : UnsupportedFeatureError;
        throw new Kind(e.message, { path: ctx.path, cause: e });
      }
      throw new FormatError(`${filterName(f.type)} filter failed: ${(e as Error).message}`, {
        path: ctx.path,
        cause: e,
      });
    }
  }
  return state.data;
}

function reverseFilter(f: Filter, type: number, s: ChunkState, ctx: TileContext): ChunkState {
  switch (f.type) {
    case FilterType.NONE:
      return s;
    case FilterType.GZIP:
    case FilterType.ZSTD:
    case FilterType.LZ4:
    case FilterType.BZIP2:
    case FilterType.RLE:
    case FilterType.DOUBLE_DELTA:
    case FilterType.DELTA:
      return reverseCompression(f, type, s, ctx);
    case FilterType.DICTIONARY:
      if (ctx.stringOffsets) return reverseCompression(f, type, s, ctx);
      throw new UnsupportedFilterError("DICTIONARY filter outside variable-size strings", { path: ctx.path });
    case FilterType.BIT_WIDTH_REDUCTION:
      return reverseBitWidth(type, s, ctx);
    case FilterType.POSITIVE_DELTA:
      return reversePositiveDelta(type, s, ctx);
    case FilterType.BYTESHUFFLE:
      return reverseParts(s, ctx, (part) => byteUnshuffle(part, datatypeSize(type)));
    case FilterType.BITSHUFFLE:
      return reverseParts(s, ctx, (part) => bitUnshuffleBlocks(part, datatypeSize(type)));
    case FilterType.XOR:
      return reverseParts(s, ctx, (part) => unxor(part, datatypeSize(type)));
    case FilterType.SCALE_FLOAT:
      return reverseScaleFloat(f, type, s, ctx);
    case FilterType.CHECKSUM_MD5:
      return reverseChecksum("md5", 16, s, ctx);
    case FilterType.CHECKSUM_SHA256:
      return reverseChecksum("sha256", 32, s, ctx);
    case FilterType.AES_256_GCM:
      throw new UnsupportedFeatureError("encrypted arrays (AES-256-GCM) are not supported", {
        path: ctx.path,
      });
    case FilterType.WEBP:
      throw new UnsupportedFeatureError("the WEBP filter is not supported", { path: ctx.path });
    default:
      throw new UnsupportedFilterError(`unknown filter ${filterName(f.type)}`, { path: ctx.path });
  }
}

function reverseCompression(f: Filter, type: number, s: ChunkState, ctx: TileContext): ChunkState {
  const m = new Reader(s.md, ctx.path);
  const nMd = m.u32();
  const nData = m.u32();
  if (
    ctx.stringOffsets &&
    (f.type === FilterType.RLE || f.type === FilterType.DICTIONARY) &&
    (type === Datatype.STRING_ASCII || type === Datatype.STRING_UTF8)
  )
    return { md: new Uint8Array(0), data: decodeVarStrings(f.type, m, s.data, ctx.stringOffsets, ctx.path) };
  const d = new Reader(s.data, ctx.path);
  const codecType = f.reinterpret === undefined || f.reinterpret === Datatype.ANY ? type : f.reinterpret;
  const decode = (input: Uint8Array, size: number): Uint8Array => {
    switch (f.type) {
      case FilterType.GZIP:
        return gunzipPart(input, size);
      case FilterType.ZSTD:
        return zstdPart(input, size);
      case FilterType.LZ4:
        return lz4Part(input, size);
      case FilterType.BZIP2:
        return bzip2Part(input, size);
      case FilterType.RLE:
        return rlePart(input, size, ctx.cellSize);
      case FilterType.DOUBLE_DELTA:
        return doubleDeltaDecode(input, size, codecType);
      default:
        return deltaDecode(input, size, codecType);
    }
  };
  const mdParts: Uint8Array[] = [];
  const dataParts: Uint8Array[] = [];
  for (let i = 0; i < nMd + nData; i++) {
    const orig = m.u32();
    const comp = m.u32();
    const out = decode(d.bytesView(comp), orig);
    (i < nMd ? mdParts : dataParts).push(out);
  }
  return { md: concatBytes(mdParts), data: concatBytes(dataParts) };
}

/** Reads `n` little-endian bytes as an unsigned bigint. */
function readUint(bytes: Uint8Array, off: number, n: number): bigint {
  let v = 0n;
  for (let k = n - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[off + k] as number);
  return v;
}

function writeUint(bytes: Uint8Array, off: number, n: number, v: bigint): void {
  let x = BigInt.asUintN(n * 8, v);
  for (let k = 0; k < n; k++) {
    bytes[off + k] = Number(x & 0xffn);
    x >>= 8n;
  }
}

function toSigned(v: bigint, size: number, signed: boolean): bigint {
  return signed ? BigInt.asIntN(size * 8, v) : v;
}

const POW2 = Float64Array.from({ length: 33 }, (_, k) => 2 ** k);

/** DOUBLE_DELTA: `u8 bitsize, u64 n, x0, x1`, then sign+magnitude double deltas packed MSB-first in u64 words. */
export function doubleDeltaDecode(input: Uint8Array, size: number, type: number): Uint8Array {
  if (isFloat(type)) throw new UnsupportedFilterError("DOUBLE_DELTA on floating-point data");
  const w = datatypeSize(type);
  const signed = isSignedInt(type) || type === Datatype.CHAR;
  const out = new Uint8Array(size);
  if (size === 0) return out;
  const r = new Reader(input, "DOUBLE_DELTA");
  const bitsize = r.u8();
  const n = r.u64();
  if (n * w !== size) throw new FormatError(`DOUBLE_DELTA holds ${n} values, expected ${size / w}`);
  if (bitsize >= w * 8 - 1) {
    out.set(r.bytesView(size));
    return out;
  }
  const first = toSigned(readUint(input, r.pos, w), w, signed);
  writeUint(out, 0, w, first);
  r.skip(w);
  if (n === 1) return out;
  const second = toSigned(readUint(input, r.pos, w), w, signed);
  writeUint(out, w, w, second);
  r.skip(w);
  if (n === 2) return out;
  const words = copyBytes(input, r.pos, r.pos + Math.floor((input.byteLength - r.pos) / 8) * 8);
  // Halves in stream order: the high 32 bits of each little-endian u64 word come first.
  const u = new Uint32Array(words.buffer, 0, words.byteLength / 4);
  const totalBits = u.length * 32;
  let bit = 0;
  const readBits = (n: number): number => {
    if (bit + n > totalBits) throw new FormatError("DOUBLE_DELTA bit stream is truncated");
    let v = 0;
    while (n > 0) {
      const half = bit >>> 5;
      const h = u[half ^ 1] as number;
      const avail = 32 - (bit & 31);
      const take = Math.min(n, avail);
      const bits = take === 32 ? h : (h >>> (avail - take)) & ((1 << take) - 1);
      v = v * (POW2[take] as number) + (bits >>> 0);
      bit += take;
      n -= take;
    }
    return v;
  };
  const dv = new DataView(out.buffer);
  const put = (i: number, x: number): void => {
    if (w === 8) {
      const hi = Math.floor(x / 4294967296);
      dv.setInt32(i * 8 + 4, hi, true);
      dv.setUint32(i * 8, x - hi * 4294967296, true);
    } else if (w === 4) dv.setUint32(i * 4, x >>> 0, true);
    else if (w === 2) dv.setUint16(i * 2, x & 0xffff, true);
    else dv.setUint8(i, x & 0xff);
  };
  // Number arithmetic while values stay exact (|x| < 2^52); bigint otherwise.
  let useNumber =
    w < 8 || (bitsize <= 50 && first >= -(2n ** 50n) && first <= 2n ** 50n && second <= 2n ** 50n);
  let p2 = first;
  let p1 = second;
  let n2 = Number(first);
  let n1 = Number(second);
  for (let i = 2; i < n; i++) {
    const neg = readBits(1) === 1;
    let mag = 0;
    let magBig = 0n;
    if (bitsize <= 52) mag = readBits(bitsize);
    else magBig = (BigInt(readBits(bitsize - 32)) << 32n) | BigInt(readBits(32));
    if (useNumber) {
      const x = (neg ? -mag : mag) + 2 * n1 - n2;
      if (Math.abs(x) <= 2 ** 52) {
        put(i, x);
        n2 = n1;
        n1 = x;
        continue;
      }
      useNumber = false;
      p2 = BigInt(n2);
      p1 = BigInt(n1);
    }
    const dd = bitsize <= 52 ? BigInt(mag) : magBig;
    const x = toSigned(BigInt.asUintN(w * 8, (neg ? -dd : dd) + 2n * p1 - p2), w, signed);
    writeUint(out, i * w, w, x);
    p2 = p1;
    p1 = x;
  }
  return out;
}

/** DELTA: `u64 n`, then the first value and n−1 deltas; a wrapping prefix sum. */
export function deltaDecode(input: Uint8Array, size: number, type: number): Uint8Array {
  if (isFloat(type)) throw new UnsupportedFilterError("DELTA on floating-point data");
  const w = datatypeSize(type);
  const r = new Reader(input, "DELTA");
  const out = new Uint8Array(size);
  if (size === 0) return out;
  const n = r.u64();
  if (n * w !== size) throw new FormatError(`DELTA holds ${n} values, expected ${size / w}`);
  let acc = 0n;
  for (let i = 0; i < n; i++) {
    acc = BigInt.asUintN(w * 8, acc + readUint(input, r.pos, w));
    r.skip(w);
    writeUint(out, i * w, w, acc);
  }
  return out;
}

/** Integer types that BIT_WIDTH_REDUCTION / POSITIVE_DELTA actually transform (others pass through). */
function windowedIntType(type: number, version: number): boolean {
  if (isDateTime(type)) return version >= 20;
  switch (type) {
    case Datatype.INT16:
    case Datatype.UINT16:
    case Datatype.INT32:
    case Datatype.UINT32:
    case Datatype.INT64:
    case Datatype.UINT64:
      return true;
    default:
      return false;
  }
}

function reverseBitWidth(type: number, s: ChunkState, ctx: TileContext): ChunkState {
  if (!windowedIntType(type, ctx.version)) return s;
  const w = datatypeSize(type);
  const signed = isSignedInt(type);
  const m = new Reader(s.md, ctx.path);
  const origLen = m.u32();
  const nWindows = m.u32();
  const out = new Uint8Array(origLen);
  const ov = new DataView(out.buffer);
  const iv = new DataView(s.data.buffer, s.data.byteOffset, s.data.byteLength);
  let ip = 0;
  let op = 0;
  for (let k = 0; k < nWindows; k++) {
    const offset = readUint(s.md, m.pos, w);
    m.skip(w);
    const bits = m.u8();
    const nbytes = m.u32();
    if (bits >= w * 8 || nbytes % w !== 0) {
      if (ip + nbytes > s.data.byteLength || op + nbytes > origLen)
        throw new FormatError("BIT_WIDTH_REDUCTION window overflows", { path: ctx.path });
      out.set(s.data.subarray(ip, ip + nbytes), op);
      ip += nbytes;
      op += nbytes;
      continue;
    }
    const nb = bits / 8;
    if (![1, 2, 4, 8].includes(nb))
      throw new FormatError(`BIT_WIDTH_REDUCTION width ${bits}`, { path: ctx.path });
    const cnt = nbytes / w;
    if (ip + cnt * nb > s.data.byteLength || op + nbytes > origLen)
      throw new FormatError("BIT_WIDTH_REDUCTION window overflows", { path: ctx.path });
    if (w === 8) {
      const base = offset;
      const small = base < 2n ** 52n && !signed;
      for (let j = 0; j < cnt; j++, ip += nb, op += 8) {
        if (small && nb <= 4) {
          const v = nb === 1 ? iv.getUint8(ip) : nb === 2 ? iv.getUint16(ip, true) : iv.getUint32(ip, true);
          ov.setBigUint64(op, BigInt(Number(base) + v), true);
        } else {
          const v = toSigned(readUint(s.data, ip, nb), nb, signed);
          writeUint(out, op, 8, v + base);
        }
      }
    } else {
      const base = Number(toSigned(offset, w, signed));
      for (let j = 0; j < cnt; j++, ip += nb, op += w) {
        const v = Number(toSigned(readUint(s.data, ip, nb), nb, signed));
        writeUint(out, op, w, BigInt(v + base));
      }
    }
  }
  return { md: s.md.subarray(m.pos), data: out.subarray(0, op) };
}

function reversePositiveDelta(type: number, s: ChunkState, ctx: TileContext): ChunkState {
  if (!windowedIntType(type, ctx.version)) return s;
  const w = datatypeSize(type);
  const m = new Reader(s.md, ctx.path);
  const nWindows = m.u32();
  const out = new Uint8Array(s.data.byteLength);
  let ip = 0;
  for (let k = 0; k < nWindows; k++) {
    let prev = readUint(s.md, m.pos, w);
    m.skip(w);
    const nbytes = m.u32();
    if (ip + nbytes > s.data.byteLength)
      throw new FormatError("POSITIVE_DELTA window overflows", { path: ctx.path });
    if (nbytes % w !== 0) {
      out.set(s.data.subarray(ip, ip + nbytes), ip);
      ip += nbytes;
      continue;
    }
    for (let j = 0; j < nbytes / w; j++, ip += w) {
      prev = BigInt.asUintN(w * 8, prev + readUint(s.data, ip, w));
      writeUint(out, ip, w, prev);
    }
  }
  return { md: s.md.subarray(m.pos), data: out.subarray(0, ip) };
}

/** Filters that keep `u32 n_parts, u32 size[n]` in the metadata and transform each part alone. */
function reverseParts(s: ChunkState, ctx: TileContext, fn: (part: Uint8Array) => Uint8Array): ChunkState {
  const m = new Reader(s.md, ctx.path);
  const n = m.u32();
  const parts: Uint8Array[] = [];
  let ip = 0;
  for (let k = 0; k < n; k++) {
    const size = m.u32();
    if (ip + size > s.data.byteLength)
      throw new FormatError("filter part overflows the chunk", { path: ctx.path });
    parts.push(fn(s.data.subarray(ip, ip + size)));
    ip += size;
  }
  return { md: s.md.subarray(m.pos), data: concatBytes(parts) };
}

/** blosc byte unshuffle: byte j of element i is at `j·(n/t) + i`; trailing n mod t bytes are copied. */
export function byteUnshuffle(part: Uint8Array, t: number): Uint8Array {
  const out = new Uint8Array(part.byteLength);
  if (t <= 1) {
    out.set(part);
    return out;
  }
  const n = Math.floor(part.byteLength / t);
  for (let j = 0; j < t; j++) {
    const base = j * n;
    for (let i = 0; i < n; i++) out[i * t + j] = part[base + i] as number;
  }
  out.set(part.subarray(n * t), n * t);
  return out;
}

/**
 * Bit unshuffle of one part, in 8192-byte blocks as libtiledb calls blosc2. Within a block of n elements
 * of t bytes (only ⌊n/8⌋·8 elements are transposed; the rest is copied), the shuffled stream holds bit
 * row r = 8·byte + bit of every element: bit r of element i sits at stream bit r·n + i, bits LSB-first.
 */
export function bitUnshuffleBlocks(part: Uint8Array, t: number): Uint8Array {
  if (part.byteLength % t !== 0 || part.byteLength % 8 !== 0) return part.slice();
  const out = new Uint8Array(part.byteLength);
  for (let start = 0; start < part.byteLength; start += 8192) {
    const block = part.subarray(start, Math.min(start + 8192, part.byteLength));
    out.set(bitUnshuffle(block, t), start);
  }
  return out;
}

export function bitUnshuffle(block: Uint8Array, t: number): Uint8Array {
  const out = new Uint8Array(block.byteLength);
  const nAll = Math.floor(block.byteLength / t);
  const n = nAll - (nAll % 8);
  const rows = t * 8;
  const rowBytes = n / 8;
  for (let r = 0; r < rows; r++) {
    const byteInElem = r >> 3;
    const mask = 1 << (r & 7);
    const rowBase = r * rowBytes;
    for (let i = 0; i < n; i++) {
      if (((block[rowBase + (i >> 3)] as number) >> (i & 7)) & 1) {
        const o = i * t + byteInElem;
        out[o] = (out[o] as number) | mask;
      }
    }
  }
  out.set(block.subarray(n * t), n * t);
  return out;
}

/** XOR: `out[i] = in[i] XOR out[i−1]` on integers of width t. */
export function unxor(part: Uint8Array, t: number): Uint8Array {
  const out = new Uint8Array(part.byteLength);
  if (part.byteLength % t !== 0) throw new FormatError(`XOR part of ${part.byteLength} bytes, width ${t}`);
  out.set(part.subarray(0, Math.min(t, part.byteLength)));
  for (let i = t; i < part.byteLength; i++) out[i] = (part[i] as number) ^ (out[i - t] as number);
  return out;
}

function reverseScaleFloat(f: Filter, type: number, s: ChunkState, ctx: TileContext): ChunkState {
  const w = f.byteWidth ?? 8;
  const outSize = datatypeSize(type);
  if (!isFloat(type)) throw new FormatError(`SCALE_FLOAT on ${datatypeName(type)}`, { path: ctx.path });
  const scale = f.scale ?? 1;
  const offset = f.offset ?? 0;
  return reverseParts(s, ctx, (part) => scaleFloatDecode(part, w, outSize, scale, offset));
}

/** SCALE_FLOAT: signed integers of `w` bytes → floats of `outSize` bytes as `int · scale + offset`. */
export function scaleFloatDecode(
  part: Uint8Array,
  w: number,
  outSize: number,
  scale: number,
  offset: number,
) {
  const n = Math.floor(part.byteLength / w);
  const iv = new DataView(part.buffer, part.byteOffset, part.byteLength);
  const out = new Uint8Array(n * outSize);
  const ov = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    const v =
      w === 1
        ? iv.getInt8(i)
        : w === 2
          ? iv.getInt16(i * 2, true)
          : w === 4
            ? iv.getInt32(i * 4, true)
            : Number(iv.getBigInt64(i * 8, true));
    const x = scale * v + offset;
    if (outSize === 4) ov.setFloat32(i * 4, x, true);
    else ov.setFloat64(i * 8, x, true);
  }
  return out;
}

function reverseChecksum(
  algo: "md5" | "sha256",
  digestLen: number,
  s: ChunkState,
  ctx: TileContext,
): ChunkState {
  const m = new Reader(s.md, ctx.path);
  const nMd = m.u32();
  const nData = m.u32();
  const sums: { n: number; digest: Uint8Array }[] = [];
  for (let k = 0; k < nMd + nData; k++) sums.push({ n: m.u64(), digest: m.bytesView(digestLen) });
  const rest = s.md.subarray(m.pos);
  if (ctx.verifyChecksums !== false) {
    const check = (buf: Uint8Array, from: number, list: typeof sums, what: string) => {
      let pos = from;
      for (const { n, digest } of list) {
        if (pos + n > buf.byteLength)
          throw new FormatError(`${algo} checksum covers too many bytes`, { path: ctx.path });
        const got = createHash(algo)
          .update(buf.subarray(pos, pos + n))
          .digest();
        if (Buffer.compare(got, digest) !== 0)
          throw new FormatError(`${algo.toUpperCase()} checksum mismatch in the ${what}`, { path: ctx.path });
        pos += n;
      }
    };
    check(rest, 0, sums.slice(0, nMd), "chunk metadata");
    check(s.data, 0, sums.slice(nMd), "chunk data");
  }
  return { md: rest, data: s.data };
}

function readBE(b: Uint8Array, off: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) v = v * 256 + (b[off + k] as number);
  return v;
}

/**
 * RLE (`[run BE][len BE][bytes]…`) or DICTIONARY (big-endian ids into a `[len BE][bytes]…` dictionary
 * kept in the chunk metadata) over whole variable-size string tiles; also yields the cell offsets.
 */
function decodeVarStrings(
  type: number,
  m: Reader,
  data: Uint8Array,
  holder: { offsets?: number[] },
  path: string,
): Uint8Array {
  const origSize = m.u32();
  const compSize = m.u32();
  m.u32(); // byte size of the (unfiltered) offsets
  const out = new Uint8Array(origSize);
  const offsets: number[] = [];
  let op = 0;
  const bad = () => new FormatError("variable-size string tile is corrupt", { path });
  if (compSize > data.byteLength) throw bad();
  if (type === FilterType.RLE) {
    const runBytes = m.u8();
    const lenBytes = m.u8();
    let ip = 0;
    while (ip < compSize) {
      const run = readBE(data, ip, runBytes);
      const len = readBE(data, ip + runBytes, lenBytes);
      ip += runBytes + lenBytes;
      if (ip + len > compSize || op + run * len > origSize) throw bad();
      for (let j = 0; j < run; j++) {
        offsets.push(op);
        out.set(data.subarray(ip, ip + len), op);
        op += len;
      }
      ip += len;
    }
  } else {
    const idBytes = m.u8();
    const lenBytes = m.u8();
    const dictSize = m.u32();
    const dictBytes = m.bytesView(dictSize);
    const dict: Uint8Array[] = [];
    for (let p = 0; p + lenBytes <= dictSize; ) {
      const len = readBE(dictBytes, p, lenBytes);
      p += lenBytes;
      dict.push(dictBytes.subarray(p, p + len));
      p += len;
    }
    for (let ip = 0; ip + idBytes <= compSize; ip += idBytes) {
      const word = dict[readBE(data, ip, idBytes)];
      if (!word || op + word.byteLength > origSize) throw bad();
      offsets.push(op);
      out.set(word, op);
      op += word.byteLength;
    }
  }
  holder.offsets = offsets;
  return out;
}
