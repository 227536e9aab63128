/** Opening a TileDB array: schemas, enumerations, metadata, fragments, and the `read` entry point. */
import { AbortError, FormatError, KeyNotFoundError, UnsupportedFeatureError } from "../../errors.js";
import type { ByteStore, ReadOptions } from "../../io/types.js";
import { initCodecs } from "./codecs.js";
import type { Column } from "./columns.js";
import { loadConsolidatedFooters } from "./consolidated.js";
import type { Scalar } from "./datatypes.js";
import { applyDeletes, deletesFor, extraAttributes, listDeletes } from "./deletes.js";
import { type FragmentMetadata, loadFragmentMetadata } from "./fragment-metadata.js";
import { type FragmentRef, listFragments } from "./fragments.js";
import { readGenericTile } from "./generic-tile.js";
import { mergeFragments } from "./merge.js";
import { loadMetadata, type Metadata, type MetadataValue } from "./metadata.js";
import { compareTimestamped, parseTimestampedName } from "./names.js";
import { normalizeRanges, type RangesInput } from "./ranges.js";
import { readDense } from "./read-dense.js";
import { fillColumn, readSparseFragment } from "./read-sparse.js";
import { type ArraySchema, type Enumeration, parseEnumeration, parseSchema } from "./schema.js";
import { DEFAULT_TILE_CACHE_BYTES, TileCache } from "./tile-cache.js";

export interface OpenOptions extends ReadOptions {
  /** Open at this time range in ms since the epoch: `end` or `[start, end]` (default [0, now]). */
  timestamp?: number | [number, number];
  /**
   * Budget in bytes of the array's cache of decoded tiles, shared by all its reads (default 64 MiB;
   * 0 disables it), or a cache to share with other arrays.
   */
  tileCache?: number | TileCache;
}

export interface ReadRequest extends ReadOptions {
  ranges?: RangesInput;
  /** Attributes to read (default: all of the opened schema). Dimensions are always returned for sparse arrays. */
  attributes?: string[];
  /** Dense arrays: also return per-cell dimension coordinates (default true). */
  coordinates?: boolean;
}

export interface TileDBArray {
  readonly uri: string;
  /** The schema selected for the open timestamp (the latest one). */
  readonly schema: ArraySchema;
  /** Every schema of the array by file name (fragments name the one they were written with). */
  readonly schemas: ReadonlyMap<string, ArraySchema>;
  /** Enumerations of the selected schema, by name. */
  readonly enumerations: ReadonlyMap<string, Enumeration>;
  readonly metadata: Record<string, MetadataValue>;
  /** TileDB datatype id of each metadata value. */
  readonly metadataTypes: Record<string, number>;
  /** Committed fragments visible at the open timestamp, oldest first. */
  readonly fragments: readonly FragmentRef[];
  /** Per dimension: the current domain when set (tiledbsoma ≥ 1.15), else the dimension domain. */
  readonly shape: ([Scalar, Scalar] | [string, string] | undefined)[];
  /** Decoded tiles kept between reads (undefined when disabled). */
  readonly tileCache: TileCache | undefined;
  /** Footers of every fragment (loaded once). */
  fragmentMetadata(options?: ReadOptions): Promise<FragmentMetadata[]>;
  /**
   * Reads cells. Sparse arrays: cells inside `ranges` in global order (newest fragment wins on equal
   * coordinates unless the array allows duplicates). Dense arrays: every cell of the ranges (default: the
   * non-empty domain) in row-major order, with fill values where nothing was written.
   */
  read(request?: ReadRequest): Promise<Record<string, Column>>;
}

function timeRange(t: OpenOptions["timestamp"]): [number, number] {
  if (t === undefined) return [0, Date.now()];
  if (typeof t === "number") return [0, t];
  return t;
}

/** Loads every schema of the array; the legacy one is keyed `__array_schema.tdb`. */
async function loadSchemas(store: ByteStore, options?: ReadOptions): Promise<Map<string, ArraySchema>> {
  const out = new Map<string, ArraySchema>();
  if (await store.exists("__array_schema.tdb", options)) {
    const where = `${store.uri}/__array_schema.tdb`;
    const tile = readGenericTile(await store.get("__array_schema.tdb", options), where);
    out.set("__array_schema.tdb", parseSchema(tile.data, "__array_schema.tdb", where));
  }
  const files = (await store.list("__schema", options))
    .filter((e) => !e.isDirectory)
    .map((e) => parseTimestampedName(e.name))
    .filter((n) => n !== undefined);
  files.sort(compareTimestamped);
  for (const f of files) {
    const path = `__schema/${f.name}`;
    const where = `${store.uri}/${path}`;
    const tile = readGenericTile(await store.get(path, options), where);
    out.set(f.name, parseSchema(tile.data, f.name, where));
  }
  return out;
}

/**
 * Opens a TileDB array stored under `store` (read-only). INT64/UINT64/DATETIME columns come back as
 * BigInt64Array/BigUint64Array (SOMA joinids fit a double: `Number(x)` is exact below 2^53).
 *
 * ```ts
 * const X = await openArray(new LocalDirectoryStore("exp/ms/RNA/X/counts"));
 * const { soma_dim_0, soma_dim_1, soma_data } = await X.read({ ranges: { soma_dim_0: [0n, 99n] } });
 * ```
 */
export async function openArray(store: ByteStore, options: OpenOptions = {}): Promise<TileDBArray> {
  const { signal } = options;
  const [tStart, tEnd] = timeRange(options.timestamp);
  const codecs = initCodecs();
  const schemas = await loadSchemas(store, { signal });
  if (schemas.size === 0)
    throw new FormatError("not a TileDB array (no __schema/ or __array_schema.tdb)", { path: store.uri });
  // Latest schema whose end time is within the open range; the legacy schema counts as oldest.
  let selected: ArraySchema | undefined;
  let first: ArraySchema | undefined;
  for (const [name, s] of schemas) {
    first ??= s;
    const n = parseTimestampedName(name);
    if (!n || n.t2 <= tEnd) selected = s;
  }
  const schema = (selected ?? first) as ArraySchema;
  const enumerations = new Map<string, Enumeration>();
  for (const [name, file] of Object.entries(schema.enumerationPaths)) {
    const path = `__schema/__enumerations/${file}`;
    const where = `${store.uri}/${path}`;
    const e = parseEnumeration(readGenericTile(await store.get(path, { signal }), where).data, where);
    enumerations.set(name, e);
  }
  const meta: Metadata = await loadMetadata(store, tStart, tEnd, { signal });
  const fragments = await listFragments(store, schema.arrayType, tStart, tEnd, { signal });
  const deletes = await listDeletes(store, tStart, tEnd, { signal });
  // libtiledb only writes deletes for sparse arrays.
  if (deletes.length > 0 && schema.arrayType === "dense")
    throw new UnsupportedFeatureError("dense arrays with delete commits are not supported", {
      path: deletes[0]?.where,
    });
  await codecs;

  let footers: Promise<{ meta: FragmentMetadata; schema: ArraySchema }[]> | undefined;
  const loadFooters = (opts?: ReadOptions) => {
    if (!footers) {
      footers = loadConsolidatedFooters(store, opts).then((consolidated) =>
        Promise.all(
          fragments.map((f) => loadFragmentMetadata(store, f, schemas, opts, consolidated.get(f.name.name))),
        ),
      );
      footers.catch(() => {
        footers = undefined;
      });
    }
    return footers;
  };
  const shape = schema.dimensions.map((d, i) => schema.currentDomain?.[i] ?? d.domain);
  const tc = options.tileCache ?? DEFAULT_TILE_CACHE_BYTES;
  const tileCache = typeof tc === "number" ? (tc > 0 ? new TileCache(tc) : undefined) : tc;

  return {
    uri: store.uri,
    schema,
    schemas,
    enumerations,
    metadata: meta.values,
    metadataTypes: meta.types,
    fragments,
    shape,
    tileCache,
    fragmentMetadata: async (opts) => (await loadFooters(opts)).map((f) => f.meta),
    async read(request: ReadRequest = {}) {
      const opts = { signal: request.signal, tileCache };
      if (request.signal?.aborted) throw new AbortError("read aborted", { path: store.uri });
      const ranges = normalizeRanges(schema, request.ranges, store.uri);
      const attributes = request.attributes ?? schema.attributes.map((a) => a.name);
      for (const a of attributes)
        if (!schema.attributes.some((x) => x.name === a))
          throw new KeyNotFoundError(
            "attribute",
            a,
            schema.attributes.map((x) => x.name),
            { path: store.uri },
          );
      const loaded = await loadFooters(opts);
      let columns: Record<string, Column>;
      if (schema.arrayType === "dense") {
        columns = await readDense(store, schema, loaded, ranges, attributes, {
          ...opts,
          coordinates: request.coordinates !== false,
        });
      } else {
        const results = [];
        for (let i = 0; i < loaded.length; i++) {
          const { meta: fm, schema: fs } = loaded[i] as { meta: FragmentMetadata; schema: ArraySchema };
          if (fm.dense)
            throw new FormatError("dense fragment in a sparse array", { path: `${store.uri}/${fm.path}` });
          const ref = fragments[i] as FragmentRef;
          const dels = deletesFor(deletes, ref.name.t1);
          // Fragments consolidated with deletes record which deletes they already applied: not parsed.
          if (dels.length > 0 && fm.hasDeleteMeta)
            throw new UnsupportedFeatureError(
              "fragments consolidated with delete metadata are not supported",
              {
                path: `${store.uri}/${fm.path}`,
              },
            );
          const extra = extraAttributes(dels, schema, attributes);
          const res = await readSparseFragment(
            store,
            fm,
            fs,
            schema,
            ranges,
            [...attributes, ...extra],
            i,
            [tStart, tEnd],
            opts,
          );
          results.push(
            applyDeletes(res, dels, { t2: ref.name.t2, cellTimestamps: fm.hasTimestamps }, extra, schema),
          );
          if (request.signal?.aborted) throw new AbortError("read aborted", { path: store.uri });
        }
        if (results.length === 0) {
          columns = emptyColumns(schema, attributes, fillColumn);
        } else {
          const needDedup =
            !schema.allowsDups && (results.length > 1 || loaded.some((l) => l.meta.hasTimestamps));
          columns = mergeFragments(schema, results, needDedup);
        }
      }
      for (const a of schema.attributes) {
        const col = columns[a.name];
        if (col && a.enumeration) {
          const e = enumerations.get(a.enumeration);
          if (e) col.enumeration = e.values;
        }
      }
      return columns;
    },
  };
}

function emptyColumns(
  schema: ArraySchema,
  attributes: string[],
  fill: (a: ArraySchema["attributes"][number], n: number) => Column,
): Record<string, Column> {
  const out: Record<string, Column> = {};
  for (const d of schema.dimensions)
    out[d.name] = fill({ ...d, fill: new Uint8Array(0), nullable: false, fillValidity: 0 }, 0);
  for (const a of attributes) {
    const attr = schema.attributes.find((x) => x.name === a);
    if (attr) out[a] = fill(attr, 0);
  }
  return out;
}
