/**
 * Booleans the way h5py (and so anndata) stores them: an HDF5 enum {FALSE = 0, TRUE = 1} over int8.
 * h5wasm cannot create enum types, so the writer stores each boolean dataset/attribute as a
 * one-member compound of int8 (same 1-byte elements) whose member name is a unique placeholder, and
 * after the file is closed this module overwrites each such datatype message with the enum's.
 *
 * Why it is safe: the writer uses libver "earliest", so object headers are version 1 and carry no
 * checksum; the compound message (8-byte header + 32-byte name + offset + 12-byte member type) is
 * longer than the 38-byte enum message, and HDF5 ignores the unused tail of a message; the raw
 * data (one byte per element, 0 or 1) is the same for both types. The number of patched messages
 * must equal the number of booleans written, or the write fails.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from "node:fs";
import { FormatError } from "../errors.js";

/** 31 characters + NUL = 32 bytes, a multiple of 8 (the v1 compound pads names to 8). */
export const BOOL_PLACEHOLDER = "cellfeed.bool-enum.placeholder.";

const NAME = Buffer.from(`${BOOL_PLACEHOLDER}\0`, "latin1");

/** Datatype message: version 1, class 6 (compound) or version 3 compound, 1 member, size 1. */
function isCompoundHeader(b: Buffer, at: number): boolean {
  const head = b[at];
  return (
    (head === 0x16 || head === 0x36) &&
    b[at + 1] === 1 &&
    b[at + 2] === 0 &&
    b[at + 3] === 0 &&
    b.readUInt32LE(at + 4) === 1
  );
}

/** The datatype message h5py writes for numpy bool (enum version 1, names padded to 8 bytes). */
const ENUM_MESSAGE = Buffer.from(
  [
    "18020000 01000000", // enum, version 1, 2 members, element size 1
    "10080000 01000000 0000 0800", // base type: signed little-endian int8, offset 0, precision 8
    "46414c5345000000", // "FALSE"
    "5452554500000000", // "TRUE"
    "00 01", // values
  ]
    .join("")
    .replace(/ /g, ""),
  "hex",
);

const BLOCK = 8 << 20;

/** Rewrites every placeholder datatype in the (closed) file as h5py's boolean enum. */
export function patchBoolPlaceholders(path: string, expected: number): void {
  if (expected === 0) return;
  const fd = openSync(path, "r+");
  try {
    const offsets = findPlaceholders(fd);
    if (offsets.length !== expected) {
      throw new FormatError(
        `found ${offsets.length} boolean placeholder types, expected ${expected}; the file is not usable`,
        { path },
      );
    }
    for (const at of offsets) writeSync(fd, ENUM_MESSAGE, 0, ENUM_MESSAGE.length, at);
  } finally {
    closeSync(fd);
  }
}

/** File offsets of the compound datatype messages whose first member is the placeholder. */
function findPlaceholders(fd: number): number[] {
  const found = new Set<number>();
  // Windows overlap by the header + name, so a match split by one window lies whole in the next.
  const overlap = NAME.length + 8;
  const size = fstatSync(fd).size;
  const buf = Buffer.alloc(BLOCK + overlap);
  let pos = 0;
  for (;;) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, size - pos), pos);
    const view = buf.subarray(0, n);
    for (let i = view.indexOf(NAME, 8); i >= 0; i = view.indexOf(NAME, i + 1)) {
      if (isCompoundHeader(view, i - 8)) found.add(pos + i - 8);
    }
    if (n === 0 || pos + n >= size) break;
    pos += n - overlap;
  }
  return [...found];
}
