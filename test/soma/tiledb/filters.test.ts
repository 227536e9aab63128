/**
 * Filters that no fixture array uses, checked on hand-built tiles whose expected values come from the
 * format spec worked by hand, or from independent encoders (python's bz2, node:crypto).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { Datatype } from "../../../src/soma/tiledb/datatypes.js";
import { FilterType, type Pipeline, unfilterTile } from "../../../src/soma/tiledb/filters.js";
import { referencePython } from "../../helpers/fixtures.js";

const u32 = (...v: number[]) => new Uint8Array(new Uint32Array(v).buffer);
const u64 = (v: number) => new Uint8Array(new BigUint64Array([BigInt(v)]).buffer);
const cat = (...parts: Uint8Array[]) => Buffer.concat(parts);

/** A one-chunk tile: `u64 1, u32 orig, u32 filtered, u32 md_len, md, data`. */
function tile(orig: number, md: Uint8Array, data: Uint8Array): Uint8Array {
  return cat(u64(1), u32(orig, data.byteLength, md.byteLength), md, data);
}
/** Compressor chunk metadata for one data part. */
const compMd = (orig: number, comp: number) => u32(0, 1, orig, comp);
const pipe = (...types: number[]): Pipeline => ({
  maxChunkSize: 65536,
  filters: types.map((type) => ({ type })),
});
const ctx = (type: number, cellSize: number) => ({ type, cellSize, version: 22, path: "test" });

describe("reverse filters without fixture coverage (hand-worked / independent encoders)", () => {
  it("LZ4 raw block, hand-encoded from the LZ4 block spec: literals 'abc', match (offset 3, len 9), literal 'x'", () => {
    const block = new Uint8Array([0x35, 97, 98, 99, 3, 0, 0x10, 120]);
    const want = Buffer.from("abcabcabcabcx");
    const out = unfilterTile(
      pipe(FilterType.LZ4),
      tile(13, compMd(13, block.length), block),
      ctx(Datatype.UINT8, 1),
    );
    expect(Buffer.from(out).equals(want)).toBe(true);
  });

  it("LZ4 rejects a back-reference before the start of the output", () => {
    const block = new Uint8Array([0x15, 97, 9, 0, 0x10, 120]);
    expect(() =>
      unfilterTile(pipe(FilterType.LZ4), tile(11, compMd(11, block.length), block), ctx(6, 1)),
    ).toThrow(/LZ4/);
  });

  it("BZIP2 part produced by python's bz2 module", () => {
    const text = "TileDB bzip2 ".repeat(40);
    const hex = execFileSync(referencePython, [
      "-c",
      "import bz2,sys; sys.stdout.write(bz2.compress(sys.argv[1].encode()).hex())",
      text,
    ]).toString();
    const comp = new Uint8Array(Buffer.from(hex, "hex"));
    const out = unfilterTile(
      pipe(FilterType.BZIP2),
      tile(text.length, compMd(text.length, comp.length), comp),
      ctx(4, 1),
    );
    expect(Buffer.from(out).toString()).toBe(text);
  });

  it("GZIP is a zlib stream (node:zlib deflate)", () => {
    const data = new Uint8Array(new Float64Array([1.5, -2, Number.NaN]).buffer);
    const comp = deflateSync(data);
    const out = unfilterTile(
      pipe(FilterType.GZIP),
      tile(24, compMd(24, comp.length), comp),
      ctx(Datatype.FLOAT64, 8),
    );
    expect(Buffer.from(out).equals(Buffer.from(data))).toBe(true);
  });

  it("DELTA on INT32: u64 n, first value, then wrapped deltas (10, +2, +3, 0, −10)", () => {
    const body = cat(u64(5), new Uint8Array(new Int32Array([10, 2, 3, 0, -10]).buffer));
    const out = unfilterTile(
      pipe(FilterType.DELTA),
      tile(20, compMd(20, body.length), body),
      ctx(Datatype.INT32, 4),
    );
    expect(Array.from(new Int32Array(out.slice().buffer))).toEqual([10, 12, 15, 15, 5]);
  });

  it("DOUBLE_DELTA on INT64, hand-packed bit stream (bitsize 2: dd = +1, −1, 0)", () => {
    // values 5, 7, 10, 12, 14: deltas 2, 3, 2, 2 → dd +1, −1, 0 → sign+2 bits: 001 101 000, MSB-first in one u64 word.
    const word = 0b001101000n << 55n;
    const body = cat(new Uint8Array([2]), u64(5), new Uint8Array(new BigInt64Array([5n, 7n, word]).buffer));
    const out = unfilterTile(
      pipe(FilterType.DOUBLE_DELTA),
      tile(40, compMd(40, body.length), body),
      ctx(Datatype.INT64, 8),
    );
    expect(Array.from(new BigInt64Array(out.slice().buffer), Number)).toEqual([5, 7, 10, 12, 14]);
  });

  it("XOR on INT16: out[i] = in[i] XOR out[i−1]", () => {
    // values 1, 3, 7, 0x7000 → stored 1, 1^3=2, 3^7=4, 7^0x7000=0x7007
    const data = new Uint8Array(new Int16Array([1, 2, 4, 0x7007]).buffer);
    const out = unfilterTile(pipe(FilterType.XOR), tile(8, u32(1, 8), data), ctx(Datatype.INT16, 2));
    expect(Array.from(new Int16Array(out.slice().buffer))).toEqual([1, 3, 7, 0x7000]);
  });

  it("SCALE_FLOAT: FLOAT64 from INT16 as int·scale + offset (scale 0.5, offset 1)", () => {
    const p: Pipeline = {
      maxChunkSize: 65536,
      filters: [{ type: FilterType.SCALE_FLOAT, scale: 0.5, offset: 1, byteWidth: 2 }],
    };
    const data = new Uint8Array(new Int16Array([2, -4, 0]).buffer);
    const out = unfilterTile(p, tile(24, u32(1, 6), data), ctx(Datatype.FLOAT64, 8));
    expect(Array.from(new Float64Array(out.slice().buffer))).toEqual([2, -1, 1]);
  });

  it("BITSHUFFLE (hand-worked from the bit-transpose definition; no real data validates it)", () => {
    // 8 UINT8 elements: element 0 = 0xFF sets bit 0 of every bit-row.
    let out = unfilterTile(
      pipe(FilterType.BITSHUFFLE),
      tile(8, u32(1, 8), new Uint8Array(8).fill(1)),
      ctx(6, 1),
    );
    expect(Array.from(out)).toEqual([0xff, 0, 0, 0, 0, 0, 0, 0]);
    out = unfilterTile(
      pipe(FilterType.BITSHUFFLE),
      tile(8, u32(1, 8), new Uint8Array([0xff, 0, 0, 0, 0, 0, 0, 0])),
      ctx(6, 1),
    );
    expect(Array.from(out)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    // 8 UINT16 elements: bit row 8 (byte 1, bit 0) holding element 2 → element 2 = 0x0100.
    const shuffled = new Uint8Array(16);
    shuffled[8] = 0b100;
    out = unfilterTile(pipe(FilterType.BITSHUFFLE), tile(16, u32(1, 16), shuffled), ctx(Datatype.UINT16, 2));
    expect(Array.from(new Uint16Array(out.slice().buffer))).toEqual([0, 0, 0x100, 0, 0, 0, 0, 0]);
  });

  it("BYTESHUFFLE on INT32: byte planes, trailing bytes copied", () => {
    const data = new Uint8Array([1, 2, 0, 0, 0, 0, 0, 0, 9]); // elements 1, 2 (LE) and one trailing byte
    const out = unfilterTile(pipe(FilterType.BYTESHUFFLE), tile(9, u32(1, 9), data), ctx(Datatype.INT32, 4));
    expect(Array.from(out)).toEqual([1, 0, 0, 0, 2, 0, 0, 0, 9]);
  });

  for (const [algo, type, len] of [
    ["md5", FilterType.CHECKSUM_MD5, 16],
    ["sha256", FilterType.CHECKSUM_SHA256, 32],
  ] as const) {
    it(`${algo.toUpperCase()} checksum verified against node:crypto, and a corrupted chunk is refused`, () => {
      const data = new Uint8Array([3, 1, 4, 1, 5, 9, 2, 6]);
      const digest = createHash(algo).update(data).digest();
      const md = cat(u32(0, 1), u64(data.length), digest);
      expect(Array.from(unfilterTile(pipe(type), tile(8, md, data), ctx(6, 1)))).toEqual(Array.from(data));
      const bad = data.slice();
      bad[0] = 7;
      expect(() => unfilterTile(pipe(type), tile(8, md, bad), ctx(6, 1))).toThrow(/checksum mismatch/);
      expect(digest.length).toBe(len);
    });
  }

  it("RLE on fixed cells: value then big-endian u16 run length", () => {
    const body = new Uint8Array([7, 0, 0, 3, 9, 0, 1, 2]); // INT16 7 ×3 then INT16 9 ×258
    const out = unfilterTile(pipe(FilterType.RLE), tile(522, compMd(522, 8), body), ctx(Datatype.INT16, 2));
    const v = new Int16Array(out.slice().buffer);
    expect(v.length).toBe(261);
    expect([v[0], v[2], v[3], v[260]]).toEqual([7, 7, 9, 9]);
  });

  it("encryption and WEBP are refused with UnsupportedFeatureError", () => {
    expect(() =>
      unfilterTile(pipe(FilterType.AES_256_GCM), tile(1, u32(), new Uint8Array(1)), ctx(6, 1)),
    ).toThrow(expect.objectContaining({ code: "unsupported" }));
    expect(() => unfilterTile(pipe(FilterType.WEBP), tile(1, u32(), new Uint8Array(1)), ctx(6, 1))).toThrow(
      expect.objectContaining({ code: "unsupported" }),
    );
  });
});
