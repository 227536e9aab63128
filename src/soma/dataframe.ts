/**
 * SOMADataFrame: a sparse TileDB array indexed by `soma_joinid`, read as apache-arrow tables.
 * Coordinates are pushed down to the TileDB read (tile pruning); value filters are compiled against
 * the Arrow schema and evaluated on just the columns they reference, before the requested columns
 * are gathered.
 */
import type { Schema, Table } from "apache-arrow";
import { KeyNotFoundError } from "../errors.js";
import type { ByteStore, ReadOptions } from "../io/types.js";
import { arrowSchemaOf, columnToVector, tableOf } from "./arrow.js";
import {
  type AxisCoords,
  type AxisSelection,
  int64ToNumbers,
  keepSelected,
  pointsToRanges,
  selectAxis,
} from "./coords.js";
import { cellCount } from "./ndarray.js";
import { planRanges } from "./plan.js";
import {
  type CompileOptions,
  compileValueFilter,
  type Int64Ranges,
  int64Ranges,
  maskToIndices,
} from "./query/index.js";
import type { Column, MetadataValue, TileDBArray } from "./tiledb/index.js";

export interface DataFrameReadOptions extends ReadOptions {
  /** tiledbsoma value_filter, e.g. `'tissue == "lung" and nnz > 500'`. */
  valueFilter?: string;
  /** Columns to return (default all, index columns first). */
  columnNames?: readonly string[];
  /** soma_joinid coordinates: points or an inclusive slice. */
  coords?: AxisCoords;
  /** Naming for filter errors (axis name, the other axis's columns). */
  filterOptions?: CompileOptions;
}

/** Raw result of a filtered read: the joinids (as doubles) and the columns, already row-selected. */
export interface RawFrame {
  joinids: Float64Array;
  columns: Record<string, Column>;
  rows: Int32Array | undefined;
}

export class SOMADataFrame {
  readonly soma_type = "SOMADataFrame" as const;
  readonly uri: string;
  /** The Arrow schema of the whole frame (enumerations as dictionaries). */
  readonly schema: Schema;

  constructor(
    readonly array: TileDBArray,
    readonly store: ByteStore,
  ) {
    this.uri = array.uri;
    this.schema = arrowSchemaOf(array);
  }

  get metadata(): Record<string, MetadataValue> {
    return this.array.metadata;
  }

  /** Index column names (`["soma_joinid"]` for obs/var). */
  get indexColumnNames(): string[] {
    return this.array.schema.dimensions.map((d) => d.name);
  }

  /** Every column name: index columns, then attributes. */
  get columnNames(): string[] {
    return this.schema.fields.map((f) => f.name);
  }

  /** The soma_joinid domain [lo, hi] (the current domain when set, else the dimension domain). */
  get domain(): [number, number] {
    const d = this.array.shape[0];
    return d ? [Number(d[0]), Number(d[1])] : [0, -1];
  }

  /** Number of rows (from the fragment footers when fragments cannot overlap). */
  async count(options: ReadOptions = {}): Promise<number> {
    return await cellCount(this.array, options);
  }

  /** Reads rows (filtered) and columns; the selection is applied without building unused vectors. */
  async readRaw(options: DataFrameReadOptions = {}): Promise<RawFrame> {
    const dim = this.indexColumnNames[0] ?? "soma_joinid";
    const wanted = options.columnNames ?? this.columnNames;
    for (const c of wanted)
      if (!this.columnNames.includes(c))
        throw new KeyNotFoundError("column", c, this.columnNames, { path: this.uri, column: c });
    const filter =
      options.valueFilter !== undefined && options.valueFilter.trim() !== ""
        ? compileValueFilter(options.valueFilter, this.schema, options.filterOptions ?? {})
        : undefined;
    const dims = new Set(this.indexColumnNames);
    const attributes = [...new Set([...wanted, ...(filter?.columns ?? [])])].filter((c) => !dims.has(c));
    let sel = selectAxis(options.coords, `${this.uri} coords`);
    // A filter on the index column (e.g. `soma_joinid < 1000`) narrows the read as well.
    if (filter?.columns.includes(dim)) sel = narrowSelection(sel, int64Ranges(filter.ast, dim));
    const ranges = await planRanges(this.array, 0, sel, { signal: options.signal });
    const columns =
      ranges && ranges.length === 0
        ? await this.#emptyRead(attributes, options.signal)
        : await this.array.read({
            ranges: ranges ? { [dim]: ranges } : undefined,
            attributes,
            signal: options.signal,
          });
    const idCol = columns[dim] as Column;
    const joinids =
      idCol.data instanceof BigInt64Array || idCol.data instanceof BigUint64Array
        ? int64ToNumbers(idCol.data)
        : Float64Array.from(idCol.data as ArrayLike<number>);
    // Coarsened ranges read a superset: keep the listed points only.
    let rows = keepSelected(joinids, sel);
    if (filter) {
      const names = filter.columns;
      const vectors = names.map((n) => columnToVector(columns[n] as Column, this.#fieldType(n), rows));
      const matched = maskToIndices(filter.evaluate(tableOf(names, vectors)));
      rows = rows ? Int32Array.from(matched, (m) => rows![m] as number) : matched;
    }
    return { joinids: rows ? Float64Array.from(rows, (r) => joinids[r] as number) : joinids, columns, rows };
  }

  #fieldType(name: string) {
    return (this.schema.fields.find((f) => f.name === name) as Schema["fields"][number]).type;
  }

  async #emptyRead(attributes: string[], signal?: AbortSignal): Promise<Record<string, Column>> {
    // An empty point list selects nothing: read one impossible range so column types stay right.
    const dim = this.indexColumnNames[0] ?? "soma_joinid";
    return await this.array.read({ ranges: { [dim]: [[-1, -1]] }, attributes, signal });
  }

  /**
   * Rows as an Arrow table (`soma_joinid` int64, enumerations as dictionaries over the latest
   * labels, nulls kept), in soma_joinid order.
   *
   * ```ts
   * const t = await obs.read({ valueFilter: 'groups == "g1"', columnNames: ["soma_joinid", "obs_id"] });
   * ```
   */
  async read(options: DataFrameReadOptions = {}): Promise<Table> {
    const wanted = options.columnNames ?? this.columnNames;
    const { columns, rows } = await this.readRaw(options);
    const vectors = wanted.map((n) => columnToVector(columns[n] as Column, this.#fieldType(n), rows));
    const nullable = wanted.map((n) => this.schema.fields.find((f) => f.name === n)?.nullable ?? true);
    return tableOf(wanted, vectors, nullable);
  }
}

/** The selection restricted to filter ranges (a superset of the matching rows stays correct). */
function narrowSelection(sel: AxisSelection, allowed: Int64Ranges): AxisSelection {
  const clipped: [number, number][] = [];
  for (const [lo, hi] of allowed) {
    if (hi < 0n) continue;
    const a = lo < 0n ? 0 : Number(lo);
    const b = hi > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(hi);
    clipped.push([a, b]);
  }
  const inside = (v: number) => clipped.some(([a, b]) => v >= a && v <= b);
  if (sel.points) {
    const points = sel.points.filter(inside);
    return { ranges: pointsToRanges(points), points };
  }
  if (!sel.ranges) return { ranges: clipped };
  const out: [number, number][] = [];
  for (const [a, b] of sel.ranges)
    for (const [c, d] of clipped)
      if (Math.max(a, c) <= Math.min(b, d)) out.push([Math.max(a, c), Math.min(b, d)]);
  return { ranges: out };
}
