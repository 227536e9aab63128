/**
 * Opening SOMA objects by their `soma_object_type` metadata: collections, experiments and
 * measurements (TileDB groups) and DataFrames / NDArrays (TileDB arrays). Every URI goes through
 * `openStore`, so local folders and `s3://` prefixes behave the same.
 */
import { FormatError, KeyNotFoundError, UnsupportedFeatureError } from "../errors.js";
import { openStore, type OpenOptions as StoreOpenOptions } from "../io/open.js";
import type { ByteStore, ReadOptions } from "../io/types.js";
import { type AxisQueryOptions, ExperimentAxisQuery } from "./axis-query.js";
import { SOMADataFrame } from "./dataframe.js";
import { SOMADenseNDArray, SOMASparseNDArray } from "./ndarray.js";
import {
  type GroupMember,
  type MetadataValue,
  objectType,
  openArray,
  openGroup,
  type TileDBGroup,
} from "./tiledb/index.js";

export type SOMAObject =
  | SOMACollection
  | SOMAExperiment
  | SOMAMeasurement
  | SOMADataFrame
  | SOMASparseNDArray
  | SOMADenseNDArray;

export interface SOMAOpenOptions extends ReadOptions {
  /** Open at this time (ms since the epoch), or [start, end]. */
  timestamp?: number | [number, number];
  /** How to reach S3 for `s3://` URIs (default: the SDK chain and `AWS_ENDPOINT_URL_S3`). */
  s3?: StoreOpenOptions["s3"];
  /** Retry policy for remote reads, or `false` for none. */
  retry?: StoreOpenOptions["retry"];
  /** Per-array budget in bytes of decoded tiles kept between reads (default 64 MiB; 0 disables). */
  tileCache?: number;
}

function storeOptions(o: SOMAOpenOptions): StoreOpenOptions {
  return { s3: o.s3, retry: o.retry };
}

/** A group of named SOMA objects, opened on first access. */
export class SOMACollection<T extends SOMAObject = SOMAObject> {
  readonly soma_type: "SOMACollection" | "SOMAExperiment" | "SOMAMeasurement" = "SOMACollection";
  readonly uri: string;
  readonly metadata: Record<string, MetadataValue>;
  readonly #members: Map<string, GroupMember>;
  readonly #opened = new Map<string, Promise<SOMAObject>>();
  readonly #options: SOMAOpenOptions;

  constructor(
    group: TileDBGroup,
    options: SOMAOpenOptions = {},
    preopened?: ReadonlyMap<string, SOMAObject>,
  ) {
    this.uri = group.uri;
    this.metadata = group.metadata;
    this.#members = new Map(group.members.map((m) => [m.name, m]));
    this.#options = options;
    for (const [k, v] of preopened ?? []) this.#opened.set(k, Promise.resolve(v));
  }

  /** The options this object was opened with (members are opened with the same). */
  get openOptions(): SOMAOpenOptions {
    return this.#options;
  }

  /** Member names, in the group's order. */
  keys(): string[] {
    return [...new Set([...this.#members.keys(), ...this.#opened.keys()])];
  }

  has(name: string): boolean {
    return this.#members.has(name) || this.#opened.has(name);
  }

  /** Opens (once) and returns the member `name`. */
  async get(name: string): Promise<T> {
    let p = this.#opened.get(name);
    if (!p) {
      const m = this.#members.get(name);
      if (!m) throw new KeyNotFoundError("member", name, this.keys(), { path: this.uri });
      p = openMember(this.uri, m, this.#options);
      this.#opened.set(name, p);
      p.catch(() => this.#opened.delete(name));
    }
    return (await p) as T;
  }
}

async function memberStore(parent: string, m: GroupMember, options: SOMAOpenOptions): Promise<ByteStore> {
  if (m.store) return m.store;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(m.uri))
    return await openStore(m.uri.replace(/^file:\/\//, ""), storeOptions(options));
  throw new FormatError(`cannot resolve member '${m.name}' (${m.uri})`, { path: parent });
}

async function openMember(parent: string, m: GroupMember, options: SOMAOpenOptions): Promise<SOMAObject> {
  return await openObject(await memberStore(parent, m, options), options);
}

/** A SOMA measurement: `var`, `X` layers, and the optional `obsm`, `obsp`, `varm`, `varp` collections. */
export class SOMAMeasurement extends SOMACollection {
  override readonly soma_type = "SOMAMeasurement" as const;
  constructor(
    group: TileDBGroup,
    options: SOMAOpenOptions,
    readonly var_: SOMADataFrame,
    readonly X: SOMACollection<SOMASparseNDArray | SOMADenseNDArray>,
    readonly obsm: SOMACollection<SOMASparseNDArray | SOMADenseNDArray> | undefined,
    readonly obsp: SOMACollection<SOMASparseNDArray | SOMADenseNDArray> | undefined,
    readonly varm: SOMACollection<SOMASparseNDArray | SOMADenseNDArray> | undefined,
    readonly varp: SOMACollection<SOMASparseNDArray | SOMADenseNDArray> | undefined,
  ) {
    super(group, options);
  }

  /** The var DataFrame (`var` is a reserved word in JS, hence the accessor). */
  get var(): SOMADataFrame {
    return this.var_;
  }
}

/** A SOMA experiment: `obs`, `ms` (measurements by name), and its metadata. */
export class SOMAExperiment extends SOMACollection {
  override readonly soma_type = "SOMAExperiment" as const;
  constructor(
    group: TileDBGroup,
    options: SOMAOpenOptions,
    readonly obs: SOMADataFrame,
    readonly ms: SOMACollection<SOMAMeasurement>,
  ) {
    super(group, options);
  }

  /**
   * A query over obs and one measurement's var.
   *
   * ```ts
   * const q = exp.axisQuery({ measurementName: "RNA", obsQuery: { valueFilter: 'groups == "g1"' } });
   * const X = await q.X("counts");
   * ```
   */
  axisQuery(options: AxisQueryOptions): ExperimentAxisQuery {
    return new ExperimentAxisQuery(this, options);
  }
}

function typeOfMetadata(meta: Record<string, MetadataValue>): string | undefined {
  const t = meta.soma_object_type;
  return typeof t === "string" ? t : undefined;
}

async function optionalCollection(
  c: SOMACollection,
  name: string,
): Promise<SOMACollection<SOMASparseNDArray | SOMADenseNDArray> | undefined> {
  if (!c.has(name)) return undefined;
  const o = await c.get(name);
  if (!(o instanceof SOMACollection))
    throw new FormatError(`'${name}' is a ${o.soma_type}, not a collection`, { path: c.uri });
  return o as SOMACollection<SOMASparseNDArray | SOMADenseNDArray>;
}

async function required<T>(
  c: SOMACollection,
  name: string,
  cls: abstract new (...a: never[]) => T,
): Promise<T> {
  const o = await c.get(name);
  if (!(o instanceof cls))
    throw new FormatError(`'${name}' is a ${(o as SOMAObject).soma_type}, not the expected kind`, {
      path: c.uri,
    });
  return o;
}

/** Opens the SOMA object in `store` by its `soma_object_type`. */
export async function openObject(store: ByteStore, options: SOMAOpenOptions = {}): Promise<SOMAObject> {
  const kind = await objectType(store, options);
  if (kind === null)
    throw new FormatError("not a TileDB object (no __group/, __tiledb_group.tdb or __schema/)", {
      path: store.uri,
    });
  if (kind === "array") {
    const array = await openArray(store, options);
    const t = typeOfMetadata(array.metadata);
    switch (t) {
      case "SOMADataFrame":
        return new SOMADataFrame(array, store);
      case "SOMASparseNDArray":
        return new SOMASparseNDArray(array, store);
      case "SOMADenseNDArray":
        return new SOMADenseNDArray(array, store);
      default:
        throw new UnsupportedFeatureError(`array has soma_object_type ${JSON.stringify(t ?? null)}`, {
          path: store.uri,
        });
    }
  }
  const group = await openGroup(store, options);
  const t = typeOfMetadata(group.metadata);
  const plain = new SOMACollection(group, options);
  switch (t) {
    case "SOMACollection":
      return plain;
    case "SOMAExperiment": {
      const obs = await required(plain, "obs", SOMADataFrame);
      const ms = plain.has("ms")
        ? await required(plain, "ms", SOMACollection)
        : new SOMACollection({ ...group, members: [] }, options);
      return new SOMAExperiment(group, options, obs, ms as SOMACollection<SOMAMeasurement>);
    }
    case "SOMAMeasurement": {
      const var_ = await required(plain, "var", SOMADataFrame);
      const X =
        (await optionalCollection(plain, "X")) ?? new SOMACollection({ ...group, members: [] }, options);
      return new SOMAMeasurement(
        group,
        options,
        var_,
        X as SOMACollection<SOMASparseNDArray | SOMADenseNDArray>,
        await optionalCollection(plain, "obsm"),
        await optionalCollection(plain, "obsp"),
        await optionalCollection(plain, "varm"),
        await optionalCollection(plain, "varp"),
      );
    }
    default:
      throw new UnsupportedFeatureError(`group has soma_object_type ${JSON.stringify(t ?? null)}`, {
        path: store.uri,
      });
  }
}

/**
 * Opens any SOMA object (experiment, measurement, collection, DataFrame, sparse or dense NDArray).
 *
 * ```ts
 * const obj = await open("s3://bucket/census/soma/census_data/homo_sapiens");
 * ```
 */
export async function open(uri: string, options: SOMAOpenOptions = {}): Promise<SOMAObject> {
  return await openObject(await openStore(uri, storeOptions(options)), options);
}

/**
 * Opens a SOMA experiment.
 *
 * ```ts
 * const exp = await openExperiment("pbmc-small/experiment");
 * const rna = await exp.ms.get("RNA");
 * const counts = await rna.X.get("counts");
 * ```
 */
export async function openExperiment(uri: string, options: SOMAOpenOptions = {}): Promise<SOMAExperiment> {
  const o = await open(uri, options);
  if (!(o instanceof SOMAExperiment))
    throw new FormatError(`not a SOMAExperiment (soma_object_type ${o.soma_type})`, { path: uri });
  return o;
}

/** Parts of an experiment opened one by one (stores whose group files are missing, tests, benchmarks). */
export interface ExperimentParts {
  uri: string;
  obs: SOMADataFrame;
  measurements: Record<
    string,
    {
      var: SOMADataFrame;
      X: Record<string, SOMASparseNDArray | SOMADenseNDArray>;
      obsm?: Record<string, SOMASparseNDArray | SOMADenseNDArray>;
      varm?: Record<string, SOMASparseNDArray | SOMADenseNDArray>;
    }
  >;
}

function virtualGroup(uri: string, type: string): TileDBGroup {
  return { uri, metadata: { soma_object_type: type }, metadataTypes: {}, members: [] };
}

function collectionOf<T extends SOMAObject>(uri: string, items: Record<string, T> | undefined) {
  if (!items) return undefined;
  return new SOMACollection<T>(virtualGroup(uri, "SOMACollection"), {}, new Map(Object.entries(items)));
}

/**
 * An experiment assembled from objects opened separately (e.g. a copy of a store without its group
 * files). Its `uri` names no real experiment, so datasets over it cannot be rebuilt from
 * `describe()` in worker threads.
 *
 * ```ts
 * const exp = assembleExperiment({ uri: "pbmc3k", obs, measurements: { raw: { var, X: { data } } } });
 * ```
 */
export function assembleExperiment(parts: ExperimentParts): SOMAExperiment {
  const ms = new Map<string, SOMAObject>();
  for (const [name, m] of Object.entries(parts.measurements)) {
    const uri = `${parts.uri}/ms/${name}`;
    const X = collectionOf(`${uri}/X`, m.X) as SOMACollection<SOMASparseNDArray | SOMADenseNDArray>;
    ms.set(
      name,
      new SOMAMeasurement(
        virtualGroup(uri, "SOMAMeasurement"),
        {},
        m.var,
        X,
        collectionOf(`${uri}/obsm`, m.obsm),
        undefined,
        collectionOf(`${uri}/varm`, m.varm),
        undefined,
      ),
    );
  }
  const msCollection = new SOMACollection<SOMAMeasurement>(
    virtualGroup(`${parts.uri}/ms`, "SOMACollection"),
    {},
    ms,
  );
  return new SOMAExperiment(virtualGroup(parts.uri, "SOMAExperiment"), {}, parts.obs, msCollection);
}
