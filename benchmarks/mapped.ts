/**
 * MappedCollection throughput: random batches through `getItems` (outer join, encoded `cell_type`), single
 * thread, plus open() time and RSS, describe/fromDescription cost, and where the time goes (reader vs the
 * collection's own planning/scatter).
 *
 *   /usr/bin/python3 ../shared/tools/make_collection.py data/bench3x50k     # once (~1 min)
 *   npx tsx benchmarks/mapped.ts data/bench3x50k [--seconds 20] [--batch-size 256] [--output dense|csr] [--baseline] [--h5wasm]
 *
 * `--baseline` also runs ../shared/tools/baseline_loader.py (Python per-row h5py) for comparison.
 * Matrix reads use the pure-TS HDF5 layout reader (src/h5ad/hdf5) with synchronous positioned reads;
 * `--h5wasm` forces the h5wasm slice path instead (what the reader did before), for comparison.
 */
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { setDirectReads } from "../src/h5ad/direct.js";
import { openH5ad } from "../src/h5ad/index.js";
import type { MatrixReader } from "../src/h5ad/types.js";
import { MappedCollection, type StoreFile } from "../src/mapped/index.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const dir = process.argv[2];
if (!dir || dir.startsWith("--")) {
  process.stderr.write(
    "usage: npx tsx benchmarks/mapped.ts DIR [--seconds 20] [--batch-size 256] [--baseline] [--h5wasm]\n",
  );
  process.exit(2);
}
const seconds = Number(arg("seconds", "20"));
const batchSize = Number(arg("batch-size", "256"));
const output = arg("output", "dense") as "dense" | "csr";
const paths = readdirSync(dir)
  .filter((f) => f.endsWith(".h5ad"))
  .sort()
  .map((f) => join(dir, f));

// Wall time while any reader readRows is in flight (calls overlap under Promise.all), to separate the
// reader's I/O+decode from the collection's own planning/scatter.
let readerMs = 0;
let readerCalls = 0;
let inFlight = 0;
let since = 0;
function timed(m: MatrixReader): MatrixReader {
  return new Proxy(m, {
    get(t, p) {
      const v = Reflect.get(t, p, t);
      if (p !== "readRows" && p !== "scatterRows") return typeof v === "function" ? v.bind(t) : v;
      const fn = (v as (...a: unknown[]) => Promise<unknown>).bind(t);
      return async (...args: unknown[]) => {
        if (inFlight++ === 0) since = performance.now();
        try {
          return await fn(...args);
        } finally {
          readerCalls++;
          if (--inFlight === 0) readerMs += performance.now() - since;
        }
      };
    },
  });
}

const h5wasmOnly = process.argv.includes("--h5wasm");
if (h5wasmOnly) setDirectReads(false);
const timedOpener = async (p: string, o: { signal?: AbortSignal }): Promise<StoreFile> => {
  const f = await openH5ad(p, o);
  return new Proxy(f, {
    get(t, k, r) {
      if (k === "matrix") return (key: string) => timed(t.matrix(key));
      const v = Reflect.get(t, k, r);
      return typeof v === "function" ? v.bind(t) : v;
    },
  }) as unknown as StoreFile;
};

const rss0 = process.memoryUsage().rss;
const options = { join: "outer", obsKeys: ["cell_type"] } as const;
// Cold: includes loading the h5wasm runtime once per process; warm: a second open.
let t0 = performance.now();
await (await MappedCollection.open(paths, options)).close();
const openColdMs = performance.now() - t0;
t0 = performance.now();
const mc = await MappedCollection.openWith(timedOpener, paths, options);
const openMs = performance.now() - t0;
const rssOpen = process.memoryUsage().rss;

t0 = performance.now();
const desc = JSON.stringify(mc.describe());
const describeMs = performance.now() - t0;
t0 = performance.now();
const mc2 = await MappedCollection.fromDescription(JSON.parse(desc));
const fromDescMs = performance.now() - t0;
await mc2.close();

// Seeded uniform indices (same generator every run).
let seed = 42;
const rand = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 4294967296;
};
const batch = () => Int32Array.from({ length: batchSize }, () => Math.floor(rand() * mc.length));

// Warm-up (first labels read, h5wasm caches), then the timed loop.
for (let i = 0; i < 5; i++) await mc.getItems(batch(), { output });
readerMs = 0;
readerCalls = 0;
let samples = 0;
let batches = 0;
t0 = performance.now();
while (performance.now() - t0 < seconds * 1000) {
  await mc.getItems(batch(), { output });
  samples += batchSize;
  batches++;
}
const elapsed = (performance.now() - t0) / 1000;
const rssEnd = process.memoryUsage().rss;
const [mainReaderMs, mainReaderCalls] = [readerMs, readerCalls];

// The per-row path (get(i) per sample, like LaminDB's __getitem__) for a quarter of the time.
let rowSamples = 0;
t0 = performance.now();
while (performance.now() - t0 < (seconds * 1000) / 4) {
  for (const i of batch()) await mc.get(i);
  rowSamples += batchSize;
}
const rowElapsed = (performance.now() - t0) / 1000;
await mc.close();

const mb = (b: number) => Math.round(b / 2 ** 20);
const result: Record<string, unknown> = {
  files: paths.length,
  n_obs: mc.length,
  n_vars: mc.shape[1],
  batch_size: batchSize,
  output,
  x_reader: h5wasmOnly ? "h5wasm" : "direct hdf5 (h5wasm fallback per dataset)",
  samples_per_s: Math.round(samples / elapsed),
  batches,
  per_row_samples_per_s: Math.round(rowSamples / rowElapsed),
  ms_per_batch: +((elapsed * 1000) / batches).toFixed(2),
  reader_share: +(mainReaderMs / (elapsed * 1000)).toFixed(3),
  reader_calls_per_batch: +(mainReaderCalls / batches).toFixed(1),
  open_ms_cold: Math.round(openColdMs),
  open_ms_warm: Math.round(openMs),
  describe_ms: +describeMs.toFixed(1),
  description_bytes: desc.length,
  from_description_ms: Math.round(fromDescMs),
  rss_mb: { before_open: mb(rss0), after_open: mb(rssOpen), end: mb(rssEnd) },
};
process.stdout.write(`${JSON.stringify(result)}\n`);

if (process.argv.includes("--baseline")) {
  const out = execFileSync(
    "/usr/bin/python3",
    [
      resolve(process.env.CELLFEED_SHARED ?? "../shared", "tools", "baseline_loader.py"),
      ...paths,
      "--batch-size",
      String(batchSize),
      "--seconds",
      String(seconds),
    ],
    { encoding: "utf8" },
  );
  const base = JSON.parse(out.trim().split("\n").pop()!) as { samples_per_s: number };
  process.stdout.write(
    `baseline ${out.trim()}\nspeedup ${(Number(result.samples_per_s) / base.samples_per_s).toFixed(2)}x\n`,
  );
}
