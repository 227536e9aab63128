/**
 * writeH5ad → the real Python anndata (read_h5ad) reads back exactly what was written: values,
 * dtypes, category order, names. Plus the layout details anndata itself writes (checked with h5py).
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { writeH5ad, writeH5adWith } from "../../src/h5ad/write.js";
import type {
  AnnDataInput,
  MatrixInput,
  NumericArray,
  WriteH5adOptions,
} from "../../src/h5ad/write-input.js";
import { describeWithAnndata, PY_PRELUDE, runPython } from "../helpers/anndata.js";

/** Reads every file named in argv with anndata and h5py; prints {path: dump}. */
const READ = `${PY_PRELUDE}
def read(path):
    a = ad.read_h5ad(path)
    out = dump_adata(a)
    out["raw"] = None if a.raw is None else {"X": matrix(a.raw.X), "var": frame(a.raw.var),
                                             "varm": list(a.raw.varm.keys())}
    layout = {}
    def visit(name, obj):
        entry = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in obj.attrs.items()}
        if isinstance(obj, h5py.Dataset):
            entry["@dtype"] = str(obj.dtype)
            entry["@compression"] = obj.compression
            entry["@chunks"] = list(obj.chunks) if obj.chunks else None
        layout[name] = entry
    with h5py.File(path, "r") as f:
        visit("/", f)
        f.visititems(visit)
    out["layout"] = layout
    return out
print_json({p: read(p) for p in sys.argv[1:]})
`;

interface PyMatrix {
  format: string;
  shape: number[];
  dtype: string;
  data: (number | string)[];
  indptr?: number[];
  indices?: number[];
  indptrDtype?: string;
  indicesDtype?: string;
}
interface PyColumn {
  dtype: string;
  categories?: (string | number)[];
  categoriesDtype?: string;
  codes?: number[];
  codesDtype?: string;
  ordered?: boolean;
  values: unknown[];
}
interface PyFrame {
  index: string[];
  indexName: string | null;
  columns: string[];
  data: Record<string, PyColumn>;
}
interface PyDump {
  shape: number[];
  X: PyMatrix;
  obs: PyFrame;
  var: PyFrame;
  layers: Record<string, PyMatrix>;
  obsm: Record<string, PyMatrix>;
  varm: Record<string, PyMatrix>;
  obsp: Record<string, PyMatrix>;
  varp: Record<string, PyMatrix>;
  uns: Record<string, { type: string; value: unknown }>;
  raw: { X: PyMatrix; var: PyFrame; varm: string[] } | null;
  layout: Record<string, Record<string, unknown>>;
}

const dir = mkdtempSync(join(tmpdir(), "cellfeed-write-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Writer = (path: string, data: AnnDataInput, options: WriteH5adOptions) => Promise<void>;

/** Every file of the suite, written first and then read by one Python run (anndata imports slowly). */
const files: Record<string, { data: AnnDataInput; options?: WriteH5adOptions; write?: Writer }> = {};
const dumps: Record<string, PyDump> = {};

function dumpOf(name: string): PyDump {
  const got = dumps[join(dir, name)];
  if (got === undefined) throw new Error(`no dump for ${name}`);
  return got;
}

/** Values as the Python dump spells them (non-finite floats as strings). */
const num = (a: NumericArray): (number | string)[] =>
  Array.from(a as ArrayLike<number | bigint>, (v) => {
    const x = Number(v);
    return Number.isFinite(x) ? x : Number.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity";
  });

function expectMatrix(got: PyMatrix | undefined, m: MatrixInput, dtype: string): void {
  expect(got?.format).toBe(m.format);
  expect(got?.shape).toEqual([...m.shape]);
  expect(got?.dtype).toBe(dtype);
  expect(got?.data).toEqual(num(m.data));
  if (m.format !== "dense") {
    expect(got?.indptr).toEqual(num(m.indptr));
    expect(got?.indices).toEqual(num(m.indices));
  }
}

// 4 cells × 3 genes; every column kind anndata knows.
const csrX: MatrixInput = {
  format: "csr",
  shape: [4, 3],
  indptr: Int32Array.of(0, 2, 2, 3, 5),
  indices: Int32Array.of(0, 2, 1, 0, 1),
  data: Float32Array.of(1.5, 0.1, 3, -2.25, 1e-7),
};

const full: AnnDataInput = {
  X: csrX,
  obs: {
    index: ["AAAC-1", "AAAG-1", "ÄÖÜ-é", "cell 😀"],
    columns: {
      cell_type: { kind: "categorical", categories: ["T", "B", "NK"], codes: Int8Array.of(2, -1, 0, 0) },
      stage: {
        kind: "categorical",
        categories: ["early", "mid", "late"],
        codes: Int16Array.of(0, 2, 1, 1),
        ordered: true,
      },
      batch: { kind: "categorical", categories: [3, 1, 7], codes: Int32Array.of(1, 1, 0, 2) },
      dose: { kind: "categorical", categories: [0.5, 2.5], codes: Int8Array.of(1, 0, -1, 1) },
      label: { kind: "categorical", values: ["b", null, "a", "b"] },
      n_genes: { kind: "numeric", values: Int32Array.of(10, 0, -5, 2147483647) },
      score: { kind: "numeric", values: Float64Array.of(0.1, Number.NaN, -1e300, 3) },
      frac: { kind: "numeric", values: Float32Array.of(0.25, 1, 0, Math.fround(0.3)) },
      big: { kind: "numeric", values: BigInt64Array.of(1n, -2n, 2n ** 53n, 0n) },
      is_doublet: { kind: "boolean", values: [true, false, false, true] },
      qc_pass: { kind: "boolean", values: Uint8Array.of(0, 1, 7, 0) },
      barcode: { kind: "string", values: ["ACGT", "", "ÄÖÜ", "😀"] },
      n_umi: {
        kind: "nullable-integer",
        values: Int32Array.of(5, 0, 7, 8),
        mask: [false, true, false, false],
      },
      n_reads: {
        kind: "nullable-integer",
        values: BigInt64Array.of(1n, 2n, 3n, 4n),
        mask: Uint8Array.of(1, 0, 0, 1),
      },
      flag: {
        kind: "nullable-boolean",
        values: [true, false, true, false],
        mask: [false, false, true, false],
      },
    },
  },
  var: {
    index: ["g1", "g2", "g3"],
    indexName: "gene_ids",
    columns: { highly_variable: { kind: "boolean", values: [true, false, true] } },
  },
  layers: {
    counts: {
      format: "csr",
      shape: [4, 3],
      indptr: Int32Array.of(0, 1, 1, 1, 3),
      indices: Int32Array.of(2, 0, 2),
      data: Int32Array.of(4, 1, 9),
    },
    dense: { format: "dense", shape: [4, 3], data: Float64Array.from({ length: 12 }, (_, i) => i / 3) },
  },
  obsm: { X_pca: { format: "dense", shape: [4, 2], data: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8) } },
  varm: { loadings: { format: "dense", shape: [3, 1], data: Float64Array.of(-1, 0, 1) } },
  obsp: {
    connectivities: {
      format: "csr",
      shape: [4, 4],
      indptr: Int32Array.of(0, 1, 2, 2, 4),
      indices: Int32Array.of(1, 0, 0, 3),
      data: Float64Array.of(0.5, 0.5, 1, 1),
    },
  },
  varp: { corr: { format: "dense", shape: [3, 3], data: Float32Array.of(1, 0, 0, 0, 1, 0.5, 0, 0.5, 1) } },
  uns: { title: "pbmc ✓", n_pcs: 50, pi: 3.5, log1p: true, huge: 2n ** 40n },
};

function checkFull(got: PyDump): void {
  expect(got.shape).toEqual([4, 3]);
  expectMatrix(got.X, csrX, "float32");
  expect(got.X.indptrDtype).toBe("int32");
  expect(got.obs.index).toEqual(full.obs?.index);
  expect(got.obs.indexName).toBeNull();
  expect(got.obs.columns).toEqual(Object.keys(full.obs?.columns ?? {}));
  const c = got.obs.data;
  expect(c.cell_type).toEqual({
    dtype: "category",
    categories: ["T", "B", "NK"],
    categoriesDtype: "object",
    codes: [2, -1, 0, 0],
    codesDtype: "int8",
    ordered: false,
    values: ["NK", null, "T", "T"],
  });
  // pandas shrinks codes to int8 on read; the file keeps the int16 given (checked in the layout).
  expect(c.stage).toMatchObject({
    ordered: true,
    codes: [0, 2, 1, 1],
    codesDtype: "int8",
    values: ["early", "late", "mid", "mid"],
  });
  expect(c.batch).toMatchObject({
    categories: [3, 1, 7],
    categoriesDtype: "int64",
    codesDtype: "int8",
    values: [1, 1, 3, 7],
  });
  expect(c.dose).toMatchObject({
    categories: [0.5, 2.5],
    categoriesDtype: "float64",
    values: [2.5, 0.5, null, 2.5],
  });
  expect(c.label).toMatchObject({
    categories: ["a", "b"],
    codes: [1, -1, 0, 1],
    codesDtype: "int8",
    values: ["b", null, "a", "b"],
  });
  expect(c.n_genes).toEqual({ dtype: "int32", values: [10, 0, -5, 2147483647] });
  expect(c.score).toEqual({ dtype: "float64", values: [0.1, null, -1e300, 3] });
  expect(c.frac).toEqual({ dtype: "float32", values: [0.25, 1, 0, Math.fround(0.3)] });
  expect(c.big).toEqual({ dtype: "int64", values: [1, -2, 2 ** 53, 0] });
  expect(c.is_doublet).toEqual({ dtype: "bool", values: [true, false, false, true] });
  expect(c.qc_pass).toEqual({ dtype: "bool", values: [false, true, true, false] });
  expect(c.barcode).toEqual({ dtype: "object", values: ["ACGT", "", "ÄÖÜ", "😀"] });
  expect(c.n_umi).toEqual({ dtype: "Int32", values: [5, null, 7, 8] });
  expect(c.n_reads).toEqual({ dtype: "Int64", values: [null, 2, 3, null] });
  expect(c.flag).toEqual({ dtype: "boolean", values: [true, false, null, false] });
  expect(got.var.index).toEqual(["g1", "g2", "g3"]);
  expect(got.var.indexName).toBe("gene_ids");
  expect(got.var.data.highly_variable).toEqual({ dtype: "bool", values: [true, false, true] });
  expect(Object.keys(got.layers).sort()).toEqual(["counts", "dense"]);
  expectMatrix(got.layers.counts, full.layers?.counts as MatrixInput, "int32");
  expectMatrix(got.layers.dense, full.layers?.dense as MatrixInput, "float64");
  expectMatrix(got.obsm.X_pca, full.obsm?.X_pca as MatrixInput, "float32");
  expectMatrix(got.varm.loadings, full.varm?.loadings as MatrixInput, "float64");
  expectMatrix(got.obsp.connectivities, full.obsp?.connectivities as MatrixInput, "float64");
  expectMatrix(got.varp.corr, full.varp?.corr as MatrixInput, "float32");
  expect(got.uns).toEqual({
    title: { type: "str", value: "pbmc ✓" },
    n_pcs: { type: "int64", value: 50 },
    pi: { type: "float64", value: 3.5 },
    log1p: { type: "bool_", value: true },
    huge: { type: "int64", value: 2 ** 40 },
  });
}

const denseCases: [MatrixInput, string][] = [
  [{ format: "dense", shape: [2, 3], data: Float32Array.of(0, 1.25, -3, 1e-30, 7, 8) }, "float32"],
  [
    { format: "dense", shape: [2, 3], data: Float64Array.of(Math.PI, Number.NaN, Infinity, -0.5, 2, 3) },
    "float64",
  ],
  [{ format: "dense", shape: [2, 3], data: Int32Array.of(-2147483648, 0, 1, 2, 3, 2147483647) }, "int32"],
];

files["full.h5ad"] = { data: full };
files["full-gzip.h5ad"] = {
  data: full,
  options: { compression: "gzip", compressionLevel: 6, chunkRows: 2 },
  // 16-byte blocks: every array larger than that is written block by block.
  write: (p, d, o) => writeH5adWith(p, d, o, 16),
};
for (const [X, dtype] of denseCases) files[`dense-${dtype}.h5ad`] = { data: { X } };
const blockX: MatrixInput = {
  format: "dense",
  shape: [5, 3],
  data: Float32Array.from({ length: 15 }, (_, i) => i * 1.5),
};
// One-row chunks and 16-byte blocks: five blocks of one row each.
files["blocks-plain.h5ad"] = {
  data: { X: blockX },
  options: { chunkRows: 1 },
  write: (p, d, o) => writeH5adWith(p, d, o, 16),
};
files["empty.h5ad"] = {
  data: {
    X: {
      format: "csr",
      shape: [0, 2],
      indptr: Int32Array.of(0),
      indices: new Int32Array(0),
      data: new Float32Array(0),
    },
    obs: {
      index: [],
      columns: {
        ct: { kind: "categorical", values: [] },
        s: { kind: "string", values: [] },
        b: { kind: "boolean", values: [] },
      },
    },
    var: { index: ["a", "b"] },
    layers: { d: { format: "dense", shape: [0, 2], data: new Float64Array(0) } },
  },
  options: { compression: "gzip" },
};

// CSC X and layer, raw (CSR X, var with columns), CSR/CSC obsm/varm/obsp/varp.
const sparse: AnnDataInput = {
  // Dense: [1.5 0 0.1; 0 0 0; 0 3 0; -2.25 1e-7 0].
  X: {
    format: "csc",
    shape: [4, 3],
    indptr: Int32Array.of(0, 2, 4, 5),
    indices: Int32Array.of(0, 3, 2, 3, 0),
    data: Float32Array.of(1.5, -2.25, 3, 1e-7, 0.1),
  },
  obs: { index: ["c1", "c2", "c3", "c4"] },
  var: { index: ["g1", "g2", "g3"] },
  layers: {
    counts: {
      format: "csc",
      shape: [4, 3],
      indptr: BigInt64Array.of(0n, 1n, 1n, 3n),
      indices: BigInt64Array.of(2n, 0n, 3n),
      data: Int32Array.of(4, 1, 9),
    },
  },
  obsm: {
    X_csr: {
      format: "csr",
      shape: [4, 2],
      indptr: Int32Array.of(0, 1, 1, 2, 2),
      indices: Int32Array.of(1, 0),
      data: Float32Array.of(0.5, -1),
    },
    X_csc: {
      format: "csc",
      shape: [4, 3],
      indptr: Int32Array.of(0, 1, 1, 3),
      indices: Int32Array.of(2, 0, 3),
      data: Float64Array.of(7, 8, 9),
    },
  },
  varm: {
    loadings: {
      format: "csr",
      shape: [3, 2],
      indptr: Int32Array.of(0, 1, 1, 2),
      indices: Int32Array.of(0, 1),
      data: Float64Array.of(1, 2),
    },
  },
  obsp: {
    connectivities: {
      format: "csc",
      shape: [4, 4],
      indptr: Int32Array.of(0, 1, 2, 2, 4),
      indices: Int32Array.of(1, 0, 0, 3),
      data: Float64Array.of(0.5, 0.5, 1, 1),
    },
  },
  varp: {
    corr: {
      format: "csr",
      shape: [3, 3],
      indptr: Int32Array.of(0, 1, 3, 3),
      indices: Int32Array.of(0, 0, 2),
      data: Float32Array.of(1, 0.5, 1),
    },
  },
  raw: {
    X: {
      format: "csr",
      shape: [4, 5],
      indptr: Int32Array.of(0, 2, 3, 3, 5),
      indices: Int32Array.of(0, 4, 2, 1, 4),
      data: Float64Array.of(1, 2, 3, 4, 5),
    },
    var: {
      index: ["r0", "r1", "r2", "r3", "r4"],
      indexName: "gene_ids",
      columns: {
        symbol: { kind: "string", values: ["A", "B", "C", "D", "E"] },
        n_cells: { kind: "numeric", values: Int32Array.of(3, 0, 1, 1, 2) },
        mt: { kind: "boolean", values: [false, false, true, false, true] },
        feature_type: { kind: "categorical", values: ["gene", "gene", "peak", null, "gene"] },
      },
    },
  },
};

function checkSparse(got: PyDump): void {
  expect(got.shape).toEqual([4, 3]);
  expectMatrix(got.X, sparse.X, "float32");
  expect(got.X.indptrDtype).toBe("int32");
  expectMatrix(got.layers.counts, sparse.layers?.counts as MatrixInput, "int32");
  expect(got.layers.counts?.indicesDtype).toBe("int64");
  expectMatrix(got.obsm.X_csr, sparse.obsm?.X_csr as MatrixInput, "float32");
  expectMatrix(got.obsm.X_csc, sparse.obsm?.X_csc as MatrixInput, "float64");
  expectMatrix(got.varm.loadings, sparse.varm?.loadings as MatrixInput, "float64");
  expectMatrix(got.obsp.connectivities, sparse.obsp?.connectivities as MatrixInput, "float64");
  expectMatrix(got.varp.corr, sparse.varp?.corr as MatrixInput, "float32");
  expect(got.raw).not.toBeNull();
  expectMatrix(got.raw?.X, sparse.raw?.X as MatrixInput, "float64");
  expect(got.raw?.varm).toEqual([]);
  expect(got.raw?.var).toEqual({
    index: ["r0", "r1", "r2", "r3", "r4"],
    indexName: "gene_ids",
    columns: ["symbol", "n_cells", "mt", "feature_type"],
    data: {
      symbol: { dtype: "object", values: ["A", "B", "C", "D", "E"] },
      n_cells: { dtype: "int32", values: [3, 0, 1, 1, 2] },
      mt: { dtype: "bool", values: [false, false, true, false, true] },
      feature_type: {
        dtype: "category",
        categories: ["gene", "peak"],
        categoriesDtype: "object",
        codes: [0, 0, 1, -1, 0],
        codesDtype: "int8",
        ordered: false,
        values: ["gene", "gene", "peak", null, "gene"],
      },
    },
  });
  // The main var is untouched by raw.
  expect(got.var.index).toEqual(["g1", "g2", "g3"]);
}

files["sparse.h5ad"] = { data: sparse };
files["sparse-gzip.h5ad"] = {
  data: sparse,
  options: { compression: "gzip", chunkRows: 1 },
  write: (p, d, o) => writeH5adWith(p, d, o, 16),
};

describeWithAnndata("writeH5ad → anndata.read_h5ad", () => {
  beforeAll(async () => {
    for (const [name, { data, options, write }] of Object.entries(files)) {
      await (write ?? writeH5ad)(join(dir, name), data, options ?? {});
    }
    Object.assign(
      dumps,
      await runPython<Record<string, PyDump>>(
        READ,
        Object.keys(files).map((f) => join(dir, f)),
      ),
    );
  });

  it("writes every column kind, CSR and dense matrices and uns scalars that anndata reads back exactly", () => {
    const got = dumpOf("full.h5ad");
    checkFull(got);
    // The layout anndata itself writes.
    const l = got.layout;
    expect(l["/"]).toEqual({ "encoding-type": "anndata", "encoding-version": "0.1.0" });
    expect(l.X).toEqual({ "encoding-type": "csr_matrix", "encoding-version": "0.1.0", shape: [4, 3] });
    expect(l.obs?.["column-order"]).toEqual(got.obs.columns);
    expect(l.obs?._index).toBe("_index");
    expect(l.var?._index).toBe("gene_ids");
    expect(l["obs/stage"]).toEqual({
      "encoding-type": "categorical",
      "encoding-version": "0.2.0",
      ordered: true,
    });
    expect(l["obs/stage/codes"]?.["@dtype"]).toBe("int16");
    expect(l["obs/batch/codes"]?.["@dtype"]).toBe("int32");
    expect(l["obs/batch/categories"]?.["@dtype"]).toBe("int64");
    expect(l["obs/n_umi"]).toEqual({ "encoding-type": "nullable-integer", "encoding-version": "0.1.0" });
    expect(l["obs/n_umi/mask"]?.["@dtype"]).toBe("bool");
    expect(l["obs/flag"]).toEqual({ "encoding-type": "nullable-boolean", "encoding-version": "0.1.0" });
    expect(l["uns/title"]).toMatchObject({ "encoding-type": "string", "encoding-version": "0.2.0" });
    expect(l["uns/log1p"]).toMatchObject({ "encoding-type": "numeric-scalar", "@dtype": "bool" });
    for (const g of ["obsm", "varm", "obsp", "varp", "layers", "uns"]) {
      expect(l[g]).toEqual({ "encoding-type": "dict", "encoding-version": "0.1.0" });
    }
    expect(l["X/data"]?.["@compression"]).toBeNull();
    // No temporary file is left behind.
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("gzip with small chunks and block-wise writes gives the same values", () => {
    const got = dumpOf("full-gzip.h5ad");
    checkFull(got);
    const l = got.layout;
    expect(l["X/data"]).toMatchObject({ "@compression": "gzip", "@chunks": [4] });
    expect(l["layers/dense"]).toMatchObject({ "@compression": "gzip", "@chunks": [2, 3] });
    expect(l["obs/is_doublet"]).toMatchObject({ "@compression": "gzip", "@dtype": "bool" });
    expect(l["obs/barcode"]?.["@compression"]).toBeNull(); // h5wasm cannot compress vlen strings
  });

  it("writes dense float32, float64 and int32 X with default obs/var names and no columns", () => {
    for (const [X, dtype] of denseCases) {
      const got = dumpOf(`dense-${dtype}.h5ad`);
      expectMatrix(got.X, X, dtype);
      expect(got.obs).toEqual({ index: ["0", "1"], indexName: null, columns: [], data: {} });
      expect(got.var.index).toEqual(["0", "1", "2"]);
      expect(got.layout.obs?.["column-order"]).toEqual([]);
    }
  });

  it("writes large arrays block by block, uncompressed", () => {
    const got = dumpOf("blocks-plain.h5ad");
    expectMatrix(got.X, blockX, "float32");
    expect(got.layout.X).toMatchObject({ "@compression": null, "@chunks": [1, 3] });
  });

  it("writes CSC X/layers, sparse obsm/varm/obsp/varp and raw that anndata reads back exactly", () => {
    const got = dumpOf("sparse.h5ad");
    checkSparse(got);
    const l = got.layout;
    expect(l.X).toEqual({ "encoding-type": "csc_matrix", "encoding-version": "0.1.0", shape: [4, 3] });
    expect(l["layers/counts"]).toEqual({
      "encoding-type": "csc_matrix",
      "encoding-version": "0.1.0",
      shape: [4, 3],
    });
    expect(l["obsm/X_csr"]).toMatchObject({ "encoding-type": "csr_matrix", shape: [4, 2] });
    expect(l["obsm/X_csc"]).toMatchObject({ "encoding-type": "csc_matrix", shape: [4, 3] });
    // anndata's write_raw: a raw group holding X, var and an (empty) varm dict.
    expect(l.raw).toEqual({ "encoding-type": "raw", "encoding-version": "0.1.0" });
    expect(l["raw/X"]).toEqual({ "encoding-type": "csr_matrix", "encoding-version": "0.1.0", shape: [4, 5] });
    expect(l["raw/var"]).toMatchObject({ "encoding-type": "dataframe", _index: "gene_ids" });
    expect(l["raw/varm"]).toEqual({ "encoding-type": "dict", "encoding-version": "0.1.0" });
    expect(l["X/indptr"]?.["@dtype"]).toBe("int32");
    expect(l["layers/counts/indptr"]?.["@dtype"]).toBe("int64");
    // Without raw, no raw group.
    expect(dumpOf("full.h5ad").layout.raw).toBeUndefined();
    expect(dumpOf("full.h5ad").raw).toBeNull();
  });

  it("gzip, one-column chunks and block-wise writes of CSC give the same values", () => {
    const got = dumpOf("sparse-gzip.h5ad");
    checkSparse(got);
    // 5 values over 3 columns: chunks of ceil(5 / 3) = 2 values per column.
    expect(got.layout["X/data"]).toMatchObject({ "@compression": "gzip", "@chunks": [2] });
    expect(got.layout["raw/X/data"]).toMatchObject({ "@compression": "gzip" });
  });

  it("writes 0-row files that anndata opens", () => {
    const got = dumpOf("empty.h5ad");
    expect(got.shape).toEqual([0, 2]);
    expect(got.X).toMatchObject({ format: "csr", shape: [0, 2], data: [], indptr: [0] });
    expect(got.obs.columns).toEqual(["ct", "s", "b"]);
    expect(got.obs.data.ct).toMatchObject({ dtype: "category", categories: [], values: [] });
    expect(got.obs.data.b).toEqual({ dtype: "bool", values: [] });
    expect(got.layers.d).toMatchObject({ shape: [0, 2], dtype: "float64" });
  });
});
