export { DataLoader, type DataLoaderOptions, type DataLoaderProgress } from "./data-loader.js";
export { datasetFromDescription } from "./registry.js";
export type {
  BatchDataset,
  BatchIndexSampler,
  DatasetDescription,
  IndexSampler,
} from "./types.js";
