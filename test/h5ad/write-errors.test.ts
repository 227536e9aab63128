/**
 * writeH5ad's input checks: bad input throws a typed error naming the element/column, before any
 * file is created; plus label → categorical conversion and the boolean patch's own check.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import h5wasm from "h5wasm/node";
import { afterAll, describe, expect, it } from "vitest";
import { type CellfeedError, isCellfeedError } from "../../src/errors.js";
import { writeH5ad } from "../../src/h5ad/write.js";
import { patchBoolPlaceholders } from "../../src/h5ad/write-bool-patch.js";
import type { AnnDataInput, ColumnInput, WriteH5adOptions } from "../../src/h5ad/write-input.js";
import { prepareColumn } from "../../src/h5ad/write-validate.js";

const dir = mkdtempSync(join(tmpdir(), "cellfeed-write-err-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const X = { format: "dense", shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) } as const;

async function failure(
  data: unknown,
  options: WriteH5adOptions = {},
  name = "bad.h5ad",
): Promise<CellfeedError> {
  const path = join(dir, name);
  try {
    await writeH5ad(path, data as AnnDataInput, options);
  } catch (e) {
    if (!isCellfeedError(e)) throw e;
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    return e;
  }
  throw new Error("writeH5ad did not throw");
}

function withColumn(col: unknown): unknown {
  return { X, obs: { index: ["a", "b"], columns: { c: col } } };
}

describe("writeH5ad input checks", () => {
  it.each([
    [
      "dense data length",
      { X: { ...X, data: new Float32Array(3) } },
      "X",
      /3 values; shape \[2, 2\] needs 4/,
    ],
    ["negative shape", { X: { ...X, shape: [-1, 2] } }, "X", /non-negative/],
    [
      "unknown format",
      { X: { ...X, format: "coo" } },
      "X",
      /unknown matrix format "coo" \(use "dense", "csr" or "csc"\)/,
    ],
    [
      "non-monotone indptr",
      {
        X: {
          format: "csr",
          shape: [2, 2],
          indptr: Int32Array.of(0, 2, 1),
          indices: Int32Array.of(0),
          data: Float32Array.of(1),
        },
      },
      "X",
      /not monotone: indptr\[2\] = 1 < indptr\[1\] = 2/,
    ],
    [
      "indptr going down",
      {
        X: {
          format: "csr",
          shape: [3, 2],
          indptr: Int32Array.of(0, 2, 1, 2),
          indices: Int32Array.of(0, 1),
          data: Float32Array.of(1, 2),
        },
      },
      "X",
      /not monotone: indptr\[2\] = 1 < indptr\[1\] = 2/,
    ],
    [
      "column index out of range",
      {
        X: {
          format: "csr",
          shape: [2, 2],
          indptr: Int32Array.of(0, 1, 2),
          indices: Int32Array.of(0, 2),
          data: Float32Array.of(1, 2),
        },
      },
      "X",
      /indices\[1\] = 2 \(row 1\) is outside \[0, 2\)/,
    ],
    [
      "unsorted column indices",
      {
        X: {
          format: "csr",
          shape: [1, 3],
          indptr: Int32Array.of(0, 2),
          indices: Int32Array.of(2, 0),
          data: Float32Array.of(1, 2),
        },
      },
      "X",
      /strictly ascending/,
    ],
    [
      "indptr length",
      {
        X: {
          format: "csr",
          shape: [2, 2],
          indptr: Int32Array.of(0, 0),
          indices: new Int32Array(0),
          data: new Float32Array(0),
        },
      },
      "X",
      /indptr has 2 entries; 2 rows need 3/,
    ],
    [
      "layer shape",
      { X, layers: { raw: { ...X, shape: [2, 1], data: Float32Array.of(1, 2) } } },
      "layers/raw",
      /expected \[2, 2\]/,
    ],
    [
      "obsm rows",
      { X, obsm: { pca: { format: "dense", shape: [3, 1], data: new Float32Array(3) } } },
      "obsm/pca",
      /expected \[2, any\]/,
    ],
    [
      "obsp shape",
      { X, obsp: { g: { ...X, shape: [2, 1], data: Float32Array.of(1, 2) } } },
      "obsp/g",
      /expected \[2, 2\]/,
    ],
    [
      "CSC indptr length",
      {
        X: {
          format: "csc",
          shape: [3, 2],
          indptr: Int32Array.of(0, 1, 1, 1),
          indices: Int32Array.of(0),
          data: Float32Array.of(1),
        },
      },
      "X",
      /indptr has 4 entries; 2 columns need 3/,
    ],
    [
      "CSC row index out of range",
      {
        X,
        layers: {
          c: {
            format: "csc",
            shape: [2, 2],
            indptr: Int32Array.of(0, 0, 1),
            indices: Int32Array.of(2),
            data: Float32Array.of(1),
          },
        },
      },
      "layers/c",
      /indices\[0\] = 2 \(column 1\) is outside \[0, 2\)/,
    ],
    [
      "CSC unsorted row indices",
      {
        X: {
          format: "csc",
          shape: [3, 1],
          indptr: Int32Array.of(0, 2),
          indices: Int32Array.of(2, 1),
          data: Float32Array.of(1, 2),
        },
      },
      "X",
      /column 0: row indices must be strictly ascending \(indices\[1\] = 1\)/,
    ],
    [
      "sparse obsm rows",
      {
        X,
        obsm: {
          s: {
            format: "csr",
            shape: [3, 1],
            indptr: Int32Array.of(0, 0, 0, 0),
            indices: new Int32Array(0),
            data: new Float32Array(0),
          },
        },
      },
      "obsm/s",
      /expected \[2, any\]/,
    ],
    [
      "CSC obsp indptr",
      {
        X,
        obsp: {
          g: {
            format: "csc",
            shape: [2, 2],
            indptr: Int32Array.of(0, 1, 3),
            indices: Int32Array.of(0, 1),
            data: Float32Array.of(1, 2),
          },
        },
      },
      "obsp/g",
      /indptr\[2\] is 3 but there are 2 stored values/,
    ],
    [
      "raw rows",
      { X, raw: { X: { format: "dense", shape: [3, 1], data: new Float32Array(3) }, var: { index: ["r"] } } },
      "raw/X",
      /raw.X has 3 rows but X has 2/,
    ],
    [
      "raw var length",
      { X, raw: { X: { format: "dense", shape: [2, 2], data: new Float32Array(4) }, var: { index: ["r"] } } },
      "raw/var",
      /1 names but the matrix has 2/,
    ],
    ["raw without var", { X, raw: { X } }, "raw", /raw must be an object with X and var/],
    ["layer key with slash", { X, layers: { "a/b": X } }, "layers/a/b", /contain no '\/'/],
    ["obs index length", { X, obs: { index: ["a"] } }, "obs", /1 names but the matrix has 2/],
    ["uns object", { X, uns: { nested: { a: 1 } } }, "uns/nested", /strings, numbers, booleans/],
  ])("%s", async (_label, data, dataset, message) => {
    const e = await failure(data);
    expect(e.code).toBe("invalid_argument");
    expect(e.dataset).toBe(dataset);
    expect(e.message).toMatch(message);
    expect(e.path).toBe(join(dir, "bad.h5ad"));
  });

  it.each([
    ["length", { kind: "numeric", values: Float64Array.of(1) }, /1 entries; the frame has 2 rows/],
    [
      "code out of range",
      { kind: "categorical", categories: ["x"], codes: Int8Array.of(0, 1) },
      /codes\[1\] = 1 is outside \[-1, 1\)/,
    ],
    [
      "code below -1",
      { kind: "categorical", categories: ["x"], codes: Int8Array.of(-2, 0) },
      /codes\[0\] = -2/,
    ],
    [
      "duplicate categories",
      { kind: "categorical", categories: ["x", "x"], codes: Int8Array.of(0, 1) },
      /not unique/,
    ],
    ["NaN category", { kind: "categorical", categories: [1, Number.NaN], codes: Int8Array.of(0, 1) }, /NaN/],
    ["mixed labels", { kind: "categorical", values: ["x", 1] }, /all strings or all numbers/],
    [
      "float codes",
      { kind: "categorical", categories: ["x"], codes: Float32Array.of(0, 0) },
      /Int8Array, Int16Array or Int32Array/,
    ],
    ["null string", { kind: "string", values: ["x", null] }, /values\[1\] is not a string/],
    [
      "float nullable-integer",
      { kind: "nullable-integer", values: Float64Array.of(1, 2), mask: [false, false] },
      /integer typed array/,
    ],
    ["mask length", { kind: "nullable-boolean", values: [true, false], mask: [false] }, /mask has 1 entries/],
    ["boolean values", { kind: "boolean", values: [true, 1] }, /values\[1\] is not a boolean/],
    ["unknown kind", { kind: "date", values: [] }, /unknown column kind/],
  ])("column: %s", async (_label, col, message) => {
    const e = await failure(withColumn(col));
    expect(e.code).toBe("invalid_argument");
    expect(e.dataset).toBe("obs");
    expect(e.column).toBe("c");
    expect(e.message).toMatch(message);
  });

  it("rejects column names with '/' or equal to the index name", async () => {
    const slash = await failure({
      X,
      obs: { index: ["a", "b"], columns: { "a/b": { kind: "string", values: ["x", "y"] } } },
    });
    expect(slash.column).toBe("a/b");
    const clash = await failure({
      X,
      obs: {
        index: ["a", "b"],
        indexName: "cell",
        columns: { cell: { kind: "string", values: ["x", "y"] } },
      },
    });
    expect(clash.message).toMatch(/equals the index name 'cell'/);
  });

  it("rejects strings HDF5 cannot hold and leaves no file behind", async () => {
    const e = await failure(withColumn({ kind: "string", values: ["ok", "a\0b"] }));
    expect(e.code).toBe("invalid_argument");
    expect(e.dataset).toBe("obs/c");
    expect(e.message).toMatch(/string 1 contains a NUL/);
  });

  it.each([
    [{ compression: "lzf" }, /compression must be "gzip" or null/],
    [{ compression: "gzip", compressionLevel: 10 }, /compressionLevel must be an integer 0–9/],
    [{ chunkRows: 0 }, /chunkRows must be a positive integer/],
  ])("rejects options %j", async (options, message) => {
    const e = await failure({ X }, options as WriteH5adOptions);
    expect(e.code).toBe("invalid_argument");
    expect(e.message).toMatch(message);
  });

  it("reports a missing folder and an aborted signal", async () => {
    const missing = await failure({ X }, {}, join("no-such-dir", "x.h5ad"));
    expect(missing.code).toBe("file_not_found");
    const controller = new AbortController();
    controller.abort();
    const aborted = await failure({ X }, { signal: controller.signal });
    expect(aborted.code).toBe("aborted");
  });

  it("reports a target that cannot be replaced (a folder) as an IoError", async () => {
    const target = join(dir, "a-folder.h5ad");
    mkdirSync(target);
    const e = await writeH5ad(target, { X }).catch((err: unknown) => err);
    expect(isCellfeedError(e, "io")).toBe(true);
    expect((e as CellfeedError).path).toBe(target);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("replaces an existing file", async () => {
    const path = join(dir, "replace.h5ad");
    writeFileSync(path, "not hdf5");
    await writeH5ad(path, { X });
    await h5wasm.ready;
    const f = new h5wasm.File(path, "r");
    try {
      expect(f.attrs["encoding-type"]?.value).toBe("anndata");
      const x = f.get("X");
      expect(x).toBeInstanceOf(h5wasm.Dataset);
      expect(Array.from((x as InstanceType<typeof h5wasm.Dataset>).value as Float32Array)).toEqual([
        1, 2, 3, 4,
      ]);
    } finally {
      f.close();
    }
  });

  it("the boolean patch refuses a file whose placeholder count differs", async () => {
    const path = join(dir, "bools.h5ad");
    await writeH5ad(path, {
      X,
      obs: { index: ["a", "b"], columns: { b: { kind: "boolean", values: [true, false] } } },
    });
    // The placeholders are already patched, so none is left to find.
    expect(() => patchBoolPlaceholders(path, 1)).toThrow(/found 0 boolean placeholder types, expected 1/);
  });
});

describe("categoricals from labels", () => {
  const prepared = (col: ColumnInput, n: number) => prepareColumn(col, n, {});

  it("sorts categories by code point (as Python does) and marks null/NaN as -1", () => {
    const labels = ["b", "😀", null, "\uFFFD", "a", "Z", "é", "a"];
    expect(prepared({ kind: "categorical", values: labels }, labels.length)).toEqual({
      kind: "categorical",
      categories: ["Z", "a", "b", "é", "\uFFFD", "😀"],
      codes: Int8Array.of(2, 5, -1, 4, 1, 0, 3, 1),
      ordered: false,
    });
    expect(prepared({ kind: "categorical", values: [2.5, null, Number.NaN, -1], ordered: true }, 4)).toEqual({
      kind: "categorical",
      categories: Float64Array.of(-1, 2.5),
      codes: Int8Array.of(1, -1, -1, 0),
      ordered: true,
    });
  });

  it("picks pandas' code width from the number of categories", () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `c${String(i).padStart(6, "0")}`);
    const codesOf = (n: number) => {
      const col = prepared({ kind: "categorical", values: many(n) }, n);
      return col.kind === "categorical" ? col.codes : undefined;
    };
    expect(codesOf(126)).toBeInstanceOf(Int8Array);
    expect(codesOf(127)).toBeInstanceOf(Int16Array);
    expect(codesOf(32767)).toBeInstanceOf(Int32Array);
  });
});
