/**
 * Vacuum files (`.vac`) list fragments that consolidation replaced; a reader must skip them. No real
 * fixture holds a vacuum file, so these tests add one to a copy of a real array and derive the
 * expected read independently: the same copy with the listed fragment's files physically removed.
 */
import { cpSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { expect, it } from "vitest";
import { LocalDirectoryStore } from "../../../src/io/local.js";
import { openArray } from "../../../src/soma/tiledb/index.js";
import { describeWithFixtures, fixturePath } from "../../helpers/fixtures.js";

const read = async (dir: string) => openArray(new LocalDirectoryStore(dir)).then((a) => a.read());
const plain = (cols: Record<string, { data: unknown }>) =>
  Object.fromEntries(
    Object.entries(cols).map(([k, c]) => [k, Array.from(c.data as ArrayLike<unknown>, (v) => String(v))]),
  );

function copy(src: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), "cellfeed-vac-")), "array");
  cpSync(src, dir, { recursive: true });
  return dir;
}

describeWithFixtures(
  "tiledb",
  "vacuum files (no real fixture has one: added to copies of real arrays)",
  () => {
    it("format v5 (fragments in the array root): a root .vac file hides the fragment it lists", async () => {
      const src = fixturePath("tiledb", "mariadb-mytile-v3-v8", "2.0", "string_dim");
      const fragments = readdirSync(src).filter((n) => n.startsWith("__") && n.endsWith("_5"));
      expect(fragments).toHaveLength(2);
      const gone = fragments[1]!;

      const vacuumed = copy(src);
      writeFileSync(
        join(vacuumed, `__1588890999999_1588890999999_00000000000000000000000000000001_5.vac`),
        `${pathToFileURL(join(vacuumed, gone)).href}\n`,
      );
      const removed = copy(src);
      rmSync(join(removed, gone), { recursive: true });
      rmSync(join(removed, `${gone}.ok`));

      const expected = plain(await read(removed));
      expect(expected.d!.length).toBeLessThan(plain(await read(src)).d!.length);
      expect(plain(await read(vacuumed))).toEqual(expected);
    });

    it("format v22 (__commits): a .vac commit hides the fragment it lists; an empty one hides nothing", async () => {
      const src = fixturePath("tiledb", "napari-cmu1-dense-9frag-v22", "CMU-1-Small-Region.tdb", "l_0.tdb");
      const commits = readdirSync(join(src, "__commits")).filter((n) => n.endsWith(".wrt"));
      expect(commits.length).toBe(9);
      // A box across four of the nine fragments (reading the whole 3 × 2967 × 2220 image is slow).
      const box = {
        ranges: [
          [1, 1],
          [1000, 1049],
          [1010, 1039],
        ] as [number, number][],
        coordinates: false,
      };
      const readBox = async (dir: string) =>
        plain((await openArray(new LocalDirectoryStore(dir)).then((a) => a.read(box))) as never);
      const all = await readBox(src);

      // The expected result without one fragment: its files physically removed (tried in turn until
      // a fragment that covers part of the box is found).
      const removed = copy(src);
      let gone: string | undefined;
      let expected: Record<string, string[]> | undefined;
      for (const c of commits) {
        const name = c.slice(0, -4);
        const parked = join(removed, "..", name);
        renameSync(join(removed, "__fragments", name), parked);
        renameSync(join(removed, "__commits", c), `${parked}.wrt`);
        const r = await readBox(removed);
        renameSync(parked, join(removed, "__fragments", name));
        renameSync(`${parked}.wrt`, join(removed, "__commits", c));
        if (JSON.stringify(r) !== JSON.stringify(all)) {
          gone = name;
          expected = r;
          break;
        }
      }
      expect(gone).toBeDefined();

      const vacuumed = copy(src);
      const vac = join(
        vacuumed,
        "__commits",
        "__1737584599999_1737584599999_00000000000000000000000000000002_22.vac",
      );
      writeFileSync(vac, `${pathToFileURL(join(vacuumed, "__fragments", gone!)).href}\n`);
      expect(await readBox(vacuumed)).toEqual(expected);

      writeFileSync(vac, "");
      expect(await readBox(vacuumed)).toEqual(all);
    });
  },
);
