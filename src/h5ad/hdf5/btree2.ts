/**
 * Version 2 B-trees ("BTHD"/"BTIN"/"BTLF"): every record, in key order. Used for dense link name
 * indexes (type 5) and layout-v4 chunk indexes (types 10 and 11).
 */
import { FormatError } from "../../errors.js";
import type { ReadOptions } from "../../io/types.js";
import type { FileContext } from "./context.js";
import { UNDEFINED } from "./cursor.js";

export interface BTree2 {
  type: number;
  recordSize: number;
  /** Raw record bytes in key order. */
  records: Uint8Array[];
}

const PREFIX = 10; // signature, version, type, checksum

/** Bytes needed to store counts up to `n` (HDF5's "limit encoded size"). */
function encSize(n: number): number {
  return Math.floor(Math.log2(Math.max(1, n)) / 8) + 1;
}

export async function readBTree2(ctx: FileContext, addr: number, options?: ReadOptions): Promise<BTree2> {
  const h = await ctx.cursor(addr, 4 + 2 + 4 + 2 + 2 + 2 + ctx.offsetSize + 2 + ctx.lengthSize + 4, options);
  h.signature("BTHD", "v2 B-tree header");
  h.u8();
  const type = h.u8();
  const nodeSize = h.u32();
  const recordSize = h.u16();
  const depth = h.u16();
  h.skip(2);
  const root = h.offset();
  const rootCount = h.u16();
  h.length();
  const records: Uint8Array[] = [];
  if (root === UNDEFINED || rootCount === 0) return { type, recordSize, records };

  // Per-depth capacity, needed to know the widths of the child-count fields.
  const maxLeaf = Math.floor((nodeSize - PREFIX) / recordSize);
  const countSize = encSize(maxLeaf);
  const cumMax: number[] = [maxLeaf];
  const cumSize: number[] = [0];
  const ptrSize: number[] = [0];
  for (let d = 1; d <= depth; d++) {
    const ps = ctx.offsetSize + countSize + (d > 1 ? (cumSize[d - 1] as number) : 0);
    ptrSize[d] = ps;
    const maxRec = Math.floor((nodeSize - (PREFIX + ps)) / (recordSize + ps));
    cumMax[d] = (maxRec + 1) * (cumMax[d - 1] as number) + maxRec;
    cumSize[d] = encSize(cumMax[d] as number);
  }

  const visit = async (nodeAddr: number, count: number, d: number): Promise<Uint8Array[]> => {
    const leaf = d === 0;
    const size = 6 + count * recordSize + (leaf ? 0 : (count + 1) * (ptrSize[d] as number)) + 4;
    const c = await ctx.cursor(nodeAddr, size, options);
    c.signature(leaf ? "BTLF" : "BTIN", leaf ? "v2 B-tree leaf" : "v2 B-tree internal node");
    c.skip(1);
    if (c.u8() !== type)
      throw new FormatError(`v2 B-tree node type mismatch at ${ctx.base + nodeAddr}`, { path: ctx.path });
    const recs: Uint8Array[] = [];
    for (let i = 0; i < count; i++) recs.push(c.take(recordSize));
    if (leaf) return recs;
    const children: Promise<Uint8Array[]>[] = [];
    for (let i = 0; i <= count; i++) {
      const child = c.offset();
      const n = c.uint(countSize);
      if (d > 1) c.uint(cumSize[d - 1] as number);
      children.push(visit(child, n, d - 1));
    }
    const parts = await Promise.all(children);
    const out: Uint8Array[] = [];
    for (let i = 0; i <= count; i++) {
      out.push(...(parts[i] as Uint8Array[]));
      if (i < count) out.push(recs[i] as Uint8Array);
    }
    return out;
  };
  records.push(...(await visit(root, rootCount, depth)));
  return { type, recordSize, records };
}
