/**
 * One open HDF5 file as the reader sees it: typed lookups, attributes, and dataset reads that first
 * check the dataset's filter pipeline (h5wasm silently returns garbage for filters it lacks) and turn
 * any h5wasm/wasm failure (including `abort()`) into a typed error naming the file and dataset.
 */
import type { Dataset, Group, File as H5File, Metadata, OutputData } from "h5wasm/node";
import {
  CellfeedError,
  FormatError,
  IoError,
  UnsupportedFeatureError,
  UnsupportedFilterError,
} from "../errors.js";
import type { NumberArray } from "./convert.js";
import { filterName, type H5Runtime } from "./runtime.js";

export type NodeKind = "group" | "dataset" | "other";

export class H5Context {
  /** Per dataset path: null when decodable, else the error to throw. */
  private readonly filterChecks = new Map<string, UnsupportedFilterError | null>();
  private readonly metaCache = new Map<string, Metadata>();
  /** Set by close(); every later call fails with IoError instead of touching a closed h5wasm file. */
  closed = false;

  constructor(
    readonly path: string,
    readonly file: H5File,
    readonly runtime: H5Runtime,
    /** Filter ids this reader will decode. */
    readonly decodable: ReadonlyMap<number, string>,
  ) {}

  /** Runs an h5wasm call; any non-cellfeed failure becomes a FormatError naming the dataset. */
  guard<T>(dataset: string, what: string, fn: () => T): T {
    if (this.closed) throw new IoError("the file is closed", { path: this.path, dataset });
    try {
      return fn();
    } catch (e) {
      if (e instanceof CellfeedError) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      throw new FormatError(`HDF5 ${what} failed: ${msg}`, { path: this.path, dataset, cause: e });
    }
  }

  kind(p: string): NodeKind | null {
    return this.guard(p, "lookup", () => {
      const parent = p.includes("/") ? p.slice(0, p.lastIndexOf("/")) : "";
      if (parent !== "" && this.kind(parent) !== "group") return null;
      const t = this.file.get(p);
      if (t === null) return null;
      if (t instanceof this.runtime.h5wasm.Group) return "group";
      if (t instanceof this.runtime.h5wasm.Dataset) return "dataset";
      return "other";
    });
  }

  group(p: string): Group {
    const g = this.guard(p, "lookup", () => this.file.get(p));
    if (!(g instanceof this.runtime.h5wasm.Group)) {
      throw new FormatError("expected an HDF5 group", { path: this.path, dataset: p });
    }
    return g;
  }

  dataset(p: string): Dataset {
    const d = this.guard(p, "lookup", () => this.file.get(p));
    if (!(d instanceof this.runtime.h5wasm.Dataset)) {
      throw new FormatError("expected an HDF5 dataset", { path: this.path, dataset: p });
    }
    return d;
  }

  /** Child names of a group ([] if it does not exist). */
  keys(p: string): string[] {
    if (this.kind(p) !== "group") return [];
    return this.guard(p, "listing", () => (p === "" ? this.file.keys() : this.group(p).keys()));
  }

  /** Attribute names of a group or dataset. */
  attrNames(p: string): string[] {
    return this.guard(p, "attribute listing", () => {
      const e = p === "" ? this.file : this.file.get(p);
      if (e === null || !("attrs" in e)) return [];
      return Object.keys(e.attrs);
    });
  }

  /** An attribute's value, or undefined when absent. */
  attr(p: string, name: string): OutputData | null | undefined {
    return this.guard(p, `attribute '${name}'`, () => {
      const e = p === "" ? this.file : this.file.get(p);
      if (e === null || !("attrs" in e)) return undefined;
      const a = e.attrs[name];
      return a === undefined ? undefined : a.value;
    });
  }

  metadata(p: string): Metadata {
    let m = this.metaCache.get(p);
    if (m === undefined) {
      const ds = this.dataset(p);
      m = this.guard(p, "metadata", () => ds.metadata);
      this.metaCache.set(p, m);
    }
    return m;
  }

  shape(p: string): number[] {
    return this.metadata(p).shape ?? [];
  }

  /** Throws UnsupportedFilterError if a filter of the dataset cannot be decoded. */
  checkFilters(p: string): void {
    let err = this.filterChecks.get(p);
    if (err === undefined) {
      err = null;
      const ds = this.dataset(p);
      const filters = this.guard(p, "filter query", () => ds.filters);
      for (const f of filters) {
        if (!this.decodable.has(f.id)) {
          const have = [...this.decodable].map(([id, n]) => `${n} (${id})`).join(", ");
          err = new UnsupportedFilterError(
            `HDF5 filter '${filterName(f.id, f.name)}' (id ${f.id}) cannot be decoded; decodable filters: ${have}`,
            { path: this.path, dataset: p },
          );
          break;
        }
      }
      this.filterChecks.set(p, err);
    }
    if (err !== null) throw err;
  }

  close(): void {
    if (this.closed) return;
    this.guard("", "close", () => this.file.close());
    this.closed = true;
  }

  /** The whole dataset. */
  readAll(p: string): OutputData | null {
    this.checkFilters(p);
    const ds = this.dataset(p);
    const meta = this.metadata(p);
    const shape = meta.shape ?? [];
    if (shape.some((n) => n === 0)) return emptyOf(meta);
    if (isPlainNumeric(meta)) return this.readNumeric(p, []);
    return this.guard(p, "read", () => ds.value);
  }

  /** A hyperslab: one [start, end) range per leading dimension (trailing dimensions whole). */
  slice(p: string, ranges: [number, number][]): OutputData | null {
    this.checkFilters(p);
    const meta = this.metadata(p);
    if (ranges.some(([a, b]) => b <= a)) return emptyOf(meta);
    if (isPlainNumeric(meta)) return this.readNumeric(p, ranges);
    const ds = this.dataset(p);
    return this.guard(p, "read", () => ds.slice(ranges));
  }

  /**
   * Numeric reads call HDF5 directly so that a failed H5Dread (a corrupt chunk, a filter error) is an
   * error: h5wasm's own slice() ignores the status and returns whatever was in the buffer.
   */
  private readNumeric(p: string, ranges: [number, number][]): NumberArray {
    const meta = this.metadata(p);
    const shape = meta.shape ?? [];
    const offset: bigint[] = [];
    const count: bigint[] = [];
    let total = 1;
    shape.forEach((n, d) => {
      const [a, b] = ranges[d] ?? [0, n];
      if (a < 0 || b > n || b < a) {
        throw new FormatError(`read of [${a}, ${b}) outside dimension ${d} of size ${n}`, {
          path: this.path,
          dataset: p,
        });
      }
      offset.push(BigInt(a));
      count.push(BigInt(b - a));
      total *= b - a;
    });
    const nbytes = total * meta.size;
    const M = this.runtime.module;
    return this.guard(p, "read", () => {
      const ptr = M._malloc(Math.max(1, nbytes));
      if (ptr === 0)
        throw new IoError(`cannot allocate ${nbytes} bytes in wasm memory`, { path: this.path, dataset: p });
      try {
        const status = M.get_dataset_data(
          this.file.file_id,
          `/${p}`,
          shape.length === 0 ? null : count,
          shape.length === 0 ? null : offset,
          shape.length === 0 ? null : count.map(() => 1n),
          BigInt(ptr),
        );
        if (status < 0) {
          throw new FormatError("HDF5 could not read the data (corrupt chunk or filter failure)", {
            path: this.path,
            dataset: p,
          });
        }
        return typedFrom(M.HEAPU8.slice(ptr, ptr + nbytes).buffer, meta, { path: this.path, dataset: p });
      } finally {
        M._free(ptr);
      }
    });
  }
}

/** Integer, float and enum (bool) datasets: fixed-size numbers the raw read path handles. */
function isPlainNumeric(meta: Metadata): boolean {
  return (meta.type === 0 || meta.type === 1 || meta.type === 8) && !meta.vlen;
}

/** Little-endian bytes (HDF5 converts to LE in memory) → a plain-number typed array. */
function typedFrom(buf: ArrayBuffer, meta: Metadata, where: { path: string; dataset: string }): NumberArray {
  const { size } = meta;
  if (meta.type === 1) {
    if (size === 4) return new Float32Array(buf);
    if (size === 8) return new Float64Array(buf);
    throw new UnsupportedFeatureError(`${size * 8}-bit floats are not supported`, where);
  }
  const signed = meta.signed;
  switch (size) {
    case 1:
      return signed ? new Int8Array(buf) : new Uint8Array(buf);
    case 2:
      return signed ? new Int16Array(buf) : new Uint16Array(buf);
    case 4:
      return signed ? new Int32Array(buf) : new Uint32Array(buf);
    case 8: {
      const big = signed ? new BigInt64Array(buf) : new BigUint64Array(buf);
      const out = new Float64Array(big.length);
      for (let i = 0; i < big.length; i++) out[i] = Number(big[i]);
      return out;
    }
    default:
      throw new UnsupportedFeatureError(`${size * 8}-bit integers are not supported`, where);
  }
}

/** An empty result of the right kind (h5wasm is not asked to read zero elements). */
function emptyOf(meta: Metadata): OutputData {
  if (meta.type === 0) {
    if (meta.size === 8) return meta.signed ? new BigInt64Array(0) : new BigUint64Array(0);
    return new Float64Array(0);
  }
  if (meta.type === 1) return meta.size === 4 ? new Float32Array(0) : new Float64Array(0);
  return [];
}
