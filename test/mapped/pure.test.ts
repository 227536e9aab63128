import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { sortRowColumns } from "../../src/buffers.js";
import { isCellfeedError } from "../../src/errors.js";
import { base64ToInt32, int32ToBase64 } from "../../src/mapped/base64.js";
import { assembleCsr, planBatch, scatterDense } from "../../src/mapped/batch.js";
import { computeKeptRows } from "../../src/mapped/filter.js";
import { findDuplicates, joinVars, makeUnique } from "../../src/mapped/join.js";
import {
  buildEncoder,
  encode,
  encodeCategorical,
  filterMask,
  labelWeights,
  mergeCategories,
} from "../../src/mapped/labels.js";
import { cumulativeOffsets, locate } from "../../src/mapped/offsets.js";
import { sortLabels } from "../../src/mapped/order.js";
import { compareCodePoints } from "../../src/order.js";
import { referencePython } from "../helpers/fixtures.js";

function py(code: string): unknown {
  return JSON.parse(execFileSync(referencePython, ["-c", code], { encoding: "utf8" }));
}

describe("joins", () => {
  it("inner keeps the first file's order, reduced left to right (LaminDB probe)", () => {
    const a = ["G3", "G1", "G2", "G9"];
    const b = ["G2", "G3", "G7", "G1"];
    const c = ["G1", "G2", "G3"];
    const j = joinVars([a, b, c], ["a", "b", "c"], "inner");
    expect(j.joint).toEqual(["G3", "G1", "G2"]);
    expect(Array.from(j.colMaps[0]!)).toEqual([0, 1, 2, -1]);
    expect(Array.from(j.colMaps[1]!)).toEqual([2, 0, -1, 1]);
    expect(joinVars([b, a, c], ["b", "a", "c"], "inner").joint).toEqual(["G2", "G3", "G1"]);
  });

  it("outer is the sorted union with scatter maps; identical lists are not remapped", () => {
    const j = joinVars(
      [
        ["b", "a"],
        ["c", "a"],
      ],
      ["x", "y"],
      "outer",
    );
    expect(j.joint).toEqual(["a", "b", "c"]);
    expect(Array.from(j.colMaps[0]!)).toEqual([1, 0]);
    expect(Array.from(j.colMaps[1]!)).toEqual([2, 0]);
    const same = joinVars(
      [
        ["z", "a"],
        ["z", "a"],
      ],
      ["x", "y"],
      "outer",
    );
    expect(same).toEqual({ joint: ["z", "a"], equal: true, colMaps: [null, null] });
  });

  it("matches pandas on a random case", () => {
    const lists = [
      ["g5", "g1", "g9", "g2", "Ä", "a"],
      ["g1", "a", "g9", "Z", "g2"],
      ["g9", "g2", "a", "g1", "x"],
    ];
    const want = py(
      `import json,functools,pandas as pd\nL=${JSON.stringify(lists)}\nI=[pd.Index(l) for l in L]\nprint(json.dumps([list(functools.reduce(pd.Index.intersection,I)),list(functools.reduce(pd.Index.union,I))]))`,
    ) as string[][];
    expect(joinVars(lists, ["a", "b", "c"], "inner").joint).toEqual(want[0]);
    expect(joinVars(lists, ["a", "b", "c"], "outer").joint).toEqual(want[1]);
  });

  it("names the files that share nothing and the duplicated names", () => {
    try {
      joinVars([["a", "b"], ["c"]], ["f1.h5ad", "f2.h5ad"], "inner");
      expect.unreachable();
    } catch (e) {
      expect(isCellfeedError(e, "empty_join")).toBe(true);
      expect((e as Error).message).toContain("f1.h5ad and f2.h5ad share no var name");
    }
    try {
      joinVars([["a", "b", "a"], ["a"]], ["dup.h5ad", "ok.h5ad"], "outer");
      expect.unreachable();
    } catch (e) {
      expect(isCellfeedError(e, "duplicate_names")).toBe(true);
      expect((e as Error).message).toMatch(/dup\.h5ad: var: duplicate var names.*: a/);
    }
    expect(findDuplicates(["x", "y", "x", "y", "z"])).toEqual(["x", "y"]);
  });

  it("makeUnique matches anndata's var_names_make_unique", () => {
    const names = ["a", "b", "a", "a-1", "a", "b", "c"];
    const want = py(
      `import json,anndata as ad,pandas as pd,numpy as np\nimport warnings;warnings.simplefilter('ignore')\nn=${JSON.stringify(names)}\nx=ad.AnnData(np.zeros((1,len(n))),var=pd.DataFrame(index=n))\nx.var_names_make_unique()\nprint(json.dumps(list(x.var_names)))`,
    );
    expect(makeUnique(names)).toEqual(want);
  });
});

describe("ordering", () => {
  it("sorts by code point like Python", () => {
    const words = ["b", "\u{1F600}", "\uFF01", "B", "a", "é", "aa", ""];
    const want = py(`import json\nprint(json.dumps(sorted(${JSON.stringify(words)})))`);
    expect([...words].sort(compareCodePoints)).toEqual(want);
    expect(sortLabels([10, 2, 1])).toEqual([1, 2, 10]);
  });
});

describe("offsets", () => {
  it("locates global indices, skipping empty files", () => {
    const off = cumulativeOffsets([3, 0, 2, 0, 1]);
    expect(Array.from(off)).toEqual([0, 3, 3, 5, 5, 6]);
    expect([0, 2, 3, 4, 5].map((g) => locate(off, g))).toEqual([0, 0, 2, 2, 4]);
  });

  it("plans a batch: grouped by file, rows sorted, positions kept, bad indices rejected", () => {
    const off = cumulativeOffsets([4, 3]);
    const plan = planBatch([5, 1, 3, 1, 4], off, [null, Int32Array.from([10, 20, 30])]);
    expect(Array.from(plan.storeIdx)).toEqual([1, 0, 0, 0, 1]);
    expect(plan.groups.map((g) => [g.file, Array.from(g.rows), Array.from(g.pos)])).toEqual([
      [0, [1, 1, 3], [1, 3, 2]],
      [1, [10, 20], [4, 0]],
    ]);
    for (const bad of [7, -1, 1.5, Number.NaN]) {
      expect(() => planBatch([0, bad], off, [null, null])).toThrow(/out of range/);
    }
  });

  it("round-trips Int32Array through base64", () => {
    const a = Int32Array.from([0, -1, 2147483647, -2147483648, 5]);
    expect(Array.from(base64ToInt32(int32ToBase64(a)))).toEqual(Array.from(a));
  });
});

describe("scatter", () => {
  const csr = {
    format: "csr" as const,
    shape: [2, 3] as [number, number],
    indptr: Int32Array.from([0, 2, 3]),
    indices: Int32Array.from([0, 2, 1]),
    data: Float32Array.from([1, 2, 3]),
  };
  it("scatters CSR and dense rows through a join map into caller positions", () => {
    const out = new Float32Array(2 * 4);
    scatterDense(out, 4, csr, Int32Array.from([1, 0]), Int32Array.from([3, -1, 0]));
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 2, 0, 0, 1]);
    const dense = {
      format: "dense" as const,
      shape: [1, 3] as [number, number],
      data: Float32Array.from([7, 8, 9]),
    };
    const o2 = new Float32Array(4);
    scatterDense(o2, 4, dense, Int32Array.from([0]), Int32Array.from([2, -1, 1]));
    expect(Array.from(o2)).toEqual([0, 9, 7, 0]);
  });

  it("assembles CSR with sorted columns in caller order", () => {
    const r = assembleCsr(
      2,
      [{ src: csr, pos: Int32Array.from([1, 0]), colMap: Int32Array.from([3, 1, 0]) }],
      "float64",
    );
    expect(Array.from(r.indptr)).toEqual([0, 1, 3]);
    expect(Array.from(r.indices)).toEqual([1, 0, 3]);
    expect(Array.from(r.data)).toEqual([3, 2, 1]);
    expect(r.data).toBeInstanceOf(Float64Array);
  });

  it("sorts a row's columns with their values, leaving the rest of the arrays alone", () => {
    // Deterministic pseudo-random rows; some wide enough (columns near 2^31) to need the comparator path.
    let state = 12345;
    const next = () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state;
    };
    for (const maxCol of [10, 3302, 2 ** 31 - 1]) {
      const m = Math.min(200, maxCol);
      const cols = new Set<number>();
      while (cols.size < m) cols.add(next() % maxCol);
      const indices = Int32Array.from([-7, ...cols, -9]);
      const data = Float32Array.from(indices, (c) => c % 1000);
      sortRowColumns(indices, data, 1, m + 1);
      const want = [...cols].sort((a, b) => a - b);
      expect(Array.from(indices.subarray(1, m + 1))).toEqual(want);
      expect(Array.from(data.subarray(1, m + 1))).toEqual(want.map((c) => Math.fround(c % 1000)));
      expect([indices[0], indices[m + 1], data[0], data[m + 1]]).toEqual([-7, -9, -7, -9]);
    }
  });
});

describe("labels", () => {
  it("encodes sorted categories with the unknown label as -1 first", () => {
    const enc = buildEncoder(
      mergeCategories([
        ["T", "Unknown"],
        ["NK", "B", "Mono"],
      ]),
      "Unknown",
    );
    expect(Object.fromEntries(enc)).toEqual({ Unknown: -1, B: 0, Mono: 1, NK: 2, T: 3 });
    expect([...enc.keys()][0]).toBe("Unknown");
    expect(Array.from(encode(["T", null, "Unknown", "B"], enc))).toEqual([3, -1, -1, 0]);
    expect(Array.from(encodeCategorical(Int32Array.from([0, -1, 1]), ["T", "NK"], enc))).toEqual([3, -1, 2]);
    expect(Object.fromEntries(buildEncoder(mergeCategories([[10, 2], [1]])))).toEqual({ 1: 0, 2: 1, 10: 2 });
  });

  it("weights match LaminDB's formula (checked with Python)", () => {
    const a = ["T", "B", "T", null, "T", "B"];
    const b = [1, 1, 2, 1, 1, null];
    const want = py(
      `import json,numpy as np\nfrom collections import Counter\na=np.array(json.loads('${JSON.stringify(a)}'),dtype=object).astype(str)\nb=np.array([1,1,2,1,1,np.nan]).astype(str)\nb=np.array([s.replace('.0','') for s in b])\nl=np.array(['__'.join(x) for x in zip(a,b)])\nc=Counter(l)\nprint(json.dumps([[1/c[x] for x in l],[5/(c[x]+5) for x in l]]))`,
    ) as number[][];
    expect(Array.from(labelWeights([a, b]))).toEqual(want[0]);
    expect(Array.from(labelWeights([a, b], 5))).toEqual(want[1]);
  });

  it("filters: OR over values, null/NaN selects missing, AND over keys, absent key selects nothing", () => {
    expect(Array.from(filterMask(["a", null, "b", "c"], ["a", "c"]))).toEqual([1, 0, 0, 1]);
    expect(Array.from(filterMask(["a", null, 3], [Number.NaN, "3"]))).toEqual([0, 1, 1]);
    expect(Array.from(filterMask([true, false], ["True"]))).toEqual([1, 0]);
    const warnings: string[] = [];
    const files = [
      {
        path: "p0",
        nRows: 3,
        has: () => true,
        labels: (k: string) => (k === "t" ? ["x", "y", "x"] : [1, 2, null]),
      },
      { path: "p1", nRows: 2, has: (k: string) => k === "t", labels: () => ["x", "x"] },
    ];
    const kept = computeKeptRows(files, { t: ["x", "zz"], n: [null, 1] }, warnings);
    expect(kept.map((k) => (k === null ? null : Array.from(k)))).toEqual([[0, 2], []]);
    expect(warnings.join("\n")).toContain("p1: no obs column 'n'");
    expect(warnings.join("\n")).toContain('obsFilter value "zz"');
  });
});
