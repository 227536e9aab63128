import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "src");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith(".ts") ? [join(dir, d.name)] : [],
  );
}

describe("the AWS SDK is an optional peer", () => {
  it("is imported only from src/io/s3/ (everything else loads it with a dynamic import)", () => {
    const offenders = files(src)
      .filter((f) => !relative(src, f).startsWith(join("io", "s3")))
      .filter((f) => /from\s+["']@aws-sdk\//.test(readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
  });

  it("src/io/ outside s3/ reaches s3/ only through dynamic imports or type imports", () => {
    const offenders = files(join(src, "io"))
      .filter((f) => !relative(src, f).startsWith(join("io", "s3")))
      .filter((f) => /^import\s+(?!type\b)[^;]*from\s+["'][^"']*\/s3\//m.test(readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
  });
});

/** Value (not type-only) imports and re-exports of a TypeScript source: static edges of the module graph. */
function staticImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const re = /^(?:import|export)\s+(?!type\b)(?:[^;'"]*?\sfrom\s+)?["']([^"']+)["']/gm;
  return [...text.matchAll(re)].map((m) => m[1]!);
}

/** Every module reachable from `entry` through static imports (relative ones resolved to .ts, packages by name). */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.startsWith(src)) continue;
    for (const spec of staticImports(file)) {
      if (!spec.startsWith(".")) {
        seen.add(spec);
        continue;
      }
      const target = resolve(dirname(file), spec).replace(/\.js$/, ".ts");
      todo.push(target);
    }
  }
  return seen;
}

describe("local reads never load the AWS SDK", () => {
  // Each thread that loads it pays ~20 MB of RSS and ~5 MB of heap (measured with Node 20).
  // The worker loads its dataset module (mapped/, soma/) dynamically: those entries cover it.
  for (const entry of ["index.ts", "mapped/index.ts", "soma/index.ts", "tfjs/index.ts"]) {
    it(`${entry} reaches neither io/s3/ nor @aws-sdk through static imports`, () => {
      const graph = [...reachable(join(src, entry))];
      expect(graph.length).toBeGreaterThan(entry === "tfjs/index.ts" ? 0 : 10);
      const offenders = graph.filter((m) => m.startsWith("@aws-sdk/") || m.includes(`${join("io", "s3")}/`));
      expect(offenders).toEqual([]);
    });
  }
});

describe("loader workers never load h5wasm for local collections", () => {
  // Importing h5wasm instantiates its wasm: ~40 MB of RSS per thread. Workers read through the direct
  // HDF5 reader (src/h5ad/direct-store.ts); h5wasm loads on first use only (src/h5ad/runtime.ts).
  for (const entry of ["mapped/index.ts", "loader/worker.ts", "h5ad/index.ts"]) {
    it(`${entry} reaches h5wasm only through dynamic imports`, () => {
      const graph = [...reachable(join(src, entry))];
      expect(graph.filter((m) => m.startsWith("h5wasm"))).toEqual([]);
    });
  }
});
