/**
 * Version 1 B-tree nodes ("TREE"): type 0 indexes group members (keys are local-heap name
 * offsets), type 1 indexes raw-data chunks (keys are chunk size, filter mask and chunk offsets).
 */
import { FormatError } from "../../errors.js";
import type { ReadOptions } from "../../io/types.js";
import type { FileContext } from "./context.js";
import type { Cursor } from "./cursor.js";

export interface ChunkKey {
  /** Stored (filtered) size in bytes. */
  size: number;
  filterMask: number;
  /** Element offsets of the chunk in each dataset dimension. */
  offsets: number[];
}

export interface BTreeNode<K> {
  level: number;
  keys: K[];
  children: number[];
}

async function readNode<K>(
  ctx: FileContext,
  addr: number,
  expectedType: number,
  keySize: number,
  decodeKey: (c: Cursor) => K,
  options?: ReadOptions,
): Promise<BTreeNode<K>> {
  const headSize = 8 + 2 * ctx.offsetSize;
  const head = await ctx.cursor(addr, headSize, options);
  head.signature("TREE", "v1 B-tree node");
  const type = head.u8();
  if (type !== expectedType) {
    throw new FormatError(`v1 B-tree node at ${ctx.base + addr} has type ${type}, expected ${expectedType}`, {
      path: ctx.path,
    });
  }
  const level = head.u8();
  const used = head.u16();
  const c = await ctx.cursor(addr + headSize, (used + 1) * keySize + used * ctx.offsetSize, options);
  const keys: K[] = [];
  const children: number[] = [];
  for (let i = 0; i < used; i++) {
    keys.push(decodeKey(c));
    children.push(c.offset());
  }
  keys.push(decodeKey(c));
  return { level, keys, children };
}

export function readGroupNode(
  ctx: FileContext,
  addr: number,
  options?: ReadOptions,
): Promise<BTreeNode<number>> {
  return readNode(ctx, addr, 0, ctx.lengthSize, (c) => c.length(), options);
}

/** `rank` counts dataset dimensions; keys carry one more offset (the element-size dimension). */
export function readChunkNode(
  ctx: FileContext,
  addr: number,
  rank: number,
  options?: ReadOptions,
): Promise<BTreeNode<ChunkKey>> {
  const decode = (c: Cursor): ChunkKey => {
    const size = c.u32();
    const filterMask = c.u32();
    const offsets: number[] = [];
    for (let i = 0; i < rank; i++) offsets.push(c.u64());
    c.skip(8);
    return { size, filterMask, offsets };
  };
  return readNode(ctx, addr, 1, 8 + 8 * (rank + 1), decode, options);
}
