/** Array and group metadata (`__meta/`): typed key/value records, files applied in timestamp order. */
import type { ByteStore, ReadOptions } from "../../io/types.js";
import { Reader, utf8 } from "./bytes.js";
import { Datatype, datatypeSize, isStringType, readScalar, type Scalar } from "./datatypes.js";
import { readGenericTile } from "./generic-tile.js";
import { compareTimestamped, parseTimestampedName, type TimestampedName } from "./names.js";

/** A metadata value: strings for string types, a scalar for one value, an array for several. */
export type MetadataValue = string | Scalar | Scalar[];

export interface Metadata {
  values: Record<string, MetadataValue>;
  /** The TileDB datatype id of each value. */
  types: Record<string, number>;
}

/** A scalar as stored, except int64/uint64 that fit a double exactly, which become numbers. */
function friendly(v: Scalar): Scalar {
  if (typeof v === "bigint" && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER))
    return Number(v);
  return v;
}

/** Applies one decoded `__meta` tile to `into`. */
export function applyMetadataTile(data: Uint8Array, where: string, into: Metadata): void {
  const r = new Reader(data, where);
  while (r.remaining > 0) {
    const key = r.string(r.u32());
    const deleted = r.u8();
    if (deleted) {
      delete into.values[key];
      delete into.types[key];
      continue;
    }
    const type = r.u8();
    const count = r.u32();
    const size = datatypeSize(type);
    const bytes = r.bytesView(count * size);
    into.types[key] = type;
    if (isStringType(type) && size === 1) {
      into.values[key] = utf8.decode(bytes);
      continue;
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const vals: Scalar[] = [];
    for (let i = 0; i < count; i++)
      vals.push(friendly(readScalar(view, i * size, type === Datatype.BLOB ? 6 : type)));
    into.values[key] = count === 1 ? (vals[0] as Scalar) : vals;
  }
}

/** Names of files listed in `*.vac` files of `dir` (their last path component). */
export async function vacuumedNames(
  store: ByteStore,
  dir: string,
  options?: ReadOptions,
): Promise<Set<string>> {
  const out = new Set<string>();
  for (const e of await store.list(dir, options)) {
    if (e.isDirectory || !e.name.endsWith(".vac")) continue;
    const text = utf8.decode(await store.get(`${dir}/${e.name}`, options));
    for (const line of text.split("\n")) {
      const t = line.trim();
      if (t) out.add(t.slice(t.lastIndexOf("/") + 1));
    }
  }
  return out;
}

/** Loads the metadata of an array or group folder, opened at [tStart, tEnd]. */
export async function loadMetadata(
  store: ByteStore,
  tStart: number,
  tEnd: number,
  options?: ReadOptions,
): Promise<Metadata> {
  const out: Metadata = { values: {}, types: {} };
  const vac = await vacuumedNames(store, "__meta", options);
  const files: TimestampedName[] = [];
  for (const e of await store.list("__meta", options)) {
    if (e.isDirectory) continue;
    const n = parseTimestampedName(e.name);
    if (n?.ext !== "" || vac.has(n.name)) continue;
    if (n.t1 < tStart || n.t2 > tEnd) continue;
    files.push(n);
  }
  files.sort(compareTimestamped);
  for (const f of files) {
    const path = `__meta/${f.name}`;
    const where = `${store.uri}/${path}`;
    const tile = readGenericTile(await store.get(path, options), where);
    applyMetadataTile(tile.data, where, out);
  }
  return out;
}
