/**
 * Streamed h5ad reads on loopback moto: bytes fetched versus file size, and time, for batches of 256
 * random rows. `npx tsx benchmarks/s3-stream.ts [FILE.h5ad] [batches]` (default
 * /tmp/s3bench/part0.h5ad, made by `/usr/bin/python3 ../shared/tools/make_collection.py /tmp/s3bench
 * --files 1 --cells 50000`). Uses CELLFEED_S3_ENDPOINT if set, else starts moto_server. moto reads
 * the whole object to serve each range, so the times are an upper bound set by moto.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import seedrandom from "seedrandom";
import { Hdf5File } from "../src/h5ad/hdf5/index.js";
import { openH5ad } from "../src/h5ad/index.js";
import type { RemoteH5adFile } from "../src/h5ad/remote.js";
import { BlockCache } from "../src/io/block-cache.js";
import { withRetry } from "../src/io/retry.js";
import { S3ByteSource } from "../src/io/s3/source.js";
import type { ByteSource } from "../src/io/types.js";

const testCredentials = { accessKeyId: "testing", secretAccessKey: "testing" };

/** moto_server on 127.0.0.1 and a free port (the test helper imports vitest, so not reused here). */
async function startMoto(): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const port = await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
  const child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  };
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
    try {
      await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
      return { endpoint, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await stop();
  throw new Error("moto_server did not start");
}

const file = process.argv[2] ?? "/tmp/s3bench/part0.h5ad";
const batches = Number(process.argv[3] ?? 5);
const BATCH = 256;
const bucket = "cellfeed-bench";
const key = "stream.h5ad";
const mib = (n: number) => (n / 2 ** 20).toFixed(2);

function randomRows(n: number, rng: () => number): number[] {
  const set = new Set<number>();
  while (set.size < BATCH) set.add(Math.floor(rng() * n));
  return [...set];
}

/** Counts the bytes a source hands out. */
function counting(source: ByteSource): ByteSource & { bytes: number; requests: number } {
  const c = {
    uri: source.uri,
    bytes: 0,
    requests: 0,
    size: (o?: Parameters<ByteSource["size"]>[0]) => source.size(o),
    async read(offset: number, length: number) {
      c.requests++;
      const b = await source.read(offset, length);
      c.bytes += b.length;
      return b;
    },
    close: () => source.close(),
  };
  return c;
}

/**
 * The same batches through the pure-TypeScript HDF5 reader over the S3 object (asynchronous reads of
 * exactly the needed ranges, no sieve buffer): what streamed reads cost once src/h5ad/direct.ts uses
 * the streamed file's source.
 */
async function directBaseline(uri: string, s3: object, n: number, size: number): Promise<void> {
  for (const blockSize of [8 << 10, 64 << 10]) {
    const src = counting(withRetry(new S3ByteSource(uri, s3)));
    const file = await Hdf5File.open(new BlockCache(src, { blockSize }));
    const [indptr, data, indices] = await Promise.all(
      ["X/indptr", "X/data", "X/indices"].map((p) => file.dataset(p)),
    );
    if (!indptr || !data || !indices) throw new Error("direct reader cannot open X");
    const ptr = Array.from((await indptr.read(0, n + 1)) as ArrayLike<number | bigint>, Number);
    const opened = src.bytes;
    const rng = seedrandom("s3-stream");
    const times: number[] = [];
    for (let b = 0; b < batches; b++) {
      const rows = randomRows(n, rng).sort((a, c) => a - c);
      const starts = rows.map((r) => ptr[r]!);
      const ends = rows.map((r) => ptr[r + 1]!);
      const t = performance.now();
      await Promise.all([data.readRuns(starts, ends), indices.readRuns(starts, ends)]);
      times.push(performance.now() - t);
    }
    times.sort((a, c) => a - c);
    const perBatch = (src.bytes - opened) / batches;
    console.log(
      `direct reader, block ${String(blockSize >> 10).padStart(3)} KiB: open+indptr ${mib(opened)} MiB; per batch ` +
        `${mib(perBatch)} MiB (${((100 * perBatch) / size).toFixed(1)}% of the file), median ${times[times.length >> 1]!.toFixed(0)} ms`,
    );
    await src.close();
  }
}

async function main(): Promise<void> {
  const external = process.env.CELLFEED_S3_ENDPOINT;
  const moto = external ? undefined : await startMoto();
  const endpoint = external ?? moto!.endpoint;
  const s3 = { endpoint, region: "us-east-1", credentials: testCredentials, forcePathStyle: true };
  const admin = new S3Client(s3);
  try {
    const body = readFileSync(file);
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    const local = await openH5ad(file);
    console.log(
      `${file}: ${mib(body.length)} MiB, ${local.shape.join(" x ")}, X ${local.matrix("X").layout}`,
    );
    for (const blockSize of [8 << 10, 64 << 10, 256 << 10, 1 << 20]) {
      const t0 = performance.now();
      const f = (await openH5ad(`s3://${bucket}/${key}`, {
        s3,
        stream: true,
        streamOptions: { blockSize },
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
      console.log(
        `block ${String(blockSize >> 10).padStart(5)} KiB: open ${openMs.toFixed(0)} ms, ${mib(opened.bytesRead)} MiB in ${opened.requests} requests; ` +
          `per batch of ${BATCH} random rows: ${mib(perBatch)} MiB (${((100 * perBatch) / body.length).toFixed(1)}% of the file) ` +
          `in ${(requests / batches).toFixed(0)} requests, median ${times[times.length >> 1]!.toFixed(0)} ms; ` +
          `total after ${batches} batches ${((100 * f.stats.bytesRead) / body.length).toFixed(1)}%`,
      );
      f.close();
    }
    await directBaseline(`s3://${bucket}/${key}`, s3, local.shape[0], body.length);
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
