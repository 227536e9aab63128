// Entry point of loader workers when cellfeed runs from its TypeScript sources (tests, tsx):
// Node 20 ignores `--import tsx` in a worker's execArgv, so register tsx here, then load worker.ts.
// The built package uses dist/loader/worker.js directly.
import { register } from "tsx/esm/api";

register();
const worker = await import("./worker.ts");
export default worker.default;
