import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { IoError, throwIfAborted } from "../../errors.js";
import type { ByteSource, ReadOptions } from "../types.js";
import { createS3Client, type S3Options } from "./client.js";
import { knownSecrets, mapS3Error } from "./errors.js";
import { getRange } from "./request.js";
import { parseS3ObjectUri } from "./uri.js";

/** What HeadObject says about an object. */
export interface S3ObjectInfo {
  size: number;
  /** The ETag with its quotes, as S3 sends it. */
  etag?: string;
  lastModified?: Date;
  /**
   * True when the ETag is the MD5 of the bytes: a plain 32-hex ETag on an object that is not
   * multipart and not encrypted with SSE-KMS or SSE-C (those ETags are not MD5s).
   */
  etagIsMd5: boolean;
}

export interface S3SourceOptions extends S3Options {
  /**
   * Pin the object version: every read sends `If-Match: etag`, so a replaced object fails with a
   * (non-retried) error instead of mixing bytes of two versions.
   */
  etag?: string;
  /** The size, if already known (saves a HeadObject). */
  size?: number;
}

/**
 * One S3 object as a `ByteSource`: `size()` from HeadObject, reads as ranged GetObject requests.
 * No retries here; wrap it with `withRetry` (as `openSource` does).
 *
 * ```ts
 * const source = new S3ByteSource("s3://bucket/pbmc.h5ad", { region: "us-west-2" });
 * const header = await source.read(0, 8);
 * ```
 */
export class S3ByteSource implements ByteSource {
  readonly uri: string;
  readonly bucket: string;
  readonly key: string;
  readonly #client: S3Client;
  readonly #ownsClient: boolean;
  readonly #secrets: string[];
  readonly #etag: string | undefined;
  #info: Promise<S3ObjectInfo> | undefined;
  #knownSize: number | undefined;
  #closed = false;

  constructor(uri: string, options: S3SourceOptions = {}) {
    const { bucket, key } = parseS3ObjectUri(uri);
    this.uri = uri;
    this.bucket = bucket;
    this.key = key;
    this.#client = createS3Client(options);
    this.#ownsClient = options.client === undefined;
    this.#secrets = knownSecrets(staticSecrets(options.credentials));
    this.#etag = options.etag;
    this.#knownSize = options.size;
  }

  /** HeadObject (once; later calls reuse the answer). */
  async head(options?: ReadOptions): Promise<S3ObjectInfo> {
    this.#checkOpen();
    this.#info ??= this.#head(options?.signal);
    const p = this.#info;
    p.catch(() => {
      if (this.#info === p) this.#info = undefined;
    });
    return await p;
  }

  async #head(signal: AbortSignal | undefined): Promise<S3ObjectInfo> {
    throwIfAborted(signal, { path: this.uri });
    try {
      const r = await this.#client.send(
        new HeadObjectCommand({
          Bucket: this.bucket,
          Key: this.key,
          ...(this.#etag === undefined ? {} : { IfMatch: this.#etag }),
        }),
        { abortSignal: signal },
      );
      const encrypted = (r.ServerSideEncryption ?? "").startsWith("aws:kms") || !!r.SSECustomerAlgorithm;
      const info: S3ObjectInfo = {
        size: r.ContentLength ?? 0,
        etagIsMd5: !encrypted && /^"?[0-9a-f]{32}"?$/i.test(r.ETag ?? ""),
      };
      if (r.ETag !== undefined) info.etag = r.ETag;
      if (r.LastModified !== undefined) info.lastModified = r.LastModified;
      return info;
    } catch (e) {
      throw mapS3Error(e, { uri: this.uri, operation: "HeadObject", signal, secrets: this.#secrets });
    }
  }

  async size(options?: ReadOptions): Promise<number> {
    if (this.#knownSize !== undefined) {
      this.#checkOpen();
      throwIfAborted(options?.signal, { path: this.uri });
      return this.#knownSize;
    }
    return (await this.head(options)).size;
  }

  async read(offset: number, length: number, options?: ReadOptions): Promise<Uint8Array> {
    this.#checkOpen();
    return await getRange(
      {
        client: this.#client,
        bucket: this.bucket,
        key: this.key,
        uri: this.uri,
        secrets: this.#secrets,
        ifMatch: this.#etag,
        signal: options?.signal,
      },
      offset,
      length,
    );
  }

  #checkOpen(): void {
    if (this.#closed) throw new IoError("read after close", { path: this.uri });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsClient) this.#client.destroy();
  }
}

/** Secret strings in explicitly given static credentials (providers are not called here). */
export function staticSecrets(credentials: S3Options["credentials"]): string[] {
  if (!credentials || typeof credentials === "function") return [];
  return [credentials.secretAccessKey, credentials.sessionToken].filter((s): s is string => !!s);
}
