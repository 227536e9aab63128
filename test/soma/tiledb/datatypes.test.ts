import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Bool } from "apache-arrow";
import { expect, it } from "vitest";
import { LocalDirectoryStore } from "../../../src/io/local.js";
import { open, type SOMADataFrame } from "../../../src/soma/index.js";
import { Datatype, datatypeName, objectType, openArray } from "../../../src/soma/tiledb/index.js";
import { describeWithFixtures, fixturePath } from "../../helpers/fixtures.js";
import { csv } from "../truth.js";

async function arrays(dir: string, out: string[] = []): Promise<string[]> {
  if ((await objectType(new LocalDirectoryStore(dir))) === "array") {
    out.push(dir);
    return out;
  }
  for (const e of readdirSync(dir)) {
    if (e.startsWith("__") || e === "truth") continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) await arrays(p, out);
  }
  return out;
}

const varPath = () => fixturePath("soma", "pbmc-small", "experiment", "ms", "RNA", "var");

describeWithFixtures("soma", "TileDB datatype ids (tiledb_enum.h) on arrays written by tiledbsoma", () => {
  it("pins the enum ids around the datetime block", () => {
    expect([Datatype.BLOB, Datatype.BOOL, Datatype.GEOM_WKB, Datatype.GEOM_WKT]).toEqual([40, 41, 42, 43]);
    expect(datatypeName(30)).toBe("DATETIME_AS");
    expect(datatypeName(31)).toBe("TIME_HR");
    expect(datatypeName(39)).toBe("TIME_AS");
    expect(datatypeName(41)).toBe("BOOL");
  });

  it("var 'vst.variable' (R logical, written as BOOL) is BOOL and decodes to Seurat's TRUE/FALSE", async () => {
    const a = await openArray(new LocalDirectoryStore(varPath()));
    const attr = a.schema.attributes.find((x) => x.name === "vst.variable");
    expect(attr && datatypeName(attr.type)).toBe("BOOL");
    const { header, rows } = csv("feature_meta.csv");
    const k = header.indexOf("vst.variable");
    const truth = rows.map((r) => r[k] === "TRUE");
    expect(truth.filter(Boolean).length).toBe(20);
    const df = (await open(varPath())) as SOMADataFrame;
    const t = await df.read({ columnNames: ["soma_joinid", "vst.variable"] });
    const col = t.getChild("vst.variable");
    expect(col?.type).toBeInstanceOf(Bool);
    const ids = Array.from(t.getChild("soma_joinid") ?? [], Number);
    expect(ids.map((id, i) => [id, col?.get(i)])).toEqual(ids.map((id) => [id, truth[id]]));
  });
});

describeWithFixtures("tiledb", "TileDB datatype ids across every fixture schema", () => {
  it("every dimension and attribute type of every schema is a named enum member; BOOL is not read as BLOB", async () => {
    const dirs = [...(await arrays(fixturePath("tiledb"))), ...(await arrays(fixturePath("soma")))];
    const seen = new Map<string, number>();
    for (const dir of dirs) {
      const a = await openArray(new LocalDirectoryStore(dir));
      for (const s of a.schemas.values())
        for (const f of [...s.dimensions, ...s.attributes]) {
          const n = datatypeName(f.type);
          expect(n, `${dir} ${f.name}`).not.toMatch(/^UNKNOWN/);
          seen.set(n, (seen.get(n) ?? 0) + 1);
        }
    }
    // tiledbsoma writes R/NumPy logicals as BOOL; no fixture tool wrote BLOB attributes.
    expect(seen.get("BOOL")).toBeGreaterThanOrEqual(2);
    expect(seen.has("BLOB")).toBe(false);
    // The mariadb fixture has one dimension per DATETIME unit, the last one DATETIME_AS (30).
    expect(seen.get("DATETIME_AS")).toBeGreaterThanOrEqual(1);
    expect([...seen.keys()].some((n) => n.startsWith("TIME_"))).toBe(false);
  });
});
