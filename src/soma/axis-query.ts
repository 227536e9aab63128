/**
 * ExperimentAxisQuery: obs and var selections (value filters and/or joinid coordinates) of one
 * measurement, and the matrices restricted to them. Selections are resolved once (sorted joinids);
 * matrix reads push the joinids down to TileDB as ranges, so only the tiles holding them are read.
 */
import type { Table } from "apache-arrow";
import { InvalidArgumentError, KeyNotFoundError } from "../errors.js";
import type { ReadOptions } from "../io/types.js";
import type { AxisCoords } from "./coords.js";
import { type CsrMatrix, cooToCsr, positionLookup, type ValueDtype } from "./csr.js";
import { asValues, type SOMADenseNDArray, SOMASparseNDArray } from "./ndarray.js";
import type { SOMAExperiment, SOMAMeasurement } from "./objects.js";

/** One axis of a query: a value filter, joinid coordinates, or both (intersected). */
export interface AxisQuery {
  valueFilter?: string;
  coords?: AxisCoords;
}

export interface AxisQueryOptions {
  measurementName: string;
  obsQuery?: AxisQuery;
  varQuery?: AxisQuery;
}

/** A dense row-major matrix. */
export interface DenseMatrix {
  data: Float32Array | Float64Array;
  shape: [number, number];
}

/** What `toH5ad` writes besides obs and var. */
export interface ToH5adOptions {
  /** The X layer written as X. */
  X: string;
  /** Other X layers written as h5ad layers (same name). Default none. */
  layers?: readonly string[];
  /** Default: every obsm array. */
  obsm?: readonly string[];
  /** Default none. */
  varm?: readonly string[];
  /** Default none. */
  obsp?: readonly string[];
  signal?: AbortSignal;
}

export class ExperimentAxisQuery {
  readonly #measurement: Promise<SOMAMeasurement>;
  #obsIds: Promise<Float64Array> | undefined;
  #varIds: Promise<Float64Array> | undefined;

  constructor(
    readonly experiment: SOMAExperiment,
    readonly options: AxisQueryOptions,
  ) {
    this.#measurement = (async () => {
      if (!experiment.ms.has(options.measurementName))
        throw new KeyNotFoundError("measurement", options.measurementName, experiment.ms.keys(), {
          path: experiment.uri,
        });
      return await experiment.ms.get(options.measurementName);
    })();
    this.#measurement.catch(() => undefined);
  }

  get measurementName(): string {
    return this.options.measurementName;
  }

  /** The measurement the query reads. */
  async measurement(): Promise<SOMAMeasurement> {
    return await this.#measurement;
  }

  async #resolve(axis: "obs" | "var", signal?: AbortSignal): Promise<Float64Array> {
    const ms = await this.#measurement;
    const frame = axis === "obs" ? this.experiment.obs : ms.var;
    const other = axis === "obs" ? ms.var : this.experiment.obs;
    const q = (axis === "obs" ? this.options.obsQuery : this.options.varQuery) ?? {};
    const raw = await frame.readRaw({
      valueFilter: q.valueFilter,
      coords: q.coords,
      columnNames: frame.indexColumnNames,
      filterOptions: { axisName: axis, otherAxisColumns: other.columnNames },
      signal,
    });
    return raw.joinids;
  }

  /** The selected obs soma_joinids, ascending (doubles: exact below 2^53). */
  async obsJoinids(options: ReadOptions = {}): Promise<Float64Array> {
    if (!this.#obsIds) {
      this.#obsIds = this.#resolve("obs", options.signal);
      this.#obsIds.catch(() => {
        this.#obsIds = undefined;
      });
    }
    return await this.#obsIds;
  }

  /** The selected var soma_joinids, ascending. */
  async varJoinids(options: ReadOptions = {}): Promise<Float64Array> {
    if (!this.#varIds) {
      this.#varIds = this.#resolve("var", options.signal);
      this.#varIds.catch(() => {
        this.#varIds = undefined;
      });
    }
    return await this.#varIds;
  }

  async nObs(): Promise<number> {
    return (await this.obsJoinids()).length;
  }

  async nVars(): Promise<number> {
    return (await this.varJoinids()).length;
  }

  /** The selected obs rows (query order = ascending joinid). */
  async obs(options: ReadOptions & { columnNames?: readonly string[] } = {}): Promise<Table> {
    const ids = await this.obsJoinids(options);
    return await this.experiment.obs.read({
      coords: ids,
      columnNames: options.columnNames,
      signal: options.signal,
    });
  }

  /** The selected var rows. */
  async var(options: ReadOptions & { columnNames?: readonly string[] } = {}): Promise<Table> {
    const ids = await this.varJoinids(options);
    const ms = await this.#measurement;
    return await ms.var.read({ coords: ids, columnNames: options.columnNames, signal: options.signal });
  }

  async #layer(layer: string): Promise<SOMASparseNDArray | SOMADenseNDArray> {
    const ms = await this.#measurement;
    if (!ms.X.has(layer)) throw new KeyNotFoundError("X layer", layer, ms.X.keys(), { path: ms.uri });
    return await ms.X.get(layer);
  }

  /**
   * The layer restricted to the query as CSR: rows in obs-query order, columns in var-query order.
   *
   * ```ts
   * const { indptr, indices, data, shape } = await query.X("counts");
   * ```
   */
  async X(layer: string, options: ReadOptions & { dtype?: ValueDtype } = {}): Promise<CsrMatrix> {
    const rows = await this.obsJoinids(options);
    const cols = await this.varJoinids(options);
    return await this.XRows(layer, rows, cols, options);
  }

  /** The layer for the given obs joinids (any order) × the var query. */
  async XRows(
    layer: string,
    obsIds: Float64Array,
    varIds?: Float64Array,
    options: ReadOptions & { dtype?: ValueDtype } = {},
  ): Promise<CsrMatrix> {
    const cols = varIds ?? (await this.varJoinids(options));
    const array = await this.#layer(layer);
    if (!(array instanceof SOMASparseNDArray))
      throw new InvalidArgumentError(
        `X layer '${layer}' is a ${array.soma_type}; only sparse layers are supported`,
        {
          path: array.uri,
        },
      );
    const coo = await array.readCoo({ coords: [obsIds, cols], signal: options.signal, exact: false });
    return cooToCsr(
      coo.dims[0] as Float64Array,
      coo.dims[1] as Float64Array,
      asValues(coo.data),
      positionLookup(obsIds, "obs joinids"),
      positionLookup(cols, "var joinids"),
      obsIds.length,
      cols.length,
      options.dtype ?? "float32",
    );
  }

  async #matrix(
    kind: "obsm" | "varm",
    key: string,
    options: ReadOptions & { dtype?: ValueDtype },
  ): Promise<DenseMatrix> {
    const ms = await this.#measurement;
    const coll = ms[kind];
    if (!coll?.has(key)) throw new KeyNotFoundError(kind, key, coll?.keys() ?? [], { path: ms.uri });
    const array = await coll.get(key);
    const ids = kind === "obsm" ? await this.obsJoinids(options) : await this.varJoinids(options);
    const width = array.shape[1] ?? 1;
    const out =
      options.dtype === "float32"
        ? new Float32Array(ids.length * width)
        : new Float64Array(ids.length * width);
    const rowOf = positionLookup(ids, `${kind} rows`);
    if (array instanceof SOMASparseNDArray) {
      const coo = await array.readCoo({ coords: [ids], signal: options.signal, exact: false });
      const d0 = coo.dims[0] as Float64Array;
      const d1 = coo.dims[1] as Float64Array;
      const v = asValues(coo.data);
      for (let i = 0; i < d0.length; i++) {
        const r = rowOf(d0[i] as number);
        const c = d1[i] as number;
        if (r >= 0 && c < width) out[r * width + c] = v[i] as number;
      }
    } else {
      const { data } = await array.read({ signal: options.signal });
      const v = asValues(data);
      ids.forEach((id, r) => {
        for (let c = 0; c < width; c++) out[r * width + c] = v[id * width + c] as number;
      });
    }
    return { data: out, shape: [ids.length, width] };
  }

  /** An obsm matrix (e.g. "X_pca") for the obs query, dense (float64 by default). */
  async obsm(key: string, options: ReadOptions & { dtype?: ValueDtype } = {}): Promise<DenseMatrix> {
    return await this.#matrix("obsm", key, options);
  }

  /** A varm matrix (e.g. "PCs") for the var query. */
  async varm(key: string, options: ReadOptions & { dtype?: ValueDtype } = {}): Promise<DenseMatrix> {
    return await this.#matrix("varm", key, options);
  }

  /**
   * An obsp matrix (e.g. "RNA_snn") restricted to the obs query as CSR: rows and columns both in
   * obs-query order (float64 by default). Only sparse obsp arrays are supported.
   */
  async obsp(key: string, options: ReadOptions & { dtype?: ValueDtype } = {}): Promise<CsrMatrix> {
    const ms = await this.#measurement;
    if (!ms.obsp?.has(key)) throw new KeyNotFoundError("obsp", key, ms.obsp?.keys() ?? [], { path: ms.uri });
    const array = await ms.obsp.get(key);
    if (!(array instanceof SOMASparseNDArray))
      throw new InvalidArgumentError(
        `obsp '${key}' is a ${array.soma_type}; only sparse arrays are supported`,
        {
          path: array.uri,
        },
      );
    const ids = await this.obsJoinids(options);
    const coo = await array.readCoo({ coords: [ids, ids], signal: options.signal, exact: false });
    const pos = positionLookup(ids, "obsp joinids");
    return cooToCsr(
      coo.dims[0] as Float64Array,
      coo.dims[1] as Float64Array,
      asValues(coo.data),
      pos,
      pos,
      ids.length,
      ids.length,
      options.dtype ?? "float64",
    );
  }

  /** Keys of the measurement's obsm collection. */
  async obsmKeys(): Promise<string[]> {
    return (await this.#measurement).obsm?.keys() ?? [];
  }

  /**
   * Writes the query as an .h5ad (like the Census's `get_anndata`): obs/var with obs_names from
   * `obs_id` (var_names from `var_id`) when present, else the joinids; X from `X`; every obsm unless
   * `obsm` lists some; the X `layers`, `varm` and `obsp` matrices that are listed (none by default).
   */
  async toH5ad(path: string, options: ToH5adOptions): Promise<void> {
    const { writeQueryH5ad } = await import("./to-h5ad.js");
    await writeQueryH5ad(this, path, options);
  }
}
