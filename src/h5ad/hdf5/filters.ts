/**
 * The HDF5 filter pipeline, undone on read: deflate (1), shuffle (2), fletcher32 (3) and LZF
 * (32000). Filters run in reverse order of the pipeline; a set bit `i` in a chunk's filter mask
 * means filter `i` was skipped for that chunk.
 */
import { inflateSync } from "node:zlib";
import { FormatError, UnsupportedFilterError } from "../../errors.js";
import type { FilterSpec } from "./messages.js";

export const SUPPORTED_FILTERS: ReadonlySet<number> = new Set([1, 2, 3, 32000]);

export interface FilterContext {
  path: string;
  dataset: string;
  /** Bytes of one element (the shuffle default). */
  elementSize: number;
  /** Bytes of one decoded chunk (LZF's output size when its client data does not say). */
  chunkBytes: number;
}

/** Filters built into HDF5 itself (so h5wasm decodes them) that this reader leaves to h5wasm. */
export const HDF5_BUILTIN_FILTERS: ReadonlySet<number> = new Set([4, 5, 6]);

/**
 * Undecodable filters: HDF5 built-ins (szip, nbit, scaleoffset) → the name of the first one (the
 * caller falls back to h5wasm); any other unknown filter → UnsupportedFilterError.
 */
export function checkFilters(filters: FilterSpec[], ctx: { path: string; dataset: string }): string | null {
  for (const f of filters) {
    if (HDF5_BUILTIN_FILTERS.has(f.id)) return `${f.name} filter (${f.id})`;
    if (!SUPPORTED_FILTERS.has(f.id)) {
      throw new UnsupportedFilterError(
        `HDF5 filter ${f.id} (${f.name}) is not supported by the direct reader`,
        ctx,
      );
    }
  }
  return null;
}

export function unfilter(
  data: Uint8Array,
  filters: FilterSpec[],
  mask: number,
  ctx: FilterContext,
): Uint8Array {
  let out = data;
  for (let i = filters.length - 1; i >= 0; i--) {
    if (mask & (1 << i)) continue;
    const f = filters[i] as FilterSpec;
    try {
      out = applyOne(out, f, ctx);
    } catch (e) {
      if (e instanceof FormatError || e instanceof UnsupportedFilterError) throw e;
      throw new FormatError(`${f.name} filter failed: ${(e as Error).message}`, {
        path: ctx.path,
        dataset: ctx.dataset,
        cause: e,
      });
    }
  }
  return out;
}

function applyOne(data: Uint8Array, f: FilterSpec, ctx: FilterContext): Uint8Array {
  switch (f.id) {
    case 1: {
      const b = inflateSync(data);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    }
    case 2:
      return unshuffle(data, f.clientData[0] ?? ctx.elementSize);
    case 3:
      return stripFletcher32(data, ctx);
    case 32000:
      return lzfDecompress(
        data,
        (f.clientData[2] ?? 0) > 0 ? (f.clientData[2] as number) : ctx.chunkBytes,
        ctx,
      );
    default:
      throw new UnsupportedFilterError(
        `HDF5 filter ${f.id} (${f.name}) is not supported by the direct reader`,
        {
          path: ctx.path,
          dataset: ctx.dataset,
        },
      );
  }
}

/** Shuffle stored byte 0 of every element, then byte 1, ...; trailing bytes are left as they are. */
export function unshuffle(data: Uint8Array, size: number): Uint8Array {
  if (size <= 1) return data;
  const n = Math.floor(data.length / size);
  const out = new Uint8Array(data.length);
  for (let b = 0; b < size; b++) {
    const src = b * n;
    for (let i = 0; i < n; i++) out[i * size + b] = data[src + i] as number;
  }
  out.set(data.subarray(n * size), n * size);
  return out;
}

/** Fletcher-32 over big-endian 16-bit words, as HDF5 computes it. */
export function fletcher32(data: Uint8Array): number {
  let sum1 = 0;
  let sum2 = 0;
  const words = data.length >> 1;
  let i = 0;
  let left = words;
  while (left > 0) {
    const block = Math.min(left, 360);
    left -= block;
    for (let k = 0; k < block; k++, i += 2) {
      sum1 += ((data[i] as number) << 8) | (data[i + 1] as number);
      sum2 += sum1;
    }
    sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  }
  if (data.length & 1) {
    sum1 += (data[data.length - 1] as number) << 8;
    sum2 += sum1;
    sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  }
  sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
  sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  return (sum2 * 65536 + sum1) >>> 0;
}

function stripFletcher32(data: Uint8Array, ctx: FilterContext): Uint8Array {
  if (data.length < 4) throw new FormatError("fletcher32 chunk shorter than its checksum", ctx);
  const body = data.subarray(0, data.length - 4);
  const v = new DataView(data.buffer, data.byteOffset + data.length - 4, 4);
  const stored = v.getUint32(0, true);
  const sum = fletcher32(body);
  // HDF5 1.6 stored the checksum byte-swapped; HDF5 accepts both.
  const swapped =
    (((sum & 0xff) << 24) | ((sum & 0xff00) << 8) | ((sum >>> 8) & 0xff00) | (sum >>> 24)) >>> 0;
  if (stored !== sum && stored !== swapped) {
    throw new FormatError(
      `fletcher32 checksum mismatch (stored ${stored.toString(16)}, computed ${sum.toString(16)})`,
      ctx,
    );
  }
  return body;
}

/**
 * LZF: a control byte below 32 starts a literal run of ctrl+1 bytes; otherwise it is a back
 * reference of length (ctrl >> 5) + 2 (7 → one extra length byte) at distance
 * ((ctrl & 31) << 8 | next byte) + 1.
 */
export function lzfDecompress(
  input: Uint8Array,
  expected: number,
  ctx: { path: string; dataset: string },
): Uint8Array {
  let out = new Uint8Array(Math.max(expected, 16));
  let ip = 0;
  let op = 0;
  const n = input.length;
  const grow = (need: number) => {
    if (need <= out.length) return;
    const bigger = new Uint8Array(Math.max(need, out.length * 2));
    bigger.set(out.subarray(0, op));
    out = bigger;
  };
  while (ip < n) {
    const ctrl = input[ip++] as number;
    if (ctrl < 32) {
      const len = ctrl + 1;
      if (ip + len > n) throw new FormatError("corrupt LZF data (literal run past the input)", ctx);
      grow(op + len);
      out.set(input.subarray(ip, ip + len), op);
      ip += len;
      op += len;
    } else {
      let len = ctrl >> 5;
      if (len === 7) {
        if (ip >= n) throw new FormatError("corrupt LZF data (truncated length)", ctx);
        len += input[ip++] as number;
      }
      if (ip >= n) throw new FormatError("corrupt LZF data (truncated reference)", ctx);
      const ref = op - ((ctrl & 0x1f) << 8) - 1 - (input[ip++] as number);
      if (ref < 0) throw new FormatError("corrupt LZF data (reference before the output start)", ctx);
      len += 2;
      grow(op + len);
      if (ref + len <= op) {
        out.copyWithin(op, ref, ref + len);
        op += len;
      } else {
        // Overlapping copy repeats the last bytes: must go byte by byte.
        for (let k = 0; k < len; k++) out[op++] = out[ref + k] as number;
      }
    }
  }
  return op === out.length ? out : out.subarray(0, op);
}
