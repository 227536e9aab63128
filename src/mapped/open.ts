/** The default file opener: the h5ad reader (local paths, and `s3://` cached or streamed). */
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
