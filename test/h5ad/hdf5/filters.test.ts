import { describe, expect, it } from "vitest";
import { isCellfeedError } from "../../../src/errors.js";
import { lzfDecompress, unshuffle } from "../../../src/h5ad/hdf5/filters.js";

const where = { path: "mem.h5", dataset: "d" };
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (...parts: (number | string)[]) =>
  Uint8Array.from(
    parts.flatMap((p) => (typeof p === "string" ? Array.from(p, (c) => c.charCodeAt(0)) : [p])),
  );

describe("LZF decompression", () => {
  it("expands literals and overlapping back references", () => {
    // literal "abc"; copy 6 bytes from distance 3 (overlaps what it writes)
    expect(text(lzfDecompress(bytes(0x02, "abc", 0x80, 0x02), 9, where))).toBe("abcabcabc");
  });

  it("reads the extra length byte of long references", () => {
    // literal "xy"; length code 7 + extra 3 → 7 + 3 + 2 = 12 bytes from distance 2
    const out = lzfDecompress(bytes(0x01, "xy", 0xe0, 3, 0x01), 14, where);
    expect(text(out)).toBe("xy".repeat(7));
  });

  it("grows past a too-small expected size", () => {
    expect(text(lzfDecompress(bytes(0x02, "abc", 0x80, 0x02), 4, where))).toBe("abcabcabc");
  });

  it("rejects corrupt input with FormatError naming the dataset", () => {
    const bad = [bytes(0x05, "ab"), bytes(0x80, 0x10), bytes(0x00, "a", 0xe0)];
    for (const b of bad) {
      expect(() => lzfDecompress(b, 16, where)).toThrow(
        expect.objectContaining({ code: "format", dataset: "d" }),
      );
    }
    try {
      lzfDecompress(bad[1] as Uint8Array, 16, where);
    } catch (e) {
      expect(isCellfeedError(e, "format") && /mem\.h5: d: corrupt LZF/.test((e as Error).message)).toBe(true);
    }
  });
});

describe("shuffle", () => {
  it("regroups byte planes into elements and keeps trailing bytes", () => {
    // three 2-byte elements (0x0201, 0x0403, 0x0605) shuffled, plus one trailing byte
    const shuffled = Uint8Array.from([1, 3, 5, 2, 4, 6, 9]);
    expect(Array.from(unshuffle(shuffled, 2))).toEqual([1, 2, 3, 4, 5, 6, 9]);
    expect(unshuffle(shuffled, 1)).toBe(shuffled);
  });
});
