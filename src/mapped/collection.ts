/**
 * MappedCollection: many .h5ad files as one map-style dataset, with LaminDB's semantics (joins, encoders,
 * filters, weights) and a batched hot path (`getItems`).
 *
 * ```ts
 * await using mc = await MappedCollection.open(["a.h5ad", "b.h5ad"], { join: "outer", obsKeys: ["cell_type"] });
 * const batch = await mc.getItems([5, 0, 42]);   // batch.layers.X.data: Float32Array [3 × mc.shape[1]]
 * const w = mc.getLabelWeights("cell_type");      // Float64Array(mc.length)
 * ```
 *
 * Encoded labels are Int32 codes; a missing label (NaN, categorical code -1, masked), a file without the
 * key, and `unknownLabel` are all -1. Raw (not encoded) labels are strings/numbers/booleans, `null` when
 * missing. Encoder keys are `String(label)` (JSON-safe; a float category 1.0 is "1", Python says "1.0").
 *
 * Where it differs from LaminDB on purpose: CSC matrices are read; the output dtype is fixed; weights and
 * merged labels always have length `length` (files without the key give "nan"/null); filters compare
 * labels as strings (`null`/NaN selects missing labels) and a key absent from a file selects none of its
 * rows without stale state; indices must be integers in [0, length) (no negative indexing).
 */

import { allocate, allocateReusing } from "../buffers.js";
import { InvalidArgumentError, KeyNotFoundError, throwIfAborted } from "../errors.js";
import { directReadsEnabled } from "../h5ad/direct.js";
import { type DirectStorePlan, planDirectStore } from "../h5ad/direct-store.js";
import { H5adFile } from "../h5ad/file.js";
import { RemoteH5adFile } from "../h5ad/remote.js";
import type { MatrixReader } from "../h5ad/types.js";
import { compareCodePoints } from "../order.js";
import { base64ToInt32, int32ToBase64 } from "./base64.js";
import { assembleCsr, type CsrPart, canScatter, planBatch, type Scatterer, scatterDense } from "./batch.js";
import { computeKeptRows } from "./filter.js";
import { joinVars, makeUnique } from "./join.js";
import {
  buildEncoder,
  encode,
  encodeCategorical,
  labelWeights,
  mergeCategories,
  uniqueValues,
} from "./labels.js";
import { cumulativeOffsets } from "./offsets.js";
import { directOpener, openerFor, remoteSettings } from "./open.js";
import type {
  Batch,
  BatchLabels,
  BatchMatrix,
  FilterValue,
  GetItemsOptions,
  Item,
  Label,
  MappedCollectionDescription,
  MappedCollectionOptions,
  StoreFile,
  StoreOpener,
} from "./types.js";

interface FileState {
  path: string;
  file: StoreFile;
  nRows: number;
  /** Filtered position → row; null = all rows. */
  kept: Int32Array | null;
  nKept: number;
  nVars: number | null;
  colMap: Int32Array | null;
  layers: Set<string>;
  obsm: Set<string>;
  obs: Set<string>;
  readers: Map<string, MatrixReader>;
  labels: Map<string, Label[]>;
  codes: Map<string, Int32Array>;
  /** How to read the file without h5wasm (see describe()); undefined until first asked, null = no plan. */
  direct?: DirectStorePlan | null;
}

/** The normalised options: exactly what `describe()` records. */
type Config = MappedCollectionDescription["options"];

function asList(v: string | readonly string[] | undefined, fallback: string[]): string[] {
  if (v === undefined) return fallback;
  return typeof v === "string" ? [v] : [...v];
}

function fileLayers(f: StoreFile): Set<string> {
  const s = new Set<string>(f.layers);
  if (f.hasX !== false) s.add("X");
  if (f.raw !== null) s.add("raw.X");
  return s;
}

function normaliseOptions(o: MappedCollectionOptions): Config & { unknown: Map<string, string> } {
  const join = o.join === undefined ? "inner" : o.join;
  if (join !== "inner" && join !== "outer" && join !== null) {
    throw new InvalidArgumentError(`join must be "inner", "outer" or null, not ${JSON.stringify(join)}`);
  }
  const dtype = o.dtype ?? "float32";
  if (dtype !== "float32" && dtype !== "float64") {
    throw new InvalidArgumentError(`dtype must be "float32" or "float64", not ${JSON.stringify(dtype)}`);
  }
  const obsKeys = asList(o.obsKeys, []);
  let encodeKeys: string[];
  if (o.encodeLabels === undefined || o.encodeLabels === true) encodeKeys = [...obsKeys];
  else if (o.encodeLabels === false) encodeKeys = [];
  else {
    const bad = o.encodeLabels.filter((k) => !obsKeys.includes(k));
    if (bad.length > 0) {
      throw new InvalidArgumentError(
        `encodeLabels names keys that are not in obsKeys: ${bad.join(", ")} (obsKeys: ${obsKeys.join(", ") || "none"})`,
      );
    }
    encodeKeys = [...o.encodeLabels];
  }
  const unknown = new Map<string, string>();
  if (typeof o.unknownLabel === "string") for (const k of encodeKeys) unknown.set(k, o.unknownLabel);
  else if (o.unknownLabel !== undefined) {
    for (const [k, v] of Object.entries(o.unknownLabel)) {
      if (!encodeKeys.includes(k)) {
        throw new InvalidArgumentError(`unknownLabel names key '${k}', which is not an encoded obs key`);
      }
      unknown.set(k, v);
    }
  }
  let obsFilter: Record<string, FilterValue[]> | null = null;
  if (o.obsFilter !== undefined) {
    obsFilter = {};
    for (const [k, v] of Object.entries(o.obsFilter)) {
      obsFilter[k] = Array.isArray(v) ? [...(v as readonly FilterValue[])] : [v as FilterValue];
    }
  }
  return {
    layersKeys: asList(o.layersKeys, ["X"]),
    obsKeys,
    obsmKeys: asList(o.obsmKeys, []),
    join,
    encodeKeys,
    dtype,
    makeVarsUnique: o.makeVarsUnique ?? false,
    obsFilter,
    unknown,
    ...(remoteSettings(o) ? { remote: remoteSettings(o)! } : {}),
  };
}

function requireSomewhere(kind: string, keys: readonly string[], have: readonly Set<string>[]): void {
  for (const k of keys) {
    if (!have.some((s) => s.has(k))) {
      const all = new Set<string>();
      for (const s of have) for (const x of s) all.add(x);
      throw new KeyNotFoundError(kind, k, [...all]);
    }
  }
}

async function openAll(
  opener: StoreOpener,
  paths: readonly string[],
  signal?: AbortSignal,
): Promise<StoreFile[]> {
  const opened: StoreFile[] = [];
  try {
    for (const p of paths) {
      throwIfAborted(signal, { path: p });
      opened.push(await opener(p, signal ? { signal } : {}));
    }
  } catch (e) {
    await Promise.allSettled(opened.map((f) => f.close()));
    throw e;
  }
  return opened;
}

export class MappedCollection implements AsyncDisposable {
  /** Non-fatal findings (e.g. an obsFilter value that matched nothing). The library never prints. */
  readonly warnings: string[];
  /** Number of observations (after the filter). */
  readonly length: number;
  /** Joint var names; null when join is null. */
  readonly varJoint: string[] | null;
  /** `{obsKey: {label: code}}` for encoded keys, sorted by code point (numbers numerically). */
  readonly encoders: Record<string, Record<string, number>>;

  readonly #files: FileState[];
  readonly #config: Config;
  readonly #offsets: Float64Array;
  readonly #encoders: Map<string, Map<string, number>>;
  readonly #varsEqual: boolean;
  #varList: string[][] | null = null;
  #closed = false;

  private constructor(
    files: FileState[],
    config: Config,
    varJoint: string[] | null,
    varsEqual: boolean,
    encoders: Map<string, Map<string, number>>,
    warnings: string[],
    varList: string[][] | null,
  ) {
    this.#files = files;
    this.#config = config;
    this.#offsets = cumulativeOffsets(files.map((f) => f.nKept));
    this.length = this.#offsets[files.length]!;
    this.varJoint = varJoint;
    this.#varsEqual = varsEqual;
    this.#encoders = encoders;
    this.encoders = {};
    for (const [k, m] of encoders) this.encoders[k] = Object.fromEntries(m);
    this.warnings = warnings;
    this.#varList = varList;
  }

  /** Opens the files with the h5ad reader and computes joins, encoders and filters once. */
  static open(
    paths: string | readonly string[],
    options: MappedCollectionOptions = {},
  ): Promise<MappedCollection> {
    return MappedCollection.openWith(openerFor(remoteSettings(options)), paths, options);
  }

  /** `open` with a custom file opener (anything returning a `StoreFile`). */
  static async openWith(
    opener: StoreOpener,
    paths: string | readonly string[],
    options: MappedCollectionOptions = {},
  ): Promise<MappedCollection> {
    const list = typeof paths === "string" ? [paths] : [...paths];
    if (list.length === 0) throw new InvalidArgumentError("MappedCollection needs at least one path");
    const cfg = normaliseOptions(options);
    const stores = await openAll(opener, list, options.signal);
    try {
      return MappedCollection.#build(stores, cfg, options.signal);
    } catch (e) {
      await Promise.allSettled(stores.map((f) => f.close()));
      throw e;
    }
  }

  static #build(
    stores: StoreFile[],
    cfg: Config & { unknown: Map<string, string> },
    signal?: AbortSignal,
  ): MappedCollection {
    const warnings: string[] = [];
    const layerSets = stores.map(fileLayers);
    const obsSets = stores.map((f) => new Set(f.obs.columns));
    const obsmSets = stores.map((f) => new Set(f.obsmKeys));
    requireSomewhere("layer", cfg.layersKeys, layerSets);
    requireSomewhere("obs column", cfg.obsKeys, obsSets);
    requireSomewhere("obsm key", cfg.obsmKeys, obsmSets);

    const files: FileState[] = stores.map((file, f) => ({
      path: file.path,
      file,
      nRows: file.shape[0],
      kept: null,
      nKept: file.shape[0],
      nVars: null,
      colMap: null,
      layers: new Set(cfg.layersKeys.filter((k) => layerSets[f]!.has(k))),
      obsm: new Set(cfg.obsmKeys.filter((k) => obsmSets[f]!.has(k))),
      obs: new Set(cfg.obsKeys.filter((k) => obsSets[f]!.has(k))),
      readers: new Map(),
      labels: new Map(),
      codes: new Map(),
    }));

    if (cfg.obsFilter !== null) {
      for (const k of Object.keys(cfg.obsFilter)) requireSomewhere("obs column (obsFilter)", [k], obsSets);
      const kept = computeKeptRows(
        files.map((s, f) => ({
          path: s.path,
          nRows: s.nRows,
          has: (k: string) => obsSets[f]!.has(k),
          labels: (k: string) => labelsOf(s, k),
        })),
        cfg.obsFilter,
        warnings,
      );
      files.forEach((s, f) => {
        s.kept = kept[f]!;
        s.nKept = kept[f] === null ? s.nRows : kept[f]!.length;
      });
    }
    throwIfAborted(signal);

    const encoders = new Map<string, Map<string, number>>();
    for (const key of cfg.encodeKeys) {
      const perFile = files.filter((_, f) => obsSets[f]!.has(key)).map((s) => categoriesOf(s, key));
      encoders.set(key, buildEncoder(mergeCategories(perFile), cfg.unknown.get(key)));
    }

    let varJoint: string[] | null = null;
    let varsEqual = false;
    let varList: string[][] | null = null;
    if (cfg.join !== null) {
      varList = stores.map((s) => (cfg.makeVarsUnique ? makeUnique(s.varNames()) : s.varNames()));
      const j = joinVars(
        varList,
        files.map((s) => s.path),
        cfg.join,
      );
      varJoint = j.joint;
      varsEqual = j.equal;
      files.forEach((s, f) => {
        s.colMap = j.colMaps[f]!;
        s.nVars = varList![f]!.length;
      });
    }
    const { unknown: _u, ...config } = cfg;
    return new MappedCollection(files, config, varJoint, varsEqual, encoders, warnings, varList);
  }

  /** `[length, number of joint vars]`; the second is null when join is null. */
  get shape(): [number, number | null] {
    return [this.length, this.varJoint === null ? null : this.varJoint.length];
  }

  /** `[rows kept, vars]` per file (vars null when join is null). */
  get originalShapes(): [number, number | null][] {
    return this.#files.map((s) => [s.nKept, s.nVars]);
  }

  /** The file paths, in store order. */
  get paths(): string[] {
    return this.#files.map((s) => s.path);
  }

  /** Each file's var names (after makeVarsUnique), read on first use. */
  get varList(): string[][] {
    if (this.#varList === null) {
      this.#assertOpen();
      this.#varList = this.#files.map((s) =>
        this.#config.makeVarsUnique ? makeUnique(s.file.varNames()) : s.file.varNames(),
      );
    }
    return this.#varList;
  }

  /** One observation. `get(i)` is `getItems([i])`. */
  async get(i: number, options: { signal?: AbortSignal } = {}): Promise<Item> {
    const b = await this.getItems([i], options);
    const item: Item = { storeIdx: b.storeIdx[0]!, layers: {}, obsm: {}, obs: {} };
    for (const [k, m] of Object.entries(b.layers)) if (!m.missing?.[0]) item.layers[k] = m.data;
    for (const [k, m] of Object.entries(b.obsm)) if (!m.missing?.[0]) item.obsm[k] = m.data;
    const present = this.#files[item.storeIdx]!.obs;
    for (const [k, v] of Object.entries(b.obs)) if (present.has(k)) item.obs[k] = v[0]!;
    return item;
  }

  /**
   * A batch of observations in the caller's order: one sorted `readRows` per file and layer, scattered
   * into fresh buffers through the join maps (ownership passes to the caller).
   */
  async getItems(indices: ArrayLike<number>, options: GetItemsOptions = {}): Promise<Batch> {
    this.#assertOpen();
    throwIfAborted(options.signal);
    const output = options.output ?? "dense";
    const plan = planBatch(
      indices,
      this.#offsets,
      this.#files.map((s) => s.kept),
    );
    const n = plan.indices.length;
    const batch: Batch = { indices: plan.indices, storeIdx: plan.storeIdx, layers: {}, obsm: {}, obs: {} };
    for (const key of this.#config.layersKeys) {
      const joined = this.#config.join !== null && key !== "raw.X";
      const m = await this.#readMatrix(plan, n, key, "layer", joined, output, options);
      if (m !== null) batch.layers[key] = m;
    }
    for (const key of this.#config.obsmKeys) {
      const m = await this.#readMatrix(plan, n, key, "obsm", false, output, options);
      if (m !== null) batch.obsm[key] = m;
    }
    for (const key of this.#config.obsKeys) batch.obs[key] = this.#batchLabels(plan.groups, n, key);
    return batch;
  }

  async #readMatrix(
    plan: ReturnType<typeof planBatch>,
    n: number,
    key: string,
    kind: "layer" | "obsm",
    joined: boolean,
    output: "dense" | "csr",
    options: GetItemsOptions,
  ): Promise<BatchMatrix | null> {
    const signal = options.signal;
    if (n === 0) {
      // An empty batch still has the layer, with the joint width when there is one.
      const w = joined ? this.varJoint!.length : 0;
      return { format: "dense", data: allocate(this.#config.dtype, 0), shape: [0, w] };
    }
    const groups = plan.groups.filter((g) =>
      (kind === "layer" ? this.#files[g.file]!.layers : this.#files[g.file]!.obsm).has(key),
    );
    if (groups.length === 0) return null;
    const readers = groups.map((g) => this.#reader(g.file, key, kind));
    let width: number;
    if (joined) width = this.varJoint!.length;
    else {
      const widths = readers.map((r) => r.shape[1]);
      width = Math.max(...widths);
      const other = widths.findIndex((w) => w !== widths[0]);
      if (other >= 0 && output === "dense") {
        const a = this.#files[groups[0]!.file]!.path;
        const b = this.#files[groups[other]!.file]!.path;
        const why =
          kind === "obsm"
            ? "obsm entries are never joined"
            : key === "raw.X"
              ? "raw.X is never joined"
              : 'join is null, so each file keeps its own width (use join "inner" or "outer")';
        throw new InvalidArgumentError(
          `cannot batch ${kind} '${key}' densely: ${a} has ${widths[0]} columns and ${b} has ${widths[other]}; ${why}, or ask for output "csr"`,
          { path: b },
        );
      }
    }
    const dtype = this.#config.dtype;
    let missing: Uint8Array | undefined;
    if (groups.length !== plan.groups.length) {
      missing = new Uint8Array(n);
      const have = new Set(groups.map((g) => g.file));
      for (const g of plan.groups) if (!have.has(g.file)) for (const p of g.pos) missing[p] = 1;
    }
    if (output === "dense" && readers.every(canScatter)) {
      // Readers that write rows straight into the batch (no intermediate CSR per file).
      const data = allocateReusing(dtype, n * width, options.reuse);
      await Promise.all(
        groups.map((g, i) =>
          (readers[i] as MatrixReader & Scatterer).scatterRows(
            g.rows,
            { out: data, width, pos: g.pos, colMap: joined ? this.#files[g.file]!.colMap : null },
            signal ? { signal } : {},
          ),
        ),
      );
      return { format: "dense", data, shape: [n, width], ...(missing ? { missing } : {}) };
    }
    const parts = await Promise.all(
      groups.map(async (g, i) => {
        const r = readers[i]!;
        const src = await r.readRows(g.rows, {
          output: r.layout === "dense" ? "dense" : "csr",
          dtype,
          ...(signal ? { signal } : {}),
        });
        return { src, pos: g.pos, colMap: joined ? this.#files[g.file]!.colMap : null } satisfies CsrPart;
      }),
    );
    if (output === "csr") {
      const csr = assembleCsr(n, parts, dtype);
      return { format: "csr", ...csr, shape: [n, width], ...(missing ? { missing } : {}) };
    }
    const data = allocateReusing(dtype, n * width, options.reuse);
    for (const p of parts) scatterDense(data, width, p.src, p.pos, p.colMap);
    return { format: "dense", data, shape: [n, width], ...(missing ? { missing } : {}) };
  }

  #reader(f: number, key: string, kind: "layer" | "obsm"): MatrixReader {
    const s = this.#files[f]!;
    const cacheKey = `${kind}:${key}`;
    let r = s.readers.get(cacheKey);
    if (r === undefined) {
      r = kind === "layer" ? s.file.matrix(key) : s.file.obsm(key);
      s.readers.set(cacheKey, r);
    }
    return r;
  }

  #batchLabels(groups: ReturnType<typeof planBatch>["groups"], n: number, key: string): BatchLabels {
    const enc = this.#encoders.has(key);
    if (enc) {
      const out = new Int32Array(n).fill(-1);
      for (const g of groups) {
        const s = this.#files[g.file]!;
        if (!s.obs.has(key)) continue;
        const codes = this.#codes(s, key);
        for (let k = 0; k < g.rows.length; k++) out[g.pos[k]!] = codes[g.rows[k]!]!;
      }
      return out;
    }
    const out = new Array<Label>(n).fill(null);
    for (const g of groups) {
      const s = this.#files[g.file]!;
      if (!s.obs.has(key)) continue;
      const labels = labelsOf(s, key);
      for (let k = 0; k < g.rows.length; k++) out[g.pos[k]!] = labels[g.rows[k]!]!;
    }
    return out;
  }

  #codes(s: FileState, key: string): Int32Array {
    let c = s.codes.get(key);
    if (c === undefined) {
      const encoder = this.#encoders.get(key)!;
      const info = s.file.obs.info(key);
      if (info.kind === "categorical") {
        const col = s.file.obs.read(key);
        c =
          col.kind === "categorical"
            ? encodeCategorical(col.codes, col.categories, encoder)
            : encode(labelsOf(s, key), encoder);
      } else c = encode(labelsOf(s, key), encoder);
      s.codes.set(key, c);
    }
    return c;
  }

  #hasKeySomewhere(key: string): void {
    const have = this.#files.map((s) => new Set(s.file.obs.columns));
    requireSomewhere("obs column", [key], have);
  }

  /**
   * Labels of `key` for every observation (length `length`, after the filter); observations of files
   * without the key get null. (LaminDB skips such files, which misaligns the result.)
   */
  getMergedLabels(key: string): Label[] {
    this.#assertOpen();
    this.#hasKeySomewhere(key);
    const out = new Array<Label>(this.length);
    let o = 0;
    for (const s of this.#files) {
      const has = s.file.obs.columns.includes(key);
      const labels = has ? labelsOf(s, key) : null;
      for (let k = 0; k < s.nKept; k++) out[o++] = labels === null ? null : labels[s.kept ? s.kept[k]! : k]!;
    }
    return out;
  }

  /** Sorted union of `key`'s categories (or distinct values of non-categorical columns) over the files. */
  getMergedCategories(key: string): (string | number | boolean)[] {
    this.#assertOpen();
    this.#hasKeySomewhere(key);
    return mergeCategories(
      this.#files.filter((s) => s.file.obs.columns.includes(key)).map((s) => categoriesOf(s, key)),
    );
  }

  /**
   * Sampling weights, one per observation: `1/count` of its label (or `scaler/(count+scaler)`); several
   * keys are combined with "__"; missing labels (and files without the key) count as "nan".
   */
  getLabelWeights(keys: string | readonly string[], options: { scaler?: number } = {}): Float64Array {
    const list = typeof keys === "string" ? [keys] : [...keys];
    if (list.length === 0) throw new InvalidArgumentError("getLabelWeights needs at least one obs key");
    return labelWeights(
      list.map((k) => this.getMergedLabels(k)),
      options.scaler,
    );
  }

  /** True when every file's var names are sorted (ascending, code point order; descending if asked). */
  checkVarsSorted(ascending = true): boolean {
    return this.varList.every((v) => {
      for (let i = 1; i < v.length; i++) {
        const c = compareCodePoints(v[i - 1]!, v[i]!);
        if (ascending ? c > 0 : c < 0) return false;
      }
      return true;
    });
  }

  /** Indices of the files whose var names differ from `vars` (names or order). */
  checkVarsNonAligned(vars: readonly string[]): number[] {
    const out: number[] = [];
    this.varList.forEach((v, f) => {
      if (v.length !== vars.length || v.some((n, i) => n !== vars[i])) out.push(f);
    });
    return out;
  }

  /** Plain JSON from which `fromDescription` rebuilds this collection (e.g. in a worker) without re-reading var. */
  describe(): MappedCollectionDescription {
    return {
      kind: "cellfeed.MappedCollection",
      version: 1,
      options: {
        layersKeys: [...this.#config.layersKeys],
        obsKeys: [...this.#config.obsKeys],
        obsmKeys: [...this.#config.obsmKeys],
        join: this.#config.join,
        encodeKeys: [...this.#config.encodeKeys],
        dtype: this.#config.dtype,
        makeVarsUnique: this.#config.makeVarsUnique,
        obsFilter: this.#config.obsFilter,
        ...(this.#config.remote ? { remote: this.#config.remote } : {}),
      },
      files: this.#files.map((s) => ({
        path: s.path,
        nRows: s.nRows,
        rows: s.kept === null ? null : int32ToBase64(s.kept),
        nKept: s.nKept,
        nVars: s.nVars,
        colMap: s.colMap === null ? null : int32ToBase64(s.colMap),
        layers: [...s.layers],
        obsm: [...s.obsm],
        obs: [...s.obs],
        ...this.#directPlan(s),
      })),
      varJoint: this.varJoint === null ? null : [...this.varJoint],
      varsEqual: this.#varsEqual,
      encoders: JSON.parse(JSON.stringify(this.encoders)),
      warnings: [...this.warnings],
    };
  }

  /** A local file's plan for reading it without h5wasm (as `{ direct }`), or nothing. */
  #directPlan(s: FileState): { direct?: DirectStorePlan } {
    s.direct ??= this.#makeDirectPlan(s);
    return s.direct === null ? {} : { direct: s.direct };
  }

  #makeDirectPlan(s: FileState): DirectStorePlan | null {
    if (this.#config.remote !== undefined || !directReadsEnabled()) return null;
    if (!(s.file instanceof H5adFile) || s.file instanceof RemoteH5adFile) return null;
    // Labels kept raw (not encoded) are read as strings, which needs h5wasm.
    if (this.#config.obsKeys.some((k) => s.obs.has(k) && !this.#encoders.has(k))) return null;
    try {
      return planDirectStore(s.file, {
        matrices: [...s.layers],
        obsm: [...s.obsm],
        obs: this.#config.obsKeys.filter((k) => s.obs.has(k)),
      });
    } catch {
      return null; // the worker's h5wasm reader will meet (and report) whatever failed here
    }
  }

  /** Rebuilds a collection from `describe()`: opens the files but reads no var index, label or filter column. */
  static async fromDescription(
    d: MappedCollectionDescription,
    options: {
      signal?: AbortSignal;
      opener?: StoreOpener;
      /**
       * Open for batch reads (`getItems`, `get`) only, as loader workers do: local files with a direct
       * plan are then read without h5wasm, so `varList` and obs columns outside `obsKeys` are
       * unavailable for them.
       */
      batchReadsOnly?: boolean;
    } = {},
  ): Promise<MappedCollection> {
    if (d?.kind !== "cellfeed.MappedCollection" || d.version !== 1) {
      throw new InvalidArgumentError("not a MappedCollection description (kind/version mismatch)");
    }
    const plans = new Map<string, DirectStorePlan>();
    for (const f of d.files) if (f.direct !== undefined) plans.set(f.path, f.direct);
    const fallback = openerFor(d.options.remote);
    const direct = options.batchReadsOnly === true && plans.size > 0 && !d.options.remote;
    const opener = options.opener ?? (direct ? directOpener(plans, fallback) : fallback);
    const stores = await openAll(
      opener,
      d.files.map((f) => f.path),
      options.signal,
    );
    const files: FileState[] = d.files.map((fd, f) => {
      const file = stores[f]!;
      if (file.shape[0] !== fd.nRows) {
        throw new InvalidArgumentError(
          `file changed since the description was made: ${fd.nRows} rows expected, found ${file.shape[0]}`,
          {
            path: fd.path,
          },
        );
      }
      return {
        path: fd.path,
        file,
        nRows: fd.nRows,
        kept: fd.rows === null ? null : base64ToInt32(fd.rows),
        nKept: fd.nKept,
        nVars: fd.nVars,
        colMap: fd.colMap === null ? null : base64ToInt32(fd.colMap),
        layers: new Set(fd.layers),
        obsm: new Set(fd.obsm),
        obs: new Set(fd.obs),
        readers: new Map(),
        labels: new Map(),
        codes: new Map(),
        direct: fd.direct ?? null,
      };
    });
    const encoders = new Map<string, Map<string, number>>();
    for (const [k, rec] of Object.entries(d.encoders)) encoders.set(k, new Map(Object.entries(rec)));
    return new MappedCollection(
      files,
      { ...d.options },
      d.varJoint === null ? null : [...d.varJoint],
      d.varsEqual,
      encoders,
      [...d.warnings],
      null,
    );
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Closes every file; safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#files.map((s) => s.file.close()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidArgumentError("the MappedCollection is closed");
  }
}

function labelsOf(s: FileState, key: string): Label[] {
  let l = s.labels.get(key);
  if (l === undefined) {
    l = s.file.obs.labels(key);
    s.labels.set(key, l);
  }
  return l;
}

function categoriesOf(s: FileState, key: string): (string | number | boolean)[] {
  const info = s.file.obs.info(key);
  if (info.kind === "categorical" && info.categories !== undefined) return info.categories;
  return uniqueValues(labelsOf(s, key));
}
