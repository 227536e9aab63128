/**
 * A direct store (the h5wasm-free file that loader workers open from a plan) reads exactly what the
 * h5ad reader reads: every planned matrix's rows and every planned categorical obs column of every
 * real-tool fixture. A plan that does not fit the file is refused, never misread.
 */
import { readdirSync } from "node:fs";
import { afterAll, expect, it } from "vitest";
import {
  type DirectStorePlan,
  DirectStoreUnsupported,
  openDirectStore,
  planDirectStore,
} from "../../src/h5ad/direct-store.js";
import { type CsrRows, type DenseRows, type H5adFile, openH5ad } from "../../src/h5ad/index.js";
import { describeWithFixtures, fixturePath } from "../helpers/fixtures.js";

const fx = (name: string) => fixturePath("h5ad", name);

function plain(r: CsrRows | DenseRows): unknown {
  return r.format === "dense"
    ? { shape: r.shape, data: Array.from(r.data) }
    : {
        shape: r.shape,
        indptr: Array.from(r.indptr),
        indices: Array.from(r.indices),
        data: Array.from(r.data),
      };
}

/** Every categorical obs column of the file. */
function categoricalColumns(f: H5adFile): string[] {
  return f.obs.columns.filter((c) => f.obs.info(c).kind === "categorical");
}

describeWithFixtures("h5ad", "direct stores (no h5wasm) read what the h5ad reader reads", () => {
  const names = readdirSync(fixturePath("h5ad")).filter((n) => n.endsWith(".h5ad"));
  const opened: H5adFile[] = [];
  const open = async (name: string) => {
    const f = await openH5ad(fx(name));
    opened.push(f);
    return f;
  };
  afterAll(() => {
    for (const f of opened) f.close();
  });
  const planned: string[] = [];

  for (const name of names) {
    it(`${name}: planned matrices and categorical obs columns match`, async () => {
      const f = await open(name);
      const matrixKeys = f.matrixKeys();
      const obsmKeys = f.obsmKeys.filter((k) => f.elementLayout("obsm", k) !== "dataframe");
      // Plan the matrices and the categorical columns separately: one legacy part must not hide the rest.
      const mPlan = planDirectStore(f, { matrices: matrixKeys, obsm: obsmKeys, obs: [] });
      const cPlan = planDirectStore(f, { matrices: [], obsm: [], obs: categoricalColumns(f) });
      for (const plan of [mPlan, cPlan]) {
        if (plan === null) continue;
        const store = await openDirectStore(fx(name), plan);
        try {
          expect(store.shape).toEqual([f.shape[0], f.shape[1]]);
          for (const [key, p] of Object.entries(plan.matrices)) {
            const want = f.matrix(key);
            const got = store.matrix(key);
            expect([got.layout, got.shape, got.dtype]).toEqual([p.layout, want.shape, want.dtype]);
            const rows = [0, want.shape[0] - 1, Math.floor(want.shape[0] / 2), 1, 0].filter(
              (r) => r >= 0 && r < want.shape[0],
            );
            for (const output of ["dense", "csr"] as const) {
              expect(plain(await got.readRows(rows, { output })), `${name} ${key} ${output}`).toEqual(
                plain(await want.readRows(rows, { output })),
              );
            }
          }
          for (const key of Object.keys(plan.obsm)) {
            const rows = [0, f.shape[0] - 1];
            expect(plain(await store.obsm(key).readRows(rows, { output: "dense" }))).toEqual(
              plain(await f.obsm(key).readRows(rows, { output: "dense" })),
            );
          }
          for (const key of Object.keys(plan.obs)) {
            expect(store.obs.labels(key), `${name} obs ${key}`).toEqual(f.obs.labels(key));
            const got = store.obs.read(key);
            const want = f.obs.read(key);
            expect(got.kind === "categorical" && want.kind === "categorical").toBe(true);
            if (got.kind === "categorical" && want.kind === "categorical") {
              expect(Array.from(got.codes)).toEqual(Array.from(want.codes));
              expect(got.categories).toEqual(want.categories);
            }
          }
          if (Object.keys(plan.matrices).length + Object.keys(plan.obs).length > 0) planned.push(name);
        } finally {
          await store.close();
        }
      }
    });
  }

  it("plans most fixtures (legacy encodings may fall back to h5wasm)", () => {
    // Every modern file qualifies; at least the anndata ≥ 0.8 writers' ones must have been planned.
    expect(planned.length).toBeGreaterThanOrEqual(5);
    expect(planned).toContain("cxg_example_valid.h5ad");
    expect(planned).toContain("soma_pbmc_small_x_csc.h5ad");
  });

  it("refuses a plan that does not fit the file (shape, missing dataset, code range)", async () => {
    const f = await open("cxg_example_valid.h5ad");
    const cats = categoricalColumns(f);
    const plan = planDirectStore(f, { matrices: ["X"], obsm: [], obs: cats.slice(0, 1) })!;
    expect(plan).not.toBeNull();
    // Plans travel in a worker's description: plain JSON.
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
    const tweak = (fn: (p: DirectStorePlan) => void): DirectStorePlan => {
      const p = structuredClone(plan);
      fn(p);
      return p;
    };
    const wrongRows = tweak((p) => {
      p.shape = [p.shape[0] + 1, p.shape[1]];
      p.matrices.X!.shape = [p.shape[0], p.shape[1]];
    });
    await expect(openDirectStore(fx("cxg_example_valid.h5ad"), wrongRows)).rejects.toBeInstanceOf(
      DirectStoreUnsupported,
    );
    const noSuchDataset = tweak((p) => {
      p.matrices.X!.path = "nope";
    });
    await expect(openDirectStore(fx("cxg_example_valid.h5ad"), noSuchDataset)).rejects.toBeInstanceOf(
      DirectStoreUnsupported,
    );
    const fewerCategories = tweak((p) => {
      const c = Object.values(p.obs)[0]!;
      c.categories = []; // every stored code is now out of range
    });
    await expect(openDirectStore(fx("cxg_example_valid.h5ad"), fewerCategories)).rejects.toBeInstanceOf(
      DirectStoreUnsupported,
    );
    // Unplanned keys are a clear error, not a silent h5wasm read.
    const store = await openDirectStore(fx("cxg_example_valid.h5ad"), plan);
    expect(() => store.matrix("raw.X")).toThrow(/not planned/);
    expect(() => store.varNames()).toThrow(/does not read var names/);
    await store.close();
  });
});
