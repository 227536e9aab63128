/**
 * `writeH5ad`: writes an AnnData object as .h5ad the way anndata ≥ 0.8 does, so that
 * `anndata.read_h5ad` (and cellfeed's reader) read back exactly the values given.
 *
 * ```ts
 * await writeH5ad("pbmc.h5ad", {
 *   X: { format: "csr", shape: [2, 3], indptr: Int32Array.of(0, 1, 2),
 *        indices: Int32Array.of(0, 2), data: Float32Array.of(1, 5) },
 *   obs: { index: ["c1", "c2"], columns: { cell_type: { kind: "categorical", values: ["T", null] } } },
 * }, { compression: "gzip" });
 * ```
 *
 * Layout: root attrs encoding-type=anndata 0.1.0; every matrix (X, layers, obsm/varm/obsp/varp,
 * raw/X) as an `array` 0.2.0 dataset or a `csr_matrix`/`csc_matrix` 0.1.0 group (attr `shape`,
 * datasets data/indices/indptr); obs/var as `dataframe` 0.2.0 (`_index`, `column-order`);
 * obsm/varm/obsp/varp/layers/uns as `dict` 0.1.0, empty ones too; `raw` (when given) as a `raw`
 * 0.1.0 group holding X, var and an empty varm dict, after uns as anndata orders it.
 * The file is written next to `path` under a temporary name and renamed when complete.
 */
import { existsSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { Group } from "h5wasm/node";
import {
  type ErrorDetails,
  FileNotFoundError,
  InvalidArgumentError,
  IoError,
  isCellfeedError,
  throwIfAborted,
} from "../errors.js";
import { loadRuntime } from "./runtime.js";
import { patchBoolPlaceholders } from "./write-bool-patch.js";
import {
  createGroup,
  setBoolAttr,
  setEncoding,
  setStringArrayAttr,
  type WriteContext,
  writeArray,
  writeScalar,
  writeStrings,
} from "./write-hdf5.js";
import type { AnnDataInput, MatrixInput, UnsScalar, WriteH5adOptions } from "./write-input.js";
import {
  checkMatrix,
  checkName,
  defaultFrame,
  type PreparedColumn,
  type PreparedFrame,
  prepareFrame,
} from "./write-validate.js";

export type {
  AnnDataInput,
  BooleanValuesInput,
  ColumnInput,
  CscMatrixInput,
  CsrMatrixInput,
  DataFrameInput,
  DenseMatrixInput,
  IntegerArray,
  MaskInput,
  MatrixInput,
  NumericArray,
  RawInput,
  UnsScalar,
  WriteH5adOptions,
} from "./write-input.js";

/** Arrays above this many bytes are written in blocks (bounds the wasm heap copy). */
const BLOCK_BYTES = 64 << 20;

interface Prepared {
  X: MatrixInput;
  obs: PreparedFrame;
  var: PreparedFrame;
  layers: [string, MatrixInput][];
  obsm: [string, MatrixInput][];
  varm: [string, MatrixInput][];
  obsp: [string, MatrixInput][];
  varp: [string, MatrixInput][];
  uns: [string, UnsScalar][];
  raw: { X: MatrixInput; var: PreparedFrame } | null;
}

/**
 * Writes `data` to `path` (replacing any file there). Throws InvalidArgumentError for inconsistent
 * input (before touching the disk), FileNotFoundError when the folder does not exist, IoError when
 * writing fails.
 */
export async function writeH5ad(
  path: string,
  data: AnnDataInput,
  options: WriteH5adOptions = {},
): Promise<void> {
  await writeH5adWith(path, data, options, BLOCK_BYTES);
}

/**
 * @internal writeH5ad with a chosen block size (tests use a tiny one to exercise block-wise writes);
 * not part of the public API.
 */
export async function writeH5adWith(
  path: string,
  data: AnnDataInput,
  options: WriteH5adOptions,
  blockBytes: number,
): Promise<void> {
  const target = resolve(path);
  const details: ErrorDetails = { path: target };
  const prepared = prepare(data, details);
  const ctx = makeContext(target, options, blockBytes);
  const dir = dirname(target);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new FileNotFoundError(`folder ${dir} does not exist`, details);
  }
  throwIfAborted(ctx.signal, details);
  const { h5wasm } = await loadRuntime();
  const unique = `${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const tmp = join(dir, `.${basename(target)}.${unique}.tmp`);
  try {
    const file = new h5wasm.File(tmp, "w", { libver: ["earliest", "latest"] });
    if (file.file_id < 0n) throw new IoError(`could not create ${tmp}`, details);
    try {
      writeRoot(ctx, file, prepared);
    } finally {
      file.close();
    }
    patchBoolPlaceholders(tmp, ctx.boolCount);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    if (isCellfeedError(e)) throw e;
    throw new IoError(`writing failed: ${e instanceof Error ? e.message : String(e)}`, {
      ...details,
      cause: e,
    });
  }
}

function makeContext(path: string, options: WriteH5adOptions, blockBytes: number): WriteContext {
  const details = { path };
  const { compression = null, compressionLevel = 4, chunkRows, signal } = options;
  if (compression !== null && compression !== "gzip") {
    throw new InvalidArgumentError(
      `compression must be "gzip" or null, not ${JSON.stringify(compression)}`,
      details,
    );
  }
  if (!Number.isInteger(compressionLevel) || compressionLevel < 0 || compressionLevel > 9) {
    throw new InvalidArgumentError(
      `compressionLevel must be an integer 0–9, not ${compressionLevel}`,
      details,
    );
  }
  if (chunkRows !== undefined && (!Number.isSafeInteger(chunkRows) || chunkRows < 1)) {
    throw new InvalidArgumentError(`chunkRows must be a positive integer, not ${chunkRows}`, details);
  }
  return {
    path,
    gzipLevel: compression === "gzip" ? compressionLevel : null,
    chunkRows,
    blockBytes,
    signal,
    boolCount: 0,
  };
}

function entriesOf<T>(
  record: Readonly<Record<string, T>> | undefined,
  what: string,
  path: string,
): [string, T][] {
  if (record === undefined) return [];
  if (record === null || typeof record !== "object") {
    throw new InvalidArgumentError(`${what} must be an object`, { path, dataset: what });
  }
  const entries = Object.entries(record);
  for (const [key] of entries) checkName(key, `${what} key`, { path, dataset: `${what}/${key}` });
  return entries;
}

function prepare(data: AnnDataInput, details: ErrorDetails): Prepared {
  const path = details.path ?? "";
  if (data === null || typeof data !== "object" || data.X === undefined) {
    throw new InvalidArgumentError("data must be an object with an X matrix", details);
  }
  const [nObs, nVars] = checkMatrix(data.X, [undefined, undefined], { ...details, dataset: "X" });
  const layers = entriesOf(data.layers, "layers", path);
  for (const [k, m] of layers) checkMatrix(m, [nObs, nVars], { ...details, dataset: `layers/${k}` });
  const obsm = entriesOf(data.obsm, "obsm", path);
  const varm = entriesOf(data.varm, "varm", path);
  for (const [group, list, n] of [
    ["obsm", obsm, nObs],
    ["varm", varm, nVars],
  ] as const) {
    for (const [k, m] of list) checkMatrix(m, [n, undefined], { ...details, dataset: `${group}/${k}` });
  }
  const obsp = entriesOf(data.obsp, "obsp", path);
  for (const [k, m] of obsp) checkMatrix(m, [nObs, nObs], { ...details, dataset: `obsp/${k}` });
  const varp = entriesOf(data.varp, "varp", path);
  for (const [k, m] of varp) checkMatrix(m, [nVars, nVars], { ...details, dataset: `varp/${k}` });
  const uns = entriesOf(data.uns, "uns", path);
  for (const [k, v] of uns) {
    if (!["string", "number", "boolean", "bigint"].includes(typeof v)) {
      throw new InvalidArgumentError("uns values must be strings, numbers, booleans or bigints", {
        ...details,
        dataset: `uns/${k}`,
      });
    }
  }
  return {
    X: data.X,
    obs:
      data.obs === undefined
        ? defaultFrame(nObs)
        : prepareFrame(data.obs, nObs, { ...details, dataset: "obs" }),
    var:
      data.var === undefined
        ? defaultFrame(nVars)
        : prepareFrame(data.var, nVars, { ...details, dataset: "var" }),
    layers,
    obsm,
    varm,
    obsp,
    varp,
    uns,
    raw: data.raw === undefined ? null : prepareRaw(data.raw, nObs, details),
  };
}

/** raw.X has X's rows (raw shares obs) and its own columns, named by raw.var. */
function prepareRaw(raw: AnnDataInput["raw"], nObs: number, details: ErrorDetails): Prepared["raw"] {
  if (raw === null || typeof raw !== "object" || raw.X === undefined || raw.var === undefined) {
    throw new InvalidArgumentError("raw must be an object with X and var", { ...details, dataset: "raw" });
  }
  const at = { ...details, dataset: "raw/X" };
  const [rawRows, nRawVars] = checkMatrix(raw.X, [undefined, undefined], at);
  if (rawRows !== nObs) {
    throw new InvalidArgumentError(`raw.X has ${rawRows} rows but X has ${nObs} (raw shares obs)`, at);
  }
  return { X: raw.X, var: prepareFrame(raw.var, nRawVars, { ...details, dataset: "raw/var" }) };
}

function writeRoot(ctx: WriteContext, root: Group, p: Prepared): void {
  setEncoding(root, "anndata", "0.1.0");
  writeMatrix(ctx, root, "X", p.X);
  writeFrame(ctx, root, "obs", p.obs);
  writeFrame(ctx, root, "var", p.var);
  writeDict(ctx, root, "obsm", p.obsm, (g, k, m) => writeMatrix(ctx, g, k, m));
  writeDict(ctx, root, "varm", p.varm, (g, k, m) => writeMatrix(ctx, g, k, m));
  writeDict(ctx, root, "obsp", p.obsp, (g, k, m) => writeMatrix(ctx, g, k, m));
  writeDict(ctx, root, "varp", p.varp, (g, k, m) => writeMatrix(ctx, g, k, m));
  writeDict(ctx, root, "layers", p.layers, (g, k, m) => writeMatrix(ctx, g, k, m));
  writeDict(ctx, root, "uns", p.uns, (g, k, v) => writeScalar(ctx, g, k, v));
  if (p.raw !== null) {
    const g = createGroup(ctx, root, "raw");
    setEncoding(g, "raw", "0.1.0");
    writeMatrix(ctx, g, "X", p.raw.X);
    writeFrame(ctx, g, "var", p.raw.var);
    writeDict(ctx, g, "varm", [], () => {});
  }
}

function writeDict<T>(
  ctx: WriteContext,
  root: Group,
  name: string,
  entries: [string, T][],
  write: (g: Group, key: string, value: T) => void,
): void {
  const g = createGroup(ctx, root, name);
  setEncoding(g, "dict", "0.1.0");
  for (const [k, v] of entries) write(g, k, v);
}

function writeMatrix(ctx: WriteContext, parent: Group, name: string, m: MatrixInput): void {
  const [rows, cols] = m.shape;
  if (m.format === "dense") {
    setEncoding(writeArray(ctx, parent, name, m.data, [rows, cols]), "array", "0.2.0");
    return;
  }
  const g = createGroup(ctx, parent, name);
  setEncoding(g, m.format === "csr" ? "csr_matrix" : "csc_matrix", "0.1.0");
  g.create_attribute("shape", BigInt64Array.of(BigInt(rows), BigInt(cols)));
  const nnz = m.data.length;
  // indptr runs over the compressed axis: rows for CSR, columns for CSC.
  const major = m.format === "csr" ? rows : cols;
  // Chunks of roughly chunkRows rows (CSR) or columns (CSC) of the matrix.
  const chunkLength =
    ctx.chunkRows === undefined
      ? undefined
      : ctx.chunkRows * Math.max(1, Math.ceil(nnz / Math.max(1, major)));
  writeArray(ctx, g, "data", m.data, [nnz], { chunkLength });
  writeArray(ctx, g, "indices", m.indices, [nnz], { chunkLength });
  writeArray(ctx, g, "indptr", m.indptr, [major + 1]);
}

function writeFrame(ctx: WriteContext, root: Group, name: string, frame: PreparedFrame): void {
  const g = createGroup(ctx, root, name);
  setEncoding(g, "dataframe", "0.2.0");
  g.create_attribute("_index", frame.indexName);
  setStringArrayAttr(
    g,
    "column-order",
    frame.columns.map(([c]) => c),
  );
  setEncoding(writeStrings(ctx, g, frame.indexName, frame.index), "string-array", "0.2.0");
  for (const [col, column] of frame.columns) writeColumn(ctx, g, col, column);
}

function writeColumn(ctx: WriteContext, parent: Group, name: string, col: PreparedColumn): void {
  const n = (a: { length: number }) => [a.length];
  switch (col.kind) {
    case "numeric":
      setEncoding(writeArray(ctx, parent, name, col.values, n(col.values)), "array", "0.2.0");
      return;
    case "boolean":
      setEncoding(writeArray(ctx, parent, name, col.values, n(col.values), { bool: true }), "array", "0.2.0");
      return;
    case "string":
      setEncoding(writeStrings(ctx, parent, name, col.values), "string-array", "0.2.0");
      return;
    case "categorical": {
      const g = createGroup(ctx, parent, name);
      setEncoding(g, "categorical", "0.2.0");
      setBoolAttr(ctx, g, "ordered", col.ordered);
      setEncoding(writeArray(ctx, g, "codes", col.codes, n(col.codes)), "array", "0.2.0");
      if (Array.isArray(col.categories)) {
        setEncoding(writeStrings(ctx, g, "categories", col.categories), "string-array", "0.2.0");
      } else {
        const cats = col.categories as Exclude<typeof col.categories, string[]>;
        setEncoding(writeArray(ctx, g, "categories", cats, n(cats)), "array", "0.2.0");
      }
      return;
    }
    case "nullable-integer":
    case "nullable-boolean": {
      const g = createGroup(ctx, parent, name);
      setEncoding(g, col.kind, "0.1.0");
      const bool = col.kind === "nullable-boolean";
      setEncoding(writeArray(ctx, g, "values", col.values, n(col.values), { bool }), "array", "0.2.0");
      setEncoding(writeArray(ctx, g, "mask", col.mask, n(col.mask), { bool: true }), "array", "0.2.0");
      return;
    }
  }
}
