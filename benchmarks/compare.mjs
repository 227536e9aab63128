#!/usr/bin/env node
/**
 * cellfeed next to the Python baseline (../shared/tools/baseline_loader.py) on the standard collection,
 * in one run. Uses the built package (npm run build first) so worker threads start as users' do.
 *
 *   npm run build && node benchmarks/compare.mjs [DIR] [--seconds 15] [--skip-baseline]
 *
 * DIR defaults to data/bench3x50k; it is written with make_collection.py (the real anndata) when
 * missing. Prints a markdown table and writes benchmarks/out/compare.json.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seconds: { type: "string", default: "15" },
    "skip-baseline": { type: "boolean" },
    shared: { type: "string", default: process.env.CELLFEED_SHARED ?? "../shared" },
  },
});
const seconds = Number(values.seconds);
const dir = resolve(positionals[0] ?? "data/bench3x50k");
const tools = resolve(values.shared, "tools");
const python = "/usr/bin/python3";

if (!existsSync(dir) || readdirSync(dir).filter((f) => f.endsWith(".h5ad")).length === 0) {
  console.error(`writing the standard collection into ${dir} with make_collection.py ...`);
  execFileSync(python, [join(tools, "make_collection.py"), dir], { stdio: ["ignore", "ignore", "inherit"] });
}
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".h5ad"))
  .sort()
  .map((f) => join(dir, f));

const { openH5ad, MappedCollection } = await import("../dist/index.js");
const results = {
  machine: `${cpus().length} × ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  files,
  seconds,
  rows: [],
};
const row = (name, samplesPerSec, extra = {}) => {
  results.rows.push({ name, samplesPerSec: Math.round(samplesPerSec), ...extra });
  console.error(
    `${name}: ${Math.round(samplesPerSec).toLocaleString("en-US")} samples/s ${JSON.stringify(extra)}`,
  );
};

function seededRandom(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

// 1. Python baseline, single process and 2 workers.
if (!values["skip-baseline"]) {
  for (const workers of [0, 2]) {
    const r = spawnSync(
      python,
      [
        join(tools, "baseline_loader.py"),
        ...files,
        "--batch-size",
        "256",
        "--seconds",
        String(seconds),
        "--workers",
        String(workers),
      ],
      { encoding: "utf8" },
    );
    if (r.status !== 0) throw new Error(`baseline failed: ${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split("\n").pop());
    row(`baseline_loader.py, ${workers === 0 ? "1 process" : `${workers} workers`}`, out.samples_per_s);
  }
}

// 2. The h5ad reader alone: batches of 256 random rows of one file's X (CSR out), one thread.
{
  const rand = seededRandom(1);
  const handles = await Promise.all(files.map((f) => openH5ad(f)));
  let rows = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    const file = handles[rows % handles.length];
    const n = file.shape[0];
    const idx = Int32Array.from({ length: 256 }, () => Math.floor(rand() * n));
    await file.matrix("X").readRows(idx, { output: "csr" });
    rows += 256;
  }
  row("openH5ad readRows (CSR), 1 thread", rows / ((performance.now() - t0) / 1000));
  for (const h of handles) h.close();
}

// 3. MappedCollection.getItems: random batches of 256, outer join, cell_type, one thread (dense out).
{
  const t0 = performance.now();
  const mc = await MappedCollection.open(files, { obsKeys: ["cell_type"], join: "outer" });
  const openMs = performance.now() - t0;
  const rand = seededRandom(2);
  let rows = 0;
  const t1 = performance.now();
  while (performance.now() - t1 < seconds * 1000) {
    const idx = Int32Array.from({ length: 256 }, () => Math.floor(rand() * mc.length));
    await mc.getItems(idx);
    rows += 256;
  }
  row("MappedCollection.getItems (dense, outer), 1 thread", rows / ((performance.now() - t1) / 1000), {
    openMs: Math.round(openMs),
    rssMb: Math.round(process.memoryUsage.rss() / 2 ** 20),
  });
  await mc.close();
}

// 4. The DataLoader with 2 workers (a fresh process each, so memory is measured alone).
const cli = resolve("dist/cli/main.js");
// "recycle": the consumer hands each batch back when done (DataLoader.recycle), as toTfDataset does
// (at once on the wasm backend); without it every batch is a fresh buffer the main thread must garbage-collect.
const blockArgs = ["--block-size", "128", "--buffer-size", "8"];
for (const [sampler, extra] of [
  ["random", []],
  ["weighted", []],
  ["block", blockArgs],
  ["sequential", []],
  ["random", ["--recycle"]],
  ["block", [...blockArgs, "--recycle"]],
  ["sequential", ["--recycle"]],
]) {
  const r = spawnSync(
    process.execPath,
    [
      cli,
      "bench",
      ...files,
      "--workers",
      "2",
      "--sampler",
      sampler,
      "--seconds",
      String(seconds),
      "--json",
      ...extra,
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`cellfeed bench failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout);
  row(
    `DataLoader ${sampler}, 2 workers${extra.includes("--recycle") ? ", recycle" : ""}`,
    out.samplesPerSec,
    {
      firstBatchMs: Math.round(out.firstBatchMs),
      peakRssMb: out.peakRssMb,
    },
  );
}

// 5. Memory over 5 epochs (block sampling, 2 workers), fresh buffers and recycled: flat or not.
for (const extra of [[], ["--recycle"]]) {
  const r = spawnSync(
    process.execPath,
    [cli, "bench", ...files, "--workers", "2", "--sampler", "block", "--epochs", "5", "--json", ...extra],
    {
      encoding: "utf8",
    },
  );
  if (r.status !== 0) throw new Error(`cellfeed bench failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout);
  row(`DataLoader block, 2 workers, 5 epochs${extra.length ? ", recycle" : ""}`, out.samplesPerSec, {
    epochPeakRssMb: out.epochPeakRssMb,
    peakRssMb: out.peakRssMb,
  });
}

mkdirSync("benchmarks/out", { recursive: true });
writeFileSync("benchmarks/out/compare.json", `${JSON.stringify(results, null, 2)}\n`);
const base = results.rows.find((r) => r.name.startsWith("baseline_loader.py, 2"))?.samplesPerSec;
const base1 = results.rows.find((r) => r.name.startsWith("baseline_loader.py, 1"))?.samplesPerSec;
console.log(`Machine: ${results.machine}; ${files.length} files; ${seconds} s per row.\n`);
console.log("| run | samples/s | × baseline (same threads) | notes |\n|---|---:|---:|---|");
for (const r of results.rows) {
  const { name, samplesPerSec, ...rest } = r;
  const ref = /2 workers/.test(name) ? base : base1;
  const ratio = ref ? `${(samplesPerSec / ref).toFixed(1)}×` : "";
  console.log(
    `| ${name} | ${samplesPerSec.toLocaleString("en-US")} | ${ratio} | ${JSON.stringify(rest).replace(/[{}"]/g, "").replace(/,/g, ", ")} |`,
  );
}
