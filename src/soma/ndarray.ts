/**
 * SOMASparseNDArray (COO cells, read as Arrow tables or CSR) and SOMADenseNDArray (typed arrays).
 * The shape comes from the current domain (tiledbsoma ≥ 1.15) or the dimension domain (older
 * stores); coordinates are pushed down to the TileDB read as merged ranges.
 */
import type { Table } from "apache-arrow";
import { InvalidArgumentError, UnsupportedFeatureError } from "../errors.js";
import type { ByteStore, ReadOptions } from "../io/types.js";
import type { NumericArray } from "../typed-arrays.js";
import { arrowValueType, columnToVector, tableOf } from "./arrow.js";
import { type AxisCoords, asNumbers, keepSelected, selectAxis } from "./coords.js";
import { type CsrMatrix, cooToCsr, positionLookup, type ValueDtype } from "./csr.js";
import { planRanges } from "./plan.js";
import type { Column, MetadataValue, TileDBArray } from "./tiledb/index.js";

export interface NDArrayReadOptions extends ReadOptions {
  /** Per dimension: points, an inclusive slice, or undefined (all). */
  coords?: readonly (AxisCoords | undefined)[];
  /**
   * readCoo only: `false` may return extra cells outside `coords` (the read is planned per tile),
   * for callers that place cells by joinid lookup anyway and drop the rest. Default true.
   */
  exact?: boolean;
}

/** COO cells: one coordinate array per dimension (doubles) and the values. */
export interface CooCells {
  dims: Float64Array[];
  data: NumericArray;
}

function shapeOf(array: TileDBArray): number[] {
  return array.shape.map((d, i) => {
    if (!d) throw new UnsupportedFeatureError(`dimension ${i} has no domain`, { path: array.uri });
    return Number(d[1]) + 1;
  });
}

/** The value attribute: `soma_data`, or the only attribute of a plain TileDB array. */
function valueAttribute(array: TileDBArray): string {
  const attrs = array.schema.attributes;
  return (attrs.find((a) => a.name === "soma_data") ?? attrs[0])?.name ?? "soma_data";
}

interface CellRead {
  cols: Record<string, Column>;
  /** Coordinates per dimension as doubles (before `keep`). */
  dims: Float64Array[];
  /** Cells inside the exact selection when the read covered a superset; undefined = all. */
  keep: Int32Array | undefined;
}

/** Reads the cells of `coords`: coarsened ranges pushed down (or none), exact points applied after. */
async function readCells(
  array: TileDBArray,
  coords: NDArrayReadOptions["coords"],
  signal: AbortSignal | undefined,
  exact = true,
): Promise<CellRead> {
  const ndim = array.schema.dimensions.length;
  if (coords && coords.length > ndim)
    throw new InvalidArgumentError(`${coords.length} coordinates for a ${ndim}-D array`, { path: array.uri });
  const sels = array.schema.dimensions.map((d, i) => selectAxis(coords?.[i], `${array.uri} ${d.name}`));
  const empty = sels.some((s) => s.ranges !== undefined && s.ranges.length === 0);
  const ranges = await Promise.all(
    sels.map(async (s, d) =>
      empty ? [[-1, -1] as [number, number]] : await planRanges(array, d, s, { signal }),
    ),
  );
  const value = valueAttribute(array);
  const cols = await array.read({ ranges, attributes: [value], signal });
  if (value !== "soma_data") cols.soma_data = cols[value] as Column;
  const dims = array.schema.dimensions.map((d) => asNumbers((cols[d.name] as Column).data as BigInt64Array));
  let keep: Int32Array | undefined;
  sels.forEach((sel, d) => {
    if (!sel.ranges || !exact) return;
    const ids = dims[d] as Float64Array;
    const k = keepSelected(keep ? Float64Array.from(keep, (i) => ids[i] as number) : ids, sel);
    if (k) keep = keep ? Int32Array.from(k, (i) => keep![i] as number) : k;
  });
  return { cols, dims, keep };
}

function take<T extends Float64Array | NumericArray>(a: T, keep: Int32Array | undefined): T {
  if (!keep) return a;
  const C = a.constructor as new (n: number) => T;
  const out = new C(keep.length);
  for (let i = 0; i < keep.length; i++) (out as unknown as unknown[])[i] = a[keep[i] as number];
  return out;
}

abstract class NDArrayBase {
  readonly uri: string;
  constructor(
    readonly array: TileDBArray,
    readonly store: ByteStore,
  ) {
    this.uri = array.uri;
  }

  get metadata(): Record<string, MetadataValue> {
    return this.array.metadata;
  }

  /** Per dimension: hi + 1 of the current domain (or of the dimension domain for pre-1.15 stores). */
  get shape(): number[] {
    return shapeOf(this.array);
  }

  get ndim(): number {
    return this.array.schema.dimensions.length;
  }
}

export class SOMASparseNDArray extends NDArrayBase {
  readonly soma_type = "SOMASparseNDArray" as const;

  /** The cells inside `coords`, as doubles (dims) and the stored value type. */
  async readCoo(options: NDArrayReadOptions = {}): Promise<CooCells> {
    const { cols, dims, keep } = await readCells(this.array, options.coords, options.signal, options.exact);
    return {
      dims: dims.map((d) => take(d, keep)),
      data: take((cols.soma_data as Column).data as NumericArray, keep),
    };
  }

  /**
   * COO cells as an Arrow table: `soma_dim_0`, `soma_dim_1`, … (int64) and `soma_data`.
   *
   * ```ts
   * const t = await X.read({ coords: [[0, 5, 9], { start: 0, stop: 99 }] });
   * ```
   */
  async read(options: NDArrayReadOptions = {}): Promise<Table> {
    const { cols, keep } = await readCells(this.array, options.coords, options.signal);
    const names = [...this.array.schema.dimensions.map((d) => d.name), "soma_data"];
    const valueAttr = this.array.schema.attributes.find((a) => a.name === valueAttribute(this.array));
    const dataType = arrowValueType((valueAttr ?? { type: 3 }).type, this.uri);
    const dims = this.array.schema.dimensions;
    const vectors = names.map((n, i) =>
      columnToVector(
        cols[n] as Column,
        n === "soma_data" ? dataType : arrowValueType((dims[i] as { type: number }).type, this.uri),
        keep,
      ),
    );
    return tableOf(
      names,
      vectors,
      names.map(() => false),
    );
  }

  /**
   * A 2-D CSR of the rows `rowIds` (in that order) and the columns `colIds` (in that order; default
   * every column of the shape). Only the tiles holding those rows and columns are read.
   */
  async toCsr(
    rowIds: ArrayLike<number | bigint>,
    colIds?: ArrayLike<number | bigint>,
    options: ReadOptions & { dtype?: ValueDtype } = {},
  ): Promise<CsrMatrix> {
    if (this.ndim !== 2)
      throw new InvalidArgumentError(`toCsr needs a 2-D array (ndim ${this.ndim})`, { path: this.uri });
    const rows = Float64Array.from({ length: rowIds.length }, (_, i) => Number(rowIds[i]));
    const cols = colIds
      ? Float64Array.from({ length: colIds.length }, (_, i) => Number(colIds[i]))
      : undefined;
    const nCols = cols ? cols.length : (this.shape[1] as number);
    const coo = await this.readCoo({ coords: [rows, cols], signal: options.signal, exact: false });
    const rowOf = positionLookup(rows, `${this.uri} rows`);
    const colOf = cols ? positionLookup(cols, `${this.uri} columns`) : (id: number) => (id < nCols ? id : -1);
    return cooToCsr(
      coo.dims[0] as Float64Array,
      coo.dims[1] as Float64Array,
      asValues(coo.data),
      rowOf,
      colOf,
      rows.length,
      nCols,
      options.dtype ?? "float32",
    );
  }

  /** Number of stored cells (fragment metadata when fragments cannot overlap, else a count of a read). */
  async nnz(options: ReadOptions = {}): Promise<number> {
    return await cellCount(this.array, options);
  }
}

/**
 * Cells of a sparse array: from the fragment footers (tiles × capacity + the last tile) when no
 * two fragments can hold the same cell, else by reading the coordinates (duplicates resolved).
 */
export async function cellCount(array: TileDBArray, options: ReadOptions = {}): Promise<number> {
  const frags = await array.fragmentMetadata(options);
  if ((frags.length <= 1 || array.schema.allowsDups) && !frags.some((f) => f.hasTimestamps)) {
    let n = 0;
    for (const f of frags) {
      const cap = (array.schemas.get(f.schemaName) ?? array.schema).capacity;
      if (f.sparseTileNum > 0) n += (f.sparseTileNum - 1) * cap + f.lastTileCellNum;
    }
    return n;
  }
  const cols = await array.read({ attributes: [], signal: options.signal });
  const first = array.schema.dimensions[0]?.name ?? "";
  return cols[first]?.data.length ?? 0;
}

/** Values as numbers (int64 data converted). */
export function asValues(data: NumericArray): ArrayLike<number> {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return asNumbers(data);
  return data;
}

export class SOMADenseNDArray extends NDArrayBase {
  readonly soma_type = "SOMADenseNDArray" as const;

  /** A row-major block of the slices in `coords` (default the whole shape) and its shape. */
  async read(options: NDArrayReadOptions = {}): Promise<{ data: NumericArray; shape: number[] }> {
    const full = this.shape;
    const ranges = full.map((n, i) => {
      const sel = selectAxis(options.coords?.[i], `${this.uri} soma_dim_${i}`);
      const r = sel.ranges ?? [[0, n - 1]];
      if (r.length !== 1)
        throw new UnsupportedFeatureError(
          "dense reads take one slice (or consecutive points) per dimension",
          {
            path: this.uri,
          },
        );
      const [lo, hi] = r[0] as [number, number];
      return [lo, Math.min(hi, n - 1)] as [number, number];
    });
    const cols = await this.array.read({
      ranges,
      attributes: [valueAttribute(this.array)],
      coordinates: false,
      signal: options.signal,
    });
    return {
      data: (cols[valueAttribute(this.array)] as Column).data as NumericArray,
      shape: ranges.map(([a, b]) => b - a + 1),
    };
  }
}
