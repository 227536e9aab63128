/**
 * `cellfeed/soma`: TileDB-SOMA in pure TypeScript. Open experiments (local or `s3://`), read obs/var
 * as apache-arrow tables with tiledbsoma value filters, query X as CSR, write a query as .h5ad, and
 * train on obs-filtered chunks with `ExperimentDataset`.
 *
 * ```ts
 * import { ExperimentDataset, openExperiment } from "cellfeed/soma";
 * const exp = await openExperiment("s3://bucket/experiment");
 * const q = exp.axisQuery({ measurementName: "RNA", obsQuery: { valueFilter: 'tissue == "lung"' } });
 * const X = await q.X("raw");                      // { indptr, indices, data, shape }
 * const ds = await ExperimentDataset.create(q, { layerName: "raw", batchSize: 64, seed: 1 });
 * ```
 */

export { compareCodePoints } from "../order.js";
export {
  type AxisQuery,
  type AxisQueryOptions,
  type DenseMatrix,
  ExperimentAxisQuery,
  type ToH5adOptions,
} from "./axis-query.js";
export { type AxisCoords, pointsToRanges } from "./coords.js";
export type { CsrMatrix, ValueDtype } from "./csr.js";
export { type DataFrameReadOptions, SOMADataFrame } from "./dataframe.js";
export {
  type DatasetStats,
  ExperimentDataset,
  type ExperimentDatasetDescription,
  type ExperimentDatasetOptions,
  fromDescription,
  type SomaBatch,
} from "./dataset.js";
export { type CooCells, type NDArrayReadOptions, SOMADenseNDArray, SOMASparseNDArray } from "./ndarray.js";
export {
  assembleExperiment,
  type ExperimentParts,
  open,
  openExperiment,
  openObject,
  SOMACollection,
  SOMAExperiment,
  SOMAMeasurement,
  type SOMAObject,
  type SOMAOpenOptions,
} from "./objects.js";
export * from "./query/index.js";
export {
  type ArraySchema,
  type Attribute,
  type Column,
  type Dimension,
  type Enumeration,
  type GroupMember,
  type MetadataValue,
  type ObjectType,
  type OpenOptions,
  objectType,
  openArray,
  openGroup,
  type ReadRequest,
  type TileDBArray,
  type TileDBGroup,
} from "./tiledb/index.js";
