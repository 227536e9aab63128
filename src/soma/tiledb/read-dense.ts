/**
 * Dense reads: the requested box (default: the union of the fragments' non-empty domains) is filled
 * with fill values, then each fragment, oldest first, overwrites the cells of its non-empty domain.
 * Dense fragments store whole space tiles in tile order, cells in cell order; sparse fragments of a
 * dense array are read as sparse and scattered.
 */
import { InvalidArgumentError, UnsupportedFeatureError } from "../../errors.js";
import type { ByteStore } from "../../io/types.js";
import { copyBytes, utf8 } from "./bytes.js";
import type { Column } from "./columns.js";
import {
  Datatype,
  datatypeSize,
  isDateTime,
  isStringType,
  type NumericArray,
  typedArrayFor,
  viewAs,
} from "./datatypes.js";
import type { FragmentMetadata } from "./fragment-metadata.js";
import { coordsAsNumbers, type Ranges } from "./ranges.js";
import { readFieldTiles, readSparseFragment } from "./read-sparse.js";
import type { ArraySchema, Attribute } from "./schema.js";
import { VAR_NUM } from "./schema.js";
import type { TileReadOptions } from "./tiles.js";

interface Target {
  attr: Attribute;
  cellBytes: number;
  fixed?: Uint8Array;
  varCells?: Uint8Array[];
  validity?: Uint8Array;
}

export interface DenseOptions extends TileReadOptions {
  /** Also return dimension coordinate columns (default true). */
  coordinates?: boolean;
}

export async function readDense(
  store: ByteStore,
  schema: ArraySchema,
  fragments: { meta: FragmentMetadata; schema: ArraySchema }[],
  ranges: Ranges,
  attributes: string[],
  options?: DenseOptions,
): Promise<Record<string, Column>> {
  const D = schema.dimensions.length;
  for (const d of schema.dimensions)
    if (d.cellValNum === VAR_NUM || d.extent === undefined || !d.domain)
      throw new UnsupportedFeatureError(`dense dimension '${d.name}' without a fixed domain and extent`, {
        path: store.uri,
      });
  const dlo = schema.dimensions.map((d) => Number(d.domain?.[0]));
  const ext = schema.dimensions.map((d) => Number(d.extent));
  // The box to return.
  const box: [number, number][] = [];
  for (let d = 0; d < D; d++) {
    const r = ranges[d];
    if (r) {
      if (r.length !== 1)
        throw new InvalidArgumentError("dense reads take one range per dimension", { path: store.uri });
      box.push([Number(r[0]?.[0]), Number(r[0]?.[1])]);
      continue;
    }
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const f of fragments) {
      const ned = f.meta.nonEmptyDomain?.[d];
      if (!ned) continue;
      lo = Math.min(lo, Number(ned[0]));
      hi = Math.max(hi, Number(ned[1]));
    }
    box.push(lo <= hi ? [lo, hi] : [0, -1]);
  }
  const shape = box.map(([a, b]) => Math.max(0, b - a + 1));
  const n = shape.reduce((s, x) => s * x, 1);
  const stride: number[] = new Array(D).fill(1);
  for (let d = D - 2; d >= 0; d--) stride[d] = (stride[d + 1] as number) * (shape[d + 1] as number);

  const targets: Target[] = attributes.map((name) => {
    const attr = schema.attributes.find((a) => a.name === name) as Attribute;
    const t: Target = {
      attr,
      cellBytes: datatypeSize(attr.type) * (attr.cellValNum === VAR_NUM ? 1 : attr.cellValNum),
    };
    if (attr.cellValNum === VAR_NUM) t.varCells = new Array<Uint8Array>(n).fill(attr.fill);
    else {
      t.fixed = new Uint8Array(n * t.cellBytes);
      for (let i = 0; i < n; i++) t.fixed.set(attr.fill, i * t.cellBytes);
    }
    if (attr.nullable) t.validity = new Uint8Array(n).fill(attr.fillValidity ? 1 : 0);
    return t;
  });

  for (let fi = 0; fi < fragments.length; fi++) {
    const { meta, schema: fs } = fragments[fi] as { meta: FragmentMetadata; schema: ArraySchema };
    if (!meta.nonEmptyDomain) continue;
    if (!meta.dense) {
      await scatterSparse(store, meta, fs, schema, box, stride, targets, fi, options);
      continue;
    }
    const ned = meta.nonEmptyDomain.map(([a, b]) => [Number(a), Number(b)] as [number, number]);
    // Tiles of the fragment: its non-empty domain expanded to tile boundaries.
    const t0 = ned.map(([a], d) => Math.floor((a - (dlo[d] as number)) / (ext[d] as number)));
    const t1 = ned.map(([, b], d) => Math.floor((b - (dlo[d] as number)) / (ext[d] as number)));
    const grid = t0.map((a, d) => (t1[d] as number) - a + 1);
    const tileOrder =
      schema.tileOrder === "col-major" ? [...Array(D).keys()] : [...Array(D).keys()].reverse(); // fastest first
    const cellColMajor = schema.cellOrder === "col-major";
    // Tiles overlapping the box ∩ NED.
    const want: { index: number; cellLo: number[]; lo: number[]; hi: number[] }[] = [];
    const total = grid.reduce((s, g) => s * g, 1);
    for (let index = 0; index < total; index++) {
      let rem = index;
      const tc: number[] = new Array(D).fill(0);
      for (const d of tileOrder) {
        tc[d] = rem % (grid[d] as number);
        rem = Math.floor(rem / (grid[d] as number));
      }
      const cellLo = tc.map((t, d) => (dlo[d] as number) + ((t0[d] as number) + t) * (ext[d] as number));
      const lo: number[] = [];
      const hi: number[] = [];
      let empty = false;
      for (let d = 0; d < D; d++) {
        const a = Math.max(
          cellLo[d] as number,
          (ned[d] as [number, number])[0],
          (box[d] as [number, number])[0],
        );
        const b = Math.min(
          (cellLo[d] as number) + (ext[d] as number) - 1,
          (ned[d] as [number, number])[1],
          (box[d] as [number, number])[1],
        );
        if (a > b) empty = true;
        lo.push(a);
        hi.push(b);
      }
      if (!empty) want.push({ index, cellLo, lo, hi });
    }
    if (want.length === 0) continue;
    const tileIdx = want.map((w) => w.index);
    for (const t of targets) {
      const ai = fs.attributes.findIndex((a) => a.name === t.attr.name);
      if (ai < 0) continue; // keeps the fill value
      const tiles = await readFieldTiles(
        store,
        meta,
        fs,
        fs.attributes[ai] as Attribute,
        "attr",
        ai,
        tileIdx,
        options,
      );
      // Cell strides inside a tile, per its cell order.
      const tstride: number[] = new Array(D).fill(1);
      if (cellColMajor)
        for (let d = 1; d < D; d++) tstride[d] = (tstride[d - 1] as number) * (ext[d - 1] as number);
      else for (let d = D - 2; d >= 0; d--) tstride[d] = (tstride[d + 1] as number) * (ext[d + 1] as number);
      for (const w of want) {
        const fixed = tiles.fixed.get(w.index) as Uint8Array;
        const varData = tiles.varData?.get(w.index);
        const validity = tiles.validity?.get(w.index);
        const offs = t.varCells ? coordsAsNumbers(fixed, Datatype.UINT64) : undefined;
        const nCells = offs?.length ?? 0;
        // Odometer over the box with the last dimension innermost.
        const x = w.lo.slice();
        const runLen = (w.hi[D - 1] as number) - (w.lo[D - 1] as number) + 1;
        const contiguous = !cellColMajor || D === 1;
        for (;;) {
          let outIdx = 0;
          let inIdx = 0;
          for (let d = 0; d < D; d++) {
            outIdx += ((x[d] as number) - (box[d] as [number, number])[0]) * (stride[d] as number);
            inIdx += ((x[d] as number) - (w.cellLo[d] as number)) * (tstride[d] as number);
          }
          const innerIn = tstride[D - 1] as number;
          if (t.fixed && contiguous) {
            t.fixed.set(
              fixed.subarray(inIdx * t.cellBytes, (inIdx + runLen) * t.cellBytes),
              outIdx * t.cellBytes,
            );
          } else {
            for (let k = 0; k < runLen; k++) {
              const src = inIdx + k * innerIn;
              const dst = outIdx + k;
              if (t.fixed)
                t.fixed.set(fixed.subarray(src * t.cellBytes, (src + 1) * t.cellBytes), dst * t.cellBytes);
              else if (t.varCells && offs && varData) {
                const s = offs[src] as number;
                const e = src + 1 < nCells ? (offs[src + 1] as number) : varData.byteLength;
                t.varCells[dst] = varData.subarray(s, e);
              }
            }
          }
          if (t.validity) {
            for (let k = 0; k < runLen; k++)
              t.validity[outIdx + k] = validity ? (validity[inIdx + k * innerIn] as number) : 1;
          }
          // Advance the odometer over dims 0..D-2.
          let d = D - 2;
          while (d >= 0) {
            x[d] = (x[d] as number) + 1;
            if ((x[d] as number) <= (w.hi[d] as number)) break;
            x[d] = w.lo[d] as number;
            d--;
          }
          if (d < 0) break;
        }
      }
    }
  }

  const out: Record<string, Column> = {};
  if (options?.coordinates !== false) {
    schema.dimensions.forEach((dim, d) => {
      const C = typedArrayFor(dim.type);
      const arr = new C(n) as unknown as { [i: number]: number | bigint };
      const big = dim.type === Datatype.INT64 || dim.type === Datatype.UINT64 || isDateTime(dim.type);
      const period = (shape[d] as number) * (stride[d] as number);
      for (let i = 0; i < n; i++) {
        const v = (box[d] as [number, number])[0] + Math.floor((i % period) / (stride[d] as number));
        arr[i] = big ? BigInt(v) : v;
      }
      out[dim.name] = { type: dim.type, data: arr as unknown as NumericArray };
    });
  }
  for (const t of targets) {
    let data: Column["data"];
    if (t.varCells) {
      data = isStringType(t.attr.type)
        ? t.varCells.map((b) => utf8.decode(b))
        : t.varCells.map((b) => viewAs(copyBytes(b), t.attr.type));
    } else if (isStringType(t.attr.type)) {
      const f = t.fixed as Uint8Array;
      data = Array.from({ length: n }, (_, i) =>
        utf8.decode(f.subarray(i * t.cellBytes, (i + 1) * t.cellBytes)),
      );
    } else data = viewAs(t.fixed as Uint8Array, t.attr.type);
    const col: Column = { type: t.attr.type, data };
    if (t.validity) col.validity = t.validity;
    out[t.attr.name] = col;
  }
  return out;
}

/** Writes the cells of a sparse fragment of a dense array into the output box. */
async function scatterSparse(
  store: ByteStore,
  meta: FragmentMetadata,
  fs: ArraySchema,
  schema: ArraySchema,
  box: [number, number][],
  stride: number[],
  targets: Target[],
  priority: number,
  options?: TileReadOptions,
): Promise<void> {
  const ranges: Ranges = box.map(([a, b]) => [[a, b]]);
  const res = await readSparseFragment(
    store,
    meta,
    fs,
    schema,
    ranges,
    targets.map((t) => t.attr.name),
    priority,
    [0, Number.MAX_SAFE_INTEGER],
    options,
  );
  const coords = schema.dimensions.map((dim) => {
    const c = res.columns[dim.name] as Column;
    const a = c.data as NumericArray;
    return coordsAsNumbers(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), dim.type);
  });
  for (const t of targets) {
    const col = res.columns[t.attr.name] as Column;
    const bytes =
      !Array.isArray(col.data) && t.fixed
        ? new Uint8Array(
            (col.data as NumericArray).buffer,
            (col.data as NumericArray).byteOffset,
            (col.data as NumericArray).byteLength,
          )
        : undefined;
    const enc = new TextEncoder();
    for (let i = 0; i < res.count; i++) {
      let o = 0;
      for (let d = 0; d < coords.length; d++)
        o +=
          (((coords[d] as Float64Array)[i] as number) - (box[d] as [number, number])[0]) *
          (stride[d] as number);
      if (t.fixed && bytes)
        t.fixed.set(bytes.subarray(i * t.cellBytes, (i + 1) * t.cellBytes), o * t.cellBytes);
      else if (t.varCells) {
        const v = (col.data as unknown[])[i];
        t.varCells[o] =
          typeof v === "string"
            ? enc.encode(v)
            : new Uint8Array(
                (v as NumericArray).buffer,
                (v as NumericArray).byteOffset,
                (v as NumericArray).byteLength,
              );
      }
      if (t.validity) t.validity[o] = col.validity ? (col.validity[i] as number) : 1;
    }
  }
}
