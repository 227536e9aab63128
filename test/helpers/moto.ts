/**
 * A moto S3 server for the S3 suites. `CELLFEED_S3_ENDPOINT` points at a running S3-compatible server;
 * otherwise `moto_server` (or `python3 -m moto.server`) is started on 127.0.0.1 with a free port before
 * the suite and stopped after it. When neither is available the suites fail if
 * `CELLFEED_REQUIRE_FIXTURES=1` and skip with a message otherwise.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { accessSync, closeSync, constants, mkdtempSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe } from "vitest";
import type { S3Options } from "../../src/io/s3/client.js";
import { requireFixtures } from "./fixtures.js";

/** Fake credentials, given to the clients of the tests only (never put into process.env). */
export const testCredentials = { accessKeyId: "testing", secretAccessKey: "testing" };

export interface S3TestEnv {
  /** The S3 endpoint URL (http://127.0.0.1:port). */
  endpoint: string;
  /** `S3Options` for cellfeed pointing at `endpoint` (or at `endpointOverride`). */
  options(endpointOverride?: string): S3Options;
  /** A plain SDK client for setting up fixtures. */
  admin: S3Client;
  createBucket(bucket: string): Promise<void>;
  put(bucket: string, key: string, body: Uint8Array | string): Promise<void>;
}

function onPath(command: string): boolean {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // Not here.
    }
  }
  return false;
}

type Launcher = { command: string; args: string[] };

function findMoto(): Launcher | undefined {
  if (onPath("moto_server")) return { command: "moto_server", args: [] };
  const probe = spawnSync("python3", ["-c", "import moto.server"], { stdio: "ignore", timeout: 20_000 });
  if (probe.status === 0) return { command: "python3", args: ["-m", "moto.server"] };
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${log()}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  throw new Error(`moto_server did not answer at ${url} within 60 s: ${log()}`);
}

/** Starts moto on 127.0.0.1; resolves to its endpoint and a stop function. */
export async function startMoto(
  launcher: Launcher,
): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const port = await freePort();
  // moto logs every request on stderr. A pipe would need draining by this thread, which a streamed
  // h5ad read blocks (Atomics.wait), so moto would stall; write the log to a file instead.
  const logPath = join(mkdtempSync(join(tmpdir(), "cellfeed-moto-")), "moto.log");
  const logFd = openSync(logPath, "a");
  const child = spawn(launcher.command, [...launcher.args, "-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", logFd],
  });
  closeSync(logFd);
  const stderr = () => {
    try {
      return readFileSync(logPath, "utf8").slice(-4000);
    } catch {
      return "";
    }
  };
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitUntilUp(endpoint, child, stderr);
  } catch (e) {
    await stop();
    throw e;
  }
  return { endpoint, stop };
}

/**
 * `describe` with an S3 endpoint: `env` is filled in by `beforeAll` (use it inside tests and hooks,
 * not at collection time).
 */
export function describeWithS3(name: string, fn: (env: S3TestEnv) => void): void {
  const external = process.env.CELLFEED_S3_ENDPOINT;
  const launcher = external ? undefined : findMoto();
  if (!external && !launcher) {
    const message = "moto_server not found (pip install 'moto[server]') and CELLFEED_S3_ENDPOINT not set";
    if (requireFixtures) {
      describe(name, () => {
        throw new Error(`${message}; CELLFEED_REQUIRE_FIXTURES=1 makes this a failure`);
      });
      return;
    }
    console.warn(`skipping '${name}': ${message}`);
    describe.skip(name, () => fn({} as S3TestEnv));
    return;
  }
  const env = {} as S3TestEnv;
  let stop: (() => Promise<void>) | undefined;
  describe(name, () => {
    beforeAll(async () => {
      let endpoint = external;
      if (!endpoint && launcher) {
        const moto = await startMoto(launcher);
        endpoint = moto.endpoint;
        stop = moto.stop;
      }
      const url = endpoint!;
      env.endpoint = url;
      env.options = (override?: string) => ({
        endpoint: override ?? url,
        region: "us-east-1",
        credentials: testCredentials,
        forcePathStyle: true,
        requestTimeoutMs: 5000,
      });
      env.admin = new S3Client({
        endpoint: url,
        region: "us-east-1",
        credentials: testCredentials,
        forcePathStyle: true,
      });
      env.createBucket = async (bucket) => {
        await env.admin.send(new CreateBucketCommand({ Bucket: bucket }));
      };
      env.put = async (bucket, key, body) => {
        await env.admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from(body) }));
      };
    });
    afterAll(async () => {
      env.admin?.destroy();
      await stop?.();
    });
    fn(env);
  });
}
