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
