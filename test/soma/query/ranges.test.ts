import { Int64, Table, Utf8 } from "apache-arrow";
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { filterTable, int64Ranges, parseValueFilter } from "../../../src/soma/query/index.js";
import { column } from "./arrow-helpers.js";

const MIN = -(1n << 63n);
const MAX = (1n << 63n) - 1n;

describe("int64Ranges (soma_joinid push-down)", () => {
  const cases: [string, [bigint, bigint][]][] = [
    ["soma_joinid < 10", [[MIN, 9n]]],
    ["soma_joinid <= 10", [[MIN, 10n]]],
    ["soma_joinid > 10", [[11n, MAX]]],
    ["500 <= soma_joinid < 5000", [[500n, 4999n]]],
    ["soma_joinid >= 5.7", [[5n, MAX]]],
    [
      "soma_joinid in [3, 1, 2, 7]",
      [
        [1n, 3n],
        [7n, 7n],
      ],
    ],
    [
      "soma_joinid not in [3]",
      [
        [MIN, 2n],
        [4n, MAX],
      ],
    ],
    [
      "soma_joinid != 3",
      [
        [MIN, 2n],
        [4n, MAX],
      ],
    ],
    [
      "soma_joinid < 10 or soma_joinid in [50, 51]",
      [
        [MIN, 9n],
        [50n, 51n],
      ],
    ],
    ["soma_joinid < 10 and soma_joinid > 20", []],
    [`soma_joinid < 10 and tissue == "lung"`, [[MIN, 9n]]],
    [`soma_joinid < 10 or tissue == "lung"`, [[MIN, MAX]]],
    ["not (soma_joinid < 10 or soma_joinid >= 20)", [[10n, 19n]]],
    ["soma_joinid == None", []],
    ["soma_joinid != None", [[MIN, MAX]]],
    ["soma_joinid < -9223372036854775808", []],
    ["soma_joinid > 9223372036854775807", []],
    [`soma_joinid == "x"`, [[MIN, MAX]]],
  ];
  it.each(cases)("%s", (expr, want) => {
    expect(int64Ranges(parseValueFilter(expr), "soma_joinid")).toEqual(want);
  });

  it("is exact for random filters on one column (checked against the evaluator)", () => {
    const values = Array.from({ length: 61 }, (_, i) => BigInt(i - 30));
    const table = new Table({
      soma_joinid: column(values, new Int64()),
      tissue: column(
        values.map(() => "x"),
        new Utf8(),
      ),
    });
    const rng = seedrandom("ranges");
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)]!;
    const leaf = (): string => {
      const v = Math.floor(rng() * 50) - 25;
      if (rng() < 0.2) return `soma_joinid ${pick(["in", "not in"])} [${v}, ${v + 3}, ${-v}]`;
      return `soma_joinid ${pick(["==", "!=", "<", "<=", ">", ">="])} ${v}`;
    };
    const expr = (depth: number): string => {
      if (depth === 0 || rng() < 0.3) return leaf();
      const e = `(${expr(depth - 1)}) ${pick(["and", "or", "&", "|"])} (${expr(depth - 1)})`;
      return rng() < 0.3 ? `not (${e})` : e;
    };
    for (let k = 0; k < 200; k++) {
      const e = expr(3);
      const ranges = int64Ranges(parseValueFilter(e), "soma_joinid");
      const fromRanges = values.flatMap((v, i) => (ranges.some(([lo, hi]) => lo <= v && v <= hi) ? [i] : []));
      expect([...filterTable(table, e)], e).toEqual(fromRanges);
    }
  });
});
