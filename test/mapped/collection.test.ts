/**
 * MappedCollection on files written by real tools, compared with LaminDB's semantics computed by Python
 * anndata + pandas (reference.py).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { isCellfeedError } from "../../src/errors.js";
import {
  type Batch,
  type Label,
  MappedCollection,
  type MappedCollectionOptions,
} from "../../src/mapped/index.js";
import { describeWithFixtures, fixturePath, referencePython, sharedTool } from "../helpers/fixtures.js";
import { someIndices } from "../helpers/indices.js";

const here = new URL(".", import.meta.url).pathname;
const h5 = (name: string) => fixturePath("h5ad", name);

interface Expected {
  var_joint: string[] | null;
  n_obs_list: number[];
  shape: [number, number | null];
  encoders: Record<string, Record<string, number>>;
  items: { store_idx: number; row: number; x: number[]; obs: Record<string, Label> }[];
  weights: number[][];
  merged_labels: Record<string, Label[]>;
  categories: Record<string, (string | number)[]>;
}

interface Request {
  paths: string[];
  join?: "inner" | "outer" | null;
  layer?: string;
  obs_keys?: readonly string[];
  encode_keys?: readonly string[];
  unknown_label?: string | Record<string, string>;
  obs_filter?: Record<string, (string | number | null)[]>;
  indices?: number[];
  weights?: { keys: string[]; scaler?: number }[];
  merged?: string[];
}

function reference(req: Request): Expected {
  const out = execFileSync(referencePython, [join(here, "reference.py"), JSON.stringify(req)], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  return JSON.parse(out) as Expected;
}

/** Deterministic spread of indices over [0, n), including both ends and repeats. */

/** Compares a batch with the reference items (values as float32, labels, store indices). */
function expectBatch(b: Batch, exp: Expected, layer: string, obsKeys: readonly string[]): void {
  expect(Array.from(b.storeIdx)).toEqual(exp.items.map((i) => i.store_idx));
  const m = b.layers[layer]!;
  expect(m.format).toBe("dense");
  const w = m.shape[1];
  exp.items.forEach((item, p) => {
    expect(item.x.length).toBe(w);
    const got = Array.from(m.data.subarray(p * w, (p + 1) * w));
    expect(got).toEqual(item.x.map((v) => Math.fround(v)));
  });
  for (const k of obsKeys) {
    const got = b.obs[k]!;
    expect(Array.from(got as ArrayLike<Label>)).toEqual(exp.items.map((i) => i.obs[k]));
  }
}

async function compare(paths: string[], options: MappedCollectionOptions, extra: Partial<Request> = {}) {
  const obsKeys = typeof options.obsKeys === "string" ? [options.obsKeys] : (options.obsKeys ?? []);
  const mc = await MappedCollection.open(paths, options);
  const encodeKeys =
    options.encodeLabels === false
      ? []
      : Array.isArray(options.encodeLabels)
        ? (options.encodeLabels as readonly string[])
        : obsKeys;
  const indices = mc.length > 0 ? someIndices(mc.length, 40) : [];
  const exp = reference({
    paths,
    join: options.join === undefined ? "inner" : options.join,
    obs_keys: obsKeys,
    encode_keys: encodeKeys,
    ...(options.unknownLabel !== undefined ? { unknown_label: options.unknownLabel } : {}),
    ...(options.obsFilter !== undefined
      ? {
          obs_filter: Object.fromEntries(
            Object.entries(options.obsFilter).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]),
          ),
        }
      : {}),
    indices,
    ...extra,
  });
  expect(mc.varJoint).toEqual(exp.var_joint);
  expect(mc.shape).toEqual(exp.shape);
  expect(mc.originalShapes.map((s) => s[0])).toEqual(exp.n_obs_list);
  expect(mc.encoders).toEqual(exp.encoders);
  if (indices.length > 0) {
    expectBatch(await mc.getItems(indices), exp, (extra.layer as string) ?? "X", obsKeys);
  }
  return { mc, exp, indices };
}

describeWithFixtures("h5ad", "MappedCollection on real fixtures vs Python anndata", () => {
  const mixed = [
    h5("soma_pbmc_small.h5ad"),
    h5("soma_pbmc_small_x_csc.h5ad"),
    h5("scanpy_pbmc68k_reduced_v2025.h5ad"),
    h5("legacy_v050_pbmc68k_reduced.h5ad"),
  ];

  it("outer join over dense f64, CSC, gzip dense and legacy v050: rows, labels, encoders, weights", async () => {
    const { mc, exp } = await compare(
      mixed,
      { join: "outer", obsKeys: ["groups", "louvain", "orig.ident"], encodeLabels: ["groups", "louvain"] },
      {
        weights: [{ keys: ["louvain"] }, { keys: ["groups", "louvain"], scaler: 10 }],
        merged: ["groups", "louvain"],
      },
    );
    expect(Array.from(mc.getLabelWeights("louvain"))).toEqual(exp.weights[0]);
    expect(Array.from(mc.getLabelWeights(["groups", "louvain"], { scaler: 10 }))).toEqual(exp.weights[1]);
    expect(mc.getMergedLabels("groups")).toEqual(exp.merged_labels.groups);
    expect(mc.getMergedCategories("louvain")).toEqual(exp.categories.louvain);
    // get(i) is getItems([i]); describe → JSON → fromDescription gives the same batches.
    const item = await mc.get(85);
    const one = await mc.getItems([85]);
    expect(item.storeIdx).toBe(1);
    expect(Array.from(item.layers.X!)).toEqual(Array.from(one.layers.X!.data));
    const d = JSON.parse(JSON.stringify(mc.describe()));
    const mc2 = await MappedCollection.fromDescription(d);
    expect(mc2.describe()).toEqual(d);
    const idx = someIndices(mc.length, 64);
    expect(await mc2.getItems(idx, { output: "csr" })).toEqual(await mc.getItems(idx, { output: "csr" }));
    expect(mc2.varList).toEqual(mc.varList);
    await mc.close();
    await mc2.close();
  });

  it("inner join keeps the first file's order; raw.X and obsm are not joined", async () => {
    const { mc: inner } = await compare([mixed[0]!, mixed[2]!], { obsKeys: "groups" });
    expect(inner.shape).toEqual([780, 7]);
    await inner.close();
    const withObsm = await MappedCollection.open([mixed[0]!, mixed[2]!], { obsmKeys: "X_pca" });
    expect((await withObsm.get(5)).obsm.X_pca!.length).toBe(19);
    await expect(withObsm.getItems([0, 100])).rejects.toThrow(/obsm 'X_pca'.*19 columns.*50.*never joined/s);
    await withObsm.close();
    const mc = await MappedCollection.open([mixed[0]!, mixed[2]!], { layersKeys: ["X", "raw.X"] });
    await expect(mc.getItems([0, 100])).rejects.toThrow(/raw\.X.*230 columns and .* has 765/s);
    const raw = await mc.getItems([0, 100], { output: "csr" });
    expect(raw.layers["raw.X"]!.shape).toEqual([2, 765]);
    const r0 = reference({ paths: [mixed[0]!, mixed[2]!], layer: "raw.X", indices: [0, 100] });
    const x = raw.layers["raw.X"]!;
    if (x.format !== "csr") throw new Error("csr expected");
    for (let p = 0; p < 2; p++) {
      const dense = new Array<number>(r0.items[p]!.x.length).fill(0);
      for (let j = x.indptr[p]!; j < x.indptr[p + 1]!; j++) dense[x.indices[j]!] = x.data[j]!;
      expect(dense).toEqual(r0.items[p]!.x.map((v) => Math.fround(v)));
    }
    await mc.close();
  });

  it("filters with NaN, nullable values and a key missing from a file; unknown label; layers", async () => {
    const paths = [h5("anndataR_example.h5ad"), h5("legacy_v078_lzf.h5ad")];
    const { mc } = await compare(paths, {
      join: "outer",
      obsKeys: ["leiden", "FloatNA", "obs_cat"],
      encodeLabels: ["leiden", "obs_cat"],
      unknownLabel: { leiden: "2" },
      obsFilter: { FloatNA: [null, 42.42], BoolNA: [null, "True"] },
    });
    expect(mc.originalShapes.map((s) => s[0])[1]).toBe(0);
    expect(mc.warnings.some((w) => w.includes("legacy_v078_lzf.h5ad: no obs column 'FloatNA'"))).toBe(true);
    await mc.close();
    // Unfiltered: weights and merged labels over NaN, nullable and absent columns keep length n_obs.
    const { mc: all, exp } = await compare(
      paths,
      { join: "outer", obsKeys: ["IntNA", "BoolNA", "obs_cat"], encodeLabels: false },
      { weights: [{ keys: ["FloatNA", "BoolNA"] }, { keys: ["obs_cat"], scaler: 2 }], merged: ["IntNA"] },
    );
    expect(Array.from(all.getLabelWeights(["FloatNA", "BoolNA"]))).toEqual(exp.weights[0]);
    expect(Array.from(all.getLabelWeights("obs_cat", { scaler: 2 }))).toEqual(exp.weights[1]);
    expect(all.getMergedLabels("IntNA")).toEqual(exp.merged_labels.IntNA);
    expect(all.getLabelWeights("obs_cat").length).toBe(80);
    await all.close();
    // The v0.7.8 file alone: LZF-compressed CSR, 0.7 categoricals, a sparse layer.
    const { mc: m2 } = await compare(
      [paths[1]!],
      { obsKeys: ["obs_cat", "int64"], layersKeys: ["sparse"], unknownLabel: "A" },
      { layer: "sparse" },
    );
    expect(m2.encoders.obs_cat!.A).toBe(-1);
    await m2.close();
  });

  it("typed errors: missing file, not HDF5, absent keys, bad indices, empty filter", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mapped-err-"));
    try {
      const text = join(dir, "notes.h5ad");
      writeFileSync(text, "not an hdf5 file at all, just text".repeat(20));
      const code = (p: Promise<unknown>) =>
        p.then(
          () => "ok",
          (e) => (isCellfeedError(e) ? e.code : String(e)),
        );
      expect(await code(MappedCollection.open([mixed[0]!, join(dir, "missing.h5ad")]))).toBe(
        "file_not_found",
      );
      expect(await code(MappedCollection.open([text]))).toBe("not_hdf5");
      const plain = join(dir, "plain.h5");
      execFileSync(referencePython, [
        "-c",
        `import h5py\nwith h5py.File('${plain}','w') as f: f['x']=[1,2,3]`,
      ]);
      await expect(MappedCollection.open([mixed[0]!, plain])).rejects.toMatchObject({
        code: "not_anndata",
        path: plain,
      });
      expect(await code(MappedCollection.open(mixed, { obsKeys: ["nope"] }))).toBe("key_not_found");
      expect(await code(MappedCollection.open(mixed, { join: "outer", layersKeys: ["counts"] }))).toBe(
        "key_not_found",
      );
      const mc = await MappedCollection.open(mixed, { join: "outer", obsFilter: { louvain: ["nope"] } });
      expect(mc.length).toBe(0);
      expect(mc.warnings.join("\n")).toContain(
        "obsFilter value \"nope\" of 'louvain' matches no observation",
      );
      await mc.close();
      const m2 = await MappedCollection.open([mixed[0]!]);
      expect(await code(m2.getItems([80]))).toBe("invalid_index");
      expect(await code(m2.get(-1))).toBe("invalid_index");
      await m2.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeWithFixtures("h5ad", "MappedCollection on make_collection.py output vs Python anndata", () => {
  let dir = "";
  let paths: string[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "mapped-coll-"));
    execFileSync(
      referencePython,
      [sharedTool("make_collection.py"), dir, "--files", "3", "--cells", "400", "--genes", "60"],
      {
        stdio: "pipe",
      },
    );
    paths = [0, 1, 2].map((i) => join(dir, `part${i}.h5ad`));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each([["inner"], ["outer"]] as const)(
    "%s join, encoders with an unknown label, weights",
    async (how) => {
      const { mc, exp } = await compare(
        paths,
        { join: how, obsKeys: ["cell_type", "batch"], unknownLabel: { cell_type: "ct_B" } },
        { weights: [{ keys: ["cell_type"] }, { keys: ["cell_type", "batch"], scaler: 3 }] },
      );
      expect(mc.encoders.cell_type!.ct_B).toBe(-1);
      expect(Array.from(mc.getLabelWeights("cell_type"))).toEqual(exp.weights[0]);
      expect(Array.from(mc.getLabelWeights(["cell_type", "batch"], { scaler: 3 }))).toEqual(exp.weights[1]);
      expect(mc.checkVarsSorted()).toBe(false);
      expect(mc.checkVarsNonAligned(mc.varList[0]!)).toEqual([1, 2]);
      await mc.close();
    },
  );

  it("join null keeps native widths (dense batch refused, csr allowed); filters over categories", async () => {
    const mc = await MappedCollection.open(paths, { join: null, obsKeys: "cell_type" });
    expect(mc.shape).toEqual([1200, null]);
    expect(mc.varJoint).toBeNull();
    await expect(mc.getItems([0, 1000])).rejects.toThrow(/join is null/);
    const csr = await mc.getItems([0, 1000], { output: "csr" });
    expect(csr.layers.X!.shape).toEqual([2, 60]);
    await mc.close();
    const { mc: f } = await compare(paths, {
      join: "outer",
      obsKeys: ["cell_type"],
      encodeLabels: false,
      obsFilter: { cell_type: ["ct_A", "ct_J"], batch: ["batch0", "batch2"] },
    });
    expect(f.length).toBeGreaterThan(0);
    expect(f.originalShapes[1]![0]).toBe(0);
    await f.close();
  });

  it("duplicate var names: a typed error naming the file, or made unique like anndata", async () => {
    const dup = join(dir, "dup.h5ad");
    execFileSync(referencePython, [
      "-c",
      `import warnings;warnings.simplefilter('ignore')\nimport anndata as ad,numpy as np,pandas as pd\nad.AnnData(np.ones((3,4),dtype=np.float32),var=pd.DataFrame(index=['GENE00000','GENE00001','GENE00000','x'])).write_h5ad('${dup}')`,
    ]);
    try {
      await MappedCollection.open([paths[0]!, dup], { join: "outer" });
      expect.unreachable();
    } catch (e) {
      expect(isCellfeedError(e, "duplicate_names")).toBe(true);
      expect((e as Error).message).toContain(dup);
      expect((e as Error).message).toContain("GENE00000");
    }
    const mc = await MappedCollection.open([paths[0]!, dup], { join: "outer", makeVarsUnique: true });
    expect(mc.varList[1]).toEqual(["GENE00000", "GENE00001", "GENE00000-1", "x"]);
    const b = await mc.getItems([400]);
    const col = mc.varJoint!.indexOf("GENE00000-1");
    expect(b.layers.X!.data[col]).toBe(1);
    await mc.close();
  });
});
