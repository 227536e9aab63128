/**
 * Fractal heaps ("FRHP"), only as far as dense link storage needs: managed objects addressed by
 * heap IDs, found by walking the doubling table of direct and indirect blocks. Filtered heaps and
 * huge objects are reported unsupported.
 */
import { FormatError, UnsupportedFeatureError } from "../../errors.js";
import type { ReadOptions } from "../../io/types.js";
import type { FileContext } from "./context.js";
import { UNDEFINED } from "./cursor.js";

interface DirectBlock {
  heapOffset: number;
  size: number;
  address: number;
}

export class FractalHeap {
  readonly #blocks = new Map<number, Promise<Uint8Array>>();

  private constructor(
    readonly ctx: FileContext,
    readonly offsetBytes: number,
    readonly lengthBytes: number,
    readonly direct: DirectBlock[],
  ) {}

  static async open(ctx: FileContext, addr: number, options?: ReadOptions): Promise<FractalHeap> {
    const O = ctx.offsetSize;
    const L = ctx.lengthSize;
    const c = await ctx.cursorUpTo(
      addr,
      4 + 1 + 2 + 2 + 1 + 4 + 12 * L + 3 * O + 2 + 2 + 2 + 2 + 4 + 64,
      options,
    );
    c.signature("FRHP", "fractal heap header");
    c.u8();
    c.u16(); // heap ID length
    const filterLength = c.u16();
    if (filterLength > 0) throw new UnsupportedFeatureError("filtered fractal heap", { path: ctx.path });
    c.u8(); // flags
    const maxManaged = c.u32();
    c.length(); // next huge id
    c.offset(); // huge-object B-tree
    c.length(); // free space
    c.offset(); // free-space manager
    c.length(); // managed space
    c.length(); // allocated managed space
    c.length(); // direct block allocation iterator
    c.length(); // managed objects
    c.length(); // huge size
    c.length(); // huge count
    c.length(); // tiny size
    c.length(); // tiny count
    const width = c.u16();
    const startSize = c.length();
    const maxDirect = c.length();
    const maxHeapBits = c.u16();
    c.u16(); // starting rows
    const root = c.offset();
    const rootRows = c.u16();
    const offsetBytes = Math.ceil(maxHeapBits / 8);
    const lengthBytes = Math.min(
      Math.ceil(Math.log2(maxDirect) / 8),
      Math.floor(Math.log2(maxManaged) / 8) + 1,
    );
    const direct: DirectBlock[] = [];
    if (root !== UNDEFINED) {
      if (rootRows === 0) {
        direct.push({ heapOffset: 0, size: startSize, address: root });
      } else {
        const maxDirectRows = Math.log2(maxDirect) - Math.log2(startSize) + 2;
        const rowSize = (r: number) => startSize * 2 ** Math.max(0, r - 1);
        const walk = async (blockAddr: number, rows: number, heapOffset: number): Promise<void> => {
          const directRows = Math.min(rows, maxDirectRows);
          const nDirect = directRows * width;
          const nIndirect = (rows - directRows) * width;
          const ib = await ctx.cursor(
            blockAddr,
            5 + O + offsetBytes + (nDirect + nIndirect) * O + 4,
            options,
          );
          ib.signature("FHIB", "fractal heap indirect block");
          ib.skip(1 + O + offsetBytes);
          let off = heapOffset;
          const nested: Promise<void>[] = [];
          for (let r = 0; r < rows; r++) {
            const size = rowSize(r);
            for (let k = 0; k < width; k++) {
              const a = ib.offset();
              if (r < maxDirectRows) {
                if (a !== UNDEFINED) direct.push({ heapOffset: off, size, address: a });
              } else if (a !== UNDEFINED) {
                const childRows = Math.log2(size) - Math.log2(startSize * width) + 1;
                nested.push(walk(a, childRows, off));
              }
              off += size;
            }
          }
          await Promise.all(nested);
        };
        await walk(root, rootRows, 0);
      }
    }
    direct.sort((a, b) => a.heapOffset - b.heapOffset);
    return new FractalHeap(ctx, offsetBytes, lengthBytes, direct);
  }

  /** The bytes of the object a heap ID names. */
  async get(id: Uint8Array, options?: ReadOptions): Promise<Uint8Array> {
    const kind = ((id[0] as number) >> 4) & 3;
    if (kind === 2) {
      const len = ((id[0] as number) & 0x0f) + 1;
      return id.subarray(1, 1 + len);
    }
    if (kind !== 0) throw new UnsupportedFeatureError("huge fractal heap object", { path: this.ctx.path });
    const c = this.ctx.wrap(id, 0);
    c.skip(1);
    const offset = c.uint(this.offsetBytes);
    const length = c.uint(this.lengthBytes);
    const block = this.direct.find((b) => offset >= b.heapOffset && offset < b.heapOffset + b.size);
    if (!block || offset - block.heapOffset + length > block.size) {
      throw new FormatError(`fractal heap offset ${offset} is in no direct block`, { path: this.ctx.path });
    }
    let p = this.#blocks.get(block.address);
    if (!p) {
      p = this.ctx.bytes(block.address, block.size, options);
      this.#blocks.set(block.address, p);
    }
    const bytes = await p;
    const at = offset - block.heapOffset;
    return bytes.subarray(at, at + length);
  }
}
