/**
 * SOMA over S3 (moto): the pbmc-small experiment uploaded under a prefix reads exactly like the local
 * folder (obs, var, X, a filtered axis query, metadata), also through a proxy that injects faults.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { Table } from "apache-arrow";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DataLoader } from "../../src/loader/index.js";
import {
  type CsrMatrix,
  ExperimentDataset,
  openExperiment,
  type SOMAExperiment,
  type SomaBatch,
} from "../../src/soma/index.js";
import { type FaultProxy, startFaultProxy } from "../helpers/fault-proxy.js";
import { describeWithFixtures } from "../helpers/fixtures.js";
import { describeWithS3 } from "../helpers/moto.js";
import { experimentPath } from "./truth.js";

const BUCKET = "cellfeed-soma-s3-test";
const PREFIX = "stores/pbmc-small";

function files(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) files(p, out);
    else out.push(p);
  }
  return out;
}

/** A table as plain JSON-able rows (bigints as strings). */
function rows(t: Table): unknown {
  return {
    names: t.schema.fields.map((f) => `${f.name}:${f.type}`),
    rows: t
      .toArray()
      .map((r) => JSON.parse(JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? `${v}` : v)))),
  };
}

function csr(m: CsrMatrix): unknown {
  return {
    shape: m.shape,
    indptr: Array.from(m.indptr),
    indices: Array.from(m.indices),
    data: Array.from(m.data),
  };
}

/** Everything compared between the local and the S3 experiment. */
async function snapshot(exp: SOMAExperiment): Promise<Record<string, unknown>> {
  const all = exp.axisQuery({ measurementName: "RNA" });
  const filtered = exp.axisQuery({
    measurementName: "RNA",
    obsQuery: { valueFilter: "nCount_RNA > 100 and groups == 'g1'" },
    varQuery: { coords: [3, 7, 8, 50, 229] },
  });
  const rna = await exp.ms.get("RNA");
  return {
    metadata: exp.metadata,
    rnaMetadata: rna.metadata,
    obs: rows(await exp.obs.read()),
    var: rows(await rna.var.read()),
    counts: csr(await all.X("counts")),
    filteredObs: rows(await filtered.obs()),
    filteredVar: rows(await filtered.var()),
    filteredData: csr(await filtered.X("data")),
  };
}

describeWithFixtures("soma", "SOMA experiments on S3", () => {
  describeWithS3("moto", (s3) => {
    let local: Record<string, unknown>;
    let proxy: FaultProxy;
    const uri = `s3://${BUCKET}/${PREFIX}`;
    beforeAll(async () => {
      await s3.createBucket(BUCKET);
      const root = experimentPath();
      for (const f of files(root)) await s3.put(BUCKET, `${PREFIX}/${relative(root, f)}`, readFileSync(f));
      local = await snapshot(await openExperiment(root));
      proxy = await startFaultProxy(s3.endpoint);
    }, 60_000);
    afterAll(async () => {
      await proxy?.close();
    });

    it("the local snapshot is not trivial", () => {
      expect((local.counts as { data: number[] }).data.length).toBe(4456);
      expect((local.filteredObs as { rows: unknown[] }).rows.length).toBeGreaterThan(0);
      expect((local.filteredData as { shape: number[] }).shape[1]).toBe(5);
    });

    it("openExperiment('s3://bucket/prefix', { s3 }) reads exactly what the local folder gives", async () => {
      const exp = await openExperiment(uri, { s3: s3.options() });
      expect(exp.uri.replace(/\/$/, "")).toBe(uri);
      expect(await snapshot(exp)).toEqual(local);
    });

    it("gives the same results through a proxy that drops, throttles and cuts object reads", async () => {
      proxy.inject([
        { kind: "status", status: 503, code: "SlowDown" },
        undefined,
        { kind: "reset" },
        undefined,
        { kind: "truncate", fraction: 0.3 },
        undefined,
        { kind: "status", status: 500, code: "InternalError" },
      ]);
      const before = proxy.requests.length;
      const exp = await openExperiment(uri, {
        s3: s3.options(proxy.url),
        retry: { retries: 4, baseDelayMs: 5, maxDelayMs: 20 },
        tileCache: 0,
      });
      expect(await snapshot(exp)).toEqual(local);
      expect(proxy.pending()).toBe(0);
      const faults = proxy.requests.slice(before).filter((r) => r.fault !== undefined);
      expect(faults.map((r) => r.fault)).toEqual(["status", "reset", "truncate", "status"]);
    });

    it("an ExperimentDataset on S3 gives the local batches through a DataLoader with 2 workers", async () => {
      const batches = async (exp: SOMAExperiment, numWorkers: number) => {
        const query = exp.axisQuery({
          measurementName: "RNA",
          obsQuery: { valueFilter: "nCount_RNA > 100" },
        });
        const ds = await ExperimentDataset.create(query, { layerName: "counts", obsColumnNames: ["groups"] });
        const loader = new DataLoader<SomaBatch>(ds, { batchSize: 16, shuffle: true, seed: 3, numWorkers });
        const out: unknown[] = [];
        try {
          for await (const b of loader)
            out.push({
              ids: Array.from(b.soma_joinid as Float64Array),
              X: Array.from(b.X.data),
              groups: Array.from(b.obs.groups ?? []),
            });
        } finally {
          await loader.close();
        }
        return out;
      };
      const want = await batches(await openExperiment(experimentPath()), 0);
      expect(want.length).toBeGreaterThan(1);
      const remote = await openExperiment(uri, { s3: s3.options() });
      expect(await batches(remote, 2)).toEqual(want);
    });

    it("a missing prefix fails with a typed error naming the URI", async () => {
      await expect(openExperiment(`s3://${BUCKET}/nothing-here`, { s3: s3.options() })).rejects.toMatchObject(
        {
          name: expect.stringMatching(/Error$/),
          message: expect.stringContaining("nothing-here"),
        },
      );
    });
  });
});
