/**
 * Consolidated fragment metadata (`__fragment_meta/*.meta`): one generic tile holding
 * `u32 count`, then `(u64 len, fragment name, u64 offset)` per fragment, then their footers
 * (without the trailing length). It only replaces the per-fragment footer reads.
 */
import type { ByteStore, ReadOptions } from "../../io/types.js";
import { Reader } from "./bytes.js";
import { readGenericTile } from "./generic-tile.js";
import { vacuumedNames } from "./metadata.js";
import { compareTimestamped, parseTimestampedName, type TimestampedName } from "./names.js";

/** Fragment name → its footer bytes; newer `.meta` files override older ones. */
export async function loadConsolidatedFooters(
  store: ByteStore,
  options?: ReadOptions,
): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const vac = await vacuumedNames(store, "__fragment_meta", options);
  const files: TimestampedName[] = [];
  for (const e of await store.list("__fragment_meta", options)) {
    const n = parseTimestampedName(e.name);
    if (!e.isDirectory && n && n.ext === ".meta" && !vac.has(e.name)) files.push(n);
  }
  files.sort(compareTimestamped);
  for (const f of files) {
    const path = `__fragment_meta/${f.name}`;
    const where = `${store.uri}/${path}`;
    const data = readGenericTile(await store.get(path, options), where).data;
    const r = new Reader(data, where);
    const count = r.u32();
    for (let i = 0; i < count; i++) {
      const uri = r.string(r.u64());
      const offset = r.u64();
      const name = uri.replace(/\/+$/, "").split("/").pop() ?? uri;
      out.set(name, data.subarray(offset));
    }
  }
  return out;
}
