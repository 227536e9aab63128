/**
 * Bad input and rare encodings, on small files written by Python (anndata 0.8 / h5py) into a temp
 * folder by make_test_files.py: every failure is a typed error naming the file (and dataset/column).
 */
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CellfeedError, isCellfeedError } from "../../src/errors.js";
import { openH5ad } from "../../src/h5ad/index.js";
import { describeWithFixtures, fixturePath } from "../helpers/fixtures.js";
import { runPython, scratchDir } from "./python.js";

const here = dirname(fileURLToPath(import.meta.url));
const scratch = scratchDir();
const file = scratch.file;

beforeAll(() => {
  runPython(readFileSync(join(here, "make_test_files.py"), "utf8"), [scratch.dir]);
});
afterAll(() => scratch.cleanup());

/** Asserts `p` rejects with a CellfeedError of `code` whose message names the file and `parts`. */
async function expectError(p: Promise<unknown>, code: string, path: string, parts: string[] = []) {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CellfeedError);
    expect((e as CellfeedError).code).toBe(code);
    expect((e as CellfeedError).path).toBe(path);
    expect((e as Error).message).toContain(path);
    for (const part of parts) expect((e as Error).message).toContain(part);
    return e as CellfeedError;
  }
  throw new Error(`expected a ${code} error`);
}

describe("bad input", () => {
  it("missing path → FileNotFoundError", async () => {
    const p = file("nope.h5ad");
    await expectError(openH5ad(p), "file_not_found", p);
  });

  it("a text file or an empty file → NotHdf5Error", async () => {
    const text = file("text.h5ad");
    writeFileSync(text, "obs,var\n1,2\n".repeat(100));
    await expectError(openH5ad(text), "not_hdf5", text);
    const empty = file("empty.h5ad");
    writeFileSync(empty, "");
    await expectError(openH5ad(empty), "not_hdf5", empty);
  });

  it("HDF5 without obs/var → NotAnnDataError listing the root members", async () => {
    await expectError(openH5ad(file("plain.h5")), "not_anndata", file("plain.h5"), ["foo"]);
  });

  it("a truncated copy → TruncatedFileError", async () => {
    const src = readFileSync(file("base.h5ad"));
    for (const keep of [Math.floor(src.length * 0.6), 200]) {
      const p = file(`truncated_${keep}.h5ad`);
      writeFileSync(p, src.subarray(0, keep));
      await expectError(openH5ad(p), "truncated", p, [`${src.length}`]);
    }
  });

  it("unknown root encoding version → UnknownEncodingError naming it", async () => {
    const p = file("unknown_root.h5ad");
    await expectError(openH5ad(p), "unknown_encoding", p, ["anndata", "0.9.0"]);
  });

  it("unknown X encoding type or version → UnknownEncodingError naming them", async () => {
    await expectError(openH5ad(file("unknown_x.h5ad")), "unknown_encoding", file("unknown_x.h5ad"), [
      "X",
      "awkward-array",
      "0.1.0",
    ]);
    await expectError(
      openH5ad(file("unknown_x_version.h5ad")),
      "unknown_encoding",
      file("unknown_x_version.h5ad"),
      ["array", "9.9.9"],
    );
  });

  it("unknown column encoding → UnknownEncodingError naming the column", async () => {
    const p = file("unknown_col.h5ad");
    const f = await openH5ad(p);
    try {
      const e = await expectError((async () => f.obs.read("c"))(), "unknown_encoding", p, [
        "fancy-categorical",
        "0.3.0",
      ]);
      expect(e.column).toBe("c");
      await expectError(f.describe(), "unknown_encoding", p, ["column 'c'"]);
    } finally {
      f.close();
    }
  });

  it("an undecodable filter → UnsupportedFilterError before any read, obs still readable", async () => {
    const p = file("unknown_filter.h5ad");
    const f = await openH5ad(p);
    try {
      expect(f.obsNames()).toEqual(["c0", "c1", "c2", "c3"]);
      const e = await expectError(f.matrix("X").readRows([0]), "unsupported_filter", p, ["32099"]);
      expect(e.dataset).toBe("X");
      await expectError(f.describe(), "unsupported_filter", p, ["32099"]);
    } finally {
      f.close();
    }
  });

  it("unknown keys → KeyNotFoundError listing what exists", async () => {
    const p = file("base.h5ad");
    const f = await openH5ad(p);
    try {
      expect(() => f.matrix("counts")).toThrow(/no matrix 'counts'; available: 'X'/);
      expect(() => f.obs.read("nope")).toThrow(/no obs column 'nope'; available: 'c'/);
      expect(() => f.obsm("X_pca")).toThrow(/no obsm key 'X_pca'; available: \(none\)/);
      try {
        f.obs.info("nope");
      } catch (e) {
        expect(isCellfeedError(e, "key_not_found")).toBe(true);
        expect((e as CellfeedError).path).toBe(p);
      }
    } finally {
      f.close();
    }
  });

  it("Symbol.dispose closes the file; an aborted signal stops openH5ad", async () => {
    const f = await openH5ad(file("base.h5ad"));
    f[Symbol.dispose]();
    expect(() => f.obs.read("c")).toThrow(/closed/);
    const ac = new AbortController();
    ac.abort();
    await expectError(openH5ad(file("base.h5ad"), { signal: ac.signal }), "aborted", file("base.h5ad"));
  });

  it("reads after close fail with IoError", async () => {
    const f = await openH5ad(file("base.h5ad"));
    const x = f.matrix("X");
    f.close();
    await expectError(x.readRows([0]), "io", file("base.h5ad"), ["closed"]);
  });
});

describe("rare encodings (cross-checked with Python anndata)", () => {
  /** obs/var labels as Python anndata reads them (NaN → null). */
  function pythonFrames(p: string): {
    obs: Record<string, unknown[]>;
    var: Record<string, unknown[]>;
    X: number[][];
  } {
    const script = `
import anndata, json, sys, numpy as np, pandas as pd
a = anndata.read_h5ad(sys.argv[1])
def col(s):
    return [None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in s.tolist()]
X = a.X.toarray() if hasattr(a.X, "toarray") else np.asarray(a.X)
print(json.dumps({"obs": {k: col(a.obs[k]) for k in a.obs.columns}, "var": {k: col(a.var[k]) for k in a.var.columns},
                  "X": X.astype(float).tolist()}))`;
    return JSON.parse(runPython(script, [p]));
  }

  for (const name of ["v07_handmade.h5ad", "v06_compound.h5ad"]) {
    it(`${name}: every column and X match anndata`, async () => {
      const p = file(name);
      const want = pythonFrames(p);
      const f = await openH5ad(p);
      try {
        expect([...f.obs.columns]).toEqual(Object.keys(want.obs));
        for (const [c, values] of Object.entries(want.obs)) expect(f.obs.labels(c), c).toEqual(values);
        for (const [c, values] of Object.entries(want.var)) expect(f.var.labels(c), c).toEqual(values);
        const x = await f.matrix("X").readRows([...want.X.keys()], { output: "dense", dtype: "float64" });
        expect(Array.from(x.data)).toEqual(want.X.flat());
      } finally {
        f.close();
      }
    });
  }

  it("0.7: code -1 is missing, zero-length and integer categories, ordered from __categories", async () => {
    const f = await openH5ad(file("v07_handmade.h5ad"));
    try {
      const cat = f.obs.read("cat");
      expect(cat.kind === "categorical" && Array.from(cat.codes)).toEqual([2, -1, 0, 2]);
      expect(f.obs.info("cat")).toMatchObject({
        kind: "categorical",
        ordered: true,
        categories: ["x", "y", "z"],
      });
      expect(f.obs.info("empty").categories).toEqual([]);
      expect(f.obs.labels("intcat")).toEqual([20, 10, null, 20]);
      expect(f.matrix("X").layout).toBe("csc");
    } finally {
      f.close();
    }
  });

  it("pre-0.7 compound: categories from uns are consumed, not listed as uns keys", async () => {
    const f = await openH5ad(file("v06_compound.h5ad"));
    try {
      expect(f.obs.indexName).toBe("index");
      expect(f.obsNames()).toEqual(["c0", "c1", "c2"]);
      expect(f.obs.info("kind").categories).toEqual(["alpha", "beta"]);
      expect([...f.unsKeys]).toEqual(["other"]);
    } finally {
      f.close();
    }
  });

  it("nullable-string-array: masked entries are null", async () => {
    const f = await openH5ad(file("nullable_str.h5ad"));
    try {
      expect(f.obs.labels("s")).toEqual(["u", null, "w", "v"]);
      expect(f.obs.info("s")).toMatchObject({ kind: "string", nullable: true });
    } finally {
      f.close();
    }
  });
});

describeWithFixtures("h5ad", "damaged copies of fixtures", () => {
  it("a corrupt gzip chunk → FormatError, not silent garbage", async () => {
    const src = readFileSync(fixturePath("h5ad", "scanpy_pbmc68k_reduced_v2025.h5ad"));
    const at = Math.floor(src.length * 0.3);
    const bad = Buffer.from(src);
    bad.fill(0x55, at, at + 4096);
    const p = file("corrupt.h5ad");
    writeFileSync(p, bad);
    const f = await openH5ad(p);
    try {
      await expectError(f.describe(), "format", p, ["X"]);
    } finally {
      f.close();
    }
    // The runtime is still usable afterwards.
    const ok = await openH5ad(fixturePath("h5ad", "soma_pbmc_small.h5ad"));
    expect((await ok.matrix("X").readRows([0])).shape).toEqual([1, 20]);
    ok.close();
  });

  it("a truncated fixture → TruncatedFileError", async () => {
    const p = file("truncated_fixture.h5ad");
    copyFileSync(fixturePath("h5ad", "legacy_v078_lzf.h5ad"), p);
    const src = readFileSync(p);
    writeFileSync(p, src.subarray(0, src.length - 1000));
    await expectError(openH5ad(p), "truncated", p);
  });
});
