/** `cellfeed inspect` and `cellfeed bench` on s3:// URIs (moto endpoint and fake credentials via env). */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithFixtures, fixturePath } from "../helpers/fixtures.js";
import { describeWithS3, testCredentials } from "../helpers/moto.js";

const run = promisify(execFile);
const BUCKET = "cli";
const NAMES = ["anndataR_example.h5ad", "legacy_v078_lzf.h5ad"];

describeWithFixtures("h5ad", "cellfeed CLI over S3", () => {
  describeWithS3("moto", (s3) => {
    let cacheDir: string;
    let env: NodeJS.ProcessEnv;
    const cli = async (args: string[]) => {
      try {
        const r = await run("npx", ["tsx", "src/cli/main.ts", ...args], { env, timeout: 60_000 });
        return { code: 0, stdout: r.stdout, stderr: r.stderr };
      } catch (e) {
        const x = e as { code?: number; stdout?: string; stderr?: string };
        return { code: x.code ?? -1, stdout: x.stdout ?? "", stderr: x.stderr ?? "" };
      }
    };

    beforeAll(async () => {
      cacheDir = mkdtempSync(join(tmpdir(), "cellfeed-s3-cli-"));
      env = {
        ...process.env,
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_ACCESS_KEY_ID: testCredentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey,
        AWS_REGION: "us-east-1",
        CELLFEED_CACHE_DIR: cacheDir,
      };
      await s3.createBucket(BUCKET);
      for (const n of NAMES) await s3.put(BUCKET, n, readFileSync(fixturePath("h5ad", n)));
    });
    afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

    for (const name of NAMES) {
      it(`inspect s3://…/${name} --json (cached and --stream) equals the local output`, async () => {
        const local = await cli(["inspect", fixturePath("h5ad", name), "--json"]);
        expect(local.code, local.stderr).toBe(0);
        const { path: localPath, ...want } = JSON.parse(local.stdout) as Record<string, unknown>;
        expect(localPath).toBe(fixturePath("h5ad", name));
        const uri = `s3://${BUCKET}/${name}`;
        for (const extra of [[], ["--stream"]]) {
          const r = await cli(["inspect", uri, "--json", ...extra]);
          expect(r.code, r.stderr).toBe(0);
          const { path, ...got } = JSON.parse(r.stdout) as Record<string, unknown>;
          // Streamed files are named by their URI, cached ones by their copy in the cache.
          if (extra.length > 0) expect(path).toBe(uri);
          else expect(String(path).startsWith(cacheDir)).toBe(true);
          expect(got).toEqual(want);
        }
      });
    }

    it("inspect of a missing object exits 1 naming the URI", async () => {
      const uri = `s3://${BUCKET}/missing.h5ad`;
      for (const extra of [[], ["--stream"]]) {
        const r = await cli(["inspect", uri, ...extra]);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(uri);
      }
    });

    it("bench s3://… --stream runs an epoch over every row", async () => {
      const uri = `s3://${BUCKET}/${NAMES[0]}`;
      const r = await cli([
        "bench",
        uri,
        "--stream",
        "--workers",
        "0",
        "--epochs",
        "1",
        "--obs-keys",
        "",
        "--json",
      ]);
      expect(r.code, r.stderr).toBe(0);
      const result = JSON.parse(r.stdout) as { samples: number; nObs: number };
      expect(result.nObs).toBeGreaterThan(0);
      expect(result.samples).toBe(result.nObs);
    });
  });
});
