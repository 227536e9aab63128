/**
 * The superblock: found at offset 0, 512, 1024, 2048, ... (a user block may precede it). Versions
 * 0/1 point at the root group through a symbol table entry; versions 2/3 give the root object
 * header address directly.
 */
import { NotHdf5Error, UnsupportedFeatureError } from "../../errors.js";
import type { ByteSource, ReadOptions } from "../../io/types.js";
import { Cursor, UNDEFINED } from "./cursor.js";

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export interface Superblock {
  version: number;
  /** Absolute offset of the signature. */
  position: number;
  offsetSize: number;
  lengthSize: number;
  /** Absolute base address: all other addresses are relative to it. */
  base: number;
  /**
   * End-of-file address. The spec calls addresses base-relative, but HDF5 writes the file's full
   * size here even after a user block (checked with h5py's userblock_size), so it is absolute.
   */
  endOfFileAddress: number;
  /** Object header address of the root group, relative to `base`. */
  rootAddress: number;
}

function hasSignature(b: Uint8Array): boolean {
  return SIGNATURE.every((v, i) => b[i] === v);
}

export async function readSuperblock(
  source: ByteSource,
  fileSize: number,
  options?: ReadOptions,
): Promise<Superblock> {
  for (let pos = 0; pos + 8 <= fileSize; pos = pos === 0 ? 512 : pos * 2) {
    const head = await source.read(pos, Math.min(256, fileSize - pos), options);
    if (!hasSignature(head)) continue;
    return parse(head, pos, source.uri);
  }
  throw new NotHdf5Error("no HDF5 superblock signature at offset 0, 512, 1024, ...", { path: source.uri });
}

function parse(head: Uint8Array, position: number, path: string): Superblock {
  const version = head[8] as number;
  if (version <= 1) {
    const pre = new Cursor(head, 8, 8, { path, at: position }, 13);
    const offsetSize = pre.u8();
    const lengthSize = pre.u8();
    checkSizes(offsetSize, lengthSize, path);
    // 16 fixed bytes, group K values (4), consistency flags (4), v1: indexed-storage K + reserved (4).
    const c = new Cursor(head, offsetSize, lengthSize, { path, at: position }, version === 0 ? 24 : 28);
    const base = c.offset();
    c.offset(); // free-space info
    const eof = c.offset();
    c.offset(); // driver info
    c.offset(); // root entry: link name offset
    const rootAddress = c.offset();
    return {
      version,
      position,
      offsetSize,
      lengthSize,
      base: baseOf(base, position),
      endOfFileAddress: eof,
      rootAddress,
    };
  }
  if (version === 2 || version === 3) {
    const offsetSize = head[9] as number;
    const lengthSize = head[10] as number;
    checkSizes(offsetSize, lengthSize, path);
    const c = new Cursor(head, offsetSize, lengthSize, { path, at: position }, 12);
    const base = c.offset();
    c.offset(); // superblock extension
    const eof = c.offset();
    const rootAddress = c.offset();
    return {
      version,
      position,
      offsetSize,
      lengthSize,
      base: baseOf(base, position),
      endOfFileAddress: eof,
      rootAddress,
    };
  }
  throw new UnsupportedFeatureError(`HDF5 superblock version ${version} is not supported`, { path });
}

function baseOf(base: number, position: number): number {
  return base === UNDEFINED ? position : base;
}

function checkSizes(offsetSize: number, lengthSize: number, path: string): void {
  const ok = (n: number) => n === 2 || n === 4 || n === 8;
  if (!ok(offsetSize) || !ok(lengthSize)) {
    throw new NotHdf5Error(`bad superblock: size of offsets ${offsetSize}, size of lengths ${lengthSize}`, {
      path,
    });
  }
}
