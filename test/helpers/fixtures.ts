/**
 * Where the shared, real-tool fixtures live. `CELLFEED_FIXTURES` points at them (default:
 * `../shared/fixtures` next to the repo). When they are missing the suites that need them fail if
 * `CELLFEED_REQUIRE_FIXTURES=1` (CI sets it) and skip with a message otherwise.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe } from "vitest";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export const fixturesRoot: string = resolve(
  repoRoot,
  process.env.CELLFEED_FIXTURES ?? join("..", "shared", "fixtures"),
);

export const requireFixtures: boolean = process.env.CELLFEED_REQUIRE_FIXTURES === "1";

/** Absolute path of a fixture, e.g. `fixturePath("h5ad", "anndataR_example.h5ad")`. */
export function fixturePath(...parts: string[]): string {
  return join(fixturesRoot, ...parts);
}

/**
 * `describe` that runs only when the fixture folder `sub` exists. Missing: throws when fixtures
 * are required (CI), otherwise skips with a message saying how to get them.
 */
export function describeWithFixtures(sub: string, name: string, fn: () => void): void {
  const dir = fixturePath(sub);
  if (existsSync(dir)) {
    describe(name, fn);
    return;
  }
  const message = `fixtures not found at ${dir} (set CELLFEED_FIXTURES to the shared fixtures folder)`;
  if (requireFixtures) {
    describe(name, () => {
      throw new Error(`${message}; CELLFEED_REQUIRE_FIXTURES=1 makes this a failure`);
    });
    return;
  }
  console.warn(`skipping '${name}': ${message}`);
  describe.skip(name, fn);
}

/** A script of the shared tools folder (next to the fixtures), e.g. `sharedTool("make_collection.py")`. */
export function sharedTool(name: string): string {
  return resolve(fixturesRoot, "..", "tools", name);
}

/** Python with anndata (Debian's python3-anndata), for round-trip checks. */
export const referencePython: string = process.env.CELLFEED_PYTHON ?? "/usr/bin/python3";
