/**
 * One numeric dataset read directly from the file: row ranges of compact, contiguous and chunked
 * layouts, decoded into fresh typed arrays of the stored dtype.
 */
import { FormatError, InvalidIndexError, throwIfAborted } from "../../errors.js";
import type { ReadOptions } from "../../io/types.js";
import type { ChunkCache } from "./chunk-cache.js";
import type { ChunkIndex, ChunkRef } from "./chunk-index.js";
import type { FileContext } from "./context.js";
import { UNDEFINED } from "./cursor.js";
import { unfilter } from "./filters.js";
import type { FilterSpec, Hdf5Dtype, Layout } from "./messages.js";

export type DirectArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

export interface ByteRange {
  /** Absolute offset in the file. */
  offset: number;
  length: number;
}

export interface DirectDataset {
  readonly path: string;
  /** [] for a scalar dataset (read it as row range [0, 1)). */
  readonly shape: number[];
  readonly dtype: Hdf5Dtype;
  readonly layout: "compact" | "contiguous" | "chunked";
  readonly chunkShape?: number[];
  readonly filters: { id: number; name: string }[];
  /**
   * Elements [start, end) of a 1-D dataset, or rows [start, end) of an N-D one (row-major), as a
   * fresh typed array of the stored dtype. int64/uint64 come back as Float64Array (exact up to
   * 2^53; larger magnitudes throw FormatError). Chunks that were never written read as 0.
   */
  read(start: number, end: number, options?: ReadOptions): Promise<DirectArray>;
  /**
   * Many row ranges at once: rows [starts[i], ends[i]) for every i, concatenated in that order into
   * one fresh typed array (same conversions as `read`). The batched hot path: on a source with
   * synchronous reads (a local file) it issues one positioned read per range and chunk piece, straight
   * into the output, with no promise per range; elsewhere the reads run concurrently.
   */
  readRuns(starts: ArrayLike<number>, ends: ArrayLike<number>, options?: ReadOptions): Promise<DirectArray>;
  /**
   * The absolute file byte ranges that `read(start, end)` fetches when nothing is cached, sorted
   * by offset. Compact data lives in the object header (already read): [].
   */
  byteRanges(start: number, end: number, options?: ReadOptions): Promise<ByteRange[]>;
}

const TWO32 = 2 ** 32;
const MAX_HI = 2 ** 21; // |value| < 2^53 ⇔ high word within ±2^21

export interface DatasetParts {
  path: string;
  shape: number[];
  dtype: Hdf5Dtype;
  elementSize: number;
  layout: Layout;
  filters: FilterSpec[];
  index: ChunkIndex | null;
  /** Non-zero fill value (one element's bytes) for storage that was never written. */
  fill?: Uint8Array | undefined;
}

export class Hdf5Dataset implements DirectDataset {
  readonly path: string;
  readonly shape: number[];
  readonly dtype: Hdf5Dtype;
  readonly layout: "compact" | "contiguous" | "chunked";
  readonly chunkShape?: number[];
  readonly filters: { id: number; name: string }[];
  readonly #ctx: FileContext;
  readonly #parts: DatasetParts;
  readonly #cache: ChunkCache;
  readonly #rows: number;
  readonly #rowElems: number;
  readonly #chunkBytes: number;
  /** Chunked storage whose chunks span every dimension after the first: a chunk is a band of rows. */
  readonly #rowChunked: boolean;
  /** Stored chunks by band number (chunk row offset / chunk rows), loaded once for `readRuns`. */
  #bands: (ChunkRef | undefined)[] | undefined;
  #bandsLoading: Promise<(ChunkRef | undefined)[]> | undefined;

  constructor(ctx: FileContext, parts: DatasetParts, cache: ChunkCache) {
    this.#ctx = ctx;
    this.#parts = parts;
    this.#cache = cache;
    this.path = parts.path;
    this.shape = parts.shape;
    this.dtype = parts.dtype;
    this.layout = parts.layout.kind;
    if (parts.layout.kind === "chunked") this.chunkShape = parts.layout.chunkDims;
    this.filters = parts.filters.map((f) => ({ id: f.id, name: f.name }));
    this.#rows = parts.shape.length === 0 ? 1 : (parts.shape[0] as number);
    this.#rowElems = parts.shape.slice(1).reduce((a, b) => a * b, 1);
    this.#chunkBytes =
      parts.layout.kind === "chunked" ? parts.layout.chunkDims.reduce((a, b) => a * b, parts.elementSize) : 0;
    const layout = parts.layout;
    this.#rowChunked =
      layout.kind === "chunked" && parts.shape.every((d, k) => k === 0 || layout.chunkDims[k] === d);
  }

  #check(start: number, end: number): void {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > this.#rows) {
      throw new InvalidIndexError(`row range [${start}, ${end}) is outside [0, ${this.#rows}]`, {
        path: this.#ctx.path,
        dataset: this.path,
      });
    }
  }

  #where(): { path: string; dataset: string } {
    return { path: this.#ctx.path, dataset: this.path };
  }

  async read(start: number, end: number, options?: ReadOptions): Promise<DirectArray> {
    this.#check(start, end);
    throwIfAborted(options?.signal, this.#where());
    const size = this.#parts.elementSize;
    const rowBytes = this.#rowElems * size;
    const nBytes = (end - start) * rowBytes;
    const layout = this.#parts.layout;
    if (layout.kind === "contiguous") {
      if (layout.address === UNDEFINED || nBytes === 0) return this.#typed(this.#blank(nBytes));
      if (start * rowBytes + nBytes > layout.size) {
        throw new FormatError(
          `contiguous storage of ${layout.size} bytes is smaller than the dataset`,
          this.#where(),
        );
      }
      const raw = await this.#ctx.bytes(layout.address + start * rowBytes, nBytes, options);
      return this.#typed(raw.byteOffset % size === 0 ? raw : raw.slice());
    }
    if (layout.kind === "compact") {
      const out = new Uint8Array(nBytes);
      if (layout.data.byteLength < end * rowBytes) {
        throw new FormatError(
          `compact storage of ${layout.data.byteLength} bytes is smaller than the dataset`,
          this.#where(),
        );
      }
      out.set(layout.data.subarray(start * rowBytes, end * rowBytes));
      return this.#typed(out);
    }
    if (nBytes === 0) return this.#typed(new Uint8Array(0));
    const chunks = await (this.#parts.index as ChunkIndex).find(start, end, options);
    // One unfiltered chunk holding the whole range: its bytes are the answer (no copy).
    const only = chunks.length === 1 ? (chunks[0] as ChunkRef) : undefined;
    if (only && this.#rawRows(only) && (only.offsets[0] as number) <= start) {
      const part = this.#rawPart(only, start, end);
      if (part && part.length === nBytes) {
        const raw = await this.#ctx.bytes(part.at, part.length, options);
        return this.#typed(raw.byteOffset % size === 0 ? raw : raw.slice());
      }
    }
    const out = this.#blank(nBytes);
    await Promise.all(
      chunks.map(async (ref) => {
        const part = this.#rawRows(ref) ? this.#rawPart(ref, start, end) : undefined;
        if (part) {
          // Unfiltered chunk of whole rows: read just the rows needed, bypassing the chunk cache.
          const raw = await this.#ctx.bytes(part.at, part.length, options);
          out.set(raw, part.outAt);
          return;
        }
        const data = await this.#chunk(ref);
        throwIfAborted(options?.signal, this.#where());
        this.#copy(data, ref.offsets, start, end, out);
      }),
    );
    return this.#typed(out);
  }

  async readRuns(
    starts: ArrayLike<number>,
    ends: ArrayLike<number>,
    options?: ReadOptions,
  ): Promise<DirectArray> {
    const n = starts.length;
    if (ends.length !== n) {
      throw new InvalidIndexError(`${n} range starts but ${ends.length} ends`, this.#where());
    }
    let rows = 0;
    for (let i = 0; i < n; i++) {
      this.#check(starts[i] as number, ends[i] as number);
      rows += (ends[i] as number) - (starts[i] as number);
    }
    throwIfAborted(options?.signal, this.#where());
    const layout = this.#parts.layout;
    if (layout.kind === "compact" || (layout.kind === "chunked" && !this.#rowChunked)) {
      // Rare layouts: range by range through `read`, concatenated.
      const parts = await Promise.all(
        Array.from({ length: n }, (_, i) => this.read(starts[i] as number, ends[i] as number, options)),
      );
      const first = parts[0];
      if (n === 1 && first) return first;
      const out = first
        ? new (first.constructor as new (length: number) => DirectArray)(rows * this.#rowElems)
        : this.#typed(new Uint8Array(0));
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      return out;
    }
    const rowBytes = this.#rowElems * this.#parts.elementSize;
    const out = this.#blank(rows * rowBytes);
    const bands = layout.kind === "chunked" ? (this.#bands ?? (await this.#loadBands())) : null;
    const sync = this.#ctx.syncReady;
    const pending: Promise<void>[] = [];
    const piece = (addr: number, length: number, at: number) => {
      if (length === 0) return;
      if (sync) this.#ctx.bytesSync(addr, length, out, at);
      else pending.push(this.#ctx.bytes(addr, length, options).then((raw) => out.set(raw, at)));
    };
    let outAt = 0;
    for (let i = 0; i < n; i++) {
      const a = starts[i] as number;
      const b = ends[i] as number;
      if (layout.kind === "contiguous") {
        if (layout.address !== UNDEFINED && b > a) {
          if (b * rowBytes > layout.size) {
            throw new FormatError(
              `contiguous storage of ${layout.size} bytes is smaller than the dataset`,
              this.#where(),
            );
          }
          piece(layout.address + a * rowBytes, (b - a) * rowBytes, outAt);
        }
      } else if (layout.kind === "chunked" && bands) {
        const c0 = layout.chunkDims[0] as number;
        for (let k = Math.floor(a / c0); k * c0 < b; k++) {
          const ref = bands[k];
          if (!ref) continue; // never written: the fill value
          const o0 = k * c0;
          const r0 = Math.max(a, o0);
          const r1 = Math.min(b, o0 + c0);
          const at = outAt + (r0 - a) * rowBytes;
          if (this.#rawRows(ref)) {
            piece(ref.address + (r0 - o0) * rowBytes, (r1 - r0) * rowBytes, at);
          } else if (sync) {
            out.set(this.#chunkSync(ref).subarray((r0 - o0) * rowBytes, (r1 - o0) * rowBytes), at);
          } else {
            pending.push(
              this.#chunk(ref).then((data) =>
                out.set(data.subarray((r0 - o0) * rowBytes, (r1 - o0) * rowBytes), at),
              ),
            );
          }
        }
      }
      outAt += (b - a) * rowBytes;
    }
    if (pending.length > 0) await Promise.all(pending);
    throwIfAborted(options?.signal, this.#where());
    return this.#typed(out);
  }

  /** Every stored chunk by band number (one index walk, then shared by all `readRuns` calls). */
  #loadBands(): Promise<(ChunkRef | undefined)[]> {
    if (!this.#bandsLoading) {
      const layout = this.#parts.layout as Extract<Layout, { kind: "chunked" }>;
      const c0 = layout.chunkDims[0] as number;
      this.#bandsLoading = (this.#parts.index as ChunkIndex).find(0, this.#rows).then((refs) => {
        const bands = new Array<ChunkRef | undefined>(Math.ceil(this.#rows / c0));
        for (const ref of refs) {
          const k = (ref.offsets[0] as number) / c0;
          if (Number.isInteger(k) && k >= 0 && k < bands.length) bands[k] = ref;
        }
        this.#bands = bands;
        return bands;
      });
      this.#bandsLoading.catch(() => {
        this.#bandsLoading = undefined;
      });
    }
    return this.#bandsLoading;
  }

  async byteRanges(start: number, end: number, options?: ReadOptions): Promise<ByteRange[]> {
    this.#check(start, end);
    const layout = this.#parts.layout;
    const rowBytes = this.#rowElems * this.#parts.elementSize;
    if (layout.kind === "compact" || end === start) return [];
    if (layout.kind === "contiguous") {
      if (layout.address === UNDEFINED || rowBytes === 0) return [];
      return [
        { offset: this.#ctx.base + layout.address + start * rowBytes, length: (end - start) * rowBytes },
      ];
    }
    const chunks = await (this.#parts.index as ChunkIndex).find(start, end, options);
    return chunks
      .map((c) => {
        const part = this.#rawRows(c) ? this.#rawPart(c, start, end) : undefined;
        return part
          ? { offset: this.#ctx.base + part.at, length: part.length }
          : { offset: this.#ctx.base + c.address, length: c.size };
      })
      .sort((a, b) => a.offset - b.offset);
  }

  /**
   * True when the chunk is stored unfiltered and its rows are whole dataset rows (every dimension
   * after the first spans the dataset), so rows can be read straight from the file.
   */
  #rawRows(ref: ChunkRef): boolean {
    const layout = this.#parts.layout;
    if (layout.kind !== "chunked") return false;
    const n = this.#parts.filters.length;
    if (n > 0 && (ref.filterMask & ((1 << n) - 1)) !== (1 << n) - 1) return false;
    if (ref.size < this.#chunkBytes) return false;
    for (let k = 1; k < this.shape.length; k++) if (layout.chunkDims[k] !== this.shape[k]) return false;
    return true;
  }

  /** The file bytes of rows [start, end) inside a raw chunk, and where they go in the output. */
  #rawPart(
    ref: ChunkRef,
    start: number,
    end: number,
  ): { at: number; length: number; outAt: number } | undefined {
    const layout = this.#parts.layout as Extract<Layout, { kind: "chunked" }>;
    const o0 = ref.offsets[0] as number;
    const r0 = Math.max(start, o0);
    const r1 = Math.min(end, o0 + (layout.chunkDims[0] as number));
    if (r1 <= r0) return undefined;
    const rowBytes = this.#rowElems * this.#parts.elementSize;
    return {
      at: ref.address + (r0 - o0) * rowBytes,
      length: (r1 - r0) * rowBytes,
      outAt: (r0 - start) * rowBytes,
    };
  }

  /** A decoded chunk from the shared cache (loaded without any one caller's abort signal). */
  #chunk(ref: ChunkRef): Promise<Uint8Array> {
    return this.#cache.get(this.#ctx.base + ref.address, async () =>
      this.#decode(ref, await this.#ctx.bytes(ref.address, ref.size)),
    );
  }

  /** `#chunk` with a synchronous read (only when the context is `syncReady`). */
  #chunkSync(ref: ChunkRef): Uint8Array {
    const key = this.#ctx.base + ref.address;
    const hit = this.#cache.peek(key);
    if (hit) return hit;
    const data = this.#decode(ref, this.#ctx.bytesSync(ref.address, ref.size));
    this.#cache.put(key, data);
    return data;
  }

  /** Undoes the filters of one stored chunk and checks the decoded size. */
  #decode(ref: ChunkRef, raw: Uint8Array): Uint8Array {
    const layout = this.#parts.layout;
    let mask = ref.filterMask;
    if (layout.kind === "chunked" && layout.unfilteredEdges && this.#isEdge(ref.offsets, layout.chunkDims)) {
      mask = 0xffffffff;
    }
    const data =
      this.#parts.filters.length === 0
        ? raw
        : unfilter(raw, this.#parts.filters, mask, {
            ...this.#where(),
            elementSize: this.#parts.elementSize,
            chunkBytes: this.#chunkBytes,
          });
    if (data.byteLength < this.#chunkBytes) {
      throw new FormatError(
        `chunk at file offset ${this.#ctx.base + ref.address} decodes to ${data.byteLength} bytes, expected ${this.#chunkBytes}`,
        this.#where(),
      );
    }
    return data;
  }

  /** A fresh output buffer holding the fill value (zeros unless the dataset defines another). */
  #blank(nBytes: number): Uint8Array {
    const out = new Uint8Array(nBytes);
    const fill = this.#parts.fill;
    if (fill && nBytes > 0) {
      out.set(fill);
      // Doubling copies: log2(n) calls instead of one per element.
      for (let have = fill.byteLength; have < nBytes; have *= 2)
        out.copyWithin(have, 0, Math.min(have, nBytes - have));
    }
    return out;
  }

  #isEdge(offsets: number[], chunkDims: number[]): boolean {
    return offsets.some((o, k) => o + (chunkDims[k] as number) > (this.shape[k] as number));
  }

  /** Copies the part of a decoded chunk that falls in rows [start, end) into `out`. */
  #copy(chunk: Uint8Array, offsets: number[], start: number, end: number, out: Uint8Array): void {
    const layout = this.#parts.layout as Extract<Layout, { kind: "chunked" }>;
    const cd = layout.chunkDims;
    const shape = this.shape;
    const es = this.#parts.elementSize;
    const rank = shape.length;
    const o0 = offsets[0] as number;
    const r0 = Math.max(start, o0);
    const r1 = Math.min(end, o0 + (cd[0] as number));
    if (r1 <= r0) return;
    if (rank === 1) {
      const src = (r0 - o0) * es;
      out.set(chunk.subarray(src, src + (r1 - r0) * es), (r0 - start) * es);
      return;
    }
    // Element strides of the chunk and of the dataset, and the chunk's extent inside the dataset.
    const cStride = new Array<number>(rank);
    const dStride = new Array<number>(rank);
    const extent = new Array<number>(rank);
    cStride[rank - 1] = 1;
    dStride[rank - 1] = 1;
    for (let k = rank - 2; k >= 0; k--) {
      cStride[k] = (cStride[k + 1] as number) * (cd[k + 1] as number);
      dStride[k] = (dStride[k + 1] as number) * (shape[k + 1] as number);
    }
    for (let k = 1; k < rank; k++) {
      extent[k] = Math.min(cd[k] as number, (shape[k] as number) - (offsets[k] as number));
    }
    extent[0] = r1 - r0;
    const run = (extent[rank - 1] as number) * es;
    if (run <= 0) return;
    const idx = new Array<number>(rank - 1).fill(0);
    for (;;) {
      let src = (r0 - o0 + (idx[0] as number)) * (cStride[0] as number);
      let dst = (r0 - start + (idx[0] as number)) * (dStride[0] as number);
      for (let k = 1; k < rank - 1; k++) {
        src += (idx[k] as number) * (cStride[k] as number);
        dst += ((offsets[k] as number) + (idx[k] as number)) * (dStride[k] as number);
      }
      dst += offsets[rank - 1] as number;
      out.set(chunk.subarray(src * es, src * es + run), dst * es);
      let k = rank - 2;
      while (k >= 0) {
        idx[k] = (idx[k] as number) + 1;
        if ((idx[k] as number) < (extent[k] as number)) break;
        idx[k] = 0;
        k--;
      }
      if (k < 0) return;
    }
  }

  /** A typed view of `bytes` (which must be fresh and aligned to the element size). */
  #typed(bytes: Uint8Array): DirectArray {
    const { buffer, byteOffset, byteLength } = bytes;
    switch (this.dtype) {
      case "int8":
        return new Int8Array(buffer, byteOffset, byteLength);
      case "uint8":
        return bytes;
      case "int16":
        return new Int16Array(buffer, byteOffset, byteLength / 2);
      case "uint16":
        return new Uint16Array(buffer, byteOffset, byteLength / 2);
      case "int32":
        return new Int32Array(buffer, byteOffset, byteLength / 4);
      case "uint32":
        return new Uint32Array(buffer, byteOffset, byteLength / 4);
      case "float32":
        return new Float32Array(buffer, byteOffset, byteLength / 4);
      case "float64":
        return new Float64Array(buffer, byteOffset, byteLength / 8);
      case "int64":
      case "uint64":
        return this.#int64(bytes, this.dtype === "int64");
    }
  }

  #int64(bytes: Uint8Array, signed: boolean): Float64Array {
    const n = bytes.byteLength / 8;
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, n * 2);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const lo = words[2 * i] as number;
      const hi = signed ? (words[2 * i + 1] as number) | 0 : (words[2 * i + 1] as number);
      if (hi >= MAX_HI || hi < -MAX_HI) {
        throw new FormatError(
          `64-bit integer at element ${i} is beyond 2^53 and cannot be read exactly`,
          this.#where(),
        );
      }
      out[i] = hi * TWO32 + lo;
    }
    return out;
  }
}
