/** A fault proxy (test/helpers/fault-proxy.ts) in its own thread, driven by messages. */
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import type { Fault, LoggedRequest } from "../helpers/fault-proxy.js";

export interface ThreadedProxy {
  url: string;
  /** Faults for the next object GETs, in order. */
  inject(faults: (Fault | undefined)[]): Promise<void>;
  requests(): Promise<LoggedRequest[]>;
  pending(): Promise<number>;
  close(): Promise<void>;
}

export async function startProxyThread(target: string): Promise<ThreadedProxy> {
  const worker = new Worker(new URL("./proxy-thread.mjs", import.meta.url), { workerData: { target } });
  const [ready] = (await once(worker, "message")) as [{ url: string }];
  const call = async (m: object) => {
    worker.postMessage(m);
    const [reply] = (await once(worker, "message")) as [{ requests: LoggedRequest[]; pending: number }];
    return reply;
  };
  return {
    url: ready.url,
    inject: async (faults) => {
      await call({ type: "inject", faults });
    },
    requests: async () => (await call({ type: "state" })).requests,
    pending: async () => (await call({ type: "state" })).pending,
    close: async () => {
      await call({ type: "close" });
      await worker.terminate();
    },
  };
}
