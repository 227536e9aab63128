import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { isDataFile, suffixes } from "./paths.js";

interface Entry {
  path: string;
  size: number;
  atimeMs: number;
}

async function walk(dir: string, out: Entry[]): Promise<void> {
  let items: import("node:fs").Dirent[];
  try {
    items = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const item of items) {
    const path = join(dir, item.name);
    if (item.isDirectory()) await walk(path, out);
    else if (item.isFile() && isDataFile(item.name)) {
      try {
        const s = await stat(path);
        out.push({ path, size: s.size, atimeMs: s.atimeMs });
      } catch {
        // Removed meanwhile.
      }
    }
  }
}

/**
 * Deletes least recently used cached objects (by access time, which `cache()` sets on every use) until
 * the finished objects under `cacheDir` total at most `maxBytes`. Paths in `keep` are never deleted,
 * so an object larger than the limit on its own is kept and everything else goes.
 * Returns the deleted paths.
 */
export async function evictLru(
  cacheDir: string,
  maxBytes: number,
  keep: ReadonlySet<string>,
): Promise<string[]> {
  const entries: Entry[] = [];
  await walk(join(cacheDir, "objects"), entries);
  let total = entries.reduce((sum, e) => sum + e.size, 0);
  entries.sort((a, b) => a.atimeMs - b.atimeMs);
  const deleted: string[] = [];
  for (const e of entries) {
    if (total <= maxBytes) break;
    if (keep.has(e.path)) continue;
    // Metadata first: a data file without metadata is never reused.
    await rm(e.path + suffixes.meta, { force: true });
    await rm(e.path, { force: true });
    total -= e.size;
    deleted.push(e.path);
  }
  return deleted;
}
