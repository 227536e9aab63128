/** The default file opener: the h5ad reader (local paths, and `s3://` cached or streamed). */
import { isCellfeedError } from "../errors.js";
import { type DirectStorePlan, openDirectStore } from "../h5ad/direct-store.js";
import { openH5ad } from "../h5ad/index.js";
import { h5adOpener } from "../h5ad/remote.js";
import type { RemoteSettings, StoreOpener } from "./types.js";

export const defaultOpener: StoreOpener = (path, options) => openH5ad(path, options);

/** The opener for a collection's remote settings (the default one when there are none). */
export function openerFor(remote: RemoteSettings | undefined): StoreOpener {
  if (!remote || (remote.stream === undefined && remote.cacheDir === undefined && remote.s3 === undefined)) {
    return defaultOpener;
  }
  return h5adOpener(remote as Parameters<typeof h5adOpener>[0]);
}

/** The remote settings of the options, or undefined when none is set. */
export function remoteSettings(o: { stream?: boolean; cacheDir?: string; s3?: RemoteSettings["s3"] }) {
  const remote: RemoteSettings = {};
  if (o.stream !== undefined) remote.stream = o.stream;
  if (o.cacheDir !== undefined) remote.cacheDir = o.cacheDir;
  if (o.s3 !== undefined) remote.s3 = o.s3;
  return Object.keys(remote).length > 0 ? remote : undefined;
}

/**
 * Opens each file with a direct plan through the direct HDF5 reader alone (no h5wasm in this
 * thread: see h5ad/direct-store.ts), and any other file, or one the direct reader cannot serve,
 * with `fallback`. A broken file then fails in h5wasm's reader, with its error.
 */
export function directOpener(
  plans: ReadonlyMap<string, DirectStorePlan>,
  fallback: StoreOpener,
): StoreOpener {
  return async (path, options) => {
    const plan = plans.get(path);
    if (plan !== undefined) {
      try {
        return await openDirectStore(path, plan);
      } catch (e) {
        if (isCellfeedError(e, "aborted")) throw e;
      }
    }
    return fallback(path, options);
  };
}
