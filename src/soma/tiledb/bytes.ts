/** A little-endian cursor over one buffer; every read checks bounds so bad bytes give a typed error. */
import { FormatError } from "../../errors.js";

export class Reader {
  readonly view: DataView;
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    /** Names the object in error messages (a path inside the store). */
    readonly where: string,
    pos = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = pos;
  }

  get remaining(): number {
    return this.bytes.byteLength - this.pos;
  }

  need(n: number): void {
    if (n < 0 || this.pos + n > this.bytes.byteLength)
      throw new FormatError(`truncated: need ${n} bytes at offset ${this.pos} of ${this.bytes.byteLength}`, {
        path: this.where,
      });
  }

  u8(): number {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }
  /** A u64 as a number; sizes and offsets beyond 2^53 are refused. */
  u64(): number {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new FormatError(`u64 ${v} at offset ${this.pos - 8} is too large`, { path: this.where });
    return Number(v);
  }
  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
  /** A view (not a copy) of the next n bytes. */
  bytesView(n: number): Uint8Array {
    this.need(n);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  string(n: number): string {
    return utf8.decode(this.bytesView(n));
  }
  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
}

export const utf8 = new TextDecoder("utf-8");

/** Concatenates byte arrays into one fresh array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0];
  let n = 0;
  for (const p of parts) n += p.byteLength;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/** A fresh, 0-offset copy (unlike `Buffer#slice`, which returns a view). */
export function copyBytes(b: Uint8Array, start = 0, end = b.byteLength): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(b.subarray(start, end));
  return out;
}

/** UTF-8 decoding with a fast path for short ASCII strings (most cell values). */
export function decodeString(b: Uint8Array): string {
  const n = b.length;
  if (n > 32) return utf8.decode(b);
  let s = "";
  for (let i = 0; i < n; i++) {
    const c = b[i] as number;
    if (c >= 0x80) return utf8.decode(b);
    s += String.fromCharCode(c);
  }
  return s;
}
