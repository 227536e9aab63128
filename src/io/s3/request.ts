import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { FormatError, InvalidArgumentError, TruncatedFileError, throwIfAborted } from "../../errors.js";
import { abortError, RemoteError } from "../remote-error.js";
import { type MapContext, mapS3Error } from "./errors.js";

type Body = AsyncIterable<Uint8Array> & { destroy?: (error?: Error) => void };

/**
 * Reads a response body of `expected` bytes. A body that ends early is a retryable error (never a
 * short result); an abort destroys the stream at once.
 */
export async function readBody(
  body: unknown,
  expected: number,
  uri: string,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const stream = body as Body | undefined;
  const out = new Uint8Array(expected);
  if (!stream) {
    if (expected === 0) return out;
    throw new RemoteError(`response has no body (expected ${expected} bytes)`, {
      path: uri,
      retryable: true,
    });
  }
  let received = 0;
  const onAbort = () => stream.destroy?.(abortError(signal, uri));
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for await (const chunk of stream) {
      if (received + chunk.length > expected) {
        stream.destroy?.();
        throw new FormatError(`response body is longer than its Content-Length (${expected})`, { path: uri });
      }
      out.set(chunk, received);
      received += chunk.length;
    }
  } catch (e) {
    if (signal?.aborted) throw abortError(signal, uri);
    throw e;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  if (received < expected) {
    throw new RemoteError(`truncated response body: got ${received} of ${expected} bytes`, {
      path: uri,
      retryable: true,
    });
  }
  return out;
}

/** Parses `bytes a-b/total` (total may be `*`). */
function parseContentRange(
  value: string | undefined,
): { start: number; end: number; total?: number } | undefined {
  const m = value ? /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value.trim()) : null;
  if (!m) return undefined;
  const total = m[3] === "*" ? undefined : Number(m[3]);
  return { start: Number(m[1]), end: Number(m[2]), ...(total === undefined ? {} : { total }) };
}

export interface RangeRequest {
  client: S3Client;
  bucket: string;
  key: string;
  uri: string;
  secrets: readonly string[];
  /** Fail with 412 (not retried) if the object's ETag is no longer this one. */
  ifMatch?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** Exactly `length` bytes from `offset` with one ranged GetObject. */
export async function getRange(req: RangeRequest, offset: number, length: number): Promise<Uint8Array> {
  const { uri, signal } = req;
  throwIfAborted(signal, { path: uri });
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new InvalidArgumentError(`bad range: offset ${offset}, length ${length}`, { path: uri });
  }
  if (length === 0) return new Uint8Array(0);
  const range = `bytes=${offset}-${offset + length - 1}`;
  const ctx: MapContext = { uri, operation: `GetObject ${range}`, signal, secrets: req.secrets };
  try {
    const response = await req.client.send(
      new GetObjectCommand({
        Bucket: req.bucket,
        Key: req.key,
        Range: range,
        ...(req.ifMatch === undefined ? {} : { IfMatch: req.ifMatch }),
      }),
      { abortSignal: signal },
    );
    const contentLength = response.ContentLength ?? 0;
    const cr = parseContentRange(response.ContentRange);
    // A server that ignores Range sends the whole object from byte 0.
    const start = cr?.start ?? 0;
    if (start !== offset && !(cr === undefined && start === 0)) {
      (response.Body as Body | undefined)?.destroy?.();
      throw new FormatError(`asked for ${range}, got ${response.ContentRange}`, { path: uri });
    }
    const total = cr?.total ?? (cr === undefined ? contentLength : undefined);
    if (total !== undefined && offset + length > total) {
      (response.Body as Body | undefined)?.destroy?.();
      throw new TruncatedFileError(
        `read of ${length} bytes at offset ${offset} passes the end of the object (${total} bytes)`,
        { path: uri },
      );
    }
    if (cr !== undefined && cr.end - cr.start + 1 !== contentLength) {
      (response.Body as Body | undefined)?.destroy?.();
      throw new RemoteError(
        `Content-Range ${response.ContentRange} disagrees with Content-Length ${contentLength}`,
        {
          path: uri,
          retryable: true,
        },
      );
    }
    const body = await readBody(response.Body, contentLength, uri, signal);
    if (body.length < length + (offset - start)) {
      throw new RemoteError(`short response: ${body.length} bytes for ${range}`, {
        path: uri,
        retryable: true,
      });
    }
    return start === offset && body.length === length
      ? body
      : body.slice(offset - start, offset - start + length);
  } catch (e) {
    throw mapS3Error(e, ctx);
  }
}
