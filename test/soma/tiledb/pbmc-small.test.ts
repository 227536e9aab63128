import { readFileSync } from "node:fs";
import { beforeAll, expect, it } from "vitest";
import { LocalDirectoryStore } from "../../../src/io/local.js";
import {
  type Column,
  columnValues,
  objectType,
  openArray,
  openGroup,
} from "../../../src/soma/tiledb/index.js";
import { describeWithFixtures, fixturePath } from "../../helpers/fixtures.js";

const exp = () => fixturePath("soma", "pbmc-small", "experiment");
const truth = (f: string) => fixturePath("soma", "pbmc-small", "truth", f);

/** Rows of a CSV written by R (quoted strings, no embedded commas). */
function csv(file: string): string[][] {
  return readFileSync(truth(file), "utf8")
    .trim()
    .split("\n")
    .map((l) => l.split(",").map((f) => f.replace(/^"|"$/g, "")));
}

function lines(file: string): string[] {
  return readFileSync(truth(file), "utf8").trim().split("\n");
}

async function read(rel: string) {
  const a = await openArray(new LocalDirectoryStore(`${exp()}/${rel}`));
  return { array: a, cols: await a.read() };
}

function num(col: Column | undefined, i: number): number {
  return Number((col as Column).data[i]);
}

/** Cell → value map of a 2-D SOMA sparse array. */
function cellMap(cols: Record<string, Column>): Map<string, number> {
  const m = new Map<string, number>();
  const n = cols.soma_data?.data.length ?? 0;
  for (let i = 0; i < n; i++)
    m.set(`${num(cols.soma_dim_0, i)},${num(cols.soma_dim_1, i)}`, num(cols.soma_data, i));
  return m;
}

describeWithFixtures("soma", "TileDB reader on the tiledbsoma pbmc-small experiment (format v22)", () => {
  let cells: string[];
  let genes: string[];
  beforeAll(() => {
    cells = lines("cells.txt");
    genes = lines("features.txt");
  });

  it("discovers groups, members and metadata", async () => {
    const store = new LocalDirectoryStore(exp());
    expect(await objectType(store)).toBe("group");
    const g = await openGroup(store);
    expect(g.metadata.soma_object_type).toBe("SOMAExperiment");
    expect(g.metadata.soma_encoding_version).toBe("1.1.0");
    expect(g.metadata.dataset_type).toBe("soma");
    expect(g.members.map((m) => `${m.name}:${m.type}`).sort()).toEqual([
      "ms:group",
      "obs:array",
      "uns:group",
    ]);
    const rna = await openGroup(new LocalDirectoryStore(`${exp()}/ms/RNA`));
    expect(rna.metadata.soma_object_type).toBe("SOMAMeasurement");
    expect(rna.members.map((m) => m.name).sort()).toEqual(["X", "obsm", "obsp", "var", "varm"]);
    expect(await objectType(new LocalDirectoryStore(`${exp()}/obs`))).toBe("array");
    expect(await objectType(new LocalDirectoryStore(`${exp()}/obs/__schema`))).toBeNull();
  });

  it("reads array metadata with their types", async () => {
    const a = await openArray(new LocalDirectoryStore(`${exp()}/ms/RNA/X/counts`));
    expect(a.metadata.soma_object_type).toBe("SOMASparseNDArray");
    expect(a.metadataTypes.soma_object_type).toBe(12); // UTF8
    expect(a.metadata.soma_dim_0_domain_upper).toBe(79);
    expect(a.metadataTypes.soma_dim_0_domain_upper).toBe(1); // INT64
    expect(a.schema.version).toBe(22);
    expect(a.schema.arrayType).toBe("sparse");
    expect(a.shape.map((r) => r?.map(Number))).toEqual([
      [0, 79],
      [0, 229],
    ]);
  });

  for (const [layer, file] of [
    ["counts", "counts_coo.csv"],
    ["data", "data_coo.csv"],
  ] as const) {
    it(`X/${layer} equals ${file} bit-exactly`, async () => {
      const { cols } = await read(`ms/RNA/X/${layer}`);
      expect(cols.soma_dim_0?.data).toBeInstanceOf(BigInt64Array);
      expect(cols.soma_data?.data).toBeInstanceOf(Float64Array);
      const got = cellMap(cols);
      const rows = csv(file).slice(1);
      expect(got.size).toBe(rows.length);
      for (const [g, c, v] of rows) expect(got.get(`${c},${g}`)).toBe(Number(v));
    });
  }

  it("X/scale_data equals scale_data_long.csv", async () => {
    const { cols } = await read("ms/RNA/X/scale_data");
    const got = cellMap(cols);
    const rows = csv("scale_data_long.csv").slice(1);
    expect(got.size).toBe(rows.length);
    for (const [g, c, v] of rows)
      expect(got.get(`${cells.indexOf(c as string)},${genes.indexOf(g as string)}`)).toBe(Number(v));
  });

  it("obsm X_pca / X_tsne equal the embeddings", async () => {
    for (const [rel, file] of [
      ["ms/RNA/obsm/X_pca", "reduction_pca_embeddings.csv"],
      ["ms/RNA/obsm/X_tsne", "reduction_tsne_embeddings.csv"],
    ] as const) {
      const got = cellMap((await read(rel)).cols);
      const rows = csv(file).slice(1);
      expect(got.size).toBe(rows.length * ((rows[0]?.length ?? 1) - 1));
      for (const [cell, ...vals] of rows)
        for (const [j, v] of vals.entries())
          expect(got.get(`${cells.indexOf(cell as string)},${j}`)).toBe(Number(v));
    }
  });

  it("varm PCs holds the loadings, NaN for non-variable genes", async () => {
    const got = cellMap((await read("ms/RNA/varm/PCs")).cols);
    expect(got.size).toBe(230 * 19);
    const rows = csv("reduction_pca_loadings.csv").slice(1);
    const variable = new Set(rows.map((r) => r[0]));
    for (const [gene, ...vals] of rows)
      for (const [j, v] of vals.entries())
        expect(got.get(`${genes.indexOf(gene as string)},${j}`)).toBe(Number(v));
    let nans = 0;
    genes.forEach((g, i) => {
      if (!variable.has(g)) for (let j = 0; j < 19; j++) if (Number.isNaN(got.get(`${i},${j}`))) nans++;
    });
    expect(nans).toBe((230 - 20) * 19);
  });

  it("obsp RNA_snn equals the graph", async () => {
    const got = cellMap((await read("ms/RNA/obsp/RNA_snn")).cols);
    const rows = csv("graph_RNA_snn_coo.csv").slice(1);
    expect(got.size).toBe(rows.length);
    for (const [r, c, v] of rows) expect(got.get(`${r},${c}`)).toBe(Number(v));
  });

  it("obs equals meta_data.csv (enumerations from the latest schema, validity)", async () => {
    const { array, cols } = await read("obs");
    expect(array.schemas.size).toBe(2);
    const rows = csv("meta_data.csv");
    const header = rows[0] as string[];
    const body = rows.slice(1);
    expect(columnValues(cols.obs_id as Column)).toEqual(cells);
    expect(Array.from(cols.soma_joinid?.data as BigInt64Array, Number)).toEqual(cells.map((_, i) => i));
    for (let c = 1; c < header.length; c++) {
      const name = header[c] as string;
      const col = cols[name] as Column;
      expect(col, name).toBeDefined();
      expect(col.validity?.every((v) => v === 1)).toBe(true);
      const values = columnValues(col).map((v) => (typeof v === "number" ? v : String(v)));
      const want = body.map((r) => (Number.isNaN(Number(r[c])) ? r[c] : Number(r[c])));
      const isEnum = col.enumeration !== undefined;
      expect(values, name).toEqual(isEnum ? want.map(String) : want);
    }
    expect(cols["orig.ident"]?.enumeration).toEqual(["SeuratProject"]);
    expect(cols["RNA_snn_res.1"]?.enumeration).toEqual(["0", "1", "2"]);
  });

  it("var equals feature_meta.csv", async () => {
    const { cols } = await read("ms/RNA/var");
    expect(columnValues(cols.var_id as Column)).toEqual(genes);
    const rows = csv("feature_meta.csv");
    const header = rows[0] as string[];
    for (let c = 1; c < header.length; c++) {
      const name = header[c] as string;
      const col = cols[name] as Column;
      const want = rows.slice(1).map((r) => (r[c] === "TRUE" ? 1 : r[c] === "FALSE" ? 0 : Number(r[c])));
      expect(Array.from(col.data as ArrayLike<number>), name).toEqual(want);
    }
  });

  it("range reads return exactly the cells of a filtered full read", async () => {
    const a = await openArray(new LocalDirectoryStore(`${exp()}/ms/RNA/X/counts`));
    const full = cellMap(await a.read());
    const part = cellMap(await a.read({ ranges: [[10n, 20n], null], attributes: ["soma_data"] }));
    const want = [...full].filter(([k]) => {
      const c = Number(k.split(",")[0]);
      return c >= 10 && c <= 20;
    });
    expect(part.size).toBe(want.length);
    for (const [k, v] of want) expect(part.get(k)).toBe(v);
    const byName = cellMap(
      await a.read({
        ranges: {
          soma_dim_1: [
            [0, 0],
            [5, 5],
          ],
        },
      }),
    );
    expect([...byName.keys()].every((k) => ["0", "5"].includes(k.split(",")[1] as string))).toBe(true);
    expect(byName.size).toBe(
      [...full.keys()].filter((k) => ["0", "5"].includes(k.split(",")[1] as string)).length,
    );
  });

  it("every uns array reads", async () => {
    const g = await openGroup(new LocalDirectoryStore(`${exp()}/uns/seurat_commands`));
    expect(g.members.length).toBe(10);
    for (const m of g.members) {
      const a = await openArray(m.store as LocalDirectoryStore);
      expect(a.metadata.soma_uns_outgest_hint).toBe("array_1d");
      const cols = await a.read();
      expect(typeof (cols.values as Column).data[0]).toBe("string");
    }
  });

  it("rejects unknown attributes and dimensions with typed errors", async () => {
    const a = await openArray(new LocalDirectoryStore(`${exp()}/ms/RNA/X/counts`));
    await expect(a.read({ attributes: ["nope"] })).rejects.toMatchObject({ code: "key_not_found" });
    await expect(a.read({ ranges: { nope: [0, 1] } })).rejects.toMatchObject({ code: "invalid_argument" });
  });
});
