/**
 * Delete commits. No real fixture array has a `.del` commit, so these tests hand-write delete files byte
 * by byte from TileDB's format spec (format_spec/delete_commit_file.md, tile.md) and the serializer in
 * tiledb/sm/query/deletes_and_updates/serialization.cc, drop them into a temp copy of a real SOMA
 * array, and compare with the undeleted read filtered in plain JS.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { FormatError, UnsupportedFeatureError } from "../../../src/errors.js";
import { LocalDirectoryStore } from "../../../src/io/local.js";
import { Datatype } from "../../../src/soma/tiledb/datatypes.js";
import { applyDeletes, deletesFor, parseDeleteFile } from "../../../src/soma/tiledb/deletes.js";
import { type Column, openArray } from "../../../src/soma/tiledb/index.js";
import { parseTimestampedName, type TimestampedName } from "../../../src/soma/tiledb/names.js";
import type { ArraySchema } from "../../../src/soma/tiledb/schema.js";
import { describeWithFixtures, fixturePath } from "../../helpers/fixtures.js";

const source = () => fixturePath("soma", "pbmc-small", "experiment", "obs");
// The fixture's only fragment: __1730990991389_1730990991389_03544b92…_22 (no per-cell timestamps).
const FRAG_T = 1730990991389;

// --- little-endian field writers ---
const u8 = (v: number) => Uint8Array.of(v);
function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
}
function u64(v: number | bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
  return b;
}
function i64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, v, true);
  return b;
}
function i32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
}
const text = (s: string) => new TextEncoder().encode(s);
function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// Ops (tiledb/sm/enums/query_condition_op.h) and combination ops.
const LT = 0;
const GE = 3;
const NE = 5;
const NOT_IN = 7;
const AND = 0;
const OR = 1;

/** Value node: u8 1, u8 op, u32 name length, name, u64 value length, value [, u64 offsets length, offsets]. */
function valueNode(op: number, field: string, value: Uint8Array, offsets?: number[]): Uint8Array {
  const name = text(field);
  const parts = [u8(1), u8(op), u32(name.length), name, u64(value.length), value];
  if (offsets) parts.push(u64(offsets.length * 8), ...offsets.map((o) => u64(o)));
  return cat(...parts);
}
/** Expression node: u8 0, u8 combination op, u64 child count, children. */
function exprNode(combine: number, ...children: Uint8Array[]): Uint8Array {
  return cat(u8(0), u8(combine), u64(children.length), ...children);
}
/**
 * Generic tile (format_spec/tile.md) with an empty filter pipeline: u32 version, u64 persisted size,
 * u64 tile size, u8 datatype (CHAR = 4), u64 cell size 1, u8 encryption 0, u32 pipeline size,
 * pipeline (u32 max chunk size, u32 filter count 0); then the persisted data: u64 chunk count 1,
 * u32 unfiltered size, u32 filtered size, u32 chunk metadata size 0, the bytes.
 */
function genericTile(payload: Uint8Array): Uint8Array {
  const pipeline = cat(u32(65536), u32(0));
  const persisted = cat(u64(1), u32(payload.length), u32(payload.length), u32(0), payload);
  return cat(
    u32(22),
    u64(persisted.length),
    u64(payload.length),
    u8(4),
    u64(1),
    u8(0),
    u32(pipeline.length),
    pipeline,
    persisted,
  );
}
const delName = (t: number, uuidDigit: string) => `__${t}_${t}_${uuidDigit.repeat(32)}_22.del`;

let dir = "";
let base: Record<string, Column>;

function copyArray(): string {
  dir = mkdtempSync(join(tmpdir(), "cellfeed-deletes-"));
  const dst = join(dir, "obs");
  cpSync(source(), dst, { recursive: true });
  return dst;
}
const read = async (path: string, timestamp?: number) =>
  (await openArray(new LocalDirectoryStore(path), timestamp === undefined ? {} : { timestamp })).read();

describeWithFixtures(
  "soma",
  "TileDB delete commits (hand-built .del files: no real fixture covers deletes)",
  () => {
    beforeAll(async () => {
      base = await read(source());
    });
    afterEach(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = "";
    });

    const ids = () => Array.from(base.soma_joinid?.data as BigInt64Array);
    const col = (c: Record<string, Column>, k: string) =>
      Array.from((c[k] as Column).data as ArrayLike<unknown>);

    it("drops exactly the cells a .del and a .con-embedded delete match", async () => {
      const path = copyArray();
      // DELETE WHERE soma_joinid < 10 OR groups = "g1"; libtiledb stores the negation (cells to keep):
      // soma_joinid >= 10 AND groups != "g1".
      const keep1 = exprNode(
        AND,
        valueNode(GE, "soma_joinid", i64(10n)),
        valueNode(NE, "groups", text("g1")),
      );
      writeFileSync(join(path, "__commits", delName(FRAG_T + 10, "a")), genericTile(keep1));
      // DELETE WHERE nFeature_RNA IN (47, 52), stored as NOT_IN with member start offsets [0, 4].
      const keep2 = valueNode(NOT_IN, "nFeature_RNA", cat(i32(47), i32(52)), [0, 4]);
      const del2 = genericTile(keep2);
      // A consolidated commits list: "<relative uri>\n", then for a .del: u64 size and the file bytes.
      const con = cat(text(`__commits/${delName(FRAG_T + 20, "b")}\n`), u64(del2.length), del2);
      writeFileSync(join(path, "__commits", `__${FRAG_T + 20}_${FRAG_T + 20}_${"c".repeat(32)}_22.con`), con);

      const got = await read(path);
      const g = col(base, "groups");
      const nf = col(base, "nFeature_RNA");
      const kept = ids()
        .map((id, i) => ({ id, i }))
        .filter(({ id, i }) => !(id < 10n || g[i] === "g1") && !(nf[i] === 47 || nf[i] === 52));
      // The condition must bite on both sides for the test to mean anything.
      expect(kept.length).toBeGreaterThan(0);
      expect(kept.length).toBeLessThan(base.soma_joinid?.data.length ?? 0);
      expect(nf.filter((v) => v === 47 || v === 52).length).toBeGreaterThan(0);
      expect(col(got, "soma_joinid")).toEqual(kept.map((k) => k.id));
      for (const name of ["obs_id", "nCount_RNA", "groups", "orig.ident"]) {
        const b = col(base, name);
        expect(col(got, name)).toEqual(kept.map((k) => b[k.i]));
      }
      // Opening before the deletes hides them.
      expect(col(await read(path, FRAG_T + 5), "soma_joinid")).toEqual(ids());
    });

    it("an OR keep condition and a delete older than the fragment", async () => {
      const path = copyArray();
      // Older than the fragment: DELETE everything (keep ALWAYS_FALSE would drop all) — must not apply.
      writeFileSync(
        join(path, "__commits", delName(FRAG_T - 10, "d")),
        genericTile(valueNode(254, "", new Uint8Array(0))),
      );
      expect(col(await read(path), "soma_joinid")).toEqual(ids());
      // Newer: DELETE WHERE soma_joinid >= 5 AND soma_joinid < 70 → keep soma_joinid < 5 OR soma_joinid >= 70.
      writeFileSync(
        join(path, "__commits", delName(FRAG_T + 1, "e")),
        genericTile(
          exprNode(OR, valueNode(LT, "soma_joinid", i64(5n)), valueNode(GE, "soma_joinid", i64(70n))),
        ),
      );
      expect(col(await read(path), "soma_joinid")).toEqual(ids().filter((id) => id < 5n || id >= 70n));
    });

    it("a malformed .del gives a FormatError naming the file", async () => {
      const path = copyArray();
      const bad = delName(FRAG_T + 10, "f");
      // Op 9 does not exist.
      writeFileSync(join(path, "__commits", bad), genericTile(valueNode(9, "soma_joinid", i64(1n))));
      const err = await openArray(new LocalDirectoryStore(path)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FormatError);
      expect((err as FormatError).path).toContain(bad);
      expect((err as Error).message).toMatch(/op 9/);
      // A child count larger than the bytes left is refused, not looped over.
      writeFileSync(join(path, "__commits", bad), genericTile(cat(u8(0), u8(AND), u64(1000), u8(1))));
      const err2 = await openArray(new LocalDirectoryStore(path)).catch((e: unknown) => e);
      expect(err2).toBeInstanceOf(FormatError);
      expect((err2 as FormatError).path).toContain(bad);
      // A condition on a field the array does not have.
      writeFileSync(join(path, "__commits", bad), genericTile(valueNode(GE, "nope", i64(1n))));
      const err3 = await (await openArray(new LocalDirectoryStore(path))).read().catch((e: unknown) => e);
      expect(err3).toBeInstanceOf(FormatError);
      expect((err3 as FormatError).path).toContain(bad);
    });

    it("a dense array with a delete commit keeps the typed unsupported error (libtiledb deletes only sparse)", async () => {
      dir = mkdtempSync(join(tmpdir(), "cellfeed-deletes-"));
      const path = join(dir, "l_1.tdb");
      cpSync(fixturePath("tiledb", "napari-rand-uint16-v17", "rand_uint16.tdb", "l_1.tdb"), path, {
        recursive: true,
      });
      writeFileSync(
        join(path, "__commits", delName(Date.now() - 1000, "9")),
        genericTile(valueNode(254, "", new Uint8Array(0))),
      );
      const err = await openArray(new LocalDirectoryStore(path)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnsupportedFeatureError);
      expect((err as UnsupportedFeatureError).path).toContain("__commits");
    });
  },
);

describe("TileDB deletes on fragments with per-cell timestamps (synthetic: no real fixture covers deletes)", () => {
  it("only cells written at or before the delete time are removed; deletes before the fragment start are ignored", () => {
    // A consolidated fragment spanning [100, 200] whose cells carry their own write times.
    const x = Int32Array.from({ length: 12 }, (_, i) => i);
    const ts = Float64Array.from({ length: 12 }, (_, i) => 100 + i * 9); // 100 … 199
    const result = { columns: { x: { type: Datatype.INT32, data: x } }, priority: ts, count: 12 };
    // DELETE WHERE x < 8 at t = 150: keep x >= 8.
    const name = parseTimestampedName(delName(150, "1")) as TimestampedName;
    const del = parseDeleteFile(genericTile(valueNode(GE, "x", i32(8))), name, "mem");
    const early = parseDeleteFile(
      genericTile(valueNode(GE, "x", i32(100))),
      parseTimestampedName(delName(99, "2")) as TimestampedName,
      "mem",
    );
    const dels = deletesFor([early, del], 100);
    expect(dels).toEqual([del]);
    const schema = { attributes: [] } as unknown as ArraySchema;
    const out = applyDeletes(result, dels, { t2: 200, cellTimestamps: true }, [], schema);
    const expected = Array.from(x).filter((v, i) => !(v < 8 && (ts[i] as number) <= 150));
    expect(expected.length).toBeLessThan(12);
    expect(expected.length).toBeGreaterThan(4); // cells 6, 7 survive: written after the delete
    expect(Array.from(out.columns.x?.data as Int32Array)).toEqual(expected);
    expect(out.count).toBe(expected.length);
    // Without per-cell timestamps the whole fragment is subject to the delete.
    const flat = applyDeletes(result, dels, { t2: 200, cellTimestamps: false }, [], schema);
    expect(Array.from(flat.columns.x?.data as Int32Array)).toEqual(Array.from(x).filter((v) => v >= 8));
  });
});
