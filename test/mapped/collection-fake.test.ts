/** The collection's logic over in-memory files: ordering, one read per file and layer, joins, errors. */
import { beforeEach, describe, expect, it } from "vitest";
import { isCellfeedError } from "../../src/errors.js";
import { MappedCollection } from "../../src/mapped/index.js";
import { calls, type FakeSpec, fakeOpener } from "./fake.js";

const A: FakeSpec = {
  path: "a.h5ad",
  vars: ["g2", "g1", "g3"],
  X: [
    [1, 0, 2],
    [0, 3, 0],
    [4, 5, 6],
  ],
  layers: {
    counts: [
      [1, 1, 1],
      [2, 2, 2],
      [3, 3, 3],
    ],
  },
  obsm: {
    pca: [
      [0.5, 1],
      [1.5, 2],
      [2.5, 3],
    ],
  },
  obs: { ct: ["T", "B", null], n: [1, 2, 2] },
  raw: {
    vars: ["r1", "r2"],
    X: [
      [1, 0],
      [0, 1],
      [1, 1],
    ],
  },
};
const B: FakeSpec = {
  path: "b.h5ad",
  vars: ["g4", "g3", "g2"],
  layout: "dense",
  X: [
    [7, 8, 9],
    [0, 0, 1],
  ],
  obs: { ct: ["NK", "T"] },
};
const C: FakeSpec = { path: "c.h5ad", vars: ["g1", "g9"], X: [[1, 2]], raw: { vars: ["r1"], X: [[5]] } };
const open = (paths: string[], o = {}) => MappedCollection.openWith(fakeOpener([A, B, C]), paths, o);

beforeEach(() => {
  calls.length = 0;
});

describe("MappedCollection over fake files", () => {
  it("outer join: sorted union, rows scattered, caller order restored, one read per file", async () => {
    const mc = await open(["a.h5ad", "b.h5ad"], { join: "outer", obsKeys: ["ct"] });
    expect(mc.varJoint).toEqual(["g1", "g2", "g3", "g4"]);
    expect(mc.shape).toEqual([5, 4]);
    expect(mc.encoders).toEqual({ ct: { B: 0, NK: 1, T: 2 } });
    const b = await mc.getItems([3, 0, 2, 0, 4]);
    expect(calls.map((c) => [c.path, c.rows])).toEqual([
      ["a.h5ad", [0, 0, 2]],
      ["b.h5ad", [0, 1]],
    ]);
    expect(Array.from(b.storeIdx)).toEqual([1, 0, 0, 0, 1]);
    expect(b.layers.X!.shape).toEqual([5, 4]);
    expect(Array.from(b.layers.X!.data)).toEqual([
      0, 9, 8, 7, 0, 1, 2, 0, 5, 4, 6, 0, 0, 1, 2, 0, 0, 1, 0, 0,
    ]);
    expect(Array.from(b.obs.ct as Int32Array)).toEqual([1, 2, -1, 2, 2]);
    const item = await mc.get(1);
    expect(item.storeIdx).toBe(0);
    expect(Array.from(item.layers.X!)).toEqual([3, 0, 0, 0]);
    expect(item.obs).toEqual({ ct: 0 });
  });

  it("inner join in the first file's order; CSR output has sorted columns", async () => {
    const mc = await open(["a.h5ad", "b.h5ad"]);
    expect(mc.varJoint).toEqual(["g2", "g3"]);
    const b = await mc.getItems([2, 3], { output: "csr" });
    const x = b.layers.X!;
    expect(x.format).toBe("csr");
    if (x.format !== "csr") return;
    expect(Array.from(x.indptr)).toEqual([0, 2, 4]);
    expect(Array.from(x.indices)).toEqual([0, 1, 0, 1]);
    expect(Array.from(x.data)).toEqual([4, 6, 9, 8]);
  });

  it("missing layers, obsm and obs keys: flagged rows, null/-1 labels, omitted in get()", async () => {
    const mc = await open(["a.h5ad", "b.h5ad"], {
      join: "outer",
      layersKeys: ["X", "counts", "raw.X"],
      obsmKeys: ["pca"],
      obsKeys: ["ct", "n"],
      encodeLabels: ["ct"],
      dtype: "float64",
    });
    const b = await mc.getItems([4, 1]);
    expect(Array.from(b.layers.counts!.missing!)).toEqual([1, 0]);
    expect(Array.from(b.layers.counts!.data)).toEqual(
      [0, 0, 0, 0, 2, 2, 2, 0].slice(0, 0).concat([0, 0, 0, 0, 2, 2, 2, 0]),
    );
    expect(b.layers["raw.X"]!.shape).toEqual([2, 2]);
    expect(Array.from(b.obsm.pca!.data)).toEqual([0, 0, 1.5, 2]);
    expect(b.obsm.pca!.data).toBeInstanceOf(Float64Array);
    expect(b.obs.n).toEqual([null, 2]);
    const item = await mc.get(4);
    expect(Object.keys(item.layers)).toEqual(["X"]);
    expect(item.obsm).toEqual({});
    expect(item.obs).toEqual({ ct: 2 });
  });

  it("weights and merged labels have length n_obs even when a file lacks the key", async () => {
    const mc = await open(["a.h5ad", "b.h5ad"], { obsKeys: ["n"], encodeLabels: false });
    expect(mc.getMergedLabels("n")).toEqual([1, 2, 2, null, null]);
    expect(Array.from(mc.getLabelWeights("n"))).toEqual([1, 0.5, 0.5, 0.5, 0.5]);
    expect(mc.getMergedCategories("ct")).toEqual(["B", "NK", "T"]);
  });

  it("filters, describe/fromDescription without reading var", async () => {
    const mc = await open(["a.h5ad", "b.h5ad"], {
      join: "outer",
      obsKeys: ["ct"],
      obsFilter: { ct: ["T", null] },
    });
    expect(mc.length).toBe(3);
    expect(mc.originalShapes).toEqual([
      [2, 3],
      [1, 3],
    ]);
    const d = JSON.parse(JSON.stringify(mc.describe()));
    // The worker side never reads var names or label columns it does not need.
    const strict = async (p: string) => {
      const f = await fakeOpener([A, B])(p);
      f.varNames = () => {
        throw new Error("var read in fromDescription");
      };
      return f;
    };
    const mc2 = await MappedCollection.fromDescription(d, { opener: strict });
    expect(mc2.describe()).toEqual(d);
    const [x, y] = [await mc.getItems([0, 1, 2]), await mc2.getItems([0, 1, 2])];
    expect(y).toEqual(x);
    expect(Array.from(x.obs.ct as Int32Array)).toEqual([2, -1, 2]);
  });

  it("abort signals and await using", async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(open(["a.h5ad"], { signal: ac.signal })).rejects.toMatchObject({ code: "aborted" });
    let seen: MappedCollection | undefined;
    {
      await using mc = await open(["a.h5ad"]);
      seen = mc;
      await expect(mc.getItems([0], { signal: ac.signal })).rejects.toMatchObject({ code: "aborted" });
      expect(mc.closed).toBe(false);
    }
    expect(seen.closed).toBe(true);
  });

  it("typed errors", async () => {
    const codeOf = async (p: Promise<unknown>) =>
      p.then(
        () => "ok",
        (e) => (isCellfeedError(e) ? e.code : String(e)),
      );
    expect(await codeOf(open(["a.h5ad"], { layersKeys: ["nope"] }))).toBe("key_not_found");
    expect(await codeOf(open(["a.h5ad"], { obsKeys: ["nope"] }))).toBe("key_not_found");
    expect(await codeOf(open(["a.h5ad"], { obsmKeys: ["nope"] }))).toBe("key_not_found");
    expect(await codeOf(open(["a.h5ad"], { obsKeys: ["ct"], encodeLabels: ["n"] }))).toBe("invalid_argument");
    expect(await codeOf(open(["a.h5ad"], { join: "left" as never }))).toBe("invalid_argument");
    expect(await codeOf(open(["a.h5ad"], { obsFilter: { nope: "x" } }))).toBe("key_not_found");
    expect(await codeOf(open([]))).toBe("invalid_argument");
    const empty = await open(["a.h5ad", "b.h5ad"], { obsFilter: { ct: "none" } });
    expect(empty.length).toBe(0);
    expect((await empty.getItems([])).layers.X!.shape).toEqual([0, 2]);
    expect(await codeOf(open(["b.h5ad", "c.h5ad"], { join: "inner" }))).toBe("empty_join");
    const mc = await open(["a.h5ad", "c.h5ad"], { join: null, layersKeys: ["raw.X", "X"] });
    expect(mc.shape).toEqual([4, null]);
    expect(mc.varJoint).toBeNull();
    await expect(mc.getItems([0, 3])).rejects.toThrow(
      /raw\.X.*a\.h5ad has 2 columns and c\.h5ad has 1.*never joined/s,
    );
    await expect(mc.getItems([3, 0], { output: "csr" })).resolves.toMatchObject({
      layers: { X: { shape: [2, 3] } },
    });
    const mcX = await open(["a.h5ad", "c.h5ad"], { join: null });
    await expect(mcX.getItems([0, 3])).rejects.toThrow(/join is null/);
    expect(await codeOf(mc.getItems([4]))).toBe("invalid_index");
    await mc.close();
    expect(await codeOf(mc.getItems([0]))).toBe("invalid_argument");
  });
});
