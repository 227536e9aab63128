/**
 * Little-endian field decoding for HDF5 metadata. Addresses and lengths have the widths the
 * superblock declares ("size of offsets" / "size of lengths"); all-ones means "undefined address".
 */
import { FormatError } from "../../errors.js";

/** Marks an undefined address (all bits set on disk). */
export const UNDEFINED = -1;

const TWO32 = 2 ** 32;

export class Cursor {
  readonly view: DataView;
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly offsetSize: number,
    readonly lengthSize: number,
    /** For error messages: the file and where these bytes came from. */
    readonly where: { path: string; at: number },
    pos = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = pos;
  }

  get remaining(): number {
    return this.bytes.byteLength - this.pos;
  }

  #need(n: number): void {
    if (this.pos + n > this.bytes.byteLength) {
      throw new FormatError(
        `metadata at file offset ${this.where.at} ends early (need ${n} bytes at +${this.pos}, have ${this.bytes.byteLength})`,
        { path: this.where.path },
      );
    }
  }

  skip(n: number): this {
    this.#need(n);
    this.pos += n;
    return this;
  }

  u8(): number {
    this.#need(1);
    return this.view.getUint8(this.pos++);
  }

  u16(): number {
    this.#need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.#need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** An unsigned integer of `n` bytes (1..8); beyond 2^53 → FormatError. */
  uint(n: number): number {
    this.#need(n);
    let value = 0;
    for (let i = n - 1; i >= 0; i--) value = value * 256 + (this.bytes[this.pos + i] as number);
    this.pos += n;
    if (!Number.isSafeInteger(value)) {
      throw new FormatError(`integer field at file offset ${this.where.at}+${this.pos - n} exceeds 2^53`, {
        path: this.where.path,
      });
    }
    return value;
  }

  /** A 64-bit unsigned value (not treated as an address). */
  u64(): number {
    this.#need(8);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    const v = hi * TWO32 + lo;
    if (!Number.isSafeInteger(v)) {
      throw new FormatError(`64-bit field at file offset ${this.where.at}+${this.pos - 8} exceeds 2^53`, {
        path: this.where.path,
      });
    }
    return v;
  }

  /** A file address; all-ones → UNDEFINED. */
  offset(): number {
    return this.maybeUndefined(this.offsetSize);
  }

  /** An `n`-byte unsigned value where all-ones means "undefined"/"unlimited" (→ UNDEFINED). */
  maybeUndefined(n: number): number {
    this.#need(n);
    let allOnes = true;
    for (let i = 0; i < n; i++) if (this.bytes[this.pos + i] !== 0xff) allOnes = false;
    if (allOnes) {
      this.pos += n;
      return UNDEFINED;
    }
    return this.uint(n);
  }

  length(): number {
    return this.uint(this.lengthSize);
  }

  take(n: number): Uint8Array {
    this.#need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  ascii(n: number): string {
    const b = this.take(n);
    let s = "";
    for (const c of b) s += String.fromCharCode(c);
    return s;
  }

  /** Expects a 4-byte signature such as "TREE" or "OHDR". */
  signature(expected: string, what: string): void {
    const at = this.pos;
    const got = this.ascii(expected.length);
    if (got !== expected) {
      throw new FormatError(
        `expected ${what} signature '${expected}' at file offset ${this.where.at + at}, found '${printable(got)}'`,
        { path: this.where.path },
      );
    }
  }
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
