// Runs test/helpers/fault-proxy.ts in a worker thread, for streamed reads with numWorkers 0: their
// thread blocks while waiting for bytes, so a proxy living in that same thread could never answer.
import { parentPort, workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
const { startFaultProxy } = await import("../helpers/fault-proxy.ts");
const proxy = await startFaultProxy(workerData.target);
parentPort.on("message", async (m) => {
  if (m.type === "inject") proxy.inject(m.faults);
  if (m.type === "close") await proxy.close();
  parentPort.postMessage({ type: m.type, requests: proxy.requests, pending: proxy.pending() });
});
parentPort.postMessage({ type: "ready", url: proxy.url });
