/**
 * Byte codecs behind TileDB's compression filters: zlib (GZIP), zstd, raw-block LZ4, bzip2 and
 * fixed-cell RLE. Each takes one compressed part and its original size and returns exactly that many bytes.
 */
import { inflateSync } from "node:zlib";
import { decompress as fzstdDecompress } from "fzstd";
import Bunzip from "seek-bzip";
import { ZSTDDecoder } from "zstddec";
import { FormatError } from "../../errors.js";

let wasmZstd: ZSTDDecoder | undefined;
let wasmInit: Promise<void> | undefined;

/**
 * Starts the wasm zstd decoder (faster than the pure-JS one on large tiles). Until it is ready,
 * and if it fails to start, zstd parts decode with fzstd.
 */
export function initCodecs(): Promise<void> {
  if (!wasmInit) {
    const d = new ZSTDDecoder();
    wasmInit = d.init().then(
      () => {
        wasmZstd = d;
      },
      () => {
        wasmZstd = undefined;
      },
    );
  }
  return wasmInit;
}

let preferWasm = true;

/** Chooses the zstd decoder: the wasm one (default, once started) or pure-JS fzstd. */
export function preferWasmZstd(enabled: boolean): void {
  preferWasm = enabled;
}

function checkSize(out: Uint8Array, size: number, codec: string): Uint8Array {
  if (out.byteLength !== size)
    throw new FormatError(`${codec} part decoded to ${out.byteLength} bytes, expected ${size}`);
  return out;
}

export function gunzipPart(input: Uint8Array, size: number): Uint8Array {
  if (size === 0) return new Uint8Array(0);
  return checkSize(new Uint8Array(inflateSync(input)), size, "GZIP");
}

export function zstdPart(input: Uint8Array, size: number): Uint8Array {
  if (size === 0) return new Uint8Array(0);
  const out =
    wasmZstd && preferWasm ? wasmZstd.decode(input, size) : fzstdDecompress(input, new Uint8Array(size));
  return checkSize(out, size, "ZSTD");
}

export function bzip2Part(input: Uint8Array, size: number): Uint8Array {
  if (size === 0) return new Uint8Array(0);
  const out = new Uint8Array(size);
  const got = Bunzip.decode(input, out);
  return checkSize(got.byteLength === size ? got : got.subarray(0, got.byteLength), size, "BZIP2");
}

/** LZ4 block format (what LZ4_decompress_safe reads): tokens of literals then back-references. */
export function lz4Part(input: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let ip = 0;
  let op = 0;
  const bad = (why: string) => new FormatError(`LZ4 block is corrupt: ${why} at input byte ${ip}`);
  while (ip < input.length) {
    const token = input[ip++] as number;
    let lit = token >> 4;
    if (lit === 15) {
      let b = 255;
      while (b === 255) {
        if (ip >= input.length) throw bad("literal length runs past the end");
        b = input[ip++] as number;
        lit += b;
      }
    }
    if (ip + lit > input.length || op + lit > size) throw bad("literals overflow");
    out.set(input.subarray(ip, ip + lit), op);
    ip += lit;
    op += lit;
    if (ip >= input.length) break; // the last sequence has literals only
    if (ip + 2 > input.length) throw bad("offset runs past the end");
    const offset = (input[ip] as number) | ((input[ip + 1] as number) << 8);
    ip += 2;
    if (offset === 0 || offset > op) throw bad(`offset ${offset} points before the output`);
    let len = (token & 15) + 4;
    if ((token & 15) === 15) {
      let b = 255;
      while (b === 255) {
        if (ip >= input.length) throw bad("match length runs past the end");
        b = input[ip++] as number;
        len += b;
      }
    }
    if (op + len > size) throw bad("match overflows the output");
    // Byte by byte: matches may overlap their own output.
    for (let k = 0; k < len; k++, op++) out[op] = out[op - offset] as number;
  }
  return checkSize(out.subarray(0, op), size, "LZ4");
}

/** Fixed-size RLE: runs of `value[cellSize]` then a big-endian u16 run length. */
export function rlePart(input: Uint8Array, size: number, cellSize: number): Uint8Array {
  const out = new Uint8Array(size);
  const run = cellSize + 2;
  if (input.length % run !== 0)
    throw new FormatError(`RLE part of ${input.length} bytes is not a multiple of ${run}`);
  let op = 0;
  for (let ip = 0; ip < input.length; ip += run) {
    const n = ((input[ip + cellSize] as number) << 8) | (input[ip + cellSize + 1] as number);
    if (op + n * cellSize > size) throw new FormatError("RLE runs overflow the output");
    const v = input.subarray(ip, ip + cellSize);
    if (cellSize === 1) {
      out.fill(v[0] as number, op, op + n);
      op += n;
    } else for (let k = 0; k < n; k++, op += cellSize) out.set(v, op);
  }
  return checkSize(out.subarray(0, op), size, "RLE");
}
