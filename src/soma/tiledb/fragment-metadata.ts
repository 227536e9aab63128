/**
 * Fragment metadata (`__fragment_metadata.tdb`): the footer, read eagerly, and the sections it points
 * to (R-tree, per-field tile offsets and var sizes), each a generic tile loaded on first use.
 */
import { FormatError } from "../../errors.js";
import type { ByteStore, ReadOptions } from "../../io/types.js";
import { Reader, utf8 } from "./bytes.js";
import { datatypeSize, readScalar } from "./datatypes.js";
import type { FragmentRef } from "./fragments.js";
import { readGenericTile } from "./generic-tile.js";
import { type ArraySchema, VAR_NUM } from "./schema.js";

/** A per-dimension range: numbers for numeric dims (int64 converted), strings for string dims. */
export type DimRange = [number, number] | [string, string];

/** R-tree levels, root first; each level holds per-dimension lo/hi arrays of its MBRs. */
export interface RTree {
  fanout: number;
  levels: { lo: (Float64Array | string[])[]; hi: (Float64Array | string[])[]; count: number }[];
}

export interface FragmentMetadata {
  ref: FragmentRef;
  /** Folder path relative to the array. */
  path: string;
  version: number;
  schemaName: string;
  dense: boolean;
  /** Non-empty domain per dimension. */
  nonEmptyDomain: DimRange[] | undefined;
  sparseTileNum: number;
  lastTileCellNum: number;
  hasTimestamps: boolean;
  hasDeleteMeta: boolean;
  fileSizes: number[];
  fileVarSizes: number[];
  fileValiditySizes: number[];
  /** Field index of each attribute / dimension in the per-field arrays. */
  attrIndex(i: number): number;
  dimIndex(d: number): number;
  timestampIndex(): number;
  /** Data file name (without `.tdb`) of a field. */
  fileName(field: "attr" | "dim", i: number): string;
  rtree(options?: ReadOptions): Promise<RTree>;
  tileOffsets(field: number, options?: ReadOptions): Promise<Float64Array>;
  tileVarOffsets(field: number, options?: ReadOptions): Promise<Float64Array>;
  tileVarSizes(field: number, options?: ReadOptions): Promise<Float64Array>;
  tileValidityOffsets(field: number, options?: ReadOptions): Promise<Float64Array>;
  /** Number of tiles (sparse: from the footer). */
  tileCount: number;
}

function readRange(r: Reader, schema: ArraySchema, d: number): DimRange {
  const dim = schema.dimensions[d];
  if (!dim) throw new FormatError(`no dimension ${d}`, { path: r.where });
  if (dim.cellValNum === VAR_NUM) {
    const size = r.u64();
    const start = r.u64();
    const b = r.bytesView(size);
    return [utf8.decode(b.subarray(0, start)), utf8.decode(b.subarray(start))];
  }
  const s = datatypeSize(dim.type);
  const view = new DataView(r.bytes.buffer, r.bytes.byteOffset + r.pos, 2 * s);
  r.skip(2 * s);
  return [Number(readScalar(view, 0, dim.type)), Number(readScalar(view, s, dim.type))];
}

function readU64s(r: Reader, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(r.u64());
  return out;
}

/** The footer's length for fixed-size-dimension fragments before v10, which store none. */
function computedFooterSize(version: number, schema: ArraySchema): number {
  const A = schema.attributes.length;
  const D = schema.dimensions.length;
  const ned = schema.dimensions.reduce((s, d) => s + 2 * datatypeSize(d.type), 0);
  const base = 4 + 1 + 1 + ned + 8 + 8;
  if (version < 5) return base + (A + 1) * 8 + A * 8 + 8 + (A + 1) * 8 + 2 * A * 8;
  const num = A + D + 1;
  if (version < 7) return base + 2 * num * 8 + 8 + 3 * num * 8;
  return base + 3 * num * 8 + 8 + 4 * num * 8;
}

/**
 * Loads one fragment's footer. `schemas` maps schema file names to schemas; `legacySchema` is the
 * schema used by fragments older than v10 (which name none).
 */
export async function loadFragmentMetadata(
  store: ByteStore,
  ref: FragmentRef,
  schemas: Map<string, ArraySchema>,
  options?: ReadOptions,
  /** The footer taken from a consolidated `__fragment_meta/*.meta` file, which saves its reads. */
  consolidatedFooter?: Uint8Array,
): Promise<{ meta: FragmentMetadata; schema: ArraySchema }> {
  const file = `${ref.path}/__fragment_metadata.tdb`;
  const where = `${store.uri}/${file}`;
  const listing = await store.list(ref.path, options);
  const entry = listing.find((e) => e.name === "__fragment_metadata.tdb");
  if (!entry || entry.size === undefined)
    throw new FormatError("fragment has no __fragment_metadata.tdb", { path: `${store.uri}/${ref.path}` });
  const fileSize = entry.size;
  const nameVersion = ref.name.version;
  if (ref.name.uuidFirst || (nameVersion !== undefined && nameVersion <= 2))
    return loadV1V2(store, ref, file, where, schemas, options);
  // The footer version decides how to find it: read the last u64 first (v10+ and var-size dims).
  const legacy = schemas.get("__array_schema.tdb");
  // Sections end where the footer starts (or, with a consolidated footer, at most at the file end).
  let footerOffset = fileSize;
  let footerSize: number;
  const version0 = nameVersion ?? 3;
  const allFixed = (s: ArraySchema | undefined) => !!s && s.dimensions.every((d) => d.cellValNum !== VAR_NUM);
  if (consolidatedFooter) {
    footerSize = consolidatedFooter.byteLength;
  } else if (version0 < 10 && allFixed(legacy)) {
    footerSize = computedFooterSize(version0, legacy as ArraySchema);
    footerOffset = fileSize - footerSize;
  } else {
    const tail = new Reader(await store.getRange(file, fileSize - 8, 8, options), where);
    footerSize = tail.u64();
    footerOffset = fileSize - 8 - footerSize;
  }
  if (footerOffset < 0)
    throw new FormatError("fragment metadata footer does not fit the file", { path: where });
  const footer = consolidatedFooter ?? (await store.getRange(file, footerOffset, footerSize, options));
  const r = new Reader(footer, where);
  const version = r.u32();
  let schemaName = "__array_schema.tdb";
  if (version >= 10) {
    // Some v10 writers (pre-release) stored no schema name: detect by the byte that would be `dense`.
    const save = r.pos;
    const len = r.remaining >= 8 ? Number(r.view.getBigUint64(r.pos, true)) : 0;
    if (len > 0 && len < 4096 && len <= r.remaining - 8) {
      r.skip(8);
      const n = r.string(len);
      if (schemas.has(n)) schemaName = n;
      else r.pos = save;
    }
  }
  const schema = schemas.get(schemaName) ?? legacy ?? [...schemas.values()][0];
  if (!schema) throw new FormatError(`fragment names unknown schema ${schemaName}`, { path: where });
  const dense = r.u8() !== 0;
  const A = schema.attributes.length;
  const D = schema.dimensions.length;
  let nonEmptyDomain: DimRange[] | undefined;
  if (r.u8() === 0) nonEmptyDomain = schema.dimensions.map((_, d) => readRange(r, schema, d));
  else if (version < 5) r.skip(schema.dimensions.reduce((s, d) => s + 2 * datatypeSize(d.type), 0));
  const sparseTileNum = r.u64();
  const lastTileCellNum = r.u64();
  const hasTimestamps = version >= 14 ? r.u8() !== 0 : false;
  const hasDeleteMeta = version >= 15 ? r.u8() !== 0 : false;
  const num = version < 5 ? A + 1 : A + D + 1 + (hasTimestamps ? 1 : 0) + (hasDeleteMeta ? 2 : 0);
  const fileSizes = readU64s(r, num);
  const fileVarSizes = readU64s(r, version < 5 ? A : num);
  const fileValiditySizes = version >= 7 ? readU64s(r, num) : [];
  const rtreeOffset = r.u64();
  const tileOffsetsOff = readU64s(r, num);
  const tileVarOffsetsOff = readU64s(r, version < 5 ? A : num);
  const tileVarSizesOff = readU64s(r, version < 5 ? A : num);
  const tileValidityOff = version >= 7 ? readU64s(r, num) : [];
  // Later sections (tile min/max/sum/null counts, processed conditions, optional sections) are not needed.

  // Each section ends where the next one (or the footer) starts.
  const starts = [
    rtreeOffset,
    ...tileOffsetsOff,
    ...tileVarOffsetsOff,
    ...tileVarSizesOff,
    ...tileValidityOff,
    footerOffset,
  ].sort((a, b) => a - b);
  if (version >= 11) {
    // min/max/sum/null-count sections sit between; they are listed after the validity offsets.
    const more = readU64s(r, 4 * num);
    starts.push(...more);
    if (version >= 12) starts.push(r.u64());
    starts.sort((a, b) => a - b);
  }
  const sectionEnd = (off: number): number => {
    for (const s of starts) if (s > off) return s;
    return footerOffset;
  };
  const cache = new Map<number, Promise<Uint8Array>>();
  const section = (off: number, opts?: ReadOptions): Promise<Uint8Array> => {
    let p = cache.get(off);
    if (!p) {
      p = store
        .getRange(file, off, sectionEnd(off) - off, opts)
        .then((bytes) => readGenericTile(bytes, `${where}@${off}`).data);
      p.catch(() => cache.delete(off));
      cache.set(off, p);
    }
    return p;
  };
  const u64Section = async (offs: number[], field: number, opts?: ReadOptions): Promise<Float64Array> => {
    const off = offs[field];
    if (off === undefined) throw new FormatError(`no tile offsets for field ${field}`, { path: where });
    const data = await section(off, opts);
    const rr = new Reader(data, where);
    const n = rr.u64();
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = rr.u64();
    return out;
  };
  let rtreePromise: Promise<RTree> | undefined;
  const meta: FragmentMetadata = {
    ref,
    path: ref.path,
    version,
    schemaName,
    dense,
    nonEmptyDomain,
    sparseTileNum,
    lastTileCellNum,
    hasTimestamps,
    hasDeleteMeta,
    fileSizes,
    fileVarSizes,
    fileValiditySizes,
    tileCount: sparseTileNum,
    attrIndex: (i) => i,
    dimIndex: (d) => (version < 5 ? A : A + 1 + d),
    timestampIndex: () => A + D + 1,
    fileName(field, i) {
      if (version >= 9) return field === "attr" ? `a${i}` : `d${i}`;
      if (field === "dim" && version < 5) return "__coords";
      const n = field === "attr" ? (schema.attributes[i]?.name ?? "") : (schema.dimensions[i]?.name ?? "");
      return version === 8 ? encodeV8(n) : n;
    },
    rtree(opts) {
      if (!rtreePromise) {
        rtreePromise = section(rtreeOffset, opts).then((data) => parseRTree(data, schema, version, where));
        rtreePromise.catch(() => {
          rtreePromise = undefined;
        });
      }
      return rtreePromise;
    },
    tileOffsets: (f, o) => u64Section(tileOffsetsOff, f, o),
    tileVarOffsets: (f, o) => u64Section(tileVarOffsetsOff, f, o),
    tileVarSizes: (f, o) => u64Section(tileVarSizesOff, f, o),
    tileValidityOffsets: (f, o) => u64Section(tileValidityOff, f, o),
  };
  return { meta, schema };
}

function encodeV8(name: string): string {
  const table: Record<string, string> = {
    "!": "%21",
    "#": "%23",
    $: "%24",
    "%": "%25",
    "&": "%26",
    "'": "%27",
    "(": "%28",
    ")": "%29",
    "*": "%2A",
    "+": "%2B",
    ",": "%2C",
    "/": "%2F",
    ":": "%3A",
    ";": "%3B",
    "=": "%3D",
    "?": "%3F",
    "@": "%40",
    "[": "%5B",
    "]": "%5D",
    '"': "%22",
    "<": "%20",
    ">": "%2D",
    "\\": "%30",
    "|": "%3C",
  };
  let out = "";
  for (const c of name) out += table[c] ?? c;
  return out;
}

function parseRTree(data: Uint8Array, schema: ArraySchema, version: number, where: string): RTree {
  const r = new Reader(data, where);
  if (version < 5) {
    r.u32();
  }
  const fanout = r.u32();
  if (version < 5) r.u8();
  const nLevels = r.u32();
  const D = schema.dimensions.length;
  const levels: RTree["levels"] = [];
  for (let l = 0; l < nLevels; l++) {
    const count = r.u64();
    const lo: (Float64Array | string[])[] = [];
    const hi: (Float64Array | string[])[] = [];
    for (const dim of schema.dimensions) {
      const isVar = dim.cellValNum === VAR_NUM;
      lo.push(isVar ? new Array<string>(count) : new Float64Array(count));
      hi.push(isVar ? new Array<string>(count) : new Float64Array(count));
    }
    for (let m = 0; m < count; m++) {
      for (let d = 0; d < D; d++) {
        const [a, b] = readRange(r, schema, d);
        (lo[d] as (number | string)[])[m] = a;
        (hi[d] as (number | string)[])[m] = b;
      }
    }
    levels.push({ lo, hi, count });
  }
  return { fanout, levels };
}

/**
 * Format versions 1–2: the whole file is one generic tile holding the non-empty domain, every MBR,
 * bounding coordinates (skipped), and the per-field tile offsets, all preloaded.
 */
async function loadV1V2(
  store: ByteStore,
  ref: FragmentRef,
  file: string,
  where: string,
  schemas: Map<string, ArraySchema>,
  options?: ReadOptions,
): Promise<{ meta: FragmentMetadata; schema: ArraySchema }> {
  const schema = schemas.get("__array_schema.tdb");
  if (!schema) throw new FormatError("format v1–2 fragment without __array_schema.tdb", { path: where });
  const r = new Reader(readGenericTile(await store.get(file, options), where).data, where);
  const version = r.u32();
  const A = schema.attributes.length;
  const D = schema.dimensions.length;
  const coordBytes = schema.dimensions.reduce((s, d) => s + 2 * datatypeSize(d.type), 0);
  const domSize = r.u64();
  let nonEmptyDomain: DimRange[] | undefined;
  if (domSize !== 0) nonEmptyDomain = schema.dimensions.map((_, d) => readRange(r, schema, d));
  const mbrNum = r.u64();
  const lo: Float64Array[] = schema.dimensions.map(() => new Float64Array(mbrNum));
  const hi: Float64Array[] = schema.dimensions.map(() => new Float64Array(mbrNum));
  for (let m = 0; m < mbrNum; m++)
    for (let d = 0; d < D; d++) {
      const [a, b] = readRange(r, schema, d) as [number, number];
      (lo[d] as Float64Array)[m] = a;
      (hi[d] as Float64Array)[m] = b;
    }
  r.skip(r.u64() * coordBytes); // bounding coordinates
  const lists = (n: number) => {
    const out: Float64Array[] = [];
    for (let i = 0; i < n; i++) {
      const k = r.u64();
      const v = new Float64Array(k);
      for (let j = 0; j < k; j++) v[j] = r.u64();
      out.push(v);
    }
    return out;
  };
  const tileOffsets = lists(A + 1);
  const tileVarOffsets = lists(A);
  const tileVarSizes = lists(A);
  const lastTileCellNum = r.u64();
  const fileSizes = readU64s(r, A + 1);
  const fileVarSizes = readU64s(r, A);
  const get = (arr: Float64Array[], f: number) => Promise.resolve(arr[f] ?? new Float64Array(0));
  const rtree: RTree = { fanout: Math.max(1, mbrNum), levels: mbrNum > 0 ? [{ lo, hi, count: mbrNum }] : [] };
  const meta: FragmentMetadata = {
    ref,
    path: ref.path,
    version,
    schemaName: "__array_schema.tdb",
    dense: mbrNum === 0 && schema.arrayType === "dense",
    nonEmptyDomain,
    sparseTileNum: mbrNum,
    lastTileCellNum,
    hasTimestamps: false,
    hasDeleteMeta: false,
    fileSizes,
    fileVarSizes,
    fileValiditySizes: [],
    tileCount: mbrNum,
    attrIndex: (i) => i,
    dimIndex: () => A,
    timestampIndex: () => A + D + 1,
    fileName: (field, i) => (field === "dim" ? "__coords" : (schema.attributes[i]?.name ?? "")),
    rtree: () => Promise.resolve(rtree),
    tileOffsets: (f) => get(tileOffsets, f),
    tileVarOffsets: (f) => get(tileVarOffsets, f),
    tileVarSizes: (f) => get(tileVarSizes, f),
    tileValidityOffsets: () => Promise.resolve(new Float64Array(0)),
  };
  return { meta, schema };
}
