/**
 * A collection rebuilt from its description (what every loader worker does) reads local files
 * through the direct HDF5 reader alone: with h5wasm made unavailable it still returns the very
 * batches of the original. A plan that no longer fits falls back to h5wasm, with the same batches.
 */
import { afterAll, expect, it, vi } from "vitest";
import { MappedCollection } from "../../src/mapped/index.js";
import type { MappedCollectionDescription } from "../../src/mapped/types.js";
import { describeWithFixtures, fixturePath } from "../helpers/fixtures.js";
import { someIndices } from "../helpers/indices.js";

const runtime = vi.hoisted(() => ({ allowed: true, denied: 0 }));

vi.mock("../../src/h5ad/runtime.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/h5ad/runtime.js")>();
  return {
    ...real,
    loadRuntime: () => {
      if (!runtime.allowed) {
        runtime.denied++;
        return Promise.reject(new Error("h5wasm was loaded"));
      }
      return real.loadRuntime();
    },
  };
});

const h5 = (name: string) => fixturePath("h5ad", name);

describeWithFixtures("h5ad", "MappedCollection rebuilt from a description without h5wasm", () => {
  // Dense float64, CSC and gzip-compressed dense X; categorical labels in every file.
  const paths = [
    h5("soma_pbmc_small.h5ad"),
    h5("soma_pbmc_small_x_csc.h5ad"),
    h5("scanpy_pbmc68k_reduced_v2025.h5ad"),
    h5("cxg_small_perturbations.h5ad"),
  ];
  const open: MappedCollection[] = [];
  afterAll(async () => {
    runtime.allowed = true;
    await Promise.all(open.map((m) => m.close()));
  });

  it("describes every local file with a direct plan and reads identical batches without h5wasm", async () => {
    const mc = await MappedCollection.open(paths, { join: "outer", obsKeys: ["groups", "louvain"] });
    open.push(mc);
    const d = JSON.parse(JSON.stringify(mc.describe())) as MappedCollectionDescription;
    expect(d.files.map((f) => f.direct !== undefined)).toEqual([true, true, true, true]);
    expect(d.files[1]!.direct!.matrices.X!.layout).toBe("csc");
    expect(Object.keys(d.files[0]!.direct!.obs)).toEqual(["groups"]);

    runtime.allowed = false;
    const rebuilt = await MappedCollection.fromDescription(d, { batchReadsOnly: true });
    open.push(rebuilt);
    expect(rebuilt.describe()).toEqual(d); // a worker's collection describes itself the same way
    const idx = someIndices(mc.length, 200, 4242);
    for (const output of ["dense", "csr"] as const) {
      const got = await rebuilt.getItems(idx, { output });
      runtime.allowed = true;
      const want = await mc.getItems(idx, { output });
      runtime.allowed = false;
      expect(got).toEqual(want);
    }
    expect(runtime.denied).toBe(0);
    runtime.allowed = true;
  });

  it("falls back to h5wasm, file by file, when a plan does not fit the file", async () => {
    const mc = await MappedCollection.open(paths.slice(0, 2), { join: "inner", obsKeys: ["groups"] });
    open.push(mc);
    const d = JSON.parse(JSON.stringify(mc.describe())) as MappedCollectionDescription;
    d.files[1]!.direct!.matrices.X!.path = "no/such/matrix";
    runtime.denied = 0;
    runtime.allowed = false;
    // The broken plan sends file 1 to h5wasm, which is unavailable here: proof that it was tried.
    await expect(MappedCollection.fromDescription(d, { batchReadsOnly: true })).rejects.toThrow(
      /h5wasm was loaded/,
    );
    expect(runtime.denied).toBeGreaterThan(0);
    runtime.allowed = true;
    const rebuilt = await MappedCollection.fromDescription(d, { batchReadsOnly: true });
    open.push(rebuilt);
    const idx = someIndices(mc.length, 100, 4242);
    expect(await rebuilt.getItems(idx)).toEqual(await mc.getItems(idx));
  });

  it("without batchReadsOnly, a rebuilt collection opens its files with h5wasm (var names and all)", async () => {
    const mc = await MappedCollection.open(paths.slice(0, 2), { obsKeys: ["groups"] });
    open.push(mc);
    const full = await MappedCollection.fromDescription(mc.describe());
    open.push(full);
    expect(full.varList).toEqual(mc.varList);
  });

  it("plans nothing for labels kept raw (they need h5wasm's string reads)", async () => {
    const mc = await MappedCollection.open(paths.slice(0, 1), { obsKeys: ["groups"], encodeLabels: false });
    open.push(mc);
    expect(mc.describe().files[0]!.direct).toBeUndefined();
  });
});
