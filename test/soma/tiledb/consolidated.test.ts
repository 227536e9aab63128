import { expect, it } from "vitest";
import { LocalDirectoryStore } from "../../../src/io/local.js";
import type { ByteStore, ReadOptions, StoreEntry } from "../../../src/io/types.js";
import { openArray } from "../../../src/soma/tiledb/index.js";
import { describeWithFixtures, fixturePath } from "../../helpers/fixtures.js";

const u32 = (v: number) => Buffer.from(new Uint32Array([v]).buffer);
const u64 = (v: number) => Buffer.from(new BigUint64Array([BigInt(v)]).buffer);

/** A generic tile with an empty filter pipeline around `data`. */
function genericTile(data: Uint8Array): Uint8Array {
  const chunked = Buffer.concat([u64(1), u32(data.length), u32(data.length), u32(0), data]);
  const pipeline = Buffer.concat([u32(0), u32(0)]);
  return Buffer.concat([
    u32(22),
    u64(chunked.length),
    u64(data.length),
    Buffer.from([4]),
    u64(1),
    Buffer.from([0]),
    u32(pipeline.length),
    pipeline,
    chunked,
  ]);
}

/**
 * A fixture array plus extra in-memory files, refusing reads of the fragment-metadata footer length so a test
 * can prove they come from the consolidated file.
 */
class OverlayStore implements ByteStore {
  constructor(
    private readonly inner: ByteStore,
    private readonly extra: Map<string, Uint8Array>,
    private readonly sizes: Map<string, number>,
  ) {}
  get uri() {
    return this.inner.uri;
  }
  async list(dir: string, o?: ReadOptions): Promise<StoreEntry[]> {
    const own = [...this.extra.entries()]
      .filter(([p]) => p.slice(0, p.lastIndexOf("/")) === dir)
      .map(([p, b]) => ({ name: p.slice(p.lastIndexOf("/") + 1), isDirectory: false, size: b.length }));
    return [...(await this.inner.list(dir, o)), ...own].sort((a, b) => (a.name < b.name ? -1 : 1));
  }
  async exists(path: string, o?: ReadOptions) {
    return this.extra.has(path) || this.inner.exists(path, o);
  }
  async get(path: string, o?: ReadOptions) {
    return this.extra.get(path) ?? this.inner.get(path, o);
  }
  async getRange(path: string, off: number, len: number, o?: ReadOptions) {
    const size = this.sizes.get(path);
    if (size !== undefined && off === size - 8 && len === 8) throw new Error(`footer of ${path} was read`);
    return this.inner.getRange(path, off, len, o);
  }
  child(): ByteStore {
    throw new Error("not needed");
  }
}

describeWithFixtures(
  "tiledb",
  "consolidated fragment metadata (__fragment_meta/*.meta, built here from real footers)",
  () => {
    it("reads footers from the .meta tile instead of each fragment file, with identical results", async () => {
      const dir = fixturePath("tiledb", "soma-pbmc3k-v18-multitile", "pbmc3k", "ms", "RNA", "obsm", "X_pca");
      const base = new LocalDirectoryStore(dir);
      const plain = await openArray(base);
      const names = plain.fragments.map((f) => f.path);
      const sizes = new Map<string, number>();
      const entries: Buffer[] = [];
      const footers: Uint8Array[] = [];
      for (const p of names) {
        const file = `${p}/__fragment_metadata.tdb`;
        const bytes = await base.get(file);
        const len = Number(
          new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 8, 8).getBigUint64(0, true),
        );
        footers.push(bytes.subarray(bytes.length - 8 - len, bytes.length - 8));
        sizes.set(file, bytes.length);
      }
      // Header: u32 count, then (u64 len, name, u64 offset) per fragment; offsets index the whole tile.
      const headerLen = 4 + names.reduce((s, p) => s + 16 + (p.split("/").pop() as string).length, 0);
      let offset = headerLen;
      names.forEach((p, i) => {
        const name = Buffer.from(p.split("/").pop() as string);
        entries.push(Buffer.concat([u64(name.length), name, u64(offset)]));
        offset += (footers[i] as Uint8Array).length;
      });
      const meta = genericTile(Buffer.concat([u32(names.length), ...entries, ...footers]));
      const name = "__fragment_meta/__1_1_0123456789abcdef0123456789abcdef_22.meta";
      const overlay = new OverlayStore(base, new Map([[name, meta]]), sizes);
      const viaMeta = await openArray(overlay);
      const a = await plain.read();
      const b = await viaMeta.read();
      expect(b.soma_data?.data).toEqual(a.soma_data?.data);
      expect(b.soma_dim_0?.data).toEqual(a.soma_dim_0?.data);
      expect((b.soma_data?.data.length ?? 0) > 0).toBe(true);
      // Without the .meta file the same overlay must fail: the footer reads are refused.
      await expect((await openArray(new OverlayStore(base, new Map(), sizes))).read()).rejects.toThrow(
        /footer/,
      );
    });
  },
);
