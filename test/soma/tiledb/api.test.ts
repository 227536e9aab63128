import { describe, expect, it } from "vitest";
import { LocalDirectoryStore } from "../../../src/io/local.js";
import type { ByteStore, ReadOptions, StoreEntry } from "../../../src/io/types.js";
import type { Column } from "../../../src/soma/tiledb/columns.js";
import { Datatype } from "../../../src/soma/tiledb/datatypes.js";
import { EMPTY_PIPELINE } from "../../../src/soma/tiledb/filters.js";
import { openArray } from "../../../src/soma/tiledb/index.js";
import { mergeFragments } from "../../../src/soma/tiledb/merge.js";
import { parseTimestampedName } from "../../../src/soma/tiledb/names.js";
import type { ArraySchema } from "../../../src/soma/tiledb/schema.js";
import { describeWithFixtures, fixturePath } from "../../helpers/fixtures.js";

/** Wraps a store and records every call, to check what a read touches. */
class RecordingStore implements ByteStore {
  readonly calls: string[] = [];
  constructor(
    private readonly inner: ByteStore,
    /** Optionally alters bytes returned by range reads. */
    private readonly tamper?: (path: string, bytes: Uint8Array) => void,
  ) {}
  get uri() {
    return this.inner.uri;
  }
  list(dir: string, o?: ReadOptions): Promise<StoreEntry[]> {
    this.calls.push(`list ${dir}`);
    return this.inner.list(dir, o);
  }
  exists(path: string, o?: ReadOptions) {
    this.calls.push(`exists ${path}`);
    return this.inner.exists(path, o);
  }
  get(path: string, o?: ReadOptions) {
    this.calls.push(`get ${path}`);
    return this.inner.get(path, o);
  }
  async getRange(path: string, off: number, len: number, o?: ReadOptions) {
    this.calls.push(`range ${path}`);
    const b = await this.inner.getRange(path, off, len, o);
    this.tamper?.(path, b);
    return b;
  }
  child(path: string): ByteStore {
    return new RecordingStore(this.inner.child(path));
  }
}

describe("timestamped names", () => {
  it("parses new and old forms and ignores others", () => {
    expect(parseTimestampedName("__1_2_0123456789abcdef0123456789abcdef_22")).toMatchObject({
      t1: 1,
      t2: 2,
      version: 22,
    });
    expect(parseTimestampedName("__5_5_0123456789abcdef0123456789abcdef.wrt")).toMatchObject({ ext: ".wrt" });
    expect(parseTimestampedName("__0123456789abcdef0123456789abcdef_1538424648583")).toMatchObject({
      t1: 1538424648583,
      uuidFirst: true,
    });
    expect(parseTimestampedName("__1_2_0123456789abcdef0123456789abcdef.tmp")).toBeUndefined();
    expect(parseTimestampedName("__lock.tdb")).toBeUndefined();
  });
});

describe("merging sparse fragments", () => {
  const schema: ArraySchema = {
    name: "s",
    version: 22,
    allowsDups: false,
    arrayType: "sparse",
    tileOrder: "row-major",
    cellOrder: "row-major",
    capacity: 10,
    coordsFilters: EMPTY_PIPELINE,
    offsetsFilters: EMPTY_PIPELINE,
    validityFilters: EMPTY_PIPELINE,
    dimensions: [
      {
        name: "d",
        type: Datatype.INT32,
        cellValNum: 1,
        filters: EMPTY_PIPELINE,
        domain: [0, 99],
        extent: 10,
      },
    ],
    attributes: [],
    enumerationPaths: {},
  };
  const frag = (coords: number[], vals: string[], priority: number) => ({
    columns: {
      d: { type: Datatype.INT32, data: Int32Array.from(coords) } as Column,
      v: { type: Datatype.STRING_UTF8, data: vals, validity: new Uint8Array(vals.length).fill(1) } as Column,
    },
    priority: new Float64Array(coords.length).fill(priority),
    count: coords.length,
  });

  it("newest fragment wins on equal coordinates; output in global order (space tile of 10, then coordinate)", () => {
    const out = mergeFragments(
      schema,
      [frag([3, 15, 40], ["a", "b", "c"], 0), frag([15, 2, 41], ["B", "x", "y"], 1)],
      true,
    );
    expect(Array.from(out.d?.data as Int32Array)).toEqual([2, 3, 15, 40, 41]);
    expect(out.v?.data).toEqual(["x", "a", "B", "c", "y"]);
  });

  it("allows_dups concatenates fragments", () => {
    const out = mergeFragments(schema, [frag([3], ["a"], 0), frag([3], ["b"], 1)], false);
    expect(out.v?.data).toEqual(["a", "b"]);
  });
});

describeWithFixtures("soma", "TileDB array API (pbmc-small)", () => {
  const obs = () => new LocalDirectoryStore(fixturePath("soma", "pbmc-small", "experiment", "obs"));
  const counts = () =>
    new LocalDirectoryStore(fixturePath("soma", "pbmc-small", "experiment", "ms", "RNA", "X", "counts"));

  it("opens at a timestamp: schema, enumerations and fragments of that time", async () => {
    const before = await openArray(obs(), { timestamp: 1730990991380 });
    expect(before.schema.name).toBe("__1730990991373_1730990991373_35b810da56aa9af0b90d8a3a37a129a1");
    expect(before.fragments).toHaveLength(0);
    expect([...before.enumerations.values()].every((e) => e.values.length === 0)).toBe(true);
    expect((await before.read()).soma_joinid?.data.length).toBe(0);
    const now = await openArray(obs());
    expect(now.fragments).toHaveLength(1);
    expect(
      now.enumerations.get(now.schema.attributes.find((a) => a.name === "groups")?.enumeration ?? ""),
    ).toBeUndefined();
    expect([...now.enumerations.values()].some((e) => e.values.length > 0)).toBe(true);
  });

  it("loads fragment metadata sections lazily, per field", async () => {
    const store = new RecordingStore(counts());
    const a = await openArray(store);
    expect(store.calls.some((c) => c.includes("__fragment_metadata.tdb"))).toBe(false);
    await a.read({ attributes: [] });
    const dimsOnly = store.calls.filter(
      (c) => c.startsWith("range") && c.includes("__fragment_metadata"),
    ).length;
    expect(store.calls.some((c) => c.includes("a0.tdb"))).toBe(false);
    await a.read({ attributes: ["soma_data"] });
    const withAttr = store.calls.filter(
      (c) => c.startsWith("range") && c.includes("__fragment_metadata"),
    ).length;
    expect(withAttr).toBe(dimsOnly + 1); // only the attribute's tile offsets
    expect(store.calls.some((c) => c.includes("a0.tdb"))).toBe(true);
    expect(store.calls.every((c) => /^(list|exists|get|range) /.test(c))).toBe(true);
  });

  it("corrupt tile bytes give a FormatError naming the file, not wrong numbers", async () => {
    const corrupt = new RecordingStore(counts(), (path, b) => {
      if (path.endsWith("/a0.tdb")) for (let i = 40; i < b.length; i += 7) b[i] = (b[i] as number) ^ 0x5a;
    });
    const a = await openArray(corrupt);
    const err = await a.read().then(
      () => undefined,
      (e: unknown) => e as { code?: string; message?: string },
    );
    expect(err?.code).toBe("format");
    expect(err?.message).toContain("a0.tdb");
  });

  it("honours an aborted signal", async () => {
    const a = await openArray(counts());
    const ac = new AbortController();
    ac.abort();
    await expect(a.read({ signal: ac.signal })).rejects.toMatchObject({ code: "aborted" });
  });

  it("a folder that is not an array gives a typed error", async () => {
    await expect(
      openArray(new LocalDirectoryStore(fixturePath("soma", "pbmc-small", "experiment"))),
    ).rejects.toMatchObject({
      code: "format",
    });
  });
});
