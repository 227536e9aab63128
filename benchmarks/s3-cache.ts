/**
 * cache() download throughput on loopback moto: `npx tsx benchmarks/s3-cache.ts [sizeMiB]`.
 * Uses CELLFEED_S3_ENDPOINT if set, else starts moto_server on 127.0.0.1. Note that moto reads the
 * whole object to serve each range, so the figure is a floor set by moto, not by cellfeed.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { cache } from "../src/io/cache/cache.js";
import { startMoto, testCredentials } from "./moto.js";

const sizeMiB = Number(process.argv[2] ?? 64);
const bucket = "cellfeed-bench";
const key = "bench.bin";

async function main(): Promise<void> {
  const external = process.env.CELLFEED_S3_ENDPOINT;
  const moto = external ? undefined : await startMoto();
  const endpoint = external ?? moto!.endpoint;
  const options = { endpoint, region: "us-east-1", credentials: testCredentials, forcePathStyle: true };
  const admin = new S3Client(options);
  const dir = mkdtempSync(join(tmpdir(), "cellfeed-bench-"));
  try {
    const body = randomBytes(sizeMiB << 20);
    await admin.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => {});
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    const uri = `s3://${bucket}/${key}`;
    console.log(`object: ${sizeMiB} MiB on ${endpoint}`);
    for (const [concurrency, partMiB] of [
      [1, 8],
      [4, 8],
      [8, 8],
      [4, 16],
      [1, 64],
    ] as const) {
      const cacheDir = join(dir, `c${concurrency}-p${partMiB}`);
      const t0 = performance.now();
      const path = await cache(uri, { cacheDir, concurrency, partSize: partMiB << 20, s3: options });
      const seconds = (performance.now() - t0) / 1000;
      if (!readFileSync(path).equals(body)) throw new Error("cached copy differs from the object");
      const mbps = body.length / 1e6 / seconds;
      console.log(
        `download concurrency=${concurrency} part=${partMiB} MiB: ${seconds.toFixed(2)} s, ${mbps.toFixed(1)} MB/s`,
      );
    }
    // moto's own ceiling: one GetObject of the whole object, body discarded.
    const t2 = performance.now();
    const whole = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    let n = 0;
    for await (const chunk of whole.Body as AsyncIterable<Uint8Array>) n += chunk.length;
    const wholeSeconds = (performance.now() - t2) / 1000;
    console.log(`baseline single GetObject (no cellfeed): ${(n / 1e6 / wholeSeconds).toFixed(1)} MB/s`);
    const t1 = performance.now();
    await cache(uri, { cacheDir: join(dir, "c4-p8"), s3: options });
    console.log(`reuse (HeadObject only): ${(performance.now() - t1).toFixed(1)} ms`);
  } finally {
    admin.destroy();
    rmSync(dir, { recursive: true, force: true });
    await moto?.stop();
  }
}

await main();
