/** MappedCollection: many .h5ad files as one map-style dataset (see collection.ts). */
export { MappedCollection } from "./collection.js";
export { makeUnique } from "./join.js";
export type {
  Batch,
  BatchLabels,
  BatchMatrix,
  FileDescription,
  FilterValue,
  GetItemsOptions,
  Item,
  Label,
  MappedCollectionDescription,
  MappedCollectionOptions,
  RemoteS3Options,
  RemoteSettings,
  StoreFile,
  StoreOpener,
} from "./types.js";
