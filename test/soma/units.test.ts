import { Int32, Table } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { DuplicateNamesError, InvalidArgumentError } from "../../src/errors.js";
import { arrowValueType, columnToVector, TILEDB_BOOL } from "../../src/soma/arrow.js";
import { coarsenRanges, JoinIndex, keepSelected, pointsToRanges, selectAxis } from "../../src/soma/coords.js";
import { cooToCsr, csrRowsToDense, csrTakeRows, positionLookup } from "../../src/soma/csr.js";
import { filterTable } from "../../src/soma/index.js";

describe("SOMA building blocks", () => {
  it("keeps nulls from TileDB validity in every Arrow column kind", () => {
    const validity = Uint8Array.of(1, 0, 1, 0);
    const ints = columnToVector({ type: 0, data: Int32Array.of(5, 6, 7, 8), validity }, new Int32());
    expect(ints.toJSON()).toEqual([5, null, 7, null]);
    const strs = columnToVector({ type: 12, data: ["a", "", "c", "d"], validity }, arrowValueType(12, "t"));
    expect(strs.toJSON()).toEqual(["a", null, "c", null]);
    const bools = columnToVector(
      { type: TILEDB_BOOL, data: Uint8Array.of(1, 1, 0, 0), validity },
      arrowValueType(TILEDB_BOOL, "t"),
    );
    expect(bools.toJSON()).toEqual([true, null, false, null]);
    // Row selection applies to values and validity together.
    const picked = columnToVector(
      { type: 0, data: Int32Array.of(5, 6, 7, 8), validity },
      new Int32(),
      Int32Array.of(3, 2),
    );
    expect(picked.toJSON()).toEqual([null, 7]);
    // A filter over the resulting table treats nulls as tiledbsoma does (no match for !=).
    const t = new Table({ x: ints });
    expect(Array.from(filterTable(t, "x != 5"))).toEqual([2]);
  });

  it("turns coordinates into ranges and coarsens long lists without losing points", () => {
    expect(pointsToRanges(Float64Array.of(1, 2, 3, 7, 9, 10))).toEqual([
      [1, 3],
      [7, 7],
      [9, 10],
    ]);
    expect(selectAxis([5, 1, 5, 2n], "t")).toEqual({
      ranges: [
        [1, 2],
        [5, 5],
      ],
      points: Float64Array.of(1, 2, 5),
    });
    expect(selectAxis({ start: 3, stop: 4 }, "t").ranges).toEqual([[3, 4]]);
    expect(() => selectAxis([-1], "t")).toThrow(InvalidArgumentError);
    expect(() => selectAxis({ start: 5, stop: 4 }, "t")).toThrow(InvalidArgumentError);
    const r = coarsenRanges(
      [
        [0, 0],
        [2, 2],
        [10, 10],
        [11, 12],
        [40, 40],
      ],
      3,
    );
    expect(r).toEqual([
      [0, 2],
      [10, 12],
      [40, 40],
    ]);
    const ids = Float64Array.of(0, 1, 2, 3, 9);
    expect(keepSelected(ids, selectAxis([3, 1], "t"))).toEqual(Int32Array.of(1, 3));
    expect(keepSelected(ids, selectAxis({ start: 2, stop: 8 }, "t"))).toEqual(Int32Array.of(2, 3));
    expect(keepSelected(ids, selectAxis(undefined, "t"))).toBeUndefined();
    const sparse = new JoinIndex(Float64Array.of(3, 1e12, 5e12));
    expect([sparse.indexOf(1e12), sparse.indexOf(4), sparse.indexOf(5e12)]).toEqual([1, -1, 2]);
  });

  it("builds CSR in query order, sorting columns and dropping unselected cells", () => {
    const rowOf = positionLookup(Float64Array.of(30, 10), "rows");
    const colOf = positionLookup(Float64Array.of(7, 5, 6), "cols");
    const m = cooToCsr(
      Float64Array.of(10, 10, 30, 20, 10),
      Float64Array.of(6, 7, 5, 5, 9),
      Float64Array.of(1, 2, 3, 4, 5),
      rowOf,
      colOf,
      2,
      3,
      "float64",
    );
    expect(m.indptr).toEqual(Int32Array.of(0, 1, 3));
    expect(m.indices).toEqual(Int32Array.of(1, 0, 2));
    expect(m.data).toEqual(Float64Array.of(3, 2, 1));
    expect(csrRowsToDense(m, [1, 0])).toEqual(Float64Array.of(2, 0, 1, 0, 3, 0));
    expect(csrTakeRows(m, [1]).indices).toEqual(Int32Array.of(0, 2));
    expect(() => positionLookup(Float64Array.of(2, 1, 2), "rows")).toThrow(DuplicateNamesError);
  });
});
