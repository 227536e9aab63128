/**
 * Streamed h5ad reads on loopback moto: bytes fetched versus file size, and time, for batches of 256
 * random rows. `npx tsx benchmarks/s3-stream.ts [FILE.h5ad] [batches] [direct block KiB,...]`
 * (default /tmp/s3bench/part0.h5ad, made by `/usr/bin/python3 ../shared/tools/make_collection.py
 * /tmp/s3bench --files 1 --cells 50000`; 3 batches; blocks 1,4,16,64). Uses CELLFEED_S3_ENDPOINT if
 * set, else starts moto_server. Two readers of the rows: h5wasm through the fetcher thread (direct
 * reads off: what streamed files did before) for several fetcher block sizes, and the default, the
 * direct reader with async requests, for several of its block sizes. moto reads the whole object to
 * serve each range (~30 ms a request here, one at a time), so the times are an upper bound set by
 * moto and grow with the request count; on S3 the direct reader's requests run concurrently.
 * `CELLFEED_BENCH_LATENCY_MS=20` replaces moto by a minimal read-only S3 endpoint (HEAD and ranged
 * GET of the one file, in a worker thread) that answers every request after that latency plus the
 * transfer at `CELLFEED_BENCH_MBPS` (default 100 MB/s per request), concurrently: a rough model of
 * S3 from a nearby machine, for the times.
 */
import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import seedrandom from "seedrandom";
import { setDirectReads } from "../src/h5ad/direct.js";
import { openH5ad } from "../src/h5ad/index.js";
import type { RemoteH5adFile, StreamOptions } from "../src/h5ad/remote.js";
import { startMoto, testCredentials } from "./moto.js";

/** The worker of `startLatencyServer` (plain JS: it is evaluated as is). */
const LATENCY_SERVER = `
const { workerData, parentPort } = require("node:worker_threads");
const http = require("node:http");
const body = require("node:fs").readFileSync(workerData.file);
const headers = { ETag: '"bench"', "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream" };
const server = http.createServer((req, res) => {
  const m = /bytes=(\\d+)-(\\d+)/.exec(req.headers.range || "");
  const a = m ? Number(m[1]) : 0;
  const b = m ? Math.min(Number(m[2]), body.length - 1) : body.length - 1;
  const bytes = req.method === "HEAD" ? 0 : b - a + 1;
  setTimeout(() => {
    if (req.method === "HEAD") {
      res.writeHead(200, { ...headers, "Content-Length": body.length });
      res.end();
    } else if (m) {
      res.writeHead(206, { ...headers, "Content-Length": bytes, "Content-Range": "bytes " + a + "-" + b + "/" + body.length });
      res.end(body.subarray(a, b + 1));
    } else {
      res.writeHead(200, { ...headers, "Content-Length": body.length });
      res.end(body);
    }
  }, workerData.latencyMs + bytes / (workerData.mbps * 1000));
});
server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port));
`;

/** A read-only endpoint serving `file` at any bucket/key, each answer delayed (see the header). */
async function startLatencyServer(
  file: string,
  latencyMs: number,
  mbps: number,
): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const worker = new Worker(LATENCY_SERVER, { eval: true, workerData: { file, latencyMs, mbps } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  return { endpoint: `http://127.0.0.1:${port}`, stop: async () => void (await worker.terminate()) };
}

const file = process.argv[2] ?? "/tmp/s3bench/part0.h5ad";
const batches = Number(process.argv[3] ?? 3);
const directBlocks = (process.argv[4] ?? "1,4,16,64").split(",").map((k) => Number(k) << 10);
const BATCH = 256;
const bucket = "cellfeed-bench";
const key = "stream.h5ad";
const mib = (n: number) => (n / 2 ** 20).toFixed(2);

function randomRows(n: number, rng: () => number): number[] {
  const set = new Set<number>();
  while (set.size < BATCH) set.add(Math.floor(rng() * n));
  return [...set];
}

async function main(): Promise<void> {
  const external = process.env.CELLFEED_S3_ENDPOINT;
  const latencyMs = process.env.CELLFEED_BENCH_LATENCY_MS;
  const moto = external
    ? undefined
    : latencyMs
      ? await startLatencyServer(file, Number(latencyMs), Number(process.env.CELLFEED_BENCH_MBPS ?? 100))
      : await startMoto();
  const endpoint = external ?? moto!.endpoint;
  if (latencyMs) console.log(`simulated S3: ${latencyMs} ms per request + transfer`);
  const s3 = { endpoint, region: "us-east-1", credentials: testCredentials, forcePathStyle: true };
  const admin = new S3Client(s3);
  try {
    const body = readFileSync(file);
    if (!latencyMs) {
      await admin.send(new CreateBucketCommand({ Bucket: bucket }));
      await admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    }
    const local = await openH5ad(file);
    console.log(
      `${file}: ${mib(body.length)} MiB, ${local.shape.join(" x ")}, X ${local.matrix("X").layout}`,
    );
    const runs: { label: string; direct: boolean; streamOptions: StreamOptions }[] = [
      ...[64 << 10, 256 << 10].map((blockSize) => ({
        label: `h5wasm, fetcher block ${String(blockSize >> 10).padStart(4)} KiB`,
        direct: false,
        streamOptions: { blockSize },
      })),
      ...directBlocks.map((directBlockSize) => ({
        label: `direct, block ${String(directBlockSize >> 10).padStart(4)} KiB        `,
        direct: true,
        streamOptions: { directBlockSize },
      })),
    ];
    for (const run of runs) {
      setDirectReads(run.direct);
      const t0 = performance.now();
      const f = (await openH5ad(`s3://${bucket}/${key}`, {
        s3,
        stream: true,
        streamOptions: run.streamOptions,
      })) as RemoteH5adFile;
      const opened = f.stats;
      const openMs = performance.now() - t0;
      const rng = seedrandom("s3-stream");
      const times: number[] = [];
      let bytes = 0;
      let requests = 0;
      for (let b = 0; b < batches; b++) {
        const rows = randomRows(f.shape[0], rng);
        const before = f.stats;
        const t = performance.now();
        const got = await f.matrix("X").readRows(rows, { output: "csr" });
        times.push(performance.now() - t);
        bytes += f.stats.bytesRead - before.bytesRead;
        requests += f.stats.requests - before.requests;
        if (b === 0) {
          const want = await local.matrix("X").readRows(rows, { output: "csr" });
          if (JSON.stringify(got) !== JSON.stringify(want))
            throw new Error("streamed rows differ from local");
        }
      }
      times.sort((a, c) => a - c);
      const perBatch = bytes / batches;
      const { direct } = f.stats;
      console.log(
        `${run.label}: open ${openMs.toFixed(0)} ms, ${mib(opened.bytesRead)} MiB in ${opened.requests} requests; ` +
          `per batch of ${BATCH} random rows: ${mib(perBatch)} MiB (${((100 * perBatch) / body.length).toFixed(1)}% of the file) ` +
          `in ${(requests / batches).toFixed(0)} requests, median ${times[times.length >> 1]!.toFixed(0)} ms; ` +
          `total after ${batches} batches ${((100 * f.stats.bytesRead) / body.length).toFixed(1)}% ` +
          `(direct reader ${mib(direct.bytesRead)} MiB in ${direct.requests} requests)`,
      );
      f.close();
    }
    setDirectReads(true);
    local.close();
  } finally {
    admin.destroy();
    await moto?.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
