import { expect, it } from "vitest";
import * as soma from "../../src/soma/index.js";
import * as query from "../../src/soma/query/index.js";

it("cellfeed/soma exports exactly its documented runtime API plus the value_filter module", () => {
  expect(Object.keys(soma).sort()).toEqual(
    [
      ...Object.keys(query),
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
      "fromDescription",
      "objectType",
      "open",
      "openArray",
      "openExperiment",
      "openGroup",
      "openObject",
      "pointsToRanges",
    ].sort(),
  );
  expect(Object.keys(soma)).toEqual(
    expect.arrayContaining(["compileValueFilter", "filterTable", "parseValueFilter"]),
  );
});
