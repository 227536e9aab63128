/**
 * Extensible arrays ("EAHD"), the layout-v4 chunk index for datasets with one unlimited
 * dimension: an index block holding the first elements and the first data block addresses, then
 * super blocks of data blocks whose sizes double. Returns the first `count` raw elements.
 */
import type { ReadOptions } from "../../io/types.js";
import type { FileContext } from "./context.js";
import { UNDEFINED } from "./cursor.js";

export interface ExtensibleArray {
  elementSize: number;
  /** Raw element bytes by index; undefined where nothing was allocated. */
  elements: (Uint8Array | undefined)[];
}

export async function readExtensibleArray(
  ctx: FileContext,
  addr: number,
  count: number,
  options?: ReadOptions,
): Promise<ExtensibleArray> {
  const O = ctx.offsetSize;
  const L = ctx.lengthSize;
  const h = await ctx.cursor(addr, 12 + 6 * L + O + 4, options);
  h.signature("EAHD", "extensible array header");
  h.skip(2);
  const elementSize = h.u8();
  const maxBits = h.u8();
  const ibElements = h.u8();
  const dbMinElements = h.u8();
  const sbMinPointers = h.u8();
  const pageBits = h.u8();
  h.skip(6 * L);
  const iblockAddr = h.offset();
  const elements: (Uint8Array | undefined)[] = new Array(count);
  if (iblockAddr === UNDEFINED || count === 0) return { elementSize, elements };

  const nSuper = 1 + maxBits - Math.log2(dbMinElements);
  const ibSuper = 2 * Math.log2(sbMinPointers);
  const ibDataAddrs = 2 * (sbMinPointers - 1);
  const ibSuperAddrs = nSuper - ibSuper;
  const blockOffsetSize = Math.ceil(maxBits / 8);
  const pageElements = 2 ** pageBits;

  const ib = await ctx.cursor(
    iblockAddr,
    6 + O + ibElements * elementSize + (ibDataAddrs + ibSuperAddrs) * O + 4,
    options,
  );
  ib.signature("EAIB", "extensible array index block");
  ib.skip(2 + O);
  for (let i = 0; i < ibElements; i++) {
    const e = ib.take(elementSize);
    if (i < count) elements[i] = e;
  }
  const dataAddrs: number[] = [];
  for (let i = 0; i < ibDataAddrs; i++) dataAddrs.push(ib.offset());
  const superAddrs: number[] = [];
  for (let i = 0; i < ibSuperAddrs; i++) superAddrs.push(ib.offset());

  const loads: Promise<void>[] = [];
  const loadData = (blockAddr: number, first: number, n: number, pageInit: (p: number) => boolean) => {
    if (blockAddr === UNDEFINED) return;
    const want = Math.min(n, count - first);
    if (want <= 0) return;
    const paged = n > pageElements;
    loads.push(
      (async () => {
        const prefix = 6 + O + blockOffsetSize;
        if (!paged) {
          const c = await ctx.cursor(blockAddr, prefix + want * elementSize, options);
          c.signature("EADB", "extensible array data block");
          c.pos = prefix;
          for (let i = 0; i < want; i++) elements[first + i] = c.take(elementSize);
          return;
        }
        const pages = Math.ceil(want / pageElements);
        const pageBytes = pageElements * elementSize + 4;
        const c = await ctx.cursor(blockAddr, prefix + 4 + pages * pageBytes, options);
        c.signature("EADB", "extensible array data block");
        for (let i = 0; i < want; i++) {
          const p = Math.floor(i / pageElements);
          if (!pageInit(p)) continue;
          c.pos = prefix + 4 + p * pageBytes + (i % pageElements) * elementSize;
          elements[first + i] = c.take(elementSize);
        }
      })(),
    );
  };

  let start = ibElements;
  let dataIndex = 0;
  for (let u = 0; u < nSuper && start < count; u++) {
    const nBlocks = 2 ** Math.floor(u / 2);
    const blockElements = 2 ** Math.floor((u + 1) / 2) * dbMinElements;
    if (u < ibSuper) {
      for (let b = 0; b < nBlocks; b++, dataIndex++) {
        loadData(dataAddrs[dataIndex] ?? UNDEFINED, start + b * blockElements, blockElements, () => true);
      }
    } else {
      const sbAddr = superAddrs[u - ibSuper] ?? UNDEFINED;
      const first = start;
      if (sbAddr !== UNDEFINED) {
        const paged = blockElements > pageElements;
        const bitmapBytes = paged ? Math.ceil(blockElements / pageElements / 8) : 0;
        loads.push(
          (async () => {
            const sc = await ctx.cursor(
              sbAddr,
              6 + O + blockOffsetSize + nBlocks * (bitmapBytes + O) + 4,
              options,
            );
            sc.signature("EASB", "extensible array super block");
            sc.skip(2 + O + blockOffsetSize);
            const bitmaps = sc.take(nBlocks * bitmapBytes);
            for (let b = 0; b < nBlocks; b++) {
              const bm = bitmaps.subarray(b * bitmapBytes, (b + 1) * bitmapBytes);
              const pageInit = (p: number) => ((bm[p >> 3] as number) & (0x80 >> (p & 7))) !== 0;
              loadData(sc.offset(), first + b * blockElements, blockElements, pageInit);
            }
          })(),
        );
      }
    }
    start += nBlocks * blockElements;
  }
  // Super-block loads queue data-block loads: wait until no new work appears.
  for (let done = 0; done < loads.length; ) {
    const batch = loads.slice(done);
    done = loads.length;
    await Promise.all(batch);
  }
  return { elementSize, elements };
}
