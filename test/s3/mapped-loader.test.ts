/**
 * MappedCollection and DataLoader over S3 (moto): cached and streamed collections equal the local one,
 * and DataLoader epochs through injected faults (dropped connections, 503 SlowDown, truncated bodies,
 * slow answers) deliver the same batches as the local run, with 0 and 2 workers.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { h5adOpener } from "../../src/h5ad/remote.js";
import { DataLoader } from "../../src/loader/index.js";
import { MappedCollection, type MappedCollectionOptions } from "../../src/mapped/index.js";
import { type Fault, type FaultProxy, startFaultProxy } from "../helpers/fault-proxy.js";
import { referencePython, sharedTool } from "../helpers/fixtures.js";
import { describeWithS3 } from "../helpers/moto.js";
import { startProxyThread, type ThreadedProxy } from "./proxy-thread.js";
import { remoteDataset } from "./remote-collection.js";

const BUCKET = "collection";
const FILES = 3;
const OPTIONS: MappedCollectionOptions = { obsKeys: ["cell_type", "batch"], join: "inner" };
/** One of each fault kind, spread over the first object reads. */
const FAULTS: (Fault | undefined)[] = [
  { kind: "reset" },
  undefined,
  { kind: "status", status: 503, code: "SlowDown" },
  { kind: "truncate", fraction: 0.4 },
  undefined,
  { kind: "status", status: 500, code: "InternalError" },
  { kind: "delay", ms: 300 },
];

/** Plain, comparable copy of a batch (typed arrays → arrays). */
function plain(batch: unknown): unknown {
  return JSON.parse(
    JSON.stringify(batch, (_k, v) =>
      ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v,
    ),
  );
}

async function epoch(dataset: ConstructorParameters<typeof DataLoader>[0], numWorkers: number) {
  const loader = new DataLoader(dataset, { batchSize: 64, shuffle: true, seed: 7, numWorkers });
  const out: unknown[] = [];
  try {
    for await (const b of loader) out.push(plain(b));
  } finally {
    await loader.close();
  }
  return out;
}

describeWithS3("MappedCollection and DataLoader over S3", (s3) => {
  let dir: string;
  let local: string[];
  let uris: string[];
  let localCollection: MappedCollection;
  let want: unknown[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "cellfeed-s3-mapped-"));
    const made = spawnSync(
      referencePython,
      [
        sharedTool("make_collection.py"),
        join(dir, "src"),
        "--files",
        String(FILES),
        "--cells",
        "400",
        "--genes",
        "120",
      ],
      { encoding: "utf8" },
    );
    expect(made.status, made.stderr).toBe(0);
    local = Array.from({ length: FILES }, (_, i) => join(dir, "src", `part${i}.h5ad`));
    uris = local.map((_, i) => `s3://${BUCKET}/part${i}.h5ad`);
    await s3.createBucket(BUCKET);
    for (let i = 0; i < FILES; i++) await s3.put(BUCKET, `part${i}.h5ad`, readFileSync(local[i]!));
    localCollection = await MappedCollection.open(local, OPTIONS);
    want = await epoch(localCollection, 0);
  });
  afterAll(async () => {
    await localCollection?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a cached and a streamed collection equal the local one", async () => {
    const rows = [0, 5, 399, 400, 401, 777, 1199, 3, 800];
    const expected = plain(await localCollection.getItems(rows));
    for (const stream of [false, true]) {
      const c = await MappedCollection.openWith(
        h5adOpener({ stream, s3: s3.options(), cacheDir: join(dir, `cache-${stream}`) }),
        uris,
        OPTIONS,
      );
      try {
        expect(c.length).toBe(localCollection.length);
        expect(c.varJoint).toEqual(localCollection.varJoint);
        expect(c.encoders).toEqual(localCollection.encoders);
        expect(plain(await c.getItems(rows))).toEqual(expected);
      } finally {
        await c.close();
      }
    }
  });

  it("MappedCollection.open({ stream, s3 }) carries the settings to loader workers", async () => {
    const s3Options = s3.options() as NonNullable<MappedCollectionOptions["s3"]>;
    const c = await MappedCollection.open(uris, { ...OPTIONS, stream: true, s3: s3Options });
    try {
      expect(c.describe().options.remote).toEqual({ stream: true, s3: s3Options });
      expect(await epoch(c, 2)).toEqual(want);
    } finally {
      await c.close();
    }
  });

  it("the local epoch is not trivial", () => {
    expect(want.length).toBe(Math.ceil(1200 / 64));
  });

  for (const [stream, numWorkers] of [
    [false, 0],
    [false, 2],
    [true, 0],
    [true, 2],
  ] as const) {
    it(`${stream ? "streamed" : "cached"}, numWorkers ${numWorkers}: an epoch through faults equals the local one`, async () => {
      // Streamed reads block the thread that opened the files (this one, for the collection built
      // here), so the proxy must live in another thread.
      const threaded = stream;
      const proxy: FaultProxy | ThreadedProxy = threaded
        ? await startProxyThread(s3.endpoint)
        : await startFaultProxy(s3.endpoint);
      try {
        await proxy.inject(FAULTS);
        const remote = {
          stream,
          s3: s3.options(proxy.url),
          cacheDir: join(dir, `cache-faults-${stream}-${numWorkers}`),
          streamOptions: { retry: { baseDelayMs: 10, maxDelayMs: 50 } },
        };
        const c = await MappedCollection.openWith(h5adOpener(remote), uris, OPTIONS);
        try {
          const got = await epoch(numWorkers === 0 ? c : remoteDataset(c, remote), numWorkers);
          expect(got).toEqual(want);
        } finally {
          await c.close();
        }
        // Every injected fault was met (and survived).
        expect(await proxy.pending()).toBe(0);
      } finally {
        await proxy.close();
      }
    });
  }
});
