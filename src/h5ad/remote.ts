/**
 * .h5ad files on S3, two ways (as LaminDB's `artifact.cache()` and `artifact.open()`):
 * - cached (default): the object is downloaded once into the on-disk cache and the copy is opened
 *   (the file's `path` is then the cache path);
 * - streamed (`stream: true`): nothing is downloaded; h5wasm reads the metadata (obs, var, uns, ...)
 *   in place through an emscripten device whose reads block on a fetcher thread (src/h5ad/stream/),
 *   and matrix rows are read by the direct HDF5 reader with async range requests of small blocks.
 *
 * ```ts
 * const f = await openH5ad("s3://bucket/pbmc.h5ad", { stream: true });
 * const rows = await f.matrix("X").readRows([10, 20, 30]);
 * console.log((f as RemoteH5adFile).stats); // { bytesRead, requests, fileSize, direct }
 * ```
 */
import { InvalidArgumentError, NotHdf5Error, throwIfAborted } from "../errors.js";
import type { S3Options } from "../io/s3/client.js";
import type { ByteSource } from "../io/types.js";
import type { DirectSourceProvider } from "./direct.js";
import { H5adFile, type OpenH5adOptions, openOnRuntime } from "./file.js";
import { H5Context } from "./h5context.js";
import { probeHdf5 } from "./probe.js";
import { type H5Runtime, loadRuntime } from "./runtime.js";
import { mountRemote } from "./stream/device.js";
import { RemoteObject, type StreamOptions, type StreamStats } from "./stream/remote-object.js";

export type { StreamOptions, StreamStats } from "./stream/remote-object.js";

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * A context that reports the fetcher's error (404, retries exhausted, ...) instead of HDF5's EIO, and
 * gives the direct reader (src/h5ad/direct.ts) its own async source over the same object, so matrix
 * rows skip h5wasm and its blocking reads.
 */
class StreamedContext extends H5Context implements DirectSourceProvider {
  constructor(
    path: string,
    file: ConstructorParameters<typeof H5Context>[1],
    runtime: H5Runtime,
    decodable: ReadonlyMap<number, string>,
    private readonly remote: RemoteObject,
    readonly openDirectSource: () => ByteSource,
  ) {
    super(path, file, runtime, decodable);
  }

  override guard<T>(dataset: string, what: string, fn: () => T): T {
    try {
      return super.guard(dataset, what, fn);
    } catch (e) {
      throw this.remote.takeError() ?? e;
    }
  }
}

/** An h5ad file read in place from S3; `stats` counts what was fetched. */
export class RemoteH5adFile extends H5adFile {
  /** @internal use openH5ad(uri, { stream: true }). */
  constructor(
    ctx: H5Context,
    private readonly remote: RemoteObject,
    private readonly unmount: () => void,
  ) {
    super(ctx);
  }

  /** Bytes and requests fetched from S3 so far, and the object's size. */
  get stats(): StreamStats {
    return this.remote.stats;
  }

  override close(): void {
    try {
      super.close();
    } finally {
      this.unmount();
      // The fetcher thread is unref'ed; terminating it needs no waiting.
      void this.remote.close();
    }
  }
}

/** What `openH5ad` does for a URI. */
export async function openRemoteH5ad(uri: string, options: OpenH5adOptions = {}): Promise<H5adFile> {
  if (!uri.toLowerCase().startsWith("s3://")) {
    throw new InvalidArgumentError(`unsupported URI scheme (use a local path or s3://)`, { path: uri });
  }
  throwIfAborted(options.signal, { path: uri });
  if (options.stream) return await openStreamed(uri, options);
  const { cache } = await import("../io/s3/index.js");
  const local = await cache(uri, {
    ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
    ...(options.s3 === undefined ? {} : { s3: options.s3 }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  await probeHdf5(local);
  const runtime = await loadRuntime();
  throwIfAborted(options.signal, { path: uri });
  // The copy is an ordinary local file (named by its cache path, so the direct reader serves it).
  return openOnRuntime(local, local, runtime, options);
}

async function openStreamed(uri: string, options: OpenH5adOptions): Promise<RemoteH5adFile> {
  const { client, ...s3 } = options.s3 ?? {};
  if (client !== undefined) {
    throw new InvalidArgumentError(
      "a streamed file reads S3 from its own thread: pass connection options (endpoint, region, credentials), not a client",
      { path: uri },
    );
  }
  if (typeof s3.credentials === "function") {
    // Providers cannot cross threads; resolve them here once.
    s3.credentials = await s3.credentials();
  }
  const stream = options.streamOptions ?? {};
  for (const k of ["directBlockSize", "directCacheBytes"] as const) {
    const v = stream[k];
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= (k === "directBlockSize" ? 1 : 0))) {
      throw new InvalidArgumentError(
        `streamOptions.${k} must be a ${k === "directBlockSize" ? "positive" : "non-negative"} integer, got ${v}`,
        {
          path: uri,
        },
      );
    }
  }
  // Loaded here, not at import: it brings in the AWS SDK, which local reads never need.
  const [runtime, remote, { openDirectSource }] = await Promise.all([
    loadRuntime(),
    RemoteObject.open(uri, s3, {
      ...stream,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    }),
    import("./stream/direct-source.js"),
  ]);
  let unmount = () => {};
  try {
    checkSignature(uri, remote);
    throwIfAborted(options.signal, { path: uri });
    const mounted = mountRemote(runtime.module.FS, remote);
    unmount = mounted.unmount;
    return openOnRuntime(
      uri,
      mounted.path,
      runtime,
      options,
      (f, decodable) =>
        new StreamedContext(uri, f, runtime, decodable, remote, () =>
          openDirectSource(uri, s3, {
            size: remote.size,
            counter: remote.direct,
            ...(stream.retry === undefined ? {} : { retry: stream.retry }),
            ...(stream.directBlockSize === undefined ? {} : { blockSize: stream.directBlockSize }),
            ...(stream.directCacheBytes === undefined ? {} : { maxCacheBytes: stream.directCacheBytes }),
          }),
        ),
      (ctx) => new RemoteH5adFile(ctx, remote, mounted.unmount),
    ) as RemoteH5adFile;
  } catch (e) {
    unmount();
    await remote.close();
    throw remote.takeError() ?? e;
  }
}

function checkSignature(uri: string, remote: RemoteObject): void {
  const head = new Uint8Array(8);
  const n = remote.readSync(0, head, 0, 8);
  if (n < 8 || !HDF5_SIGNATURE.every((b, i) => head[i] === b)) {
    throw new NotHdf5Error("not an HDF5 file (no HDF5 signature)", { path: uri });
  }
}

export interface H5adOpenerOptions {
  /** Read in place instead of caching (default false). */
  stream?: boolean;
  streamOptions?: StreamOptions;
  cacheDir?: string;
  s3?: S3Options;
}

/**
 * A `StoreOpener` for `MappedCollection.openWith` / `fromDescription` that opens local paths and
 * `s3://` URIs (cached or streamed).
 *
 * ```ts
 * const c = await MappedCollection.openWith(h5adOpener({ stream: true }), ["s3://b/a.h5ad"]);
 * ```
 */
export function h5adOpener(
  options: H5adOpenerOptions = {},
): (path: string, o: { signal?: AbortSignal }) => Promise<H5adFile> {
  return async (path, o) => {
    const { openH5ad } = await import("./file.js");
    return await openH5ad(path, { ...options, ...(o.signal === undefined ? {} : { signal: o.signal }) });
  };
}
