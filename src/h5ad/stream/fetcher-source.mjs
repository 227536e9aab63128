// Entry point of the fetcher worker when cellfeed runs from its TypeScript sources (tests, tsx):
// Node 20 ignores `--import tsx` in a worker's execArgv, so register tsx here, then load fetcher.ts.
// The built package starts dist/h5ad/stream/fetcher.js directly.
import { register } from "tsx/esm/api";

register();
await import("./fetcher.ts");
