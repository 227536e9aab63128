import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { isCellfeedError } from "../../src/errors.js";
import { LocalDirectoryStore } from "../../src/io/local.js";
import { openSource, openStore } from "../../src/io/open.js";
import { RemoteError } from "../../src/io/remote-error.js";
import { withRetry } from "../../src/io/retry.js";
import { parseS3Uri, S3ByteSource, S3Store } from "../../src/io/s3/index.js";
import type { ByteStore } from "../../src/io/types.js";
import { type FaultProxy, startFaultProxy } from "../helpers/fault-proxy.js";
import { fixturePath } from "../helpers/fixtures.js";
import { describeWithS3 } from "../helpers/moto.js";

const BUCKET = "cellfeed-s3-test";
const FIXTURES = ["anndataR_example.h5ad", "soma_pbmc_small_x_csc.h5ad", "cxg_example_valid.h5ad"];

describe("parseS3Uri", () => {
  it("splits bucket and key literally", () => {
    expect(parseS3Uri("s3://my-bucket/a/b c%20.h5ad")).toEqual({ bucket: "my-bucket", key: "a/b c%20.h5ad" });
    expect(parseS3Uri("s3://my-bucket")).toEqual({ bucket: "my-bucket", key: "" });
    expect(parseS3Uri("S3://my-bucket/")).toEqual({ bucket: "my-bucket", key: "" });
  });

  it.each([
    "http://bucket/key",
    "s3:/bucket/key",
    "s3://",
    "s3:///key",
    "s3://UPPER/key",
    "s3://ab/key",
    "s3://bad_bucket/key",
    "bucket/key",
  ])("rejects %s with an InvalidArgumentError naming it", (uri) => {
    let error: unknown;
    try {
      parseS3Uri(uri);
    } catch (e) {
      error = e;
    }
    expect(isCellfeedError(error, "invalid_argument")).toBe(true);
    expect((error as { path?: string }).path).toBe(uri);
  });

  it("rejects object URIs that name a prefix", () => {
    expect(() => new S3ByteSource("s3://bucket/dir/")).toThrow(/not an object/);
  });
});

/** Every file below `store`'s `dir`, recursively, with sizes. */
async function walk(store: ByteStore, dir = ""): Promise<string[]> {
  const out: string[] = [];
  for (const e of await store.list(dir)) {
    const path = dir === "" ? e.name : `${dir}/${e.name}`;
    if (e.isDirectory) out.push(`${path}/`, ...(await walk(store, path)));
    else out.push(`${path}:${e.size}`);
  }
  return out;
}

describeWithS3("S3ByteSource and S3Store on moto", (s3) => {
  const tree = mkdtempSync(join(tmpdir(), "cellfeed-s3-tree-"));
  let proxy: FaultProxy;

  beforeAll(async () => {
    await s3.createBucket(BUCKET);
    for (const name of FIXTURES)
      await s3.put(BUCKET, `h5ad/${name}`, readFileSync(fixturePath("h5ad", name)));
    // A small tree: 23 files in one folder (listed with 5 keys per page), nested folders, odd names.
    const files: [string, string][] = [];
    for (let i = 0; i < 23; i++) files.push([`many/f${String(i).padStart(2, "0")}.bin`, "x".repeat(i)]);
    files.push(["a/b/c/deep.txt", "deep"], ["a/top.txt", "top"], ["a/b/mid.txt", "mid!"], ["root.txt", ""]);
    files.push(["odd/name with spaces+plus=.txt", "odd"]);
    for (const [key, body] of files) {
      const local = join(tree, key);
      mkdirSync(join(local, ".."), { recursive: true });
      writeFileSync(local, body);
      await s3.put(BUCKET, `tree/${key}`, body);
    }
    proxy = await startFaultProxy(s3.endpoint);
  });

  afterAll(async () => {
    rmSync(tree, { recursive: true, force: true });
    await proxy?.close();
  });

  it("ranged reads equal the local file's bytes", async () => {
    for (const name of FIXTURES) {
      const local = readFileSync(fixturePath("h5ad", name));
      const source = new S3ByteSource(`s3://${BUCKET}/h5ad/${name}`, s3.options());
      try {
        expect(await source.size()).toBe(local.length);
        const ranges: [number, number][] = [
          [0, 8],
          [1, 1],
          [local.length - 17, 17],
          [Math.floor(local.length / 3), 4099],
          [0, local.length],
        ];
        for (const [offset, length] of ranges) {
          const got = await source.read(offset, length);
          expect(got.length).toBe(length);
          expect(Buffer.from(got).equals(local.subarray(offset, offset + length))).toBe(true);
        }
        expect((await source.read(5, 0)).length).toBe(0);
        const info = await source.head();
        expect(info.etag).toMatch(/^"[0-9a-f]{32}"$/);
        expect(info.etagIsMd5).toBe(true);
      } finally {
        await source.close();
      }
    }
  });

  it("a read past the end is a TruncatedFileError, a missing object a FileNotFoundError", async () => {
    const name = FIXTURES[1]!;
    const size = readFileSync(fixturePath("h5ad", name)).length;
    const source = new S3ByteSource(`s3://${BUCKET}/h5ad/${name}`, s3.options());
    await expect(source.read(size - 4, 8)).rejects.toMatchObject({ code: "truncated" });
    await expect(source.read(size + 10, 8)).rejects.toMatchObject({ code: "truncated" });
    await source.close();
    await expect(source.read(0, 1)).rejects.toMatchObject({ code: "io" });
    const missing = new S3ByteSource(`s3://${BUCKET}/h5ad/missing.h5ad`, s3.options());
    await expect(missing.size()).rejects.toMatchObject({
      code: "file_not_found",
      path: `s3://${BUCKET}/h5ad/missing.h5ad`,
    });
    await expect(missing.read(0, 10)).rejects.toMatchObject({ code: "file_not_found" });
    const noBucket = new S3ByteSource("s3://no-such-bucket-here/x", s3.options());
    await expect(noBucket.read(0, 10)).rejects.toMatchObject({ code: "file_not_found" });
  });

  it("a source pinned to an ETag fails (not retried) once the object is replaced", async () => {
    await s3.put(BUCKET, "pinned.bin", "version one");
    const uri = `s3://${BUCKET}/pinned.bin`;
    const { etag } = await new S3ByteSource(uri, s3.options()).head();
    const pinned = withRetry(new S3ByteSource(uri, { ...s3.options(), etag: etag! }), { baseDelayMs: 1 });
    expect(new TextDecoder().decode(await pinned.read(0, 7))).toBe("version");
    await s3.put(BUCKET, "pinned.bin", "version two!");
    await expect(pinned.read(0, 7)).rejects.toMatchObject({ status: 412, retryable: false });
    await pinned.close();
  });

  it("lists like the local tree (paging with 5 keys per page)", async () => {
    const store = new S3Store(`s3://${BUCKET}/tree`, { ...s3.options(), pageSize: 5 });
    const local = new LocalDirectoryStore(tree);
    const remote = await walk(store);
    expect(remote).toEqual(await walk(local));
    expect(remote.filter((p) => p.startsWith("many/f")).length).toBe(23);
    expect(await store.list("does/not/exist")).toEqual([]);
    const child = store.child("a/b");
    expect(await child.list("")).toEqual(await local.child("a/b").list(""));
    expect(new TextDecoder().decode(await child.get("c/deep.txt"))).toBe("deep");
    expect(new TextDecoder().decode(await child.getRange("mid.txt", 1, 2))).toBe("id");
    expect(await store.exists("a/top.txt")).toBe(true);
    expect(await store.exists("a")).toBe(false);
    expect(await store.exists("a/nope.txt")).toBe(false);
    expect((await store.get("root.txt")).length).toBe(0);
    await expect(store.get("a/nope.txt")).rejects.toMatchObject({ code: "file_not_found" });
    expect(() => store.child("../escape")).toThrow(/inside the store/);
    store.close();
  });

  it("openSource / openStore pick the backend from the URI and retry remote reads", async () => {
    const path = fixturePath("h5ad", FIXTURES[0]!);
    const localSource = await openSource(path);
    const remoteSource = await openSource(`s3://${BUCKET}/h5ad/${FIXTURES[0]}`, {
      s3: s3.options(),
      blockCache: { blockSize: 4096 },
    });
    expect(localSource.constructor.name).toBe("LocalFileSource");
    expect(
      Buffer.from(await remoteSource.read(100, 5000)).equals(Buffer.from(await localSource.read(100, 5000))),
    ).toBe(true);
    await localSource.close();
    await remoteSource.close();
    const store = await openStore(`s3://${BUCKET}/tree/`, { s3: s3.options() });
    expect(await walk(store)).toEqual(await walk(await openStore(tree)));
    await expect(openSource("gs://bucket/key")).rejects.toMatchObject({ code: "invalid_argument" });
  });

  it("takes the endpoint from AWS_ENDPOINT_URL_S3 (and then uses path style)", async () => {
    vi.stubEnv("AWS_ENDPOINT_URL_S3", s3.endpoint);
    vi.stubEnv("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    try {
      const { endpoint: _ignored, ...rest } = s3.options();
      const source = new S3ByteSource(`s3://${BUCKET}/h5ad/${FIXTURES[1]}`, rest);
      expect(await source.size()).toBe(readFileSync(fixturePath("h5ad", FIXTURES[1]!)).length);
      await source.close();
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("anonymous: sends no Authorization header; signed requests do", async () => {
    // moto, like S3, answers anonymous requests only for public objects.
    await s3.admin.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: "public/hello.txt",
        Body: "hello world",
        ACL: "public-read",
      }),
    );
    const uri = `s3://${BUCKET}/public/hello.txt`;
    const before = proxy.requests.length;
    const anon = new S3ByteSource(uri, { endpoint: proxy.url, region: "us-east-1", anonymous: true });
    expect((await anon.read(0, 8)).length).toBe(8);
    const signed = new S3ByteSource(uri, s3.options(proxy.url));
    expect((await signed.read(0, 8)).length).toBe(8);
    const seen = proxy.requests.slice(before);
    expect(seen.map((r) => r.authorization)).toEqual([false, true]);
    await anon.close();
    await signed.close();
  });

  it("never puts the secret key or session token in errors", async () => {
    const secret = "SECRETkey/abc+123SuperSecretValue0000";
    const token = "SESSIONtokenVeryPrivate9999";
    const credentials = { accessKeyId: "AKIDTEST", secretAccessKey: secret, sessionToken: token };
    const errors: unknown[] = [];
    const capture = async (p: Promise<unknown>) => {
      try {
        await p;
        errors.push(new Error("expected a failure"));
      } catch (e) {
        errors.push(e);
      }
    };
    const opts = { ...s3.options(proxy.url), credentials };
    proxy.inject([{ kind: "status", status: 403, code: "SignatureDoesNotMatch" }]);
    await capture(new S3ByteSource(`s3://${BUCKET}/h5ad/${FIXTURES[0]}`, opts).read(0, 10));
    await capture(new S3ByteSource(`s3://${BUCKET}/h5ad/missing`, opts).read(0, 10));
    await capture(new S3ByteSource(`s3://${BUCKET}/h5ad/missing`, opts).size());
    await capture(new S3Store("s3://no-such-bucket-here/", { ...opts }).list("x"));
    // Unreachable endpoint (nothing listens on port 9 of loopback).
    await capture(
      new S3ByteSource(`s3://${BUCKET}/k`, { ...opts, endpoint: "http://127.0.0.1:9" }).read(0, 1),
    );
    expect(errors).toHaveLength(5);
    for (const e of errors) {
      expect(isCellfeedError(e)).toBe(true);
      let text = "";
      for (let c: unknown = e; c; c = (c as { cause?: unknown }).cause) {
        text += `${String((c as Error).message)}\n${String((c as Error).stack)}\n`;
      }
      text += inspect(e, { depth: 20, showHidden: true });
      expect(text).not.toContain(secret);
      expect(text).not.toContain(token);
    }
    expect(errors[0]).toBeInstanceOf(RemoteError);
    expect(errors[0]).toMatchObject({ status: 403, retryable: false });
    expect(errors[1]).toMatchObject({ code: "file_not_found" });
    expect(errors[4]).toMatchObject({ retryable: true });
  });

  it("403 and 404 are not retried; 503 SlowDown is", async () => {
    const uri = `s3://${BUCKET}/h5ad/${FIXTURES[1]}`;
    const local = readFileSync(fixturePath("h5ad", FIXTURES[1]!));
    const retry = { retries: 4, baseDelayMs: 1, maxDelayMs: 5 };
    const source = withRetry(new S3ByteSource(uri, s3.options(proxy.url)), retry);
    for (const [status, code] of [
      [403, "AccessDenied"],
      [404, "NoSuchKey"],
    ] as const) {
      const before = proxy.requests.length;
      proxy.inject([
        { kind: "status", status, code },
        { kind: "status", status, code },
      ]);
      await expect(source.read(0, 100)).rejects.toMatchObject({
        code: status === 404 ? "file_not_found" : "io",
      });
      expect(proxy.requests.length - before).toBe(1);
    }
    const before = proxy.requests.length;
    proxy.inject([
      { kind: "status", status: 503, code: "SlowDown" },
      { kind: "status", status: 429, code: "TooManyRequests" },
    ]);
    expect(Buffer.from(await source.read(10, 1000)).equals(local.subarray(10, 1010))).toBe(true);
    expect(proxy.requests.length - before).toBe(3);
    proxy.inject([]);
    await source.close();
  });
});
