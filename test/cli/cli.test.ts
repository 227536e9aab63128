import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect, it } from "vitest";
import { openH5ad } from "../../src/h5ad/index.js";
import { describeWithFixtures, fixturePath } from "../helpers/fixtures.js";

const main = resolve("src/cli/main.ts");

function cellfeed(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", main, ...args], {
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describeWithFixtures("h5ad", "cellfeed CLI", () => {
  it("inspect --json prints the file's describe()", async () => {
    const path = fixturePath("h5ad", "anndataR_example.h5ad");
    const r = cellfeed("inspect", path, "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.stdout);
    const file = await openH5ad(path);
    const expected = JSON.parse(JSON.stringify(await file.describe()));
    file.close();
    expect(printed).toEqual(expected);
    expect(printed.shape).toEqual([50, 100]);
    expect(printed.X.layout).toBe("csr");
  });

  it("inspect prints a readable summary", () => {
    const r = cellfeed("inspect", fixturePath("h5ad", "cxg_example_valid.h5ad"));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2 × 7 \(obs × var\)/);
    expect(r.stdout).toMatch(/X: csr float32/);
    expect(r.stdout).toMatch(/cell_type_ontology_term_id: categorical/);
  });

  it("reports a bad file as one line naming it, exit code 1", () => {
    const dir = mkdtempSync(join(tmpdir(), "cellfeed-cli-"));
    const bad = join(dir, "notes.h5ad");
    writeFileSync(bad, "not an hdf5 file at all");
    const r = cellfeed("inspect", bad);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(bad);
    expect(r.stderr).toMatch(/not an HDF5 file|not HDF5/i);
    expect(cellfeed("inspect", join(dir, "missing.h5ad")).stderr).toMatch(/missing.h5ad: no such file/);
    expect(cellfeed("frobnicate").code).toBe(2);
  });

  it("bench --json reports samples/s, first batch time and peak RSS, and --plot writes an SVG", () => {
    const dir = mkdtempSync(join(tmpdir(), "cellfeed-bench-"));
    const svg = join(dir, "sweep.svg");
    const files = ["soma_pbmc_small.h5ad", "soma_pbmc_small_x_csc.h5ad"].map((f) => fixturePath("h5ad", f));
    const r = cellfeed(
      "bench",
      ...files,
      "--epochs",
      "2",
      "--batch-size",
      "16",
      "--workers",
      "0",
      "--sampler",
      "random,block",
      "--block-size",
      "8",
      "--obs-keys",
      "groups",
      "--json",
      "--plot",
      svg,
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const results = JSON.parse(r.stdout) as Record<string, number>[];
    expect(results).toHaveLength(2);
    for (const res of results) {
      expect(res.samplesPerSec).toBeGreaterThan(0);
      expect(res.firstBatchMs).toBeGreaterThan(0);
      expect(res.peakRssMb).toBeGreaterThan(10);
      expect(res.samples).toBe(2 * 160);
      expect(res.epochs).toBe(2);
    }
    const picture = readFileSync(svg, "utf8");
    expect(picture).toMatch(/^<svg/);
    expect(picture).toContain("random, 0 workers");
    expect(picture).toContain("block, 0 workers");
  });
});
