import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LocalDirectoryStore } from "../../../src/io/local.js";
import type { FragmentMetadata } from "../../../src/soma/tiledb/fragment-metadata.js";
import {
  type Column,
  columnValues,
  objectType,
  openArray,
  openGroup,
} from "../../../src/soma/tiledb/index.js";
import { normalizeRanges } from "../../../src/soma/tiledb/ranges.js";
import { pruneTiles } from "../../../src/soma/tiledb/read-sparse.js";
import { describeWithFixtures, fixturePath, referencePython } from "../../helpers/fixtures.js";

const fx = (...p: string[]) => fixturePath("tiledb", ...p);
const open = (...p: string[]) => openArray(new LocalDirectoryStore(fx(...p)));
const nums = (c: Column | undefined) => Array.from((c?.data ?? []) as ArrayLike<number | bigint>, Number);

describeWithFixtures("tiledb", "TileDB reader on real arrays (fixtures/tiledb)", () => {
  describe("soma-pbmc3k-v18-multitile (23 tiles, 3-level R-tree, .con commits, 2 schemas)", () => {
    it("X has nnz 2,238,732 and sum 2237538.8749 (±1e-3: float32 values summed in float64)", async () => {
      const a = await open("soma-pbmc3k-v18-multitile", "pbmc3k", "ms", "raw", "X", "data");
      expect(a.schemas.size).toBe(2);
      const [fm] = await a.fragmentMetadata();
      expect(fm?.version).toBe(18);
      expect(fm?.tileCount).toBe(23);
      const rt = await (fm as FragmentMetadata).rtree();
      expect(rt.levels.map((l) => l.count)).toEqual([1, 3, 23]);
      const cols = await a.read();
      const v = cols.soma_data?.data as Float32Array;
      expect(v).toBeInstanceOf(Float32Array);
      expect(v.length).toBe(2_238_732);
      let sum = 0;
      for (const x of v) sum += x;
      expect(Math.abs(sum - 2237538.8749)).toBeLessThan(1e-3);
      expect(a.shape.map((r) => r?.map(Number))).toEqual([
        [0, 2637],
        [0, 13713],
      ]);
    });

    it("range pruning reads fewer tiles and returns exactly the cells of a filtered full read", async () => {
      const a = await open("soma-pbmc3k-v18-multitile", "pbmc3k", "ms", "raw", "X", "data");
      const [fm] = await a.fragmentMetadata();
      const rt = await (fm as FragmentMetadata).rtree();
      const q = {
        soma_dim_0: [[100, 300] as [number, number], [2500, 2510] as [number, number]],
        soma_dim_1: [5000, 9000] as [number, number],
      };
      const selected = pruneTiles(rt, normalizeRanges(a.schema, q, "x"), 23);
      expect(selected.length).toBeGreaterThan(0);
      expect(selected.length).toBeLessThan(23);
      const full = await a.read();
      const part = await a.read({ ranges: q });
      const key = (c: Record<string, Column>, i: number) =>
        `${Number((c.soma_dim_0 as Column).data[i])},${Number((c.soma_dim_1 as Column).data[i])}`;
      const want: string[] = [];
      const d0 = full.soma_dim_0?.data as BigInt64Array;
      const d1 = full.soma_dim_1?.data as BigInt64Array;
      const fv = full.soma_data?.data as Float32Array;
      for (let i = 0; i < d0.length; i++) {
        const r = Number(d0[i]);
        const c = Number(d1[i]);
        if (((r >= 100 && r <= 300) || (r >= 2500 && r <= 2510)) && c >= 5000 && c <= 9000)
          want.push(`${key(full, i)}=${fv[i]}`);
      }
      const pv = part.soma_data?.data as Float32Array;
      const got = Array.from(pv, (x, i) => `${key(part, i)}=${x}`);
      expect(want.length).toBeGreaterThan(1000);
      expect(got).toEqual(want); // same cells, same (global) order
    });

    it("obs, var and X_pca read with their row counts", async () => {
      const obs = await (await open("soma-pbmc3k-v18-multitile", "pbmc3k", "obs")).read();
      expect(obs.soma_joinid?.data.length).toBe(2638);
      const v = await (await open("soma-pbmc3k-v18-multitile", "pbmc3k", "ms", "raw", "var")).read();
      expect(v.var_id?.data.length).toBe(13714);
      const pca = await open("soma-pbmc3k-v18-multitile", "pbmc3k", "ms", "RNA", "obsm", "X_pca");
      expect((await pca.fragmentMetadata())[0]?.tileCount).toBe(2);
      expect((await pca.read()).soma_data?.data.length).toBe(2638 * 50);
    });
  });

  it("cxg-nan-v8: dense v8 X equals truth/nan.h5ad bit-for-bit (read with h5py)", async () => {
    const a = await open("cxg-nan-v8", "nan.cxg", "X");
    expect(a.schema.version).toBe(8);
    const cols = await a.read();
    const got = cols[""]?.data as Float32Array;
    const hex = execFileSync(referencePython, [
      "-c",
      "import h5py,sys; f=h5py.File(sys.argv[1],'r'); sys.stdout.write(f['X'][()].astype('<f4').tobytes().hex())",
      fx("cxg-nan-v8", "truth", "nan.h5ad"),
    ]).toString();
    const want = new Float32Array(new Uint8Array(Buffer.from(hex, "hex")).buffer);
    expect(got.length).toBe(100 * 100);
    expect(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(Buffer.from(want.buffer))).toBe(
      true,
    );
    expect(Array.from(got).filter(Number.isNaN).length).toBe(2556);
    expect(nums(cols.obs).slice(0, 3)).toEqual([0, 0, 0]);
    expect(nums(cols.var).slice(0, 3)).toEqual([0, 1, 2]);
  });

  it("cxg-diffexp-v10: dense X (800 tiles, col/row order) equals sparse X (40 tiles)", async () => {
    const dense = await (await open("cxg-diffexp-v10", "dense_no_col_shift.cxg", "X")).read({
      coordinates: false,
    });
    const sparse = await (await open("cxg-diffexp-v10", "sparse_no_col_shift.cxg", "X")).read();
    const dv = dense[""]?.data as Float32Array;
    expect(dv.length).toBe(2000 * 2000);
    const sv = sparse[""]?.data as Float32Array;
    expect(sv.length).toBe(400_000);
    const fromSparse = new Float32Array(2000 * 2000);
    const o = sparse.obs?.data as Uint32Array;
    const v = sparse.var?.data as Uint32Array;
    for (let i = 0; i < sv.length; i++)
      fromSparse[(o[i] as number) * 2000 + (v[i] as number)] = sv[i] as number;
    expect(Buffer.from(dv.buffer, dv.byteOffset, dv.byteLength).equals(Buffer.from(fromSparse.buffer))).toBe(
      true,
    );
    // A sub-box of the dense array matches the same cells.
    const box = await (await open("cxg-diffexp-v10", "dense_no_col_shift.cxg", "X")).read({
      ranges: [
        [120, 130],
        [1990, 1999],
      ],
    });
    const bv = box[""]?.data as Float32Array;
    expect(bv.length).toBe(11 * 10);
    for (let r = 0; r < 11; r++)
      for (let c = 0; c < 10; c++) expect(bv[r * 10 + c]).toBe(fromSparse[(120 + r) * 2000 + 1990 + c]);
  });

  it("vector-search: dense col-major vectors equal siftmicro_base.fvecs (v21 10 tiles, v22 one 128 MB tile)", async () => {
    const raw = readFileSync(fx("vector-search-dense-v21-v22", "truth", "siftmicro_base.fvecs"));
    const ints = new Int32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    const floats = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    const dim = ints[0] as number;
    for (const p of [
      ["0.0.10", "flat_float32", "parts.tdb"],
      ["0.13.0", "flat_float32", "shuffled_vectors"],
    ]) {
      const cols = await (await open("vector-search-dense-v21-v22", ...p)).read({ coordinates: false });
      const v = cols.values?.data as Float32Array;
      expect(v.length).toBe(128 * 100);
      // Cell (row r, col c) is component r of vector c.
      for (let c = 0; c < 100; c++)
        for (let r = 0; r < dim; r++) expect(v[r * 100 + c]).toBe(floats[c * (dim + 1) + 1 + r]);
    }
    const g = await openGroup(
      new LocalDirectoryStore(fx("vector-search-dense-v21-v22", "0.13.0", "ivf_pq_float32")),
    );
    expect(g.members.map((m) => m.name).sort()).toContain("shuffled_vectors");
    const ids = await (
      await open("vector-search-dense-v21-v22", "0.13.0", "ivf_pq_float32", "shuffled_vector_ids")
    ).read();
    expect(ids.values?.data.length).toBeGreaterThan(0);
  });

  describe("mariadb-mytile (v3–v8; results from mysql-test/mytile/r/*.result)", () => {
    it("string_dim: two sparse fragments with a string dimension", async () => {
      const c = await (await open("mariadb-mytile-v3-v8", "2.0", "string_dim")).read();
      expect(c.d?.data).toEqual(["aa", "bb", "cc", "dddd", "jfk"]);
      expect(nums(c.a)).toEqual([4, 2, 3, 1, 5]);
      const r = await (await open("mariadb-mytile-v3-v8", "2.0", "string_dim")).read({
        ranges: [["b", "cz"]],
      });
      expect(r.d?.data).toEqual(["bb", "cc"]);
    });
    it("quickstart_sparse_hilbert (v8 HILBERT cell order)", async () => {
      const c = await (await open("mariadb-mytile-v3-v8", "2.3", "quickstart_sparse_hilbert")).read();
      expect([nums(c.rows), nums(c.cols), nums(c.a)]).toEqual([
        [1, 2, 2],
        [1, 3, 4],
        [1, 3, 2],
      ]);
    });
    it("nullable_attributes (v7 dense, sparse-written fragment)", async () => {
      const c = await (await open("mariadb-mytile-v3-v8", "2.2", "nullable_attributes")).read();
      expect(columnValues(c.a1 as Column)).toEqual([100, null, null, 400]);
      expect(columnValues(c.a2 as Column)).toEqual([null, 200.123, 300.123, null]);
    });
    it("quickstart_dense (v3) and array metadata (v4)", async () => {
      const c = await (await open("mariadb-mytile-v3-v8", "1.6", "quickstart_dense")).read();
      expect(nums(c.a)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
      const m = await open("mariadb-mytile-v3-v8", "1.7", "metadata_array");
      expect(m.metadata.key1).toBe(25);
      expect(m.metadata.key2).toEqual([25, 26, 27, 28]);
      expect(m.metadata.key3).toBeCloseTo(25.1, 5);
      expect(m.metadata.key5).toBe("This is TileDb array metadata");
    });
    it("soma_obs_v19 with a .con commit", async () => {
      const c = await (await open("mariadb-mytile-v3-v8", "soma_obs_v19")).read();
      expect(c.soma_joinid?.data.length).toBe(3484);
    });
  });

  describe("cloudjs-fixtures (v9/v10; truth/EXPECTED.md and fixtures/*.cc)", () => {
    it("dense partial overwrite: the later fragment wins only inside its non-empty domain", async () => {
      const c = await (await open("cloudjs-fixtures-v9-v10", "quickstart_dense_array")).read();
      expect(nums(c.a)).toEqual([1, 22, 23, 33, 5, 44, 55, 66, 9, 10, 11, 12, 13, 14, 15, 16]);
    });
    it("multi_attribute_array: char and float32×2 cells", async () => {
      const c = await (await open("cloudjs-fixtures-v9-v10", "multi_attribute_array")).read();
      expect((c.a1 as Column).data).toEqual("abcdefghijklmnop".split(""));
      const a2 = c.a2?.data as Float32Array;
      for (let k = 1; k <= 16; k++) {
        expect(a2[2 * (k - 1)]).toBe(Math.fround(k + 0.1));
        expect(a2[2 * (k - 1) + 1]).toBe(Math.fround(k + 0.2));
      }
    });
    it("nullable fixed and var attributes", async () => {
      const c = await (await open("cloudjs-fixtures-v9-v10", "nullable_attr_arr")).read();
      expect(columnValues(c.a1 as Column)).toEqual([100, null, null, 400]);
      expect(columnValues(c.a2 as Column).map((v) => (v ? Array.from(v as Int32Array) : v))).toEqual([
        null,
        [20],
        [30, 30, 30],
        null,
      ]);
      const sp = await (await open("cloudjs-fixtures-v9-v10", "quickstart_sparse_nullable")).read();
      expect(columnValues(sp.a as Column).map((v) => (v ? Array.from(v as Int32Array) : v))).toEqual([
        [1],
        null,
        [2, 3],
      ]);
    });
    it("string and DATETIME_SEC dimensions", async () => {
      const s = await (await open("cloudjs-fixtures-v9-v10", "quickstart_sparse_string_array")).read();
      expect(s.rows?.data).toEqual(["a", "bb", "c"]);
      expect(nums(s.a)).toEqual([1, 2, 3]);
      const dt = await (await open("cloudjs-fixtures-v9-v10", "quickstart_sparse_dt")).read();
      expect(dt.timestamp?.data).toBeInstanceOf(BigInt64Array);
      expect(nums(dt.timestamp)).toEqual([1577836800, 1588706056, 1588878856]);
    });
  });

  describe("tiledb-r-legacy-v9 (pre-v12 layout, written with R's legacy inverted validity)", () => {
    it("legacy_validity: key 1:10, NA meant at 5 and 8, so the raw validity bytes are inverted there", async () => {
      const a = await open("tiledb-r-legacy-v9", "legacy_validity");
      const c = await a.read();
      expect(nums(c.key)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(Array.from(c.val1?.validity ?? [])).toEqual([0, 0, 0, 0, 1, 0, 0, 1, 0, 0]);
      expect(c.val2?.data).toEqual(["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"]);
      expect(a.metadata.text).toBe("the quick brown fox");
      expect(a.metadata.data).toEqual([123, 456, 789]);
    });
    it("penguins: 344 rows; a raw read shows 333 invalid `sex` cells as libtiledb does (test_tiledbarray.R)", async () => {
      const c = await (await open("tiledb-r-legacy-v9", "legacy_write", "penguins")).read();
      expect(c.species?.data.length).toBe(344);
      expect(Array.from(c.sex?.validity ?? []).filter((v) => v === 0).length).toBe(333);
      const csv = readFileSync(fx("tiledb-r-legacy-v9", "truth", "penguins.csv"), "utf8")
        .trim()
        .split("\n")
        .slice(1);
      expect(c.island?.data).toEqual(csv.map((l) => l.split(",")[1]?.replace(/"/g, "")));
    });
  });

  describe("old formats v1–v3 (uuid-first names, zipped __coords.tdb, preloaded fragment metadata)", () => {
    it("PDAL v2: 50+ points with X = Y = Z = i·0.010101 and OffsetTime = i (FLOAT64 dims, GZIP)", async () => {
      const c = await (await open("old-format-v1-v3", "pdal", "array")).read();
      const t = nums(c.OffsetTime);
      expect(t.length).toBeGreaterThanOrEqual(50);
      const x = nums(c.X);
      t.forEach((ti, i) => {
        expect(x[i]).toBeCloseTo(ti * (1 / 99), 9);
        expect(nums(c.Y)[i]).toBe(x[i]);
        expect(nums(c.Z)[i]).toBe(x[i]);
      });
    });
    it("quickstart sparse (v1 uncompressed zipped coords, v2) and dense (v1 2×2 tiles, v3 var attributes)", async () => {
      for (const p of [
        ["trino", "sparse_global"],
        ["spark_1.6", "global_order_sparse_array"],
      ]) {
        const c = await (await open("old-format-v1-v3", ...p)).read();
        expect([nums(c.rows), nums(c.cols), nums(c.a)]).toEqual([
          [1, 2, 2],
          [1, 4, 3],
          [1, 2, 3],
        ]);
      }
      const d = await (await open("old-format-v1-v3", "trino", "dense_global")).read();
      expect([nums(d.rows), nums(d.cols), nums(d.a)]).toEqual([
        [1, 1, 2, 2, 3, 3, 4, 4],
        [1, 2, 1, 2, 1, 2, 1, 2],
        [1, 2, 3, 4, 5, 6, 7, 8],
      ]);
      const v = await (await open("old-format-v1-v3", "spark_1.6", "variable_length_array")).read();
      expect(((v.a1 as Column).data as string[]).slice(0, 4)).toEqual(["a", "bb", "ccc", "dd"]);
      expect(((v.a2 as Column).data as Int32Array[]).slice(0, 3).map((x) => Array.from(x))).toEqual([
        [1, 1],
        [2, 2],
        [3],
      ]);
    });
  });

  it("vcf-small: format v3 (zipped coords) = v6 (split coords, string dims) = v22 (DICTIONARY/RLE string dims) = small2.vcf", async () => {
    const v3 = await (await open("vcf-small-multiversion", "v2_ingested_2samples", "data")).read();
    const v6 = await (await open("vcf-small-multiversion", "v4_ingested_2samples", "data")).read();
    expect(nums(v3.end_pos)).toEqual(nums(v6.end_pos));
    expect(nums(v3.pos)).toEqual(nums(v6.start_pos));
    expect(v3.alleles?.data).toEqual(v6.alleles?.data);
    const sampleNames = ["HG00280", "HG01762"];
    expect(nums(v3.sample).map((i) => sampleNames[i])).toEqual(v6.sample?.data);
    const v22 = await (await open("vcf-small-multiversion", "new_format", "data")).read();
    const pos = readFileSync(fx("vcf-small-multiversion", "truth", "small2.vcf"), "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => Number(l.split("\t")[1]) - 1);
    expect(nums(v22.start_pos).slice(0, pos.length)).toEqual(pos);
    expect(new Set(v22.sample?.data as string[])).toEqual(new Set(["HG00280"]));
    expect(new Set(v22.contig?.data as string[]).has("1")).toBe(true);
  });

  it("vcf-synth-array-v5: 99 tiles, col-major, SHA256 + DOUBLE_DELTA coords; a range read equals the filtered full read", async () => {
    const a = await open("vcf-synth-array-v5", "synth-array", "data");
    expect(a.schema.tileOrder).toBe("col-major");
    const [fm] = await a.fragmentMetadata();
    expect(fm?.tileCount).toBe(99);
    const full = await a.read({ attributes: ["end_pos"] });
    expect(full.sample?.data.length).toBe(985_009);
    const part = await a.read({
      ranges: [
        [3, 4],
        [2_000_000_000, 2_100_000_000],
      ],
      attributes: ["end_pos"],
    });
    const s = nums(full.sample);
    const p = nums(full.start_pos);
    const e = nums(full.end_pos);
    const want: string[] = [];
    for (let i = 0; i < s.length; i++)
      if (
        (s[i] as number) >= 3 &&
        (s[i] as number) <= 4 &&
        (p[i] as number) >= 2e9 &&
        (p[i] as number) <= 2.1e9
      )
        want.push(`${s[i]}/${p[i]}/${e[i]}`);
    const got = nums(part.sample).map((x, i) => `${x}/${nums(part.start_pos)[i]}/${nums(part.end_pos)[i]}`);
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual(want);
  });

  it("napari-cmu1: 9 dense fragments tile the image; a box across 4 fragments equals its 4 per-fragment pieces", async () => {
    const a = await open("napari-cmu1-dense-9frag-v22", "CMU-1-Small-Region.tdb", "l_0.tdb");
    expect(a.fragments.length).toBe(9);
    const whole = (
      await a.read({
        ranges: [
          [1, 1],
          [1000, 1049],
          [1010, 1039],
        ],
        coordinates: false,
      })
    ).intensity?.data as Uint8Array;
    expect(whole.length).toBe(50 * 30);
    const ys = [
      [1000, 1023],
      [1024, 1049],
    ] as const;
    const xs = [
      [1010, 1023],
      [1024, 1039],
    ] as const;
    for (const [y0, y1] of ys)
      for (const [x0, x1] of xs) {
        const part = (
          await a.read({
            ranges: [
              [1, 1],
              [y0, y1],
              [x0, x1],
            ],
            coordinates: false,
          })
        ).intensity?.data as Uint8Array;
        for (let y = y0; y <= y1; y++)
          for (let x = x0; x <= x1; x++)
            expect(part[(y - y0) * (x1 - x0 + 1) + (x - x0)]).toBe(whole[(y - 1000) * 30 + (x - 1010)]);
      }
  });

  it("census-memento: consolidated fragment with per-cell timestamps, DICTIONARY string dim, dense enumerations", async () => {
    const est = await open("census-memento-v20", "estimators-cube-expected", "estimators");
    const [fm] = await est.fragmentMetadata();
    expect(fm?.hasTimestamps).toBe(true);
    expect(fm?.ref.name.t1).not.toBe(fm?.ref.name.t2);
    const c = await est.read();
    const ids = JSON.parse(
      readFileSync(fx("census-memento-v20", "estimators-cube-expected", "feature_ids.json"), "utf8"),
    ) as string[];
    for (const f of (c.feature_id as Column).data as string[]) expect(ids).toContain(f);
    const keys = new Set(
      ((c.feature_id as Column).data as string[]).map((f, i) => `${f}/${nums(c.obs_group_joinid)[i]}`),
    );
    expect(keys.size).toBe(c.feature_id?.data.length);
    const sf = await (await open("census-memento-v20", "estimators-cube-expected", "size_factors")).read();
    const obs = await (await open("census-memento-v20", "census-homo-sapiens-small", "obs")).read();
    expect(sf.soma_joinid?.data.length).toBe(obs.soma_joinid?.data.length);
    const anyEnum = Object.values(sf).find((col) => col.enumeration);
    expect(anyEnum?.enumeration?.length).toBeGreaterThan(0);
    const x = await (
      await open("census-memento-v20", "census-homo-sapiens-small", "ms", "RNA", "X", "raw")
    ).read();
    expect(x.soma_data?.data.length).toBeGreaterThan(0);
  });

  it("pbmc3k obs: format v4 dense (attribute-named files) equals v13 sparse (POSITIVE_DELTA offsets, string dim) and v15 SOMA", async () => {
    const v4 = await (await open("cxg-pbmc3k-v4", "pbmc3k.cxg", "obs")).read();
    const v13 = await (await open("cxg-pbmc3k-v13-posdelta", "pbmc3k_processed", "obs")).read();
    const v15 = await (await open("soma-legacy-small", "soco-pbmc3k_processed-obs_v15", "obs")).read();
    expect(v4.name_0?.data.length).toBe(2638);
    // v13 is sorted by its string dimension obs_id; compare through the names.
    const byName = new Map(((v13.obs_id as Column).data as string[]).map((n, i) => [n, i]));
    const names = (v4.name_0 as Column).data as string[];
    expect(byName.size).toBe(2638);
    const conv = (x: unknown) => (typeof x === "bigint" ? Number(x) : x);
    for (const col of ["n_genes", "n_counts", "percent_mito", "louvain"]) {
      const a = (v4[col] as Column).data as ArrayLike<unknown>;
      const b = (v13[col] as Column).data as ArrayLike<unknown>;
      for (const [i, n] of names.entries())
        expect(conv(b[byName.get(n) as number]), `${col} ${n}`).toEqual(conv(a[i]));
    }
    expect(v15.obs_id?.data).toEqual(names);
    expect(nums(v15.n_genes)).toEqual(nums(v4.n_genes));
    expect([names[0], nums(v4.n_genes)[0], ((v4.louvain as Column).data as string[])[0]]).toEqual([
      "AAACATACAACCAC-1",
      781,
      "CD4 T cells",
    ]);
  });

  it("unsupported features fail with a typed error naming the array", async () => {
    const { parseSchema } = await import("../../../src/soma/tiledb/schema.js");
    expect(() => parseSchema(new Uint8Array([22, 0, 0, 0]), "s", "where")).toThrow(
      expect.objectContaining({ code: "format" }),
    );
  });

  it("groups: old (no __group/) and v2 groups list their members", async () => {
    const g = await openGroup(new LocalDirectoryStore(fx("cxg-nan-v8", "nan.cxg")));
    expect(g.members.map((m) => m.name).sort()).toEqual(["X", "cxg_group_metadata", "emb", "obs", "var"]);
    expect(await objectType(new LocalDirectoryStore(fx("cxg-nan-v8", "nan.cxg", "X")))).toBe("array");
  });
});
