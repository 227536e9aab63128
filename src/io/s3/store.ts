import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { FileNotFoundError, InvalidArgumentError, throwIfAborted } from "../../errors.js";
import type { ByteStore, ReadOptions, StoreEntry } from "../types.js";
import { createS3Client, type S3Options } from "./client.js";
import { knownSecrets, mapS3Error } from "./errors.js";
import { getRange, readBody } from "./request.js";
import { staticSecrets } from "./source.js";
import { parseS3Uri } from "./uri.js";

export interface S3StoreOptions extends S3Options {
  /** Keys per ListObjectsV2 page (default 1000, the S3 maximum). */
  pageSize?: number;
}

interface Shared {
  client: S3Client;
  secrets: string[];
  pageSize: number;
}

/** Joins store-relative paths, refusing ones that climb out (`..`) or are absolute. */
function relative(path: string, uri: string): string {
  const trimmed = path.replace(/^\/+|\/+$/g, "");
  if (path.startsWith("/") || trimmed.split("/").some((p) => p === ".." || p === ".")) {
    throw new InvalidArgumentError(`store path '${path}' must be relative and stay inside the store`, {
      path: uri,
    });
  }
  return trimmed;
}

/**
 * A prefix of an S3 bucket as a `ByteStore` (`/` is the directory separator): ListObjectsV2 with
 * delimiter "/" and paging, whole and ranged GetObject. No retries here; wrap with `withStoreRetry`
 * (as `openStore` does).
 *
 * ```ts
 * const store = new S3Store("s3://bucket/census/soma/");
 * const entries = await store.list("ms/RNA");
 * ```
 */
export class S3Store implements ByteStore {
  readonly uri: string;
  readonly bucket: string;
  /** The key prefix, "" or ending in "/". */
  readonly prefix: string;
  readonly #shared: Shared;
  readonly #options: S3StoreOptions;

  constructor(uri: string, options: S3StoreOptions = {}) {
    const { bucket, key } = parseS3Uri(uri);
    this.bucket = bucket;
    this.prefix = key === "" || key.endsWith("/") ? key : `${key}/`;
    this.uri = `s3://${bucket}/${this.prefix}`;
    const pageSize = options.pageSize ?? 1000;
    if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
      throw new InvalidArgumentError(`pageSize must be 1..1000, got ${pageSize}`, { path: uri });
    }
    this.#options = options;
    this.#shared = {
      client: createS3Client(options),
      secrets: knownSecrets(staticSecrets(options.credentials)),
      pageSize,
    };
  }

  #key(path: string): string {
    return this.prefix + relative(path, this.uri);
  }

  #ctx(operation: string, key: string, signal: AbortSignal | undefined) {
    return { uri: `s3://${this.bucket}/${key}`, operation, signal, secrets: this.#shared.secrets };
  }

  async list(dir: string, options?: ReadOptions): Promise<StoreEntry[]> {
    const signal = options?.signal;
    throwIfAborted(signal, { path: this.uri });
    const rel = relative(dir, this.uri);
    const prefix = this.prefix + (rel === "" ? "" : `${rel}/`);
    const entries: StoreEntry[] = [];
    let token: string | undefined;
    do {
      let page: import("@aws-sdk/client-s3").ListObjectsV2CommandOutput;
      try {
        page = await this.#shared.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            Delimiter: "/",
            MaxKeys: this.#shared.pageSize,
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
          { abortSignal: signal },
        );
      } catch (e) {
        throw mapS3Error(e, this.#ctx("ListObjectsV2", prefix, signal));
      }
      for (const p of page.CommonPrefixes ?? []) {
        const name = (p.Prefix ?? "").slice(prefix.length).replace(/\/$/, "");
        if (name !== "") entries.push({ name, isDirectory: true });
      }
      for (const o of page.Contents ?? []) {
        const name = (o.Key ?? "").slice(prefix.length);
        // A zero-byte "folder marker" object named like the prefix itself is not a child.
        if (name !== "") entries.push({ name, isDirectory: false, size: o.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async exists(path: string, options?: ReadOptions): Promise<boolean> {
    const signal = options?.signal;
    const key = this.#key(path);
    if (key === "" || key.endsWith("/")) return false;
    try {
      await this.#shared.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), {
        abortSignal: signal,
      });
      return true;
    } catch (e) {
      const mapped = mapS3Error(e, this.#ctx("HeadObject", key, signal));
      if (mapped instanceof FileNotFoundError) return false;
      throw mapped;
    }
  }

  async get(path: string, options?: ReadOptions): Promise<Uint8Array> {
    const signal = options?.signal;
    const key = this.#key(path);
    const ctx = this.#ctx("GetObject", key, signal);
    throwIfAborted(signal, { path: ctx.uri });
    try {
      const r = await this.#shared.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
        abortSignal: signal,
      });
      return await readBody(r.Body, r.ContentLength ?? 0, ctx.uri, signal);
    } catch (e) {
      throw mapS3Error(e, ctx);
    }
  }

  getRange(path: string, offset: number, length: number, options?: ReadOptions): Promise<Uint8Array> {
    const key = this.#key(path);
    return getRange(
      {
        client: this.#shared.client,
        bucket: this.bucket,
        key,
        uri: `s3://${this.bucket}/${key}`,
        secrets: this.#shared.secrets,
        signal: options?.signal,
      },
      offset,
      length,
    );
  }

  child(path: string): ByteStore {
    const rel = relative(path, this.uri);
    const prefix = rel === "" ? this.prefix : `${this.prefix}${rel}/`;
    return new S3Store(`s3://${this.bucket}/${prefix}`, { ...this.#options, client: this.#shared.client });
  }

  /** Closes the client (it is shared with child stores). */
  close(): void {
    this.#shared.client.destroy();
  }
}
