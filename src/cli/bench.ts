import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../errors.js";
import { type BenchConfig, type BenchResult, runBench, type SamplerName } from "./bench-run.js";
import { ProgressBar } from "./progress.js";
import { barChartSvg } from "./svg.js";

const HELP = `usage: cellfeed bench FILES... [options]

Measures DataLoader throughput over a MappedCollection of .h5ad files (local paths or s3:// URIs;
s3:// objects are downloaded to the cache first unless --stream is given).

options:
  --batch-size N           rows per batch (256)
  --workers N[,N...]       worker threads (2); a list runs a sweep
  --prefetch N             batches read ahead per worker (2)
  --join inner|outer|none  var join (outer)
  --obs-keys a,b           obs columns to encode and return (cell_type)
  --sampler S[,S...]       random | weighted | block | sequential (random); a list runs a sweep
  --block-size N           rows per block for --sampler block (128)
  --buffer-size N          blocks shuffled together for --sampler block (8)
  --seconds N              run each configuration for N seconds (10) ...
  --epochs N               ... or for N epochs
  --output dense|csr       batch layout (dense)
  --recycle                hand each batch's buffers back when done (DataLoader.recycle)
  --seed N                 sampler seed (0)
  --stream                 read s3:// objects in place (needs --workers 0 for now)
  --json                   print one JSON object per configuration (an array for a sweep)
  --plot FILE.svg          draw samples/s of every configuration as a bar chart
`;

const list = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x.length > 0);

function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`--${name} must be a non-negative integer, got '${v}'`);
  return n;
}

export async function benchCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      "batch-size": { type: "string", default: "256" },
      workers: { type: "string", default: "2" },
      prefetch: { type: "string", default: "2" },
      join: { type: "string", default: "outer" },
      "obs-keys": { type: "string", default: "cell_type" },
      sampler: { type: "string", default: "random" },
      "block-size": { type: "string", default: "128" },
      "buffer-size": { type: "string", default: "8" },
      seconds: { type: "string" },
      epochs: { type: "string" },
      output: { type: "string", default: "dense" },
      seed: { type: "string", default: "0" },
      json: { type: "boolean" },
      stream: { type: "boolean" },
      recycle: { type: "boolean" },
      plot: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || positionals.length === 0) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  const join = values.join === "none" ? null : values.join;
  if (join !== null && join !== "inner" && join !== "outer") {
    throw new InvalidArgumentError(`--join must be inner, outer or none, got '${values.join}'`);
  }
  const output = values.output;
  if (output !== "dense" && output !== "csr")
    throw new InvalidArgumentError(`--output must be dense or csr, got '${output}'`);
  const samplers = list(values.sampler!) as SamplerName[];
  for (const s of samplers) {
    if (!["random", "weighted", "block", "sequential"].includes(s)) {
      throw new InvalidArgumentError(`--sampler must be random, weighted, block or sequential, got '${s}'`);
    }
  }
  const workerCounts = list(values.workers!).map((w) => positiveInt("workers", w));
  if (values.seconds !== undefined && values.epochs !== undefined) {
    throw new InvalidArgumentError("give --seconds or --epochs, not both");
  }
  const results: BenchResult[] = [];
  for (const sampler of samplers) {
    for (const workers of workerCounts) {
      const bar = new ProgressBar(`${sampler}, ${workers} workers`);
      const config: BenchConfig = {
        paths: positionals,
        stream: values.stream === true,
        batchSize: positiveInt("batch-size", values["batch-size"]!),
        workers,
        prefetch: positiveInt("prefetch", values.prefetch!),
        join,
        obsKeys: list(values["obs-keys"]!),
        sampler,
        output,
        recycle: values.recycle === true,
        seed: positiveInt("seed", values.seed!),
        blockSize: positiveInt("block-size", values["block-size"]!),
        bufferSize: positiveInt("buffer-size", values["buffer-size"]!),
        onProgress: (f, rate) => bar.update(f, `${Math.round(rate).toLocaleString("en-US")} samples/s`),
      };
      if (values.seconds !== undefined) config.seconds = Number(values.seconds);
      if (values.epochs !== undefined) config.epochs = positiveInt("epochs", values.epochs);
      const r = await runBench(config);
      bar.done();
      results.push(r);
      if (!values.json) {
        process.stdout.write(
          `${sampler.padEnd(10)} workers=${workers} batch=${r.batchSize}${r.recycle ? " recycle" : ""}: ${Math.round(r.samplesPerSec).toLocaleString("en-US")} samples/s, ` +
            `first batch ${r.firstBatchMs.toFixed(0)} ms, peak RSS ${r.peakRssMb} MB, open ${r.openMs.toFixed(0)} ms ` +
            `(${r.samples.toLocaleString("en-US")} samples in ${r.seconds.toFixed(1)} s; ${r.nObs.toLocaleString("en-US")} cells × ${r.nVars ?? "native"} genes)\n`,
        );
      }
    }
  }
  if (values.json)
    process.stdout.write(`${JSON.stringify(results.length === 1 ? results[0] : results, null, 2)}\n`);
  if (values.plot) {
    const svg = barChartSvg(
      `cellfeed bench: batch ${values["batch-size"]}, ${positionals.length} files`,
      "samples/s",
      results.map((r) => ({ label: `${r.sampler}, ${r.workers} workers`, value: r.samplesPerSec })),
    );
    writeFileSync(values.plot, svg);
    if (!values.json) process.stdout.write(`wrote ${values.plot}\n`);
  }
  return 0;
}
