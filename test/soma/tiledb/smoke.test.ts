import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { LocalDirectoryStore } from "../../../src/io/local.js";
import { objectType, openArray } from "../../../src/soma/tiledb/index.js";
import { VAR_NUM } from "../../../src/soma/tiledb/schema.js";
import { describeWithFixtures, fixturePath } from "../../helpers/fixtures.js";

/** Every array folder below `dir` (objects are found with objectType, not by name). */
async function arrays(dir: string, out: string[] = []): Promise<string[]> {
  const t = await objectType(new LocalDirectoryStore(dir));
  if (t === "array") {
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

// Large arrays with their own tests (fixtures-tiledb.test.ts), left out to keep this suite quick.
const COVERED = [
  "napari-cmu1-dense-9frag-v22/CMU-1-Small-Region.tdb/l_0.tdb",
  "vcf-synth-array-v5/synth-array/data",
  "cxg-diffexp-v10/dense_no_col_shift.cxg/X",
  "soma-pbmc3k-v18-multitile/pbmc3k/ms/raw/X/data",
  "vector-search-dense-v21-v22/0.13.0/flat_float32/shuffled_vectors",
];

describeWithFixtures("tiledb", "every array of fixtures/tiledb reads whole", () => {
  it("finds 104 arrays; the 99 not covered by dedicated tests read with consistent column lengths", async () => {
    const found = await arrays(fixturePath("tiledb"));
    expect(found.length).toBe(104);
    const rest = found.filter((d) => !COVERED.some((c) => d.endsWith(c)));
    expect(rest.length).toBe(99);
    for (const dir of rest) {
      const a = await openArray(new LocalDirectoryStore(dir));
      const cols = await a.read({ coordinates: false });
      const fields = [
        ...a.schema.attributes,
        ...(a.schema.arrayType === "sparse" ? a.schema.dimensions : []),
      ];
      let n: number | undefined;
      for (const f of fields) {
        const c = cols[f.name];
        expect(c, `${dir}: ${f.name}`).toBeDefined();
        const per = f.cellValNum === VAR_NUM || Array.isArray(c?.data) ? 1 : f.cellValNum;
        const cells = (c?.data.length ?? 0) / per;
        n ??= cells;
        expect(cells, `${dir}: ${f.name}`).toBe(n);
        if (c?.validity) expect(c.validity.length).toBe(n);
      }
    }
  });
});
