/**
 * `Hdf5File`: opens the superblock, resolves paths through groups and builds `DirectDataset`s.
 * Parsed object headers, group member tables and datasets are cached per file.
 */
import { InvalidArgumentError, KeyNotFoundError, throwIfAborted } from "../../errors.js";
import type { ByteSource, ReadOptions } from "../../io/types.js";
import { ChunkCache } from "./chunk-cache.js";
import { makeChunkIndex } from "./chunk-index.js";
import { FileContext } from "./context.js";
import { type DirectDataset, Hdf5Dataset } from "./dataset.js";
import { checkFilters } from "./filters.js";
import { groupMembers, type Members } from "./groups.js";
import {
  decodeDataspace,
  decodeDatatype,
  decodeFillValue,
  decodeFilters,
  decodeLayout,
  type FilterSpec,
  isUnsupported,
  type Unsupported,
} from "./messages.js";
import { MSG, type RawMessage, readObjectHeader } from "./object-header.js";
import { readSuperblock } from "./superblock.js";

export interface Hdf5OpenOptions extends ReadOptions {
  /** Bytes of decoded chunks kept in the file's LRU cache (default 16 MiB). */
  chunkCacheBytes?: number;
}

export class Hdf5File {
  /** Absolute end-of-file address from the superblock: a file shorter than this is truncated. */
  readonly endOfFileAddress: number;
  readonly superblockVersion: number;
  readonly #ctx: FileContext;
  readonly #root: number;
  readonly #cache: ChunkCache;
  readonly #headers = new Map<number, Promise<RawMessage[]>>();
  readonly #members = new Map<number, Promise<Members | Unsupported>>();
  readonly #datasets = new Map<string, Promise<Hdf5Dataset | Unsupported>>();

  private constructor(ctx: FileContext, root: number, eof: number, version: number, cacheBytes: number) {
    this.#ctx = ctx;
    this.#root = root;
    this.endOfFileAddress = eof;
    this.superblockVersion = version;
    this.#cache = new ChunkCache(cacheBytes);
  }

  /** Reads the superblock. Not HDF5 → NotHdf5Error. The caller keeps ownership of `source`. */
  static async open(source: ByteSource, options?: Hdf5OpenOptions): Promise<Hdf5File> {
    throwIfAborted(options?.signal, { path: source.uri });
    const fileSize = await source.size(options);
    const sb = await readSuperblock(source, fileSize, options);
    const eof = sb.endOfFileAddress;
    const ctx = new FileContext(source, sb.offsetSize, sb.lengthSize, sb.base, fileSize, eof);
    return new Hdf5File(ctx, sb.rootAddress, eof, sb.version, options?.chunkCacheBytes ?? 16 << 20);
  }

  get uri(): string {
    return this.#ctx.path;
  }

  /**
   * The dataset at `path` ("X/data", "/layers/counts/indices"), or null when it uses something this
   * reader does not support (non-numeric or big-endian dtype, dense link storage, soft links,
   * extensible-array / v2 B-tree chunk indexes, old layout versions): fall back to h5wasm then.
   * A missing path throws KeyNotFoundError; a group throws InvalidArgumentError; an unknown
   * filter throws UnsupportedFilterError.
   */
  async dataset(path: string, options?: ReadOptions): Promise<DirectDataset | null> {
    const r = await this.#dataset(path, options);
    return isUnsupported(r) ? null : r;
  }

  /** Why `dataset(path)` returns null (null when it does not). */
  async unsupportedReason(path: string, options?: ReadOptions): Promise<string | null> {
    const r = await this.#dataset(path, options);
    return isUnsupported(r) ? r.unsupported : null;
  }

  /** Parsed metadata is cached and shared, so it loads without the caller's signal (checked around it). */
  async #dataset(path: string, options?: ReadOptions): Promise<Hdf5Dataset | Unsupported> {
    const key = normalize(path);
    const where = { path: this.#ctx.path, dataset: key };
    throwIfAborted(options?.signal, where);
    let p = this.#datasets.get(key);
    if (!p) {
      p = this.#open(key);
      p.catch(() => this.#datasets.delete(key));
      this.#datasets.set(key, p);
    }
    const r = await p;
    throwIfAborted(options?.signal, where);
    return r;
  }

  #header(addr: number): Promise<RawMessage[]> {
    let p = this.#headers.get(addr);
    if (!p) {
      p = readObjectHeader(this.#ctx, addr);
      p.catch(() => this.#headers.delete(addr));
      this.#headers.set(addr, p);
    }
    return p;
  }

  #groupMembers(addr: number): Promise<Members | Unsupported> {
    let p = this.#members.get(addr);
    if (!p) {
      p = this.#header(addr).then((msgs) => groupMembers(this.#ctx, msgs));
      p.catch(() => this.#members.delete(addr));
      this.#members.set(addr, p);
    }
    return p;
  }

  async #open(path: string): Promise<Hdf5Dataset | Unsupported> {
    const where = { path: this.#ctx.path, dataset: path };
    let addr = this.#root;
    const parts = path.split("/").filter((s) => s.length > 0);
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i] as string;
      const members = await this.#groupMembers(addr);
      if (isUnsupported(members)) return members;
      const link = members.get(name);
      if (!link) {
        const parent = parts.slice(0, i).join("/") || "/";
        throw new KeyNotFoundError(`member of group '${parent}'`, name, [...members.keys()].sort(), where);
      }
      if (link.address === undefined) return { unsupported: `${link.kind} link '${name}'` };
      addr = link.address;
    }
    const msgs = await this.#header(addr);
    const find = (type: number) => msgs.find((m) => m.type === type);
    const space = find(MSG.DATASPACE);
    const type = find(MSG.DATATYPE);
    const layoutMsg = find(MSG.LAYOUT);
    if (!space || !type || !layoutMsg) {
      throw new InvalidArgumentError(`'${path}' is not a dataset`, where);
    }
    for (const m of [space, type, layoutMsg]) {
      if (m.flags & 0x2) return { unsupported: `shared header message (type ${m.type})` };
    }
    const ds = decodeDataspace(this.#ctx.wrap(space.body, space.addr));
    if (isUnsupported(ds)) return ds;
    const shape = ds.dims;
    const dt = decodeDatatype(this.#ctx.wrap(type.body, type.addr));
    if (isUnsupported(dt)) return dt;
    const layout = decodeLayout(this.#ctx.wrap(layoutMsg.body, layoutMsg.addr));
    if (isUnsupported(layout)) return layout;
    const filterMsg = find(MSG.FILTERS);
    const filters: FilterSpec[] = filterMsg
      ? decodeFilters(this.#ctx.wrap(filterMsg.body, filterMsg.addr))
      : [];
    const leaveToH5wasm = checkFilters(filters, where);
    if (leaveToH5wasm) return { unsupported: leaveToH5wasm };
    if (find(MSG.EXTERNAL_FILES)) return { unsupported: "external raw data files" };
    const fillMsg = find(MSG.FILL) ?? find(MSG.FILL_OLD);
    const fill = fillMsg
      ? decodeFillValue(this.#ctx.wrap(fillMsg.body, fillMsg.addr), fillMsg.type === MSG.FILL_OLD)
      : undefined;
    if (fill && fill.byteLength !== dt.size) {
      return { unsupported: `fill value of ${fill.byteLength} bytes for ${dt.size}-byte elements` };
    }
    let index = null;
    if (layout.kind === "chunked") {
      if (layout.chunkDims.length !== shape.length || shape.length === 0) {
        return { unsupported: `chunk rank ${layout.chunkDims.length} for dataset rank ${shape.length}` };
      }
      const chunkBytes = layout.chunkDims.reduce((a, b) => a * b, dt.size);
      index = makeChunkIndex(this.#ctx, layout.index, {
        shape,
        maxDims: ds.maxDims,
        path: this.#ctx.path,
        chunkDims: layout.chunkDims,
        chunkBytes,
      });
      if (!index) return { unsupported: `${layout.index.type} chunk index` };
    }
    return new Hdf5Dataset(
      this.#ctx,
      { path, shape, dtype: dt.dtype, elementSize: dt.size, layout, filters, index, fill },
      this.#cache,
    );
  }
}

function normalize(path: string): string {
  return path
    .split("/")
    .filter((s) => s.length > 0)
    .join("/");
}
