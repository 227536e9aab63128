/**
 * `openH5ad(path)`: one .h5ad file, backed (nothing is loaded up front except the X indptr) and
 * read-only, through h5wasm.
 *
 * ```ts
 * using f = await openH5ad("pbmc.h5ad");
 * const batch = await f.matrix("X").readRows([5, 1, 5], { output: "dense" });
 * const labels = f.obs.labels("cell_type");
 * ```
 */
import {
  CellfeedError,
  FormatError,
  InvalidArgumentError,
  KeyNotFoundError,
  NotAnnDataError,
  throwIfAborted,
  UnknownEncodingError,
  UnsupportedFeatureError,
} from "../errors.js";
import type { CacheProgress } from "../io/cache/download.js";
import type { S3Options } from "../io/s3/client.js";
import { CompoundDataFrame, GroupDataFrame } from "./dataframe.js";
import { type DescribeOptions, describeH5ad, type H5adDescription } from "./describe.js";
import { closeDirect } from "./direct.js";
import { compoundMatrixFields, elementKind, openCompoundField, openMatrix } from "./elements.js";
import { encodingOf, KNOWN_ENCODINGS } from "./encoding.js";
import { H5Context } from "./h5context.js";
import type { H5adMatrix } from "./matrix.js";
import { probeHdf5 } from "./probe.js";
import { type H5Runtime, loadRuntime } from "./runtime.js";
import type { StreamOptions } from "./stream/remote-object.js";
import type { DataFrameReader } from "./types.js";

export interface OpenH5adOptions {
  signal?: AbortSignal;
  /**
   * Restrict the HDF5 filter ids treated as decodable (default: gzip, shuffle, fletcher32, szip and
   * the installed plugins such as LZF). Ids the runtime cannot decode are never added.
   */
  decodableFilters?: readonly number[];
  /** For `s3://` URIs: read the object in place instead of downloading it first (default false). */
  stream?: boolean;
  /** For `s3://` URIs: tuning of the streamed reads (block size, read-ahead, timeouts, retries). */
  streamOptions?: StreamOptions;
  /** For `s3://` URIs: how to reach S3 (default: the AWS SDK's environment and config). */
  s3?: S3Options;
  /** For cached `s3://` URIs: the cache folder (default `CELLFEED_CACHE_DIR`, else `~/.cache/cellfeed`). */
  cacheDir?: string;
  /** For cached `s3://` URIs: download progress. */
  onProgress?: (progress: CacheProgress) => void;
}

/** raw (anndata's `.raw`): its own var and matrix. */
export interface RawInfo {
  readonly shape: [number, number];
  readonly layout: "dense" | "csr" | "csc";
  readonly var: DataFrameReader | null;
  varNames(): string[];
  matrix(): H5adMatrix;
}

/** Where a named matrix element lives. */
type ElementRef = { path: string } | { dataset: string; field: string };

/** The kinds of named element a collection (obsm, layers, ...) may hold. */
export type ElementLayout = "dense" | "csr" | "csc" | "dataframe" | "other";

export class H5adFile implements Disposable {
  readonly path: string;
  readonly shape: [number, number];
  readonly obs: DataFrameReader;
  readonly var: DataFrameReader;
  readonly layers: readonly string[];
  readonly obsmKeys: readonly string[];
  readonly varmKeys: readonly string[];
  readonly obspKeys: readonly string[];
  readonly varpKeys: readonly string[];
  readonly unsKeys: readonly string[];
  readonly raw: RawInfo | null;
  /** False for anndata files written without X. */
  readonly hasX: boolean;

  private readonly refs: Record<"layers" | "obsm" | "varm" | "obsp" | "varp", Map<string, ElementRef>>;
  private readonly opened = new Map<string, H5adMatrix>();

  /** @internal use openH5ad(). */
  constructor(readonly ctx: H5Context) {
    this.path = ctx.path;
    checkRoot(ctx);
    this.obs = openDataFrame(ctx, "obs");
    this.var = openDataFrame(ctx, "var");
    this.shape = [this.obs.length, this.var.length];
    this.hasX = ctx.kind("X") !== null;
    if (this.hasX) {
      const x = this.open({ path: "X" });
      if (x.shape[0] !== this.shape[0] || x.shape[1] !== this.shape[1]) {
        throw new FormatError(`X is ${x.shape.join("×")} but obs × var is ${this.shape.join("×")}`, {
          path: ctx.path,
          dataset: "X",
        });
      }
    }
    this.refs = {
      layers: collection(ctx, "layers"),
      obsm: collection(ctx, "obsm"),
      varm: collection(ctx, "varm"),
      obsp: collection(ctx, "obsp"),
      varp: collection(ctx, "varp"),
    };
    if (this.refs.obsp.size === 0) {
      // anndata < 0.7 kept the neighbour graphs in uns/neighbors; anndata moves them to obsp on read.
      for (const name of ["connectivities", "distances"]) {
        const p = `uns/neighbors/${name}`;
        if (ctx.kind(p) !== null && elementKind(ctx, p) !== "other") this.refs.obsp.set(name, { path: p });
      }
    }
    this.layers = [...this.refs.layers.keys()];
    this.obsmKeys = [...this.refs.obsm.keys()];
    this.varmKeys = [...this.refs.varm.keys()];
    this.obspKeys = [...this.refs.obsp.keys()];
    this.varpKeys = [...this.refs.varp.keys()];
    this.unsKeys = unsKeys(ctx, this.obs, this.var);
    this.raw = this.openRaw();
  }

  obsNames(): string[] {
    return this.obs.index();
  }

  varNames(): string[] {
    return this.var.index();
  }

  /** "X", "raw.X" (or "raw/X"), a layer name, or "layers/<name>". */
  matrix(key = "X"): H5adMatrix {
    if (key === "X") {
      if (!this.hasX) throw new KeyNotFoundError("matrix", key, this.matrixKeys(), { path: this.path });
      return this.open({ path: "X" });
    }
    if (key === "raw.X" || key === "raw/X") {
      if (this.raw === null)
        throw new KeyNotFoundError("matrix", key, this.matrixKeys(), { path: this.path });
      return this.raw.matrix();
    }
    const name = key.startsWith("layers/") ? key.slice("layers/".length) : key;
    const ref = this.refs.layers.get(name);
    if (ref === undefined) throw new KeyNotFoundError("matrix", key, this.matrixKeys(), { path: this.path });
    return this.open(ref);
  }

  /** Every key `matrix()` accepts. */
  matrixKeys(): string[] {
    return [...(this.hasX ? ["X"] : []), ...(this.raw !== null ? ["raw.X"] : []), ...this.layers];
  }

  obsm(key: string): H5adMatrix {
    return this.element("obsm", key);
  }
  varm(key: string): H5adMatrix {
    return this.element("varm", key);
  }
  obsp(key: string): H5adMatrix {
    return this.element("obsp", key);
  }
  varp(key: string): H5adMatrix {
    return this.element("varp", key);
  }

  /** The layout of a named element without opening it (obsm may hold 0.7 dataframes). */
  elementLayout(collection: "layers" | "obsm" | "varm" | "obsp" | "varp", key: string): ElementLayout {
    const ref = this.refs[collection].get(key);
    if (ref === undefined) {
      throw new KeyNotFoundError(collection, key, [...this.refs[collection].keys()], { path: this.path });
    }
    return "path" in ref ? elementKind(this.ctx, ref.path) : "dense";
  }

  describe(options: DescribeOptions = {}): Promise<H5adDescription> {
    return describeH5ad(this, options);
  }

  close(): void {
    this.ctx.close();
    void closeDirect(this.ctx);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private element(collection: "obsm" | "varm" | "obsp" | "varp", key: string): H5adMatrix {
    const ref = this.refs[collection].get(key);
    if (ref === undefined) {
      throw new KeyNotFoundError(`${collection} key`, key, [...this.refs[collection].keys()], {
        path: this.path,
      });
    }
    return this.open(ref);
  }

  private open(ref: ElementRef): H5adMatrix {
    const id = "path" in ref ? ref.path : `${ref.dataset}/${ref.field}`;
    let m = this.opened.get(id);
    if (m === undefined) {
      m =
        "path" in ref ? openMatrix(this.ctx, ref.path) : openCompoundField(this.ctx, ref.dataset, ref.field);
      this.opened.set(id, m);
    }
    return m;
  }

  private openRaw(): RawInfo | null {
    const ctx = this.ctx;
    let xPath: string;
    let varPath: string;
    if (ctx.kind("raw") === "group" && ctx.kind("raw/X") !== null) {
      xPath = "raw/X";
      varPath = "raw/var";
    } else if (ctx.kind("raw.X") !== null) {
      xPath = "raw.X"; // anndata < 0.7
      varPath = "raw.var";
    } else {
      return null;
    }
    const m = this.open({ path: xPath });
    const rawVar = ctx.kind(varPath) === null ? null : openDataFrame(ctx, varPath);
    return {
      shape: m.shape,
      layout: m.layout,
      var: rawVar,
      varNames: () => (rawVar === null ? this.varNames() : rawVar.index()),
      matrix: () => m,
    };
  }
}

/** Opens an .h5ad file. Throws FileNotFoundError, NotHdf5Error, TruncatedFileError, NotAnnDataError, ...
 *
 * `path` may be an `s3://bucket/key` URI: by default the object is downloaded once into the cache
 * (`cacheDir`) and the local copy is opened; with `stream: true` it is read in place, range by range
 * (see src/h5ad/remote.ts). */
export async function openH5ad(path: string, options: OpenH5adOptions = {}): Promise<H5adFile> {
  if (typeof path !== "string" || path === "")
    throw new InvalidArgumentError("path must be a non-empty string");
  throwIfAborted(options.signal, { path });
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    const { openRemoteH5ad } = await import("./remote.js");
    return await openRemoteH5ad(path, options);
  }
  await probeHdf5(path);
  const runtime = await loadRuntime();
  throwIfAborted(options.signal, { path });
  return openOnRuntime(path, path, runtime, options);
}

/**
 * @internal Opens `h5Name` (a name in h5wasm's file system) as the file called `path` in errors;
 * `makeContext` lets the streamed reader put its own context in between.
 */
export function openOnRuntime(
  path: string,
  h5Name: string,
  runtime: H5Runtime,
  options: OpenH5adOptions,
  makeContext: (file: H5WasmFile, decodable: ReadonlyMap<number, string>) => H5Context = (file, decodable) =>
    new H5Context(path, file, runtime, decodable),
  makeFile: (ctx: H5Context) => H5adFile = (ctx) => new H5adFile(ctx),
): H5adFile {
  let decodable = runtime.filters;
  if (options.decodableFilters !== undefined) {
    const allowed = new Set(options.decodableFilters);
    decodable = new Map([...runtime.filters].filter(([id]) => allowed.has(id)));
  }
  let file: H5WasmFile;
  try {
    file = new runtime.h5wasm.File(h5Name, "r");
  } catch (e) {
    throw new FormatError(`HDF5 could not open the file: ${e instanceof Error ? e.message : String(e)}`, {
      path,
      cause: e,
    });
  }
  const ctx = makeContext(file, decodable);
  try {
    return makeFile(ctx);
  } catch (e) {
    ctx.close();
    if (e instanceof CellfeedError) throw e;
    throw new FormatError(`cannot read: ${e instanceof Error ? e.message : String(e)}`, { path, cause: e });
  }
}

type H5WasmFile = InstanceType<H5Runtime["h5wasm"]["File"]>;

function checkRoot(ctx: H5Context): void {
  const enc = encodingOf(ctx, "");
  if (enc !== null) {
    if (enc.type !== "anndata") {
      throw new NotAnnDataError(`HDF5 file with root encoding-type '${enc.type}', not an AnnData file`, {
        path: ctx.path,
      });
    }
    if (!(KNOWN_ENCODINGS.anndata ?? []).includes(enc.version)) {
      throw new UnknownEncodingError(
        `unknown encoding-version '${enc.version}' of encoding-type 'anndata'; known: ${KNOWN_ENCODINGS.anndata?.join(", ")}`,
        { path: ctx.path, dataset: "/" },
      );
    }
  }
  const missing = ["obs", "var"].filter((k) => ctx.kind(k) === null);
  if (missing.length > 0) {
    const members = ctx.keys("");
    throw new NotAnnDataError(
      `HDF5 file without ${missing.map((k) => `'${k}'`).join(" and ")}, not an AnnData file (root members: ${
        members.length > 0 ? members.join(", ") : "none"
      })`,
      { path: ctx.path },
    );
  }
}

function openDataFrame(ctx: H5Context, p: string): DataFrameReader {
  const kind = ctx.kind(p);
  if (kind === "group") return new GroupDataFrame(ctx, p);
  if (kind === "dataset") return new CompoundDataFrame(ctx, p);
  throw new NotAnnDataError(`'${p}' is not a dataframe`, { path: ctx.path, dataset: p });
}

/** Named elements of obsm/varm/obsp/varp/layers: a group's children, or a legacy compound's fields. */
function collection(ctx: H5Context, p: string): Map<string, ElementRef> {
  const out = new Map<string, ElementRef>();
  const kind = ctx.kind(p);
  if (kind === "group") {
    for (const k of ctx.keys(p)) out.set(k, { path: `${p}/${k}` });
  } else if (kind === "dataset") {
    for (const field of compoundMatrixFields(ctx, p).keys()) out.set(field, { dataset: p, field });
  } else if (kind !== null) {
    throw new UnsupportedFeatureError(`'${p}' is neither a group nor a dataset`, {
      path: ctx.path,
      dataset: p,
    });
  }
  return out;
}

/** uns members, minus the `<column>_categories` entries that pre-0.7 files use for categoricals. */
function unsKeys(ctx: H5Context, obs: DataFrameReader, vars: DataFrameReader): string[] {
  const consumed = new Set<string>();
  for (const df of [obs, vars]) {
    if (df instanceof CompoundDataFrame) {
      for (const c of df.columns) if (df.categoriesPath(c) !== undefined) consumed.add(`${c}_categories`);
    }
  }
  return ctx.keys("uns").filter((k) => !consumed.has(k));
}
