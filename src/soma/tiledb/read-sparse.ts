/** Sparse reads: R-tree pruning, per-tile cell filtering, attribute gathering, fragment merging. */
import { FormatError } from "../../errors.js";
import type { ByteStore } from "../../io/types.js";
import { utf8 } from "./bytes.js";
import { type Column, ColumnBuilder, gatherCells } from "./columns.js";
import { Datatype, datatypeSize } from "./datatypes.js";
import { FilterType, type Pipeline } from "./filters.js";
import type { DimRange, FragmentMetadata, RTree } from "./fragment-metadata.js";
import { classify, coordsAsNumbers, RangeSet, type Ranges } from "./ranges.js";
import type { ArraySchema, Attribute, Dimension } from "./schema.js";
import { VAR_NUM } from "./schema.js";
import { readTiles, type TileReadOptions } from "./tiles.js";

/** Leaf tiles of the R-tree that may hold cells in `ranges`; `full` marks tiles wholly inside. */
export function pruneTiles(rt: RTree, ranges: Ranges, tileCount: number): { tile: number; full: boolean }[] {
  const out: { tile: number; full: boolean }[] = [];
  const L = rt.levels.length;
  if (L === 0 || tileCount === 0) return out;
  if (ranges.every((r) => r === undefined)) {
    for (let t = 0; t < tileCount; t++) out.push({ tile: t, full: true });
    return out;
  }
  const leaves = (level: number, node: number): [number, number] => {
    const span = rt.fanout ** (L - 1 - level);
    return [node * span, Math.min((node + 1) * span, tileCount)];
  };
  const visit = (level: number, node: number): void => {
    const lv = rt.levels[level];
    if (!lv || node >= lv.count) return;
    let full = true;
    for (let d = 0; d < ranges.length; d++) {
      const c = classify(
        (lv.lo[d] as ArrayLike<number | string>)[node] as number | string,
        (lv.hi[d] as ArrayLike<number | string>)[node] as number | string,
        ranges[d],
      );
      if (c === 0) return;
      if (c === 1) full = false;
    }
    if (full || level === L - 1) {
      const [a, b] = leaves(level, node);
      for (let t = a; t < b; t++) out.push({ tile: t, full });
      return;
    }
    for (let k = node * rt.fanout; k < (node + 1) * rt.fanout; k++) visit(level + 1, k);
  };
  const root = rt.levels[0];
  for (let n = 0; n < (root?.count ?? 0); n++) visit(0, n);
  return out;
}

/** True when var-size strings are compressed whole (RLE/DICTIONARY) and their offsets file is not filtered. */
function skipsOffsets(field: Attribute | Dimension, version: number): boolean {
  const t = field.type;
  const has = (ft: number) => field.filters.filters.some((f) => f.type === ft);
  if (
    ((version >= 12 && t === Datatype.STRING_ASCII) || (version >= 17 && t === Datatype.STRING_UTF8)) &&
    has(FilterType.RLE)
  )
    return true;
  return (
    ((version >= 13 && t === Datatype.STRING_ASCII) || (version >= 17 && t === Datatype.STRING_UTF8)) &&
    has(FilterType.DICTIONARY)
  );
}

interface FieldTiles {
  fixed: Map<number, Uint8Array>;
  varData?: Map<number, Uint8Array>;
  validity?: Map<number, Uint8Array>;
}

/** Reads fixed, var and validity tiles of one field for the listed tiles. */
export async function readFieldTiles(
  store: ByteStore,
  meta: FragmentMetadata,
  schema: ArraySchema,
  field: Attribute | Dimension,
  kind: "attr" | "dim",
  index: number,
  tiles: number[],
  options?: TileReadOptions,
): Promise<FieldTiles> {
  const fieldIdx = kind === "attr" ? meta.attrIndex(index) : meta.dimIndex(index);
  const base = `${meta.path}/${meta.fileName(kind, index)}`;
  const isVar = field.cellValNum === VAR_NUM;
  const size = datatypeSize(field.type);
  const v = meta.version;
  if (isVar && skipsOffsets(field, v))
    return readRebuiltStrings(store, meta, schema, field, kind, fieldIdx, base, tiles, options);
  const offsets = await meta.tileOffsets(fieldIdx, options);
  const fixedPipe: Pipeline = isVar ? schema.offsetsFilters : field.filters;
  const fixedCtx = isVar
    ? { type: Datatype.UINT64, cellSize: 8, version: v }
    : { type: field.type, cellSize: size * field.cellValNum, version: v };
  const fileSize = meta.fileSizes[fieldIdx] ?? 0;
  const jobs: Promise<void>[] = [];
  const result: FieldTiles = { fixed: new Map() };
  jobs.push(
    readTiles(store, `${base}.tdb`, offsets, fileSize, tiles, fixedPipe, fixedCtx, options).then((m) => {
      result.fixed = m;
    }),
  );
  if (isVar) {
    jobs.push(
      (async () => {
        const vo = await meta.tileVarOffsets(fieldIdx, options);
        result.varData = await readTiles(
          store,
          `${base}_var.tdb`,
          vo,
          meta.fileVarSizes[fieldIdx] ?? 0,
          tiles,
          field.filters,
          { type: field.type, cellSize: size, version: v },
          options,
        );
      })(),
    );
  }
  if (kind === "attr" && (field as Attribute).nullable && v >= 7) {
    jobs.push(
      readValidityTiles(store, meta, schema, fieldIdx, base, tiles, options).then((m) => {
        result.validity = m;
      }),
    );
  }
  await Promise.all(jobs);
  return result;
}

/** Reads the `_validity.tdb` tiles (one byte per cell) of a nullable attribute. */
async function readValidityTiles(
  store: ByteStore,
  meta: FragmentMetadata,
  schema: ArraySchema,
  fieldIdx: number,
  base: string,
  tiles: number[],
  options?: TileReadOptions,
): Promise<Map<number, Uint8Array>> {
  const offsets = await meta.tileValidityOffsets(fieldIdx, options);
  return readTiles(
    store,
    `${base}_validity.tdb`,
    offsets,
    meta.fileValiditySizes[fieldIdx] ?? 0,
    tiles,
    schema.validityFilters,
    { type: Datatype.UINT8, cellSize: 1, version: meta.version },
    options,
  );
}

/** Var-size strings whose offsets file is empty: RLE/DICTIONARY rebuild offsets from the data tile. */
async function readRebuiltStrings(
  store: ByteStore,
  meta: FragmentMetadata,
  schema: ArraySchema,
  field: Attribute | Dimension,
  kind: "attr" | "dim",
  fieldIdx: number,
  base: string,
  tiles: number[],
  options?: TileReadOptions,
): Promise<FieldTiles> {
  const holders = new Map<number, { offsets?: number[] }>();
  const vo = await meta.tileVarOffsets(fieldIdx, options);
  const jobs: Promise<unknown>[] = [];
  const result: FieldTiles = { fixed: new Map() };
  jobs.push(
    readTiles(
      store,
      `${base}_var.tdb`,
      vo,
      meta.fileVarSizes[fieldIdx] ?? 0,
      tiles,
      field.filters,
      { type: field.type, cellSize: 1, version: meta.version },
      options,
      (t) => {
        const h = {};
        holders.set(t, h);
        return { stringOffsets: h };
      },
    ).then((m) => {
      result.varData = m;
    }),
  );
  if (kind === "attr" && (field as Attribute).nullable) {
    jobs.push(
      readValidityTiles(store, meta, schema, fieldIdx, base, tiles, options).then((m) => {
        result.validity = m;
      }),
    );
  }
  await Promise.all(jobs);
  for (const t of tiles) {
    const offs = holders.get(t)?.offsets;
    if (!offs)
      throw new FormatError(`no string offsets rebuilt for tile ${t} of '${field.name}'`, {
        path: `${store.uri}/${base}`,
      });
    const bytes = new Uint8Array(offs.length * 8);
    const view = new DataView(bytes.buffer);
    for (const [i, o] of offs.entries()) view.setBigUint64(i * 8, BigInt(o), true);
    result.fixed.set(t, bytes);
  }
  return result;
}

/**
 * Before format v5 all coordinates share one `__coords.tdb` file. After unfiltering they are stored
 * split (all values of dimension 0, then dimension 1, …) unless the fragment is v1 without compression,
 * where they stay zipped cell by cell.
 */
async function readZippedCoords(
  store: ByteStore,
  meta: FragmentMetadata,
  schema: ArraySchema,
  tiles: number[],
  options?: TileReadOptions,
): Promise<FieldTiles[]> {
  const D = schema.dimensions.length;
  const type = schema.dimensions[0]?.type ?? Datatype.INT32;
  const size = datatypeSize(type);
  const f = meta.dimIndex(0);
  const coords = await readTiles(
    store,
    `${meta.path}/__coords.tdb`,
    await meta.tileOffsets(f, options),
    meta.fileSizes[f] ?? 0,
    tiles,
    schema.coordsFilters,
    { type, cellSize: D * size, version: meta.version },
    options,
  );
  const compressed = schema.coordsFilters.filters.some((x) => x.type !== FilterType.NONE);
  const split = meta.version > 1 || compressed;
  const out: FieldTiles[] = schema.dimensions.map(() => ({ fixed: new Map() }));
  for (const [t, bytes] of coords) {
    const n = bytes.byteLength / (D * size);
    for (let d = 0; d < D; d++) {
      let dim: Uint8Array;
      if (split) dim = bytes.subarray(d * n * size, (d + 1) * n * size);
      else {
        dim = new Uint8Array(n * size);
        for (let i = 0; i < n; i++)
          dim.set(bytes.subarray((i * D + d) * size, (i * D + d + 1) * size), i * size);
      }
      (out[d] as FieldTiles).fixed.set(t, dim);
    }
  }
  return out;
}

function varOffsets(fixed: Uint8Array): Float64Array {
  return coordsAsNumbers(fixed, Datatype.UINT64);
}

/** Per-tile string values of a var-size string dimension. */
function varStrings(fixed: Uint8Array, data: Uint8Array): string[] {
  const offs = varOffsets(fixed);
  const out: string[] = [];
  for (let i = 0; i < offs.length; i++)
    out.push(
      utf8.decode(
        data.subarray(offs[i] as number, i + 1 < offs.length ? (offs[i + 1] as number) : data.byteLength),
      ),
    );
  return out;
}

export interface FragmentResult {
  columns: Record<string, Column>;
  /** Per cell: the value used to break ties between duplicates (higher = newer). */
  priority: Float64Array;
  count: number;
}

/**
 * Reads one sparse fragment. `readSchema` is the schema the caller reports (attributes missing from
 * the fragment's own schema are filled); `fragSchema` is the schema the fragment was written with.
 */
export async function readSparseFragment(
  store: ByteStore,
  meta: FragmentMetadata,
  fragSchema: ArraySchema,
  readSchema: ArraySchema,
  ranges: Ranges,
  attributes: string[],
  priorityBase: number,
  timeRange: [number, number],
  options?: TileReadOptions,
): Promise<FragmentResult> {
  const rt = await meta.rtree(options);
  const selected = pruneTiles(rt, ranges, meta.tileCount);
  const tiles = selected.map((s) => s.tile);
  const D = fragSchema.dimensions.length;
  // Dimensions first: they decide which cells are kept.
  const dimTiles =
    meta.version < 5
      ? await readZippedCoords(store, meta, fragSchema, tiles, options)
      : await Promise.all(
          fragSchema.dimensions.map((dim, d) =>
            readFieldTiles(store, meta, fragSchema, dim, "dim", d, tiles, options),
          ),
        );
  let tsTiles: Map<number, Uint8Array> | undefined;
  if (meta.hasTimestamps) {
    const f = meta.timestampIndex();
    tsTiles = await readTiles(
      store,
      `${meta.path}/t.tdb`,
      await meta.tileOffsets(f, options),
      meta.fileSizes[f] ?? 0,
      tiles,
      fragSchema.coordsFilters,
      { type: Datatype.UINT64, cellSize: 8, version: meta.version },
      options,
    );
  }
  const keep = new Map<number, { idx: Uint32Array; all: boolean }>();
  const priorities: Float64Array[] = [];
  // Sorted, merged ranges per dimension (built once per read, not per cell).
  const sets = ranges.map((r) => (r ? new RangeSet<number | string>(r) : undefined));
  for (const { tile, full } of selected) {
    // Coordinates are decoded only for dimensions that are tested.
    const coordsOf = (d: number): ArrayLike<number | string> => {
      const dim = fragSchema.dimensions[d] as Dimension;
      const t = dimTiles[d] as FieldTiles;
      const fixed = t.fixed.get(tile) as Uint8Array;
      return dim.cellValNum === VAR_NUM
        ? varStrings(fixed, t.varData?.get(tile) as Uint8Array)
        : coordsAsNumbers(fixed, dim.type);
    };
    const d0 = fragSchema.dimensions[0];
    const fixed0 = (dimTiles[0] as FieldTiles | undefined)?.fixed.get(tile);
    const n =
      !d0 || !fixed0
        ? 0
        : d0.cellValNum === VAR_NUM
          ? fixed0.byteLength / 8
          : fixed0.byteLength / datatypeSize(d0.type);
    const ts = tsTiles ? coordsAsNumbers(tsTiles.get(tile) as Uint8Array, Datatype.UINT64) : undefined;
    let idx: Uint32Array;
    let all = full && !ts;
    if (all) {
      idx = new Uint32Array(n);
      for (let i = 0; i < n; i++) idx[i] = i;
    } else {
      const mask = new Uint8Array(n).fill(1);
      if (!full)
        for (let d = 0; d < D; d++) {
          const set = sets[d];
          if (!set) continue;
          const vals = coordsOf(d);
          for (let i = 0; i < n; i++) if (mask[i] && !set.has(vals[i] as number | string)) mask[i] = 0;
        }
      if (ts) {
        const [t0, t1] = timeRange;
        for (let i = 0; i < n; i++) if ((ts[i] as number) < t0 || (ts[i] as number) > t1) mask[i] = 0;
      }
      let kept = 0;
      for (let i = 0; i < n; i++) kept += mask[i] as number;
      idx = new Uint32Array(kept);
      for (let i = 0, k = 0; i < n; i++) if (mask[i]) idx[k++] = i;
      all = kept === n;
    }
    keep.set(tile, { idx, all });
    const pr = new Float64Array(idx.length);
    for (let k = 0; k < idx.length; k++) pr[k] = ts ? (ts[idx[k] as number] as number) : priorityBase;
    priorities.push(pr);
  }
  const columns: Record<string, Column> = {};
  const collect = (field: Attribute | Dimension, t: FieldTiles, nullable: boolean): Column => {
    const b = new ColumnBuilder(field, nullable);
    const cellBytes = datatypeSize(field.type) * (field.cellValNum === VAR_NUM ? 1 : field.cellValNum);
    for (const { tile } of selected) {
      const { idx, all } = keep.get(tile) as { idx: Uint32Array; all: boolean };
      const fixed = t.fixed.get(tile);
      if (!fixed)
        throw new FormatError(`tile ${tile} of '${field.name}' missing`, {
          path: `${store.uri}/${meta.path}`,
        });
      if (field.cellValNum === VAR_NUM) b.addVar(varOffsets(fixed), t.varData?.get(tile) as Uint8Array, idx);
      else if (b.isString) b.addFixedStrings(gatherCells(fixed, cellBytes, idx, all), cellBytes);
      else b.addFixed(gatherCells(fixed, cellBytes, idx, all));
      if (nullable) {
        const v = t.validity?.get(tile);
        b.addValidity(v ? gatherCells(v, 1, idx, all) : new Uint8Array(idx.length).fill(1));
      }
    }
    return b.build();
  };
  fragSchema.dimensions.forEach((dim, d) => {
    columns[dim.name] = collect(dim, dimTiles[d] as FieldTiles, false);
  });
  const total = priorities.reduce((s, p) => s + p.length, 0);
  for (const name of attributes) {
    const attr = readSchema.attributes.find((a) => a.name === name) as Attribute;
    const fi = fragSchema.attributes.findIndex((a) => a.name === name);
    if (fi < 0) {
      columns[name] = fillColumn(attr, total);
      continue;
    }
    const t = await readFieldTiles(
      store,
      meta,
      fragSchema,
      fragSchema.attributes[fi] as Attribute,
      "attr",
      fi,
      tiles,
      options,
    );
    columns[name] = collect(attr, t, attr.nullable);
  }
  const priority = new Float64Array(total);
  let o = 0;
  for (const p of priorities) {
    priority.set(p, o);
    o += p.length;
  }
  return { columns, priority, count: total };
}

/** A column of `n` fill values (null when nullable), for attributes a fragment does not have. */
export function fillColumn(attr: Attribute, n: number): Column {
  const b = new ColumnBuilder(attr, attr.nullable);
  if (attr.cellValNum === VAR_NUM) {
    const offs = new Float64Array(n);
    const data = new Uint8Array(attr.fill.byteLength * n);
    for (let i = 0; i < n; i++) {
      offs[i] = i * attr.fill.byteLength;
      data.set(attr.fill, i * attr.fill.byteLength);
    }
    b.addVar(
      offs,
      data,
      Uint32Array.from({ length: n }, (_, i) => i),
    );
  } else {
    const data = new Uint8Array(attr.fill.byteLength * n);
    for (let i = 0; i < n; i++) data.set(attr.fill, i * attr.fill.byteLength);
    if (b.isString) b.addFixedStrings(data, attr.fill.byteLength);
    else b.addFixed(data);
  }
  if (attr.nullable) b.addValidity(new Uint8Array(n).fill(attr.fillValidity ? 1 : 0));
  return b.build();
}

export type { DimRange };
