/**
 * SOMA read throughput and ExperimentDataset memory on the real tiledbsoma pbmc3k store
 * (../shared/fixtures/tiledb/soma-pbmc3k-v18-multitile: X 2638 × 13714 float32, 2,238,732 cells in
 * 23 ZSTD tiles; its group files were not copied, so the experiment is assembled from its arrays).
 *
 *   npx tsx benchmarks/soma.ts [--repeats 5] [--batch-size 64]
 *
 * 1. X read: whole-array reads through SOMASparseNDArray (COO and CSR) and a filtered axis query
 *    (cells/s, decompressed MB/s = dims int64 ×2 + float32 values).
 * 2. The ceiling: zstd decoding of the same tile bytes (every chunk of d0/d1/a0), wasm and pure JS.
 * 3. ExperimentDataset: peak RSS of a child process iterating one shuffled epoch, per ioBatchSize.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { decompress as fzstd } from "fzstd";
import { ZSTDDecoder } from "zstddec";
import {
  assembleExperiment,
  ExperimentDataset,
  open,
  type SOMADataFrame,
  type SOMAExperiment,
  type SOMASparseNDArray,
} from "../src/soma/index.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const fixtures =
  process.env.CELLFEED_FIXTURES ??
  join(fileURLToPath(new URL("../..", import.meta.url)), "shared", "fixtures");
const root = join(fixtures, "tiledb", "soma-pbmc3k-v18-multitile", "pbmc3k");
const repeats = Number(arg("repeats", "5"));
const batchSize = Number(arg("batch-size", "64"));

async function experiment(): Promise<{ exp: SOMAExperiment; X: SOMASparseNDArray }> {
  const obs = (await open(join(root, "obs"))) as SOMADataFrame;
  const var_ = (await open(join(root, "ms", "raw", "var"))) as SOMADataFrame;
  const X = (await open(join(root, "ms", "raw", "X", "data"))) as SOMASparseNDArray;
  return {
    exp: assembleExperiment({ uri: root, obs, measurements: { raw: { var: var_, X: { data: X } } } }),
    X,
  };
}

function best(times: number[]): number {
  return Math.min(...times);
}

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    times.push((performance.now() - t0) / 1000);
  }
  return best(times);
}

/** Every zstd frame of a data file whose pipeline is ZSTD only: [compressed, original size]. */
function zstdParts(path: string): [Uint8Array, number][] {
  const bytes = readFileSync(path);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: [Uint8Array, number][] = [];
  let o = 0;
  while (o < bytes.byteLength) {
    const chunks = Number(v.getBigUint64(o, true));
    o += 8;
    for (let c = 0; c < chunks; c++) {
      const filtered = v.getUint32(o + 4, true);
      const mdLen = v.getUint32(o + 8, true);
      const md = o + 12;
      const nMd = v.getUint32(md, true);
      const nData = v.getUint32(md + 4, true);
      let p = md + mdLen;
      for (let k = 0; k < nMd + nData; k++) {
        const orig = v.getUint32(md + 8 + 8 * k, true);
        const comp = v.getUint32(md + 12 + 8 * k, true);
        parts.push([bytes.subarray(p, p + comp), orig]);
        p += comp;
      }
      o = md + mdLen + filtered;
    }
  }
  return parts;
}

async function child(ioBatchSize: number): Promise<void> {
  const { exp } = await experiment();
  const query = exp.axisQuery({ measurementName: "raw" });
  const ds = await ExperimentDataset.create(query, {
    layerName: "data",
    obsColumnNames: ["louvain"],
    batchSize,
    ioBatchSize,
    shuffleChunkSize: 32,
    seed: 1,
  });
  const baseMiB = process.resourceUsage().maxRSS / 1024;
  const t0 = performance.now();
  let cells = 0;
  let checksum = 0;
  for await (const b of ds) {
    cells += b.X.shape[0];
    checksum += b.X.data[0] ?? 0;
  }
  const s = (performance.now() - t0) / 1000;
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    JSON.stringify({
      ioBatchSize,
      cells,
      seconds: s,
      baseMiB,
      peakMiB,
      maxRowsReturned: ds.stats.maxRowsReturned,
      checksum,
    }),
  );
}

async function main(): Promise<void> {
  const { exp, X } = await experiment();
  const nnz = await X.nnz();
  const [nObs, nVar] = X.shape as [number, number];
  const mb = (nnz * 20) / 1e6;
  process.stdout.write(`pbmc3k X: ${nObs} × ${nVar}, nnz ${nnz} (${mb.toFixed(1)} MB decompressed)\n`);

  const coo = await timeIt(() => X.readCoo());
  const rows = Float64Array.from({ length: nObs }, (_, i) => i);
  const csr = await timeIt(() => X.toCsr(rows));
  const report = (name: string, s: number, cells: number, bytes: number) =>
    process.stdout.write(
      `${name.padEnd(34)} ${(s * 1000).toFixed(0).padStart(6)} ms  ${Math.round(cells / s)
        .toString()
        .padStart(8)} cells/s  ${(bytes / s).toFixed(0).padStart(5)} MB/s\n`,
    );
  report("X full read (COO)", coo, nObs, mb);
  report("X full read → CSR (toCsr)", csr, nObs, mb);
  const q = exp.axisQuery({ measurementName: "raw", obsQuery: { valueFilter: 'louvain == "B cells"' } });
  const ids = await q.obsJoinids();
  const qt = await timeIt(() => q.X("data"));
  const qm = await q.X("data");
  report(`axisQuery louvain=="B cells" (${ids.length})`, qt, ids.length, (qm.data.length * 20) / 1e6);
  const block = Float64Array.from({ length: 512 }, (_, i) => 1000 + i);
  const bt = await timeIt(() => q.XRows("data", block));
  const bm = await q.XRows("data", block);
  report("512 contiguous cells (pruned)", bt, 512, (bm.data.length * 20) / 1e6);

  const dir = join(root, "ms", "raw", "X", "data", "__fragments");
  const frag = (await import("node:fs")).readdirSync(dir)[0] as string;
  const parts = ["d0.tdb", "d1.tdb", "a0.tdb"].flatMap((f) => zstdParts(join(dir, frag, f)));
  const total = parts.reduce((s, [, n]) => s + n, 0) / 1e6;
  const wasm = new ZSTDDecoder();
  await wasm.init();
  const tw = await timeIt(async () => {
    for (const [c, n] of parts) wasm.decode(c, n);
  });
  const tj = await timeIt(async () => {
    for (const [c, n] of parts) fzstd(c, new Uint8Array(n));
  });
  process.stdout.write(
    `zstd ceiling (${parts.length} parts, ${total.toFixed(1)} MB): wasm ${(tw * 1000).toFixed(0)} ms = ${(total / tw).toFixed(0)} MB/s; fzstd ${(tj * 1000).toFixed(0)} ms = ${(total / tj).toFixed(0)} MB/s\n`,
  );

  process.stdout.write(
    `\nExperimentDataset (batchSize ${batchSize}, shuffled, 1 epoch, one child process each):\n`,
  );
  for (const io of [batchSize, 256, 1024, 4096]) {
    const out = execFileSync(
      process.execPath,
      [
        ...process.execArgv,
        fileURLToPath(import.meta.url),
        "--child",
        String(io),
        "--batch-size",
        String(batchSize),
      ],
      {
        encoding: "utf8",
      },
    );
    const r = JSON.parse(out) as {
      cells: number;
      seconds: number;
      baseMiB: number;
      peakMiB: number;
      maxRowsReturned: number;
    };
    process.stdout.write(
      `  ioBatchSize ${String(io).padStart(5)}: peak RSS ${r.peakMiB.toFixed(0).padStart(4)} MiB (${r.baseMiB.toFixed(0)} MiB after open), ${r.cells} cells in ${r.seconds.toFixed(2)} s (${Math.round(r.cells / r.seconds)} cells/s), max cells held ${r.maxRowsReturned}\n`,
    );
  }
}

const c = process.argv.indexOf("--child");
if (c >= 0) await child(Number(process.argv[c + 1]));
else await main();
