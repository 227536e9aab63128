/** Groups (`__group/`, `__tiledb_group.tdb`, `__meta/`) and object-type detection. */

import { FormatError } from "../../errors.js";
import type { ByteStore, ReadOptions } from "../../io/types.js";
import { Reader } from "./bytes.js";
import { readGenericTile } from "./generic-tile.js";
import { loadMetadata, type MetadataValue } from "./metadata.js";
import { compareTimestamped, parseTimestampedName } from "./names.js";

export type ObjectType = "group" | "array";

/** "group", "array" or null for a folder that is neither: `await objectType(store) === "array"`. */
export async function objectType(store: ByteStore, options?: ReadOptions): Promise<ObjectType | null> {
  if (await store.exists("__tiledb_group.tdb", options)) return "group";
  if ((await store.list("__group", options)).length > 0) return "group";
  if (await store.exists("__array_schema.tdb", options)) return "array";
  if ((await store.list("__schema", options)).some((e) => !e.isDirectory)) return "array";
  return null;
}

export interface GroupMember {
  /** The member's name (its URI's last part when unnamed). */
  name: string;
  /** The URI as stored (relative to the group, or absolute). */
  uri: string;
  relative: boolean;
  type: ObjectType;
  /** A store for the member: relative URIs, or absolute ones whose last part is a child folder. */
  store?: ByteStore;
}

export interface TileDBGroup {
  readonly uri: string;
  readonly metadata: Record<string, MetadataValue>;
  readonly metadataTypes: Record<string, number>;
  readonly members: GroupMember[];
}

interface RawMember {
  name: string;
  uri: string;
  relative: boolean;
  type: ObjectType;
}

function parseGroupDetails(data: Uint8Array, where: string, into: Map<string, RawMember>): void {
  const r = new Reader(data, where);
  const version = r.u32();
  const n = version >= 2 ? r.u64() : r.u32();
  for (let i = 0; i < n; i++) {
    const mv = r.u32();
    const t = r.u8();
    const relative = r.u8() !== 0;
    const uri = r.string(r.u64());
    const hasName = r.u8() !== 0;
    const name = hasName ? r.string(r.u64()) : (uri.replace(/\/+$/, "").split("/").pop() ?? uri);
    const deleted = mv >= 2 ? r.u8() !== 0 : false;
    if (deleted) {
      into.delete(name);
      continue;
    }
    if (t !== 1 && t !== 2)
      throw new FormatError(`group member '${name}' has object type ${t}`, { path: where });
    into.set(name, { name, uri, relative, type: t === 1 ? "group" : "array" });
  }
}

/**
 * Opens a TileDB group: its metadata and members (in `__group/` files applied in time order; older
 * groups without them list their child objects).
 *
 * ```ts
 * const exp = await openGroup(new LocalDirectoryStore("exp"));
 * exp.metadata.soma_object_type; // "SOMAExperiment"
 * const obs = exp.members.find((m) => m.name === "obs")?.store;
 * ```
 */
export async function openGroup(
  store: ByteStore,
  options: ReadOptions & { timestamp?: number | [number, number] } = {},
): Promise<TileDBGroup> {
  const t = options.timestamp;
  const [tStart, tEnd] = t === undefined ? [0, Date.now()] : typeof t === "number" ? [0, t] : t;
  const meta = await loadMetadata(store, tStart, tEnd, options);
  const files = (await store.list("__group", options))
    .filter((e) => !e.isDirectory)
    .map((e) => parseTimestampedName(e.name))
    .filter((n) => n !== undefined && n.t1 >= tStart && n.t2 <= tEnd)
    .sort((a, b) => compareTimestamped(a as NonNullable<typeof a>, b as NonNullable<typeof b>));
  const raw = new Map<string, RawMember>();
  for (const f of files) {
    const path = `__group/${f?.name}`;
    const where = `${store.uri}/${path}`;
    parseGroupDetails(readGenericTile(await store.get(path, options), where).data, where, raw);
  }
  const children = new Set((await store.list("", options)).filter((e) => e.isDirectory).map((e) => e.name));
  const members: GroupMember[] = [];
  if (files.length === 0) {
    // Old groups (before `__group/`) have no member list: their members are the child objects.
    for (const name of children) {
      if (name.startsWith("__")) continue;
      const child = store.child(name);
      const type = await objectType(child, options);
      if (type) members.push({ name, uri: name, relative: true, type, store: child });
    }
  } else {
    for (const m of raw.values()) {
      const member: GroupMember = { ...m };
      if (m.relative) member.store = store.child(m.uri.replace(/^\.\//, ""));
      else {
        const last = m.uri.replace(/\/+$/, "").split("/").pop() ?? "";
        if (children.has(last)) member.store = store.child(last);
      }
      members.push(member);
    }
  }
  return { uri: store.uri, metadata: meta.values, metadataTypes: meta.types, members };
}
