/**
 * An .h5ad file opened for batched reads through the direct HDF5 reader alone, without h5wasm.
 *
 * A thread that already opened the file with h5wasm (the loader's main thread) writes a plan: for
 * each matrix the HDF5 paths, layout, shape and dtype; for each categorical obs column its codes
 * dataset and categories. Another thread (a loader worker) opens the file from the plan with
 * `openDirectStore` and reads rows and codes without ever loading h5wasm (~40 MB of RSS per thread).
 * Anything the direct reader cannot serve makes `openDirectStore` throw `DirectStoreUnsupported`;
 * the caller then opens the file with h5wasm as usual.
 *
 * ```ts
 * const plan = planDirectStore(await openH5ad("a.h5ad"), { matrices: ["X"], obsm: [], obs: ["cell_type"] });
 * const store = plan && (await openDirectStore("a.h5ad", plan)); // in another thread
 * ```
 */

import { InvalidArgumentError, UnsupportedFeatureError } from "../errors.js";
import { LocalFileSource } from "../io/local.js";
import { DIRECT_CHUNK_CACHE_BYTES } from "./direct.js";
import type { H5adFile } from "./file.js";
import { type DirectDataset, Hdf5File } from "./hdf5/index.js";
import { CscMatrix, CsrMatrix, DenseMatrix, type H5adMatrix } from "./matrix.js";
import { pureRangeReader, pureRowBlockReader } from "./range.js";
import type { Column, ColumnInfo, DataFrameReader, NumericDtype } from "./types.js";

/** Where one matrix's numbers live. */
export interface DirectMatrixPlan {
  layout: "dense" | "csr" | "csc";
  shape: [number, number];
  dtype: NumericDtype;
  /** The dense dataset, or the sparse group holding data/indices/indptr. */
  path: string;
}

/** A categorical obs column stored as anndata ≥ 0.8 does: a group with a `codes` dataset. */
export interface DirectCategoricalPlan {
  codes: string;
  codesDtype: string;
  categories: (string | number)[];
  ordered: boolean;
}

/** Everything `openDirectStore` needs; plain JSON. */
export interface DirectStorePlan {
  shape: [number, number];
  /** By the key `matrix()` takes: "X", "raw.X", layer names. */
  matrices: Record<string, DirectMatrixPlan>;
  obsm: Record<string, DirectMatrixPlan>;
  obs: Record<string, DirectCategoricalPlan>;
  layers: string[];
  obsmKeys: string[];
  hasRaw: boolean;
  hasX: boolean;
}

/** What to plan for: the keys a reader will ask for (keys the file lacks are skipped). */
export interface DirectStoreRequest {
  matrices: readonly string[];
  obsm: readonly string[];
  obs: readonly string[];
}

/** The plan can't be served by the direct reader: open the file with h5wasm instead. */
export class DirectStoreUnsupported extends Error {
  override readonly name = "DirectStoreUnsupported";
}

function matrixPlan(m: H5adMatrix): DirectMatrixPlan | null {
  const path = m.source.key;
  // Only plain layouts: a dense dataset, or a sparse group's data/indices/indptr (not 0.7 compound fields).
  const expected = m.layout === "dense" ? path : `${path}/data`;
  if (m.source.valuesDataset !== expected) return null;
  return { layout: m.layout, shape: [m.shape[0], m.shape[1]], dtype: m.dtype, path };
}

/**
 * A plan for reading `request` from `file` without h5wasm, or null when some requested element is
 * stored in a way the plan does not cover (a non-categorical or pre-0.8 obs column, an obsm
 * dataframe, ...).
 */
export function planDirectStore(file: H5adFile, request: DirectStoreRequest): DirectStorePlan | null {
  const plan: DirectStorePlan = {
    shape: [file.shape[0], file.shape[1]],
    matrices: {},
    obsm: {},
    obs: {},
    layers: [...file.layers],
    obsmKeys: [...file.obsmKeys],
    hasRaw: file.raw !== null,
    hasX: file.hasX,
  };
  for (const key of request.matrices) {
    if (!file.matrixKeys().includes(key)) continue;
    const m = matrixPlan(file.matrix(key));
    if (m === null) return null;
    plan.matrices[key] = m;
  }
  for (const key of request.obsm) {
    if (!file.obsmKeys.includes(key)) continue;
    if (file.elementLayout("obsm", key) === "dataframe") return null;
    const m = matrixPlan(file.obsm(key));
    if (m === null) return null;
    plan.obsm[key] = m;
  }
  for (const key of request.obs) {
    if (!file.obs.columns.includes(key)) continue;
    const info = file.obs.info(key);
    const codes = `obs/${key}/codes`;
    if (info.kind !== "categorical" || info.categories === undefined) return null;
    if (file.ctx.kind(`obs/${key}`) !== "group" || file.ctx.kind(codes) !== "dataset") return null;
    plan.obs[key] = {
      codes,
      codesDtype: info.dtype,
      categories: [...info.categories],
      ordered: info.ordered ?? false,
    };
  }
  return plan;
}

const INTEGER_DTYPES = new Set(["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64"]);

/** The dataset at `path`, or DirectStoreUnsupported when the direct reader cannot read it. */
async function openDataset(file: Hdf5File, path: string): Promise<DirectDataset> {
  const d = await file.dataset(path).catch(() => null);
  if (d === null) throw new DirectStoreUnsupported(`${file.uri}: the direct reader cannot read '${path}'`);
  return d;
}

/** Refuses a dataset whose shape (or dtype, when given) is not the planned one. */
function expectPlanned(file: Hdf5File, d: DirectDataset, shape: number[], dtype?: string): DirectDataset {
  if (d.shape.length !== shape.length || d.shape.some((n, i) => n !== shape[i])) {
    throw new DirectStoreUnsupported(`${file.uri}: '${d.path}' has shape [${d.shape}], planned [${shape}]`);
  }
  if (dtype !== undefined && d.dtype !== dtype) {
    throw new DirectStoreUnsupported(`${file.uri}: '${d.path}' holds ${d.dtype}, planned ${dtype}`);
  }
  return d;
}

async function openPlannedMatrix(file: Hdf5File, path: string, p: DirectMatrixPlan): Promise<H5adMatrix> {
  const source = { path, key: p.path, valuesDataset: p.layout === "dense" ? p.path : `${p.path}/data` };
  // bool matrices are read as uint8 (h5wasm's convention), which the direct reader reports as such.
  if (p.layout === "dense") {
    const ds = await openDataset(file, p.path);
    // A 1-D dataset is an [n, 1] matrix.
    expectPlanned(file, ds, ds.shape.length === 1 ? [p.shape[0]] : p.shape, p.dtype);
    return new DenseMatrix(source, p.shape, p.dtype, pureRowBlockReader(ds, p.shape[1]));
  }
  const major = p.layout === "csr" ? p.shape[0] : p.shape[1];
  const indptrDs = expectPlanned(file, await openDataset(file, `${p.path}/indptr`), [major + 1]);
  const indptr = Float64Array.from(await indptrDs.read(0, major + 1));
  const nnz = indptr[major] ?? 0;
  const data = await openDataset(file, `${p.path}/data`);
  const indices = await openDataset(file, `${p.path}/indices`);
  if (data.dtype !== p.dtype) {
    throw new DirectStoreUnsupported(`${path}: '${data.path}' holds ${data.dtype}, planned ${p.dtype}`);
  }
  if ((data.shape[0] ?? 0) < nnz || (indices.shape[0] ?? 0) < nnz) {
    throw new DirectStoreUnsupported(`${path}: '${p.path}' holds fewer values than indptr says`);
  }
  const make = p.layout === "csr" ? CsrMatrix : CscMatrix;
  return new make(source, p.shape, p.dtype, indptr, pureRangeReader(data), pureRangeReader(indices));
}

/** obs of a direct store: only the planned categorical columns, read in full at open. */
class DirectObs implements DataFrameReader {
  readonly indexName = "_index";
  readonly columns: readonly string[];

  constructor(
    readonly path: string,
    readonly length: number,
    private readonly plans: Record<string, DirectCategoricalPlan>,
    private readonly codes: Map<string, Int32Array>,
  ) {
    this.columns = Object.keys(plans);
  }

  #plan(name: string): DirectCategoricalPlan {
    const p = this.plans[name];
    if (p === undefined) {
      throw new InvalidArgumentError(`obs column '${name}' was not planned for direct reads`, {
        path: this.path,
      });
    }
    return p;
  }

  index(): string[] {
    throw new UnsupportedFeatureError("a direct store does not read the obs index", { path: this.path });
  }

  info(name: string): ColumnInfo {
    const p = this.#plan(name);
    return { name, kind: "categorical", dtype: p.codesDtype, categories: p.categories, ordered: p.ordered };
  }

  read(name: string): Column {
    const p = this.#plan(name);
    return {
      kind: "categorical",
      codes: this.codes.get(name)!,
      categories: p.categories,
      ordered: p.ordered,
    };
  }

  labels(name: string): (string | number | null)[] {
    const { categories } = this.#plan(name);
    return Array.from(this.codes.get(name)!, (c) =>
      c >= 0 && c < categories.length ? categories[c]! : null,
    );
  }
}

/** The subset of an opened .h5ad that batched reads use (MappedCollection's `StoreFile`). */
export class DirectStore {
  readonly shape: [number, number];
  readonly layers: readonly string[];
  readonly obsmKeys: readonly string[];
  readonly raw: object | null;
  readonly hasX: boolean;

  /** @internal use openDirectStore. */
  constructor(
    readonly path: string,
    plan: DirectStorePlan,
    readonly obs: DataFrameReader,
    private readonly matrices: Map<string, H5adMatrix>,
    private readonly obsmMatrices: Map<string, H5adMatrix>,
    private readonly source: LocalFileSource,
  ) {
    this.shape = plan.shape;
    this.layers = plan.layers;
    this.obsmKeys = plan.obsmKeys;
    this.raw = plan.hasRaw ? {} : null;
    this.hasX = plan.hasX;
  }

  varNames(): string[] {
    throw new UnsupportedFeatureError("a direct store does not read var names", { path: this.path });
  }

  matrix(key: string): H5adMatrix {
    const m = this.matrices.get(key);
    if (m === undefined) {
      throw new InvalidArgumentError(`matrix '${key}' was not planned for direct reads`, { path: this.path });
    }
    return m;
  }

  obsm(key: string): H5adMatrix {
    const m = this.obsmMatrices.get(key);
    if (m === undefined) {
      throw new InvalidArgumentError(`obsm '${key}' was not planned for direct reads`, { path: this.path });
    }
    return m;
  }

  close(): Promise<void> {
    return this.source.close();
  }
}

/**
 * Opens a local file by its plan: every planned dataset is opened (and sparse indptr and obs codes
 * read) now, so a file the direct reader cannot serve fails here with `DirectStoreUnsupported`
 * rather than on some later batch.
 */
export async function openDirectStore(path: string, plan: DirectStorePlan): Promise<DirectStore> {
  const source = new LocalFileSource(path);
  try {
    const file = await Hdf5File.open(source, { chunkCacheBytes: DIRECT_CHUNK_CACHE_BYTES });
    const matrices = new Map<string, H5adMatrix>();
    for (const [key, p] of Object.entries(plan.matrices))
      matrices.set(key, await openPlannedMatrix(file, path, p));
    const obsm = new Map<string, H5adMatrix>();
    for (const [key, p] of Object.entries(plan.obsm)) obsm.set(key, await openPlannedMatrix(file, path, p));
    const codes = new Map<string, Int32Array>();
    for (const [key, p] of Object.entries(plan.obs)) {
      const d = expectPlanned(file, await openDataset(file, p.codes), [plan.shape[0]]);
      if (!INTEGER_DTYPES.has(d.dtype)) {
        throw new DirectStoreUnsupported(`${path}: '${p.codes}' holds ${d.dtype}, not integer codes`);
      }
      const values = Int32Array.from(await d.read(0, plan.shape[0]));
      // Out-of-range codes are h5wasm's reader's to report (with its error), not ours to guess at.
      for (const c of values) {
        if (c < -1 || c >= p.categories.length) {
          throw new DirectStoreUnsupported(
            `${path}: '${p.codes}' holds code ${c} for ${p.categories.length} categories`,
          );
        }
      }
      codes.set(key, values);
    }
    const obs = new DirectObs(path, plan.shape[0], plan.obs, codes);
    return new DirectStore(path, plan, obs, matrices, obsm, source);
  } catch (e) {
    await source.close().catch(() => undefined);
    throw e;
  }
}
