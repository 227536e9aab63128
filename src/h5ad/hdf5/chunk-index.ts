/**
 * Chunk lookup by row range. A v1 B-tree (layout v3) is walked lazily, caching nodes; layout v4's
 * single-chunk, implicit and fixed-array indexes address chunks by their linear position in the
 * chunk grid.
 */
import { FormatError, throwIfAborted } from "../../errors.js";
import type { ReadOptions } from "../../io/types.js";
import { type BTreeNode, type ChunkKey, readChunkNode } from "./btree1.js";
import { readBTree2 } from "./btree2.js";
import type { FileContext } from "./context.js";
import { UNDEFINED } from "./cursor.js";
import { readExtensibleArray } from "./extensible-array.js";
import type { ChunkIndexInfo } from "./messages.js";

export interface ChunkRef {
  /** Element offsets of the chunk's first element in each dimension. */
  offsets: number[];
  /** Relative file address of the stored chunk. */
  address: number;
  /** Stored (filtered) size in bytes. */
  size: number;
  filterMask: number;
}

export interface ChunkIndex {
  /** The stored chunks that hold any of rows [lo, hi), in file-key order; unwritten chunks are absent. */
  find(lo: number, hi: number, options?: ReadOptions): Promise<ChunkRef[]>;
}

export interface ChunkGeometry {
  shape: number[];
  /** Maximum dims (UNDEFINED = unlimited). */
  maxDims: number[];
  /** The file, for error messages. */
  path: string;
  chunkDims: number[];
  chunkBytes: number;
}

export function makeChunkIndex(
  ctx: FileContext,
  info: ChunkIndexInfo,
  geo: ChunkGeometry,
): ChunkIndex | null {
  switch (info.type) {
    case "btree1":
      return new BTree1Index(ctx, info.address, geo);
    case "single":
      return new GridIndex(geo, async () => [
        { address: info.address, size: info.filteredSize ?? geo.chunkBytes, filterMask: info.filterMask },
      ]);
    case "implicit":
      return new GridIndex(geo, async () => {
        const n = gridCount(geo);
        const out: Entry[] = [];
        for (let i = 0; i < n; i++)
          out.push({ address: info.address + i * geo.chunkBytes, size: geo.chunkBytes, filterMask: 0 });
        return out;
      });
    case "fixed":
      return new GridIndex(geo, (options) => readFixedArray(ctx, info.address, geo, options));
    case "extensible":
      // Linear chunk numbers follow the row-major chunk grid only when dim 0 is the unlimited one.
      if (geo.maxDims.slice(1).some((d) => d === UNDEFINED)) return null;
      return new GridIndex(geo, async (options) => {
        const ea = await readExtensibleArray(ctx, info.address, gridCount(geo), options);
        return ea.elements.map((e) =>
          decodeEntry(ctx, e, ea.elementSize, geo.chunkBytes, ea.elementSize > ctx.offsetSize),
        );
      });
    case "btree2":
      return new ListIndex(geo, async (options) => {
        const tree = await readBTree2(ctx, info.address, options);
        return tree.records.map((r) => decodeBTree2Record(ctx, r, tree.type, geo));
      });
    default:
      return null;
  }
}

class BTree1Index implements ChunkIndex {
  readonly #nodes = new Map<number, Promise<BTreeNode<ChunkKey>>>();

  constructor(
    readonly ctx: FileContext,
    readonly root: number,
    readonly geo: ChunkGeometry,
  ) {}

  /** Cached and shared by concurrent reads, so loaded without any one caller's abort signal. */
  #node(addr: number): Promise<BTreeNode<ChunkKey>> {
    let p = this.#nodes.get(addr);
    if (!p) {
      p = readChunkNode(this.ctx, addr, this.geo.shape.length);
      p.catch(() => this.#nodes.delete(addr));
      this.#nodes.set(addr, p);
    }
    return p;
  }

  async find(lo: number, hi: number, options?: ReadOptions): Promise<ChunkRef[]> {
    if (this.root === UNDEFINED || hi <= lo) return [];
    const c0 = this.geo.chunkDims[0] as number;
    const loOff = Math.floor(lo / c0) * c0;
    const hiOff = Math.floor((hi - 1) / c0) * c0;
    const out: ChunkRef[] = [];
    const visit = async (addr: number, level: number): Promise<ChunkRef[][]> => {
      const node = await this.#node(addr);
      throwIfAborted(options?.signal, { path: this.ctx.path });
      if (level >= 0 && node.level !== level) {
        throw new FormatError(
          `v1 B-tree node at ${this.ctx.base + addr} has level ${node.level}, expected ${level}`,
          {
            path: this.ctx.path,
          },
        );
      }
      const found: ChunkRef[] = [];
      const deeper: Promise<ChunkRef[][]>[] = [];
      for (let i = 0; i < node.children.length; i++) {
        const key = node.keys[i] as ChunkKey;
        const first = key.offsets[0] as number;
        if (node.level === 0) {
          if (first >= loOff && first <= hiOff) {
            found.push({
              offsets: key.offsets,
              address: node.children[i] as number,
              size: key.size,
              filterMask: key.filterMask,
            });
          }
        } else {
          // Child i holds keys from keys[i] up to (not including) keys[i + 1].
          const next = (node.keys[i + 1] as ChunkKey).offsets[0] as number;
          if (first <= hiOff && next >= loOff) deeper.push(visit(node.children[i] as number, node.level - 1));
        }
      }
      const nested = (await Promise.all(deeper)).flat();
      return [found, ...nested];
    };
    for (const part of await visit(this.root, -1)) out.push(...part);
    return out;
  }
}

/** An array element: address, then (filtered datasets) stored size and filter mask. */
function decodeEntry(
  ctx: FileContext,
  raw: Uint8Array | undefined,
  size: number,
  chunkBytes: number,
  filtered: boolean,
): Entry {
  if (!raw) return { address: UNDEFINED, size: 0, filterMask: 0 };
  const c = ctx.wrap(raw, 0);
  const address = c.offset();
  if (!filtered) return { address, size: chunkBytes, filterMask: 0 };
  const stored = c.uint(size - ctx.offsetSize - 4);
  return { address, size: stored, filterMask: c.u32() };
}

/** v2 B-tree chunk records: type 10 (address, scaled offsets) or 11 (plus size and filter mask). */
function decodeBTree2Record(ctx: FileContext, raw: Uint8Array, type: number, geo: ChunkGeometry): ChunkRef {
  const rank = geo.shape.length;
  const c = ctx.wrap(raw, 0);
  const address = c.offset();
  let size = geo.chunkBytes;
  let filterMask = 0;
  if (type === 11) {
    size = c.uint(raw.length - ctx.offsetSize - 4 - 8 * rank);
    filterMask = c.u32();
  } else if (type !== 10) {
    throw new FormatError(`v2 B-tree of type ${type} is not a chunk index`, { path: ctx.path });
  }
  const offsets: number[] = [];
  for (let k = 0; k < rank; k++) offsets.push(c.u64() * (geo.chunkDims[k] as number));
  return { offsets, address, size, filterMask };
}

/** All chunks listed once (sorted by first-dimension offset), then found by binary search. */
class ListIndex implements ChunkIndex {
  #chunks: Promise<ChunkRef[]> | undefined;

  constructor(
    readonly geo: ChunkGeometry,
    readonly load: (options?: ReadOptions) => Promise<ChunkRef[]>,
  ) {}

  async find(lo: number, hi: number, options?: ReadOptions): Promise<ChunkRef[]> {
    if (hi <= lo) return [];
    if (!this.#chunks) {
      this.#chunks = this.load().then((list) =>
        list
          .filter((c) => c.address !== UNDEFINED)
          .sort((a, b) => (a.offsets[0] as number) - (b.offsets[0] as number)),
      );
      this.#chunks.catch(() => {
        this.#chunks = undefined;
      });
    }
    const chunks = await this.#chunks;
    throwIfAborted(options?.signal, { path: this.geo.path });
    const c0 = this.geo.chunkDims[0] as number;
    const loOff = Math.floor(lo / c0) * c0;
    let a = 0;
    let b = chunks.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (((chunks[m] as ChunkRef).offsets[0] as number) < loOff) a = m + 1;
      else b = m;
    }
    const out: ChunkRef[] = [];
    for (let i = a; i < chunks.length && ((chunks[i] as ChunkRef).offsets[0] as number) < hi; i++) {
      out.push(chunks[i] as ChunkRef);
    }
    return out;
  }
}

interface Entry {
  address: number;
  size: number;
  filterMask: number;
}

function gridDims(geo: ChunkGeometry): number[] {
  return geo.shape.map((d, k) => Math.ceil(d / (geo.chunkDims[k] as number)));
}

function gridCount(geo: ChunkGeometry): number {
  return gridDims(geo).reduce((a, b) => a * b, 1);
}

/** Indexes whose entries follow the row-major order of the chunk grid. */
class GridIndex implements ChunkIndex {
  #entries: Promise<Entry[]> | undefined;

  constructor(
    readonly geo: ChunkGeometry,
    readonly load: (options?: ReadOptions) => Promise<Entry[]>,
  ) {}

  async find(lo: number, hi: number, options?: ReadOptions): Promise<ChunkRef[]> {
    if (hi <= lo) return [];
    if (!this.#entries) {
      this.#entries = this.load();
      this.#entries.catch(() => {
        this.#entries = undefined;
      });
    }
    const entries = await this.#entries;
    throwIfAborted(options?.signal, { path: this.geo.path });
    const grid = gridDims(this.geo);
    const c0 = this.geo.chunkDims[0] as number;
    const inner = grid.slice(1).reduce((a, b) => a * b, 1);
    const out: ChunkRef[] = [];
    for (let r = Math.floor(lo / c0); r <= Math.floor((hi - 1) / c0); r++) {
      for (let j = 0; j < inner; j++) {
        const e = entries[r * inner + j];
        if (!e || e.address === UNDEFINED) continue;
        const offsets = new Array<number>(grid.length);
        let rest = j;
        for (let k = grid.length - 1; k >= 1; k--) {
          const g = grid[k] as number;
          offsets[k] = (rest % g) * (this.geo.chunkDims[k] as number);
          rest = Math.floor(rest / g);
        }
        offsets[0] = r * c0;
        out.push({ offsets, address: e.address, size: e.size, filterMask: e.filterMask });
      }
    }
    return out;
  }
}

async function readFixedArray(
  ctx: FileContext,
  addr: number,
  geo: ChunkGeometry,
  options?: ReadOptions,
): Promise<Entry[]> {
  const h = await ctx.cursor(addr, 4 + 4 + ctx.lengthSize + ctx.offsetSize + 4, options);
  h.signature("FAHD", "fixed array header");
  h.u8();
  const clientId = h.u8();
  const entrySize = h.u8();
  const pageBits = h.u8();
  const count = h.length();
  const dataAddr = h.offset();
  if (dataAddr === UNDEFINED) return [];
  const pageSize = 2 ** pageBits;
  const paged = count > pageSize;
  const pages = paged ? Math.ceil(count / pageSize) : 0;
  const bitmapLen = Math.ceil(pages / 8);
  const prefix = 6 + ctx.offsetSize + (paged ? bitmapLen + 4 : 0);
  const total = paged ? prefix + count * entrySize + pages * 4 : prefix + count * entrySize + 4;
  const c = await ctx.cursor(dataAddr, total, options);
  c.signature("FADB", "fixed array data block");
  const bitmap = c.bytes.subarray(6 + ctx.offsetSize, 6 + ctx.offsetSize + bitmapLen);
  const sizeLen = entrySize - ctx.offsetSize - 4;
  if (clientId === 1 && sizeLen < 1) {
    throw new FormatError(`fixed array entry size ${entrySize} too small for filtered chunks`, {
      path: ctx.path,
    });
  }
  const out: Entry[] = [];
  let pos = prefix;
  for (let i = 0; i < count; i++) {
    if (paged && i > 0 && i % pageSize === 0) pos += 4; // page checksum
    const page = Math.floor(i / pageSize);
    const pageInit = !paged || ((bitmap[page >> 3] as number) & (0x80 >> (page & 7))) !== 0;
    c.pos = pos;
    pos += entrySize;
    if (!pageInit) {
      out.push({ address: UNDEFINED, size: 0, filterMask: 0 });
      continue;
    }
    const address = c.offset();
    if (clientId === 1) {
      const size = c.uint(sizeLen);
      const filterMask = c.u32();
      out.push({ address, size, filterMask });
    } else {
      out.push({ address, size: geo.chunkBytes, filterMask: 0 });
    }
  }
  return out;
}
