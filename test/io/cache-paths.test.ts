import { isAbsolute, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { cachePathFor, isDataFile } from "../../src/io/cache/paths.js";

const root = resolve("/tmp/cellfeed-cache-root");

function inside(path: string): boolean {
  const rel = relative(root, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

describe("cachePathFor", () => {
  it.each([
    "s3://bucket/data/pbmc.h5ad",
    "s3://bucket/../../../etc/passwd",
    "s3://bucket//etc/passwd",
    "s3://bucket/a/../../..",
    "s3://bucket/..",
    "s3://bucket/.hidden",
    "s3://bucket/dir/",
    "s3://bucket/",
    "s3://../x",
    "s3://bucket/C:\\Windows\\system32",
    "s3://bucket/with\u0000nul\nnewline\tand spaces/üñí©ødé 名前.h5ad",
    `s3://bucket/${"k".repeat(1024)}`,
    `s3://bucket/${"../".repeat(300)}x`,
  ])("keeps %j inside the cache directory", (uri) => {
    const path = cachePathFor(root, uri);
    expect(inside(path)).toBe(true);
    const name = path.slice(path.lastIndexOf(sep) + 1);
    expect(name).toMatch(/^[0-9a-f]{32}-[A-Za-z0-9._-]+$/);
    expect(name.length).toBeLessThanOrEqual(120);
    expect(path.split(sep)).not.toContain("..");
    expect(isDataFile(name)).toBe(true);
  });

  it("keeps the readable name and extension, and maps distinct keys to distinct paths", () => {
    expect(cachePathFor(root, "s3://bucket/data/pbmc.h5ad")).toMatch(/-pbmc\.h5ad$/);
    const a = cachePathFor(root, "s3://bucket/a/x.h5ad");
    const b = cachePathFor(root, "s3://bucket/b/x.h5ad");
    const c = cachePathFor(root, "s3://other/a/x.h5ad");
    expect(new Set([a, b, c]).size).toBe(3);
    expect(cachePathFor(root, "s3://bucket/a/x.h5ad")).toBe(a);
  });

  it("never names a data file like a sidecar", () => {
    const path = cachePathFor(root, "s3://bucket/evil.part.json");
    expect(isDataFile(path)).toBe(true);
    expect(isDataFile(`${path}.part`)).toBe(false);
  });
});
