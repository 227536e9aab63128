/**
 * Opens one matrix element by HDF5 path: a dense dataset (`array` encoding or none), a CSR/CSC group
 * (`csr_matrix`/`csc_matrix`, or the legacy `h5sparse_format` attribute), or a field of a legacy
 * compound dataset (pre-0.7 obsm/varm).
 */
import { FormatError, UnsupportedFeatureError } from "../errors.js";
import {
  elementType,
  isNumeric,
  type NumberArray,
  toNumberArray,
  toNumbers,
  toStringScalar,
} from "./convert.js";
import { encodingOf, expectEncoding } from "./encoding.js";
import type { H5Context } from "./h5context.js";
import { CscMatrix, CsrMatrix, DenseMatrix, type H5adMatrix } from "./matrix.js";
import { directRangeReader, directRowBlockReader, type RowBlockReader } from "./range.js";
import type { NumericDtype } from "./types.js";

/** What kind of element sits at a path, without reading its values. */
export type ElementKind = "dense" | "csr" | "csc" | "dataframe" | "other";

export function elementKind(ctx: H5Context, p: string): ElementKind {
  const kind = ctx.kind(p);
  if (kind === "dataset") {
    const t = elementType(ctx.metadata(p));
    return t === "compound" ? "dataframe" : "dense";
  }
  if (kind !== "group") return "other";
  const enc = encodingOf(ctx, p);
  if (enc?.type === "csr_matrix") return "csr";
  if (enc?.type === "csc_matrix") return "csc";
  if (enc?.type === "dataframe") return "dataframe";
  const legacy = toStringScalar(ctx.attr(p, "h5sparse_format"));
  if (legacy === "csr" || legacy === "csc") return legacy;
  return "other";
}

function numericDtype(ctx: H5Context, p: string): NumericDtype {
  const t = elementType(ctx.metadata(p));
  if (t === "bool") return "uint8";
  if (!isNumeric(t)) {
    throw new UnsupportedFeatureError(`matrix values of type '${t}' are not supported`, {
      path: ctx.path,
      dataset: p,
    });
  }
  return t;
}

/** Opens the matrix at HDF5 path `p` (reads indptr of sparse matrices once). */
export function openMatrix(ctx: H5Context, p: string): H5adMatrix {
  const kind = ctx.kind(p);
  if (kind === "dataset") {
    expectEncoding(ctx, p, ["array"]);
    const shape = ctx.shape(p);
    if (elementType(ctx.metadata(p)) === "compound") {
      throw new UnsupportedFeatureError("a compound dataset is not a matrix", { path: ctx.path, dataset: p });
    }
    if (shape.length !== 1 && shape.length !== 2) {
      throw new UnsupportedFeatureError(`a ${shape.length}-D array is not a matrix`, {
        path: ctx.path,
        dataset: p,
      });
    }
    const dims: [number, number] = [shape[0] ?? 0, shape.length === 2 ? (shape[1] ?? 0) : 1];
    return new DenseMatrix(
      { path: ctx.path, key: p, valuesDataset: p },
      dims,
      numericDtype(ctx, p),
      directRowBlockReader(ctx, p),
    );
  }
  if (kind !== "group") throw new FormatError("not a matrix element", { path: ctx.path, dataset: p });
  const enc = expectEncoding(ctx, p, ["csr_matrix", "csc_matrix", "dataframe"]);
  if (enc?.type === "dataframe") {
    throw new UnsupportedFeatureError("this element is a dataframe, not a matrix", {
      path: ctx.path,
      dataset: p,
    });
  }
  let layout: "csr" | "csc";
  let shape: number[];
  if (enc !== null) {
    layout = enc.type === "csr_matrix" ? "csr" : "csc";
    shape = toNumbers(ctx.attr(p, "shape"));
  } else {
    const legacy = toStringScalar(ctx.attr(p, "h5sparse_format"));
    if (legacy !== "csr" && legacy !== "csc") {
      throw new FormatError("group is neither an anndata sparse matrix nor an h5sparse group", {
        path: ctx.path,
        dataset: p,
      });
    }
    layout = legacy;
    shape = toNumbers(ctx.attr(p, "h5sparse_shape"));
  }
  if (shape.length !== 2 || shape.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new FormatError(`bad sparse matrix shape [${shape.join(", ")}]`, { path: ctx.path, dataset: p });
  }
  const dims: [number, number] = [shape[0]!, shape[1]!];
  for (const part of ["data", "indices", "indptr"]) {
    if (ctx.kind(`${p}/${part}`) !== "dataset") {
      throw new FormatError(`sparse matrix has no '${part}' dataset`, { path: ctx.path, dataset: p });
    }
  }
  const indptr = Float64Array.from(toNumberArray(ctx.readAll(`${p}/indptr`)));
  const major = layout === "csr" ? dims[0] : dims[1];
  const data = directRangeReader(ctx, `${p}/data`);
  const indices = directRangeReader(ctx, `${p}/indices`);
  checkIndptr(ctx, p, indptr, major, data.length, indices.length);
  const source = { path: ctx.path, key: p, valuesDataset: `${p}/data` };
  const dtype = numericDtype(ctx, `${p}/data`);
  return layout === "csr"
    ? new CsrMatrix(source, dims, dtype, indptr, data, indices)
    : new CscMatrix(source, dims, dtype, indptr, data, indices);
}

function checkIndptr(
  ctx: H5Context,
  p: string,
  indptr: Float64Array,
  major: number,
  nData: number,
  nIndices: number,
): void {
  const where = { path: ctx.path, dataset: `${p}/indptr` };
  if (indptr.length !== major + 1) {
    throw new FormatError(`indptr has ${indptr.length} entries, expected ${major + 1}`, where);
  }
  for (let i = 0; i < major; i++) {
    if (!(indptr[i + 1]! >= indptr[i]!)) throw new FormatError(`indptr decreases at ${i}`, where);
  }
  const nnz = indptr[major] ?? 0;
  if (indptr[0] !== 0 || nnz > nData || nnz > nIndices) {
    throw new FormatError(
      `indptr spans ${indptr[0]}..${nnz} but data has ${nData} and indices ${nIndices} values`,
      where,
    );
  }
}

/** An in-memory RowBlockReader (legacy compound fields are read whole once). */
function memoryRows(dataset: string, values: Float64Array, rows: number, cols: number): RowBlockReader {
  return {
    dataset,
    rows,
    cols,
    chunkRows: 0,
    mergeGap: 0,
    ready: async () => {},
    async readRows(start, end): Promise<NumberArray> {
      return values.subarray(start * cols, end * cols);
    },
    async readRowRuns(starts, ends): Promise<NumberArray> {
      let n = 0;
      for (let i = 0; i < starts.length; i++) n += ends[i]! - starts[i]!;
      const out = new Float64Array(n * cols);
      let at = 0;
      for (let i = 0; i < starts.length; i++) {
        out.set(values.subarray(starts[i]! * cols, ends[i]! * cols), at);
        at += (ends[i]! - starts[i]!) * cols;
      }
      return out;
    },
  };
}

/** The array fields of a legacy compound dataset (pre-0.7 obsm/varm): name → [width, dtype]. */
export function compoundMatrixFields(
  ctx: H5Context,
  p: string,
): Map<string, { width: number; dtype: NumericDtype }> {
  const out = new Map<string, { width: number; dtype: NumericDtype }>();
  for (const m of ctx.metadata(p).compound_type?.members ?? []) {
    const base = m.array_type ?? m;
    const t = elementType(base);
    if (!isNumeric(t)) continue;
    const dims = m.array_type?.shape ?? [1];
    out.set(m.name, { width: dims.reduce((a, b) => a * b, 1), dtype: t });
  }
  return out;
}

/** A field of a legacy compound dataset as a dense matrix. */
export function openCompoundField(ctx: H5Context, p: string, field: string): H5adMatrix {
  const info = compoundMatrixFields(ctx, p).get(field);
  if (info === undefined)
    throw new FormatError(`no numeric field '${field}'`, { path: ctx.path, dataset: p });
  const members = ctx.metadata(p).compound_type?.members ?? [];
  const at = members.findIndex((m) => m.name === field);
  const rowsData = ctx.readAll(p);
  const nRows = ctx.shape(p)[0] ?? 0;
  const values = new Float64Array(nRows * info.width);
  if (Array.isArray(rowsData)) {
    rowsData.forEach((row, r) => {
      const cell = Array.isArray(row) ? row[at] : undefined;
      const nums = toNumberArray(cell);
      values.set(nums.subarray(0, info.width), r * info.width);
    });
  }
  return new DenseMatrix(
    { path: ctx.path, key: `${p}/${field}`, valuesDataset: p },
    [nRows, info.width],
    info.dtype,
    memoryRows(p, values, nRows, info.width),
  );
}
