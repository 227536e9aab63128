/**
 * Fragment discovery: which fragments are committed (`__commits/*.wrt`, `.con` lists, legacy `.ok`
 * markers), minus vacuumed and ignored ones, filtered by the open timestamp range, oldest first.
 */
import { UnsupportedFeatureError } from "../../errors.js";
import type { ByteStore, ReadOptions } from "../../io/types.js";
import { utf8 } from "./bytes.js";
import { readConsolidatedCommits } from "./deletes.js";
import { compareTimestamped, parseTimestampedName, type TimestampedName } from "./names.js";

export interface FragmentRef {
  /** Path of the fragment folder relative to the array. */
  path: string;
  name: TimestampedName;
}

function lastPart(line: string): string {
  const t = line.trim().replace(/\/+$/, "");
  return t.slice(t.lastIndexOf("/") + 1);
}

/** Lines of a text file (`.ign`, `.vac`). */
function textLines(bytes: Uint8Array): string[] {
  return utf8.decode(bytes).split("\n");
}

export async function listFragments(
  store: ByteStore,
  arrayType: "dense" | "sparse",
  tStart: number,
  tEnd: number,
  options?: ReadOptions,
): Promise<FragmentRef[]> {
  const committed = new Set<string>();
  const ignored = new Set<string>();
  const vacuumed = new Set<string>();
  const commits = await store.list("__commits", options);
  for (const e of commits) {
    if (e.isDirectory) continue;
    if (e.name.endsWith(".wrt")) committed.add(e.name.slice(0, -4));
    // Deletes are loaded by `listDeletes`; updates are not supported.
    else if (e.name.endsWith(".upd"))
      throw new UnsupportedFeatureError("arrays with update commits are not supported", {
        path: `${store.uri}/__commits/${e.name}`,
      });
  }
  for (const e of commits) {
    if (e.isDirectory) continue;
    const kind = e.name.slice(e.name.lastIndexOf("."));
    if (kind !== ".con" && kind !== ".ign" && kind !== ".vac") continue;
    const bytes = await store.get(`__commits/${e.name}`, options);
    if (kind === ".con") {
      // Binary-aware: each `.del` entry is followed by the delete file's bytes.
      for (const { name } of readConsolidatedCommits(bytes, `${store.uri}/__commits/${e.name}`)) {
        if (name.endsWith(".wrt")) committed.add(name.slice(0, -4));
        else if (name.endsWith(".upd"))
          throw new UnsupportedFeatureError("arrays with update commits are not supported", {
            path: `${store.uri}/__commits/${e.name}`,
          });
      }
      continue;
    }
    for (const line of textLines(bytes)) {
      const name = lastPart(line);
      if (!name) continue;
      if (kind === ".ign") ignored.add(name.replace(/\.wrt$/, ""));
      else vacuumed.add(name);
    }
  }
  const refs: FragmentRef[] = [];
  for (const n of committed) {
    if (ignored.has(n) || vacuumed.has(n)) continue;
    const parsed = parseTimestampedName(n);
    if (parsed) refs.push({ path: `__fragments/${n}`, name: parsed });
  }
  // Legacy layout (before format v12): fragment folders in the array root, committed by `<name>.ok`
  // (or, for the oldest versions, by holding their fragment metadata).
  const root = await store.list("", options);
  const files = new Set(root.filter((e) => !e.isDirectory).map((e) => e.name));
  // Pre-v12 vacuum files sit in the array root.
  for (const name of files) {
    if (!name.endsWith(".vac")) continue;
    for (const line of textLines(await store.get(name, options)))
      if (lastPart(line)) vacuumed.add(lastPart(line));
  }
  for (const e of root) {
    if (!e.isDirectory) continue;
    const parsed = parseTimestampedName(e.name);
    if (!parsed || vacuumed.has(e.name)) continue;
    let ok = files.has(`${e.name}.ok`);
    if (!ok && parsed.version === undefined)
      ok = await store.exists(`${e.name}/__fragment_metadata.tdb`, options);
    if (ok) refs.push({ path: e.name, name: parsed });
  }
  const keep = refs.filter(({ name: n }) => {
    const v = n.version ?? 1;
    if (arrayType === "sparse" && v >= 14) return n.t1 <= tEnd && n.t2 >= tStart;
    return n.t1 >= tStart && n.t2 <= tEnd;
  });
  keep.sort((a, b) => compareTimestamped(a.name, b.name));
  return keep;
}
