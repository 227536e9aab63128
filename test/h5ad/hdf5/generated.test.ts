/**
 * The direct reader against files h5py writes here: every layout, chunk index, filter and group
 * storage the reader supports, checked against h5wasm values and HDF5's own chunk locations.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isCellfeedError } from "../../../src/errors.js";
import { Hdf5File } from "../../../src/h5ad/hdf5/index.js";
import { LocalFileSource } from "../../../src/io/local.js";
import type { ByteSource, ReadOptions } from "../../../src/io/types.js";
import { referencePython } from "../../helpers/fixtures.js";
import { compareFile } from "./reference.js";

const here = dirname(fileURLToPath(import.meta.url));
let dir = "";
let chunkInfo: Record<string, { offset: number; length: number; mask: number; at: number[] }[]> = {};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cellfeed-hdf5-"));
  execFileSync(referencePython, [join(here, "make_files.py"), dir], { stdio: "pipe" });
  chunkInfo = JSON.parse(readFileSync(join(dir, "chunks.json"), "utf8"));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A ByteSource that counts reads, to check caching and the one-read contiguous path. */
class CountingSource implements ByteSource {
  reads = 0;
  constructor(readonly inner: ByteSource) {}
  get uri(): string {
    return this.inner.uri;
  }
  size(options?: ReadOptions): Promise<number> {
    return this.inner.size(options);
  }
  read(offset: number, length: number, options?: ReadOptions): Promise<Uint8Array> {
    this.reads++;
    return this.inner.read(offset, length, options);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const sources: ByteSource[] = [];
async function open(name: string, options?: { chunkCacheBytes?: number }): Promise<Hdf5File> {
  const s = new LocalFileSource(join(dir, name));
  sources.push(s);
  return Hdf5File.open(s, options);
}
afterAll(async () => {
  for (const s of sources) await s.close();
});

const BYTES: Record<string, number> = {
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  float32: 4,
  float64: 8,
};

const DECLINED = {
  bigendian: "big-endian 32-bit integer",
  soft: "soft link 'soft'",
};
const NON_NUMERIC = { strings: "string", bools: "enum" };

// 23 top-level numeric datasets + 600 in many/ + 12 in ordered/; latest.h5 adds 6 layout-v4 index cases.
describe.each([
  ["default.h5", 0, 635],
  ["latest.h5", 3, 641],
])("%s (superblock v%i) vs h5wasm", (name, version, supportedCount) => {
  it("reads every numeric dataset exactly as h5wasm does", async () => {
    const r = await compareFile(join(dir, name), 3);
    expect(Object.fromEntries(r.declined)).toEqual(DECLINED);
    expect(Object.fromEntries(r.nonNumeric)).toEqual(NON_NUMERIC);
    expect(r.tooLarge).toEqual(["int64_huge"]);
    expect(r.supported.length).toBe(supportedCount);
    for (const p of [
      "dense2d",
      "int64",
      "lzf_mixed_f64",
      "many/d599",
      "layers/counts/indices",
      "compact_i32",
    ]) {
      expect(r.supported).toContain(p);
    }
  });

  it("finds the chunks HDF5 reports, at the same file offsets (byteRanges)", async () => {
    const f = await open(name);
    expect(f.superblockVersion).toBe(version);
    const keys = Object.keys(chunkInfo).filter((k) => k.startsWith(`${name}:`));
    expect(keys.length).toBe(name === "latest.h5" ? 12 : 7);
    for (const key of keys) {
      const path = key.slice(name.length + 1);
      const ds = await f.dataset(path);
      expect(ds, path).not.toBeNull();
      const rows = ds?.shape[0] as number;
      // Unfiltered chunks of whole rows are read only up to the dataset's last row.
      const shape = ds?.shape as number[];
      const raw = ds?.filters.length === 0 && shape.slice(1).every((d, k) => d === ds.chunkShape?.[k + 1]);
      const rowBytes = shape.slice(1).reduce((a, b) => a * b, BYTES[ds?.dtype as string] as number);
      const want = (chunkInfo[key] ?? []).map((c) => ({
        offset: c.offset,
        length: raw ? Math.min(c.length, (rows - (c.at[0] as number)) * rowBytes) : c.length,
      }));
      want.sort((a, b) => a.offset - b.offset);
      expect(await ds?.byteRanges(0, rows), path).toEqual(want);
    }
  });

  it("plans only the needed rows of unfiltered chunks and whole filtered chunks", async () => {
    const f = await open(name);
    const chunks = (path: string) => {
      const list = chunkInfo[`${name}:${path}`] ?? [];
      return (first: number) => list.find((c) => c.at[0] === first) as { offset: number; length: number };
    };
    const many = chunks("manychunks"); // int32, chunks of 10, no filters
    expect(await (await f.dataset("manychunks"))?.byteRanges(15, 37)).toEqual([
      { offset: many(10).offset + 5 * 4, length: 5 * 4 },
      { offset: many(20).offset, length: 40 },
      { offset: many(30).offset, length: 7 * 4 },
    ]);
    const gz = chunks("gzip_shuffle_f32"); // chunks of 1000, gzip
    expect(await (await f.dataset("gzip_shuffle_f32"))?.byteRanges(1999, 2001)).toEqual(
      [gz(1000), gz(2000)]
        .map((c) => ({ offset: c.offset, length: c.length }))
        .sort((a, b) => a.offset - b.offset),
    );
    expect(await (await f.dataset("contig_i32_2d"))?.byteRanges(3, 3)).toEqual([]);
  });

  it("names the layouts and chunk shapes", async () => {
    const f = await open(name);
    expect(await f.dataset("contig_f64")).toMatchObject({
      layout: "contiguous",
      dtype: "float64",
      shape: [1000],
    });
    expect(await f.dataset("compact_i32")).toMatchObject({ layout: "compact", dtype: "int32" });
    expect(await f.dataset("dense2d")).toMatchObject({ layout: "chunked", chunkShape: [44, 96] });
    expect((await f.dataset("fletcher_gzip_f64"))?.filters.map((x) => x.name)).toEqual([
      "shuffle",
      "deflate",
      "fletcher32",
    ]);
    expect(await f.dataset("scalar")).toMatchObject({ shape: [] });
    expect(Array.from((await (await f.dataset("scalar"))?.read(0, 1)) ?? [])).toEqual([3.25]);
  });
});

describe("direct reader details", () => {
  it("reads the HDF5 1.8 format (superblock v2)", async () => {
    const r = await compareFile(join(dir, "v108.h5"));
    expect(r.supported.sort()).toEqual(["g/y", "x"]);
    expect((await open("v108.h5")).superblockVersion).toBe(2);
  });

  it("follows object header continuation blocks", async () => {
    // h5py puts the later attributes in a continuation block ("OCHK" in a v2 header).
    expect(readFileSync(join(dir, "latest.h5")).includes("OCHK")).toBe(true);
    for (const name of ["default.h5", "latest.h5"]) {
      const ds = await (await open(name)).dataset("with_attrs");
      expect(Array.from((await ds?.read(1, 3)) ?? [])).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    }
  });

  it("reads a file with a 512-byte user block", async () => {
    const r = await compareFile(join(dir, "userblock.h5"));
    expect(r.supported.sort()).toEqual(["x", "y"]);
    expect((await open("userblock.h5")).endOfFileAddress).toBe(
      readFileSync(join(dir, "userblock.h5")).length,
    );
  });

  it("respects per-chunk filter masks (LZF skipped on incompressible chunks)", async () => {
    const masks = new Set((chunkInfo["default.h5:lzf_mixed_f64"] ?? []).map((c) => c.mask));
    expect([...masks].sort()).toEqual([0, 1]);
    const ds = await (await open("default.h5")).dataset("lzf_mixed_f64");
    const v = (await ds?.read(0, 4000)) as Float64Array;
    expect(v.subarray(0, 2000).every((x) => x === 0)).toBe(true);
    expect(v.subarray(2000).some((x) => x !== 0)).toBe(true);
  });

  it("reads unwritten storage as the fill value", async () => {
    for (const name of ["default.h5", "latest.h5"]) {
      const f = await open(name);
      const v = (await (await f.dataset("fill_chunked"))?.read(90, 210)) as Int16Array;
      expect([v[0], v[9], v[10], v[109], v[110], v[119]]).toEqual([-1, -1, 5, 5, -1, -1]);
      const c = (await (await f.dataset("fill_contiguous"))?.read(2, 4)) as Float32Array;
      expect(Array.from(c)).toEqual([7.5, 7.5, 7.5, 7.5, 7.5, 7.5]);
    }
  });

  it("reads unwritten chunks as zeros", async () => {
    for (const name of ["default.h5", "latest.h5"]) {
      const ds = await (await open(name)).dataset("sparse_chunks");
      const v = (await ds?.read(0, 1000)) as Float32Array;
      expect(v[249]).toBe(0);
      expect(v[250]).toBe(1);
      expect(v[419]).toBe(170);
      expect(v[420]).toBe(0);
      expect(v[999]).toBe(0);
    }
  });

  it("uses one source read for a contiguous slice and caches decoded chunks", async () => {
    const source = new CountingSource(new LocalFileSource(join(dir, "default.h5")));
    sources.push(source);
    const f = await Hdf5File.open(source);
    const contig = await f.dataset("contig_f64");
    const gz = await f.dataset("gzip_shuffle_f32");
    source.reads = 0;
    expect((await contig?.read(10, 20))?.length).toBe(10);
    expect(source.reads).toBe(1);
    await gz?.read(1500, 2500);
    const first = source.reads;
    expect(first).toBeGreaterThan(1);
    await gz?.read(1600, 2400);
    expect(source.reads).toBe(first);
    // With a cache too small for a chunk, the same read fetches again.
    const uncached = await Hdf5File.open(source, { chunkCacheBytes: 100 });
    const gz2 = await uncached.dataset("gzip_shuffle_f32");
    await gz2?.read(1500, 2500);
    const before = source.reads;
    await gz2?.read(1500, 2500);
    expect(source.reads - before).toBe(2);
  });

  it("fetches a chunk once for concurrent reads and evicts by bytes", async () => {
    const source = new CountingSource(new LocalFileSource(join(dir, "default.h5")));
    sources.push(source);
    // Room for exactly one 4000-byte chunk of gzip_shuffle_f32 (1000 float32 per chunk).
    const f = await Hdf5File.open(source, { chunkCacheBytes: 4000 });
    const ds = await f.dataset("gzip_shuffle_f32");
    await ds?.read(2000, 2001); // loads the chunk index (and chunk 2)
    source.reads = 0;
    await Promise.all([ds?.read(0, 10), ds?.read(5, 900), ds?.read(999, 1000)]);
    expect(source.reads).toBe(1);
    await ds?.read(1000, 1001); // chunk 1 evicts chunk 0
    await ds?.read(1001, 1002);
    expect(source.reads).toBe(2);
    await ds?.read(0, 1);
    expect(source.reads).toBe(3);
  });

  it("aborts one read without failing a concurrent read of the same chunk", async () => {
    const ds = await (await open("default.h5")).dataset("dense2d");
    const controller = new AbortController();
    const aborted = ds?.read(0, 44, { signal: controller.signal });
    const other = ds?.read(0, 44);
    controller.abort();
    await expect(aborted).rejects.toSatisfy((e) => isCellfeedError(e, "aborted"));
    expect((await other)?.length).toBe(44 * 765);
  });

  it("returns fresh arrays that callers may modify", async () => {
    const ds = await (await open("default.h5")).dataset("gzip_shuffle_f32");
    const a = (await ds?.read(0, 10)) as Float32Array;
    const keep = Array.from(a);
    a.fill(42);
    expect(Array.from((await ds?.read(0, 10)) as Float32Array)).toEqual(keep);
  });

  it("throws typed errors for bad paths, ranges and values", async () => {
    const f = await open("default.h5");
    await expect(f.dataset("layers/missing")).rejects.toSatisfy(
      (e) => isCellfeedError(e, "key_not_found") && /'counts'/.test((e as Error).message),
    );
    await expect(f.dataset("layers")).rejects.toSatisfy((e) => isCellfeedError(e, "invalid_argument"));
    const ds = await f.dataset("int64");
    await expect(ds?.read(5, 778)).rejects.toSatisfy((e) => isCellfeedError(e, "invalid_index"));
    await expect(ds?.read(3, 2)).rejects.toSatisfy((e) => isCellfeedError(e, "invalid_index"));
    const huge = await f.dataset("int64_huge");
    expect(Array.from((await huge?.read(0, 1)) ?? [])).toEqual([1]);
    await expect(huge?.read(0, 2)).rejects.toSatisfy(
      (e) => isCellfeedError(e, "format") && (e as Error).message.includes("int64_huge"),
    );
    const controller = new AbortController();
    controller.abort();
    await expect(ds?.read(0, 10, { signal: controller.signal })).rejects.toSatisfy((e) =>
      isCellfeedError(e, "aborted"),
    );
  });

  it("names the file, dataset and filter when a filter is unknown", async () => {
    const f = await open("unknown_filter.h5");
    await expect(f.dataset("zstd")).rejects.toSatisfy(
      (e) =>
        isCellfeedError(e, "unsupported_filter") &&
        /unknown_filter\.h5: zstd: .*32015 \(zstd\)/.test((e as Error).message),
    );
  });

  it("rejects non-HDF5 files and reports truncation", async () => {
    const text = join(dir, "not.h5");
    writeFileSync(text, "just some text, not HDF5 at all".repeat(40));
    const s = new LocalFileSource(text);
    sources.push(s);
    await expect(Hdf5File.open(s)).rejects.toSatisfy((e) => isCellfeedError(e, "not_hdf5"));

    const cut = join(dir, "cut.h5");
    const full = readFileSync(join(dir, "default.h5"));
    writeFileSync(cut, full.subarray(0, Math.floor(full.length / 2)));
    const f = await open("cut.h5");
    expect(f.endOfFileAddress).toBe(full.length);
    // The root group's name heap and manychunks' chunks lie past the cut.
    const readAll = async () => (await f.dataset("manychunks"))?.read(0, 50000);
    await expect(readAll()).rejects.toSatisfy((e) => isCellfeedError(e, "truncated"));
  });

  it("detects a corrupted fletcher32 chunk", async () => {
    const bad = join(dir, "bad_fletcher.h5");
    copyFileSync(join(dir, "default.h5"), bad);
    const chunk = (chunkInfo["default.h5:fletcher_i16"] ?? [])[0];
    expect(chunk).toBeDefined();
    const bytes = readFileSync(bad);
    const at = (chunk?.offset as number) + 10;
    bytes[at] = (bytes[at] as number) ^ 0xff;
    writeFileSync(bad, bytes);
    const ds = await (await open("bad_fletcher.h5")).dataset("fletcher_i16");
    await expect(ds?.read(0, 100)).rejects.toSatisfy(
      (e) => isCellfeedError(e, "format") && /fletcher32 checksum mismatch/.test((e as Error).message),
    );
    expect((await ds?.read(600, 700))?.length).toBe(100);
  });
});
