/**
 * Group members by name. Old-style groups: symbol table message → v1 B-tree of symbol table nodes
 * ("SNOD") whose names live in a local heap. New-style compact groups: link messages in the
 * object header. Dense new-style groups: a fractal heap of link
 * messages indexed by a v2 B-tree.
 */
import { FormatError } from "../../errors.js";
import type { ReadOptions } from "../../io/types.js";
import { readGroupNode } from "./btree1.js";
import { readBTree2 } from "./btree2.js";
import type { FileContext } from "./context.js";
import { UNDEFINED } from "./cursor.js";
import { FractalHeap } from "./fractal-heap.js";
import { decodeLink, decodeLinkInfo, decodeSymbolTable, type Link, type Unsupported } from "./messages.js";
import { MSG, type RawMessage } from "./object-header.js";

export type Members = Map<string, Link>;

export async function groupMembers(
  ctx: FileContext,
  messages: RawMessage[],
  options?: ReadOptions,
): Promise<Members | Unsupported> {
  const symtab = messages.find((m) => m.type === MSG.SYMBOL_TABLE);
  if (symtab) {
    const { btree, heap } = decodeSymbolTable(ctx.wrap(symtab.body, symtab.addr));
    return oldStyleMembers(ctx, btree, heap, options);
  }
  const members: Members = new Map();
  for (const m of messages) {
    if (m.type === MSG.LINK) {
      const link = decodeLink(ctx.wrap(m.body, m.addr));
      members.set(link.name, link);
    }
  }
  const info = messages.find((m) => m.type === MSG.LINK_INFO);
  if (info) {
    const li = decodeLinkInfo(ctx.wrap(info.body, info.addr));
    if (li.heapAddress !== UNDEFINED && members.size === 0) {
      return denseMembers(ctx, li.heapAddress, li.nameIndexAddress, options);
    }
  }
  return members;
}

/** Dense storage: link messages are fractal-heap objects, listed by a v2 B-tree of name hashes. */
async function denseMembers(
  ctx: FileContext,
  heapAddr: number,
  indexAddr: number,
  options?: ReadOptions,
): Promise<Members | Unsupported> {
  const members: Members = new Map();
  if (indexAddr === UNDEFINED) return members;
  const [heap, tree] = await Promise.all([
    FractalHeap.open(ctx, heapAddr, options),
    readBTree2(ctx, indexAddr, options),
  ]);
  if (tree.type !== 5) return { unsupported: `dense link index of v2 B-tree type ${tree.type}` };
  const links = await Promise.all(tree.records.map((r) => heap.get(r.subarray(4), options)));
  for (const bytes of links) {
    const link = decodeLink(ctx.wrap(bytes, heapAddr));
    members.set(link.name, link);
  }
  return members;
}

async function oldStyleMembers(
  ctx: FileContext,
  btreeAddr: number,
  heapAddr: number,
  options?: ReadOptions,
): Promise<Members> {
  const heapHead = await ctx.cursor(heapAddr, 8 + 2 * ctx.lengthSize + ctx.offsetSize, options);
  heapHead.signature("HEAP", "local heap");
  heapHead.skip(4);
  const dataSize = heapHead.length();
  heapHead.length();
  const dataAddr = heapHead.offset();
  const heap = await ctx.bytes(dataAddr, dataSize, options);
  const nameAt = (offset: number): string => {
    const end = heap.indexOf(0, offset);
    if (offset >= heap.length || end < 0) {
      throw new FormatError(`local heap name offset ${offset} outside the heap at ${ctx.base + heapAddr}`, {
        path: ctx.path,
      });
    }
    return new TextDecoder().decode(heap.subarray(offset, end));
  };

  const members: Members = new Map();
  const snods: number[] = [];
  const walk = async (addr: number, level: number): Promise<void> => {
    const node = await readGroupNode(ctx, addr, options);
    if (level >= 0 && node.level !== level) {
      throw new FormatError(
        `group B-tree node at ${ctx.base + addr} has level ${node.level}, expected ${level}`,
        {
          path: ctx.path,
        },
      );
    }
    if (node.level === 0) snods.push(...node.children);
    else await Promise.all(node.children.map((child) => walk(child, node.level - 1)));
  };
  await walk(btreeAddr, -1);
  const entrySize = 2 * ctx.offsetSize + 24;
  await Promise.all(
    snods.map(async (addr) => {
      const head = await ctx.cursor(addr, 8, options);
      head.signature("SNOD", "symbol table node");
      head.skip(2);
      const count = head.u16();
      const c = await ctx.cursor(addr + 8, count * entrySize, options);
      for (let i = 0; i < count; i++) {
        const start = c.pos;
        const name = nameAt(c.uint(ctx.offsetSize));
        const address = c.offset();
        const cacheType = c.u32();
        c.pos = start + entrySize;
        // Cache type 2 marks a soft link (its header address is undefined).
        if (cacheType === 2 || address === UNDEFINED) members.set(name, { name, kind: "soft" });
        else members.set(name, { name, address, kind: "hard" });
      }
    }),
  );
  return members;
}
