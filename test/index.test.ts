/**
 * Pins the public API: every runtime export of each entry point. A change here is an API change:
 * update the list on purpose (and the README).
 */
import { describe, expect, it } from "vitest";

const entries: Record<string, { path: string; names: string[] }> = {
  cellfeed: {
    path: "../src/index.js",
    names: [
      "AbortError",
      "AliasTable",
      "BatchSampler",
      "BlockShuffleSampler",
      "CellfeedError",
      "DataLoader",
      "DistributedSampler",
      "DuplicateNamesError",
      "EmptyJoinError",
      "EpochSampler",
      "FileNotFoundError",
      "FilterSyntaxError",
      "FormatError",
      "H5adFile",
      "InvalidArgumentError",
      "InvalidIndexError",
      "IoError",
      "KeyNotFoundError",
      "LocalDirectoryStore",
      "LocalFileSource",
      "MAX_INT32_INDEX",
      "MappedCollection",
      "NotAnnDataError",
      "NotHdf5Error",
      "RandomSampler",
      "Rng",
      "SequentialSampler",
      "TruncatedFileError",
      "UnknownEncodingError",
      "UnsupportedFeatureError",
      "UnsupportedFilterError",
      "WeightedRandomSampler",
      "WorkerError",
      "allocIndices",
      "checkWeights",
      "datasetFromDescription",
      "epochBatches",
      "iota",
      "isCellfeedError",
      "makeUnique",
      "openH5ad",
      "rngFor",
      "streamSeed",
      "throwIfAborted",
      "where",
      "writeH5ad",
    ],
  },
  "cellfeed/soma": {
    path: "../src/soma/index.js",
    names: [
      "ExperimentAxisQuery",
      "ExperimentDataset",
      "SOMACollection",
      "SOMADataFrame",
      "SOMADenseNDArray",
      "SOMAExperiment",
      "SOMAMeasurement",
      "SOMASparseNDArray",
      "assembleExperiment",
      "compareCodePoints",
      "compileValueFilter",
      "filterTable",
      "formatFilter",
      "fromDescription",
      "int64Ranges",
      "maskToIndices",
      "negate",
      "objectType",
      "open",
      "openArray",
      "openExperiment",
      "openGroup",
      "openObject",
      "parseValueFilter",
      "pointsToRanges",
      "referencedColumns",
    ],
  },
  "cellfeed/s3": {
    path: "../src/io/s3/index.js",
    names: [
      "S3ByteSource",
      "S3Store",
      "cache",
      "createS3Client",
      "endpointFromEnv",
      "formatS3Uri",
      "isS3Uri",
      "parseS3Uri",
    ],
  },
  "cellfeed/tfjs": {
    path: "../src/tfjs/index.js",
    names: ["toTensors", "toTfDataset"],
  },
};

describe("public exports", () => {
  for (const [entry, { path, names }] of Object.entries(entries)) {
    it(`${entry} exports exactly the pinned names`, async () => {
      const mod = await import(path);
      expect(Object.keys(mod).sort()).toEqual(names);
    });
  }
});
