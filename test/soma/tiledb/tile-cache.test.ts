import { describe, expect, it } from "vitest";
import { LocalDirectoryStore } from "../../../src/io/local.js";
import type { ByteStore, ReadOptions } from "../../../src/io/types.js";
import {
  assembleExperiment,
  ExperimentDataset,
  open,
  type SOMADataFrame,
  type SOMASparseNDArray,
} from "../../../src/soma/index.js";
import { openArray, TileCache } from "../../../src/soma/tiledb/index.js";
import { RangeSet } from "../../../src/soma/tiledb/ranges.js";
import { describeWithFixtures, fixturePath } from "../../helpers/fixtures.js";

/** Counts range reads (data tiles) of a store. */
function counting(inner: ByteStore): ByteStore & { ranges: number } {
  const s = {
    ranges: 0,
    get uri() {
      return inner.uri;
    },
    list: (d: string, o?: ReadOptions) => inner.list(d, o),
    exists: (p: string, o?: ReadOptions) => inner.exists(p, o),
    get: (p: string, o?: ReadOptions) => inner.get(p, o),
    getRange: (p: string, off: number, len: number, o?: ReadOptions) => {
      s.ranges++;
      return inner.getRange(p, off, len, o);
    },
    child: (p: string) => inner.child(p),
  };
  return s;
}

/** A deterministic generator (mulberry32) for the randomised comparisons. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("RangeSet (sorted, merged ranges for per-cell tests)", () => {
  it("agrees with a linear scan over unsorted, overlapping numeric ranges, in any probe order", () => {
    const r = rng(7);
    for (let trial = 0; trial < 50; trial++) {
      const ranges: [number, number][] = Array.from({ length: 1 + Math.floor(r() * 40) }, () => {
        const a = Math.floor(r() * 1000);
        return [a, a + Math.floor(r() * 30)];
      });
      const set = new RangeSet<number>(ranges);
      for (let k = 1; k < set.lo.length; k++)
        expect(set.lo[k] as number).toBeGreaterThan(set.hi[k - 1] as number);
      for (let v = -5; v < 1040; v += r() < 0.5 ? 1 : 7) {
        const want = ranges.some(([a, b]) => v >= a && v <= b);
        expect(set.has(v)).toBe(want);
        expect(set.has(1040 - v)).toBe(ranges.some(([a, b]) => 1040 - v >= a && 1040 - v <= b));
      }
    }
  });

  it("handles string ranges, fractional values and an empty list", () => {
    const s = new RangeSet<string>([
      ["m", "p"],
      ["a", "c"],
      ["b", "d"],
    ]);
    expect(["a", "bz", "d", "da", "m", "o", "p", "pa", ""].map((v) => s.has(v))).toEqual([
      true,
      true,
      true,
      false,
      true,
      true,
      true,
      false,
      false,
    ]);
    const f = new RangeSet<number>([[0.5, 1.5]]);
    expect([0.49, 0.5, 1.5, 1.51].map((v) => f.has(v))).toEqual([false, true, true, false]);
    expect(new RangeSet<number>([]).has(0)).toBe(false);
  });
});

describe("TileCache", () => {
  it("evicts least recently used tiles to stay within its byte budget", () => {
    const c = new TileCache(100);
    c.put("a", new Uint8Array(40));
    c.put("b", new Uint8Array(40));
    expect(c.lookup("a")).toBeInstanceOf(Uint8Array); // a is now the most recent
    c.put("c", new Uint8Array(40));
    expect(c.lookup("b")).toBeUndefined();
    expect(c.lookup("a")).toBeInstanceOf(Uint8Array);
    expect(c.stats.bytes).toBe(80);
    c.put("huge", new Uint8Array(101));
    expect(c.lookup("huge")).toBeUndefined();
    expect(c.stats.evictions).toBe(1);
  });

  it("keeps a copy of a small view so a large fetched buffer is not pinned", () => {
    const c = new TileCache(1000);
    const big = new Uint8Array(400);
    big[10] = 7;
    c.put("v", big.subarray(10, 20));
    const got = c.lookup("v") as Uint8Array;
    expect(got[0]).toBe(7);
    expect(got.buffer.byteLength).toBe(10);
  });
});

const xPath = () => fixturePath("tiledb", "soma-pbmc3k-v18-multitile", "pbmc3k", "ms", "raw", "X", "data");

describeWithFixtures("tiledb", "decoded-tile cache on pbmc3k X (23 tiles)", () => {
  const scattered = {
    soma_dim_0: [
      [5, 9],
      [700, 720],
      [1500, 1510],
      [2600, 2637],
    ] as [number, number][],
  };

  it("a repeated read decodes nothing again and returns the same cells as an uncached read", async () => {
    const plain = await openArray(new LocalDirectoryStore(xPath()), { tileCache: 0 });
    expect(plain.tileCache).toBeUndefined();
    const want = await plain.read({ ranges: scattered });
    const store = counting(new LocalDirectoryStore(xPath()));
    const a = await openArray(store, { tileCache: 64 * 1024 * 1024 });
    const first = await a.read({ ranges: scattered });
    const fetched = store.ranges;
    expect(fetched).toBeGreaterThan(0);
    const second = await a.read({ ranges: scattered });
    expect(store.ranges).toBe(fetched);
    expect(a.tileCache?.stats.hits).toBeGreaterThan(0);
    for (const got of [first, second])
      for (const k of ["soma_dim_0", "soma_dim_1", "soma_data"])
        expect(Array.from(got[k]?.data as ArrayLike<unknown>)).toEqual(
          Array.from(want[k]?.data as ArrayLike<unknown>),
        );
    // Results are copies: changing one does not change the cached tiles.
    const mutable = first.soma_data;
    if (!mutable) throw new Error("no soma_data column");
    (mutable.data as Float32Array).fill(-1);
    const third = await a.read({ ranges: scattered });
    expect(Array.from(third.soma_data?.data as Float32Array)).toEqual(
      Array.from(want.soma_data?.data as Float32Array),
    );
  });

  it("concurrent reads of the same tiles share one fetch and decode per tile", async () => {
    const store = counting(new LocalDirectoryStore(xPath()));
    const a = await openArray(store);
    await a.fragmentMetadata();
    const base = store.ranges;
    const [x, y] = await Promise.all([a.read({ ranges: scattered }), a.read({ ranges: scattered })]);
    const both = store.ranges - base;
    expect(Array.from(x.soma_data?.data as Float32Array)).toEqual(
      Array.from(y.soma_data?.data as Float32Array),
    );
    const solo = counting(new LocalDirectoryStore(xPath()));
    const b = await openArray(solo, { tileCache: 0 });
    await b.fragmentMetadata();
    const soloBase = solo.ranges;
    await b.read({ ranges: scattered });
    expect(both).toBe(solo.ranges - soloBase);
  });

  it("a small budget keeps memory bounded and still gives the right cells", async () => {
    const a = await openArray(new LocalDirectoryStore(xPath()), { tileCache: 4 * 1024 * 1024 });
    const want = await (await openArray(new LocalDirectoryStore(xPath()), { tileCache: 0 })).read();
    const got = await a.read();
    expect(a.tileCache?.stats.bytes).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(a.tileCache?.stats.evictions).toBeGreaterThan(0);
    expect(got.soma_data?.data.length).toBe(want.soma_data?.data.length);
    expect(Array.from(got.soma_dim_0?.data as BigInt64Array).slice(-5)).toEqual(
      Array.from(want.soma_dim_0?.data as BigInt64Array).slice(-5),
    );
  });

  it("a shuffled ExperimentDataset epoch with small IO batches decodes each X tile once", async () => {
    const root = fixturePath("tiledb", "soma-pbmc3k-v18-multitile", "pbmc3k");
    const obs = (await open(`${root}/obs`)) as SOMADataFrame;
    const var_ = (await open(`${root}/ms/raw/var`)) as SOMADataFrame;
    const X = (await open(`${root}/ms/raw/X/data`)) as SOMASparseNDArray;
    const exp = assembleExperiment({ uri: root, obs, measurements: { raw: { var: var_, X: { data: X } } } });
    const ds = await ExperimentDataset.create(exp.axisQuery({ measurementName: "raw" }), {
      layerName: "data",
      batchSize: 64,
      ioBatchSize: 256,
      shuffleChunkSize: 32,
      seed: 1,
      output: "csr",
    });
    const seen = new Set<number>();
    for await (const b of ds) for (const id of b.soma_joinid as Float64Array) seen.add(id);
    expect(seen.size).toBe(2638);
    expect(ds.stats.ioBatches).toBe(11);
    const stats = X.array.tileCache?.stats;
    // 23 tiles × (2 dimensions + 1 attribute), each fetched and decoded at most once in the epoch.
    expect(stats?.misses).toBeLessThanOrEqual(69);
    expect(stats?.hits).toBeGreaterThan(69);
  });
});
