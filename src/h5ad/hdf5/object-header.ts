/**
 * Object headers (version 1 and version 2 "OHDR"), following continuation blocks, flattened into
 * a list of raw messages. Message bodies are decoded elsewhere (messages.ts).
 */
import { FormatError } from "../../errors.js";
import type { ReadOptions } from "../../io/types.js";
import type { FileContext } from "./context.js";
import { Cursor } from "./cursor.js";

export const MSG = {
  NIL: 0x0,
  DATASPACE: 0x1,
  LINK_INFO: 0x2,
  DATATYPE: 0x3,
  FILL_OLD: 0x4,
  FILL: 0x5,
  EXTERNAL_FILES: 0x7,
  LINK: 0x6,
  GROUP_INFO: 0xa,
  FILTERS: 0xb,
  LAYOUT: 0x8,
  CONTINUATION: 0x10,
  SYMBOL_TABLE: 0x11,
} as const;

export interface RawMessage {
  type: number;
  flags: number;
  /** Cursor positioned at the message body (its bytes are `body`). */
  body: Uint8Array;
  /** Relative file address of the body, for error messages and nested decoding. */
  addr: number;
}

const SPECULATIVE = 512;

export async function readObjectHeader(
  ctx: FileContext,
  addr: number,
  options?: ReadOptions,
): Promise<RawMessage[]> {
  const first = await ctx.cursorUpTo(addr, SPECULATIVE, options);
  const messages: RawMessage[] = [];
  const pending: { addr: number; length: number }[] = [];
  const seen = new Set<number>([addr]);
  const isV2 =
    first.bytes[0] === 0x4f && first.bytes[1] === 0x48 && first.bytes[2] === 0x44 && first.bytes[3] === 0x52;
  if (isV2) {
    first.signature("OHDR", "object header");
    const version = first.u8();
    if (version !== 2)
      throw new FormatError(`object header version ${version} at ${addr}`, { path: ctx.path });
    const flags = first.u8();
    if (flags & 0x20) first.skip(16);
    if (flags & 0x10) first.skip(4);
    const chunk0 = first.uint(1 << (flags & 3));
    const start = first.pos;
    const c =
      first.bytes.byteLength >= start + chunk0 ? first : await ctx.cursor(addr, start + chunk0, options);
    c.pos = start;
    v2Messages(c, start + chunk0, flags, addr, messages, pending);
    while (pending.length > 0) {
      const cont = pending.shift() as { addr: number; length: number };
      checkLoop(seen, cont.addr, ctx);
      const cc = await ctx.cursor(cont.addr, cont.length, options);
      cc.signature("OCHK", "object header continuation");
      v2Messages(cc, cont.length - 4, flags, cont.addr, messages, pending);
    }
    return messages;
  }
  const version = first.u8();
  if (version !== 1) {
    throw new FormatError(`no object header at file offset ${ctx.base + addr} (version byte ${version})`, {
      path: ctx.path,
    });
  }
  first.skip(1);
  first.u16(); // number of messages (continuations make it unreliable for bounds)
  first.u32(); // reference count
  const size = first.u32();
  const c = first.bytes.byteLength >= 16 + size ? first : await ctx.cursor(addr, 16 + size, options);
  c.pos = 16;
  v1Messages(c, 16 + size, addr, messages, pending);
  while (pending.length > 0) {
    const cont = pending.shift() as { addr: number; length: number };
    checkLoop(seen, cont.addr, ctx);
    const cc = await ctx.cursor(cont.addr, cont.length, options);
    v1Messages(cc, cont.length, cont.addr, messages, pending);
  }
  return messages;
}

/** A continuation pointing back at a block already read would loop forever: corrupt file. */
function checkLoop(seen: Set<number>, addr: number, ctx: FileContext): void {
  if (seen.has(addr)) {
    throw new FormatError(`object header continuation loops back to file offset ${ctx.base + addr}`, {
      path: ctx.path,
    });
  }
  seen.add(addr);
}

function v1Messages(
  c: Cursor,
  end: number,
  blockAddr: number,
  out: RawMessage[],
  pending: { addr: number; length: number }[],
): void {
  while (c.pos + 8 <= end) {
    const type = c.u16();
    const size = c.u16();
    const flags = c.u8();
    c.skip(3);
    const at = c.pos;
    const body = c.take(size);
    collect(c, type, flags, body, blockAddr + at, out, pending);
  }
}

function v2Messages(
  c: Cursor,
  end: number,
  headerFlags: number,
  blockAddr: number,
  out: RawMessage[],
  pending: { addr: number; length: number }[],
): void {
  const headerSize = headerFlags & 0x4 ? 6 : 4;
  // Anything shorter than a message header before the checksum is a gap.
  while (c.pos + headerSize <= end) {
    const type = c.u8();
    const size = c.u16();
    const flags = c.u8();
    if (headerFlags & 0x4) c.skip(2);
    const at = c.pos;
    const body = c.take(size);
    collect(c, type, flags, body, blockAddr + at, out, pending);
  }
}

function collect(
  c: Cursor,
  type: number,
  flags: number,
  body: Uint8Array,
  addr: number,
  out: RawMessage[],
  pending: { addr: number; length: number }[],
): void {
  if (type === MSG.NIL) return;
  if (type === MSG.CONTINUATION) {
    const cc = new Cursor(body, c.offsetSize, c.lengthSize, c.where);
    pending.push({ addr: cc.offset(), length: cc.length() });
    return;
  }
  out.push({ type, flags, body, addr });
}
