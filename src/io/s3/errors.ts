import { AbortError, CellfeedError, FileNotFoundError, TruncatedFileError } from "../../errors.js";
import { RemoteError } from "../remote-error.js";

const THROTTLING = new Set([
  "SlowDown",
  "Throttling",
  "ThrottlingException",
  "TooManyRequests",
  "RequestLimitExceeded",
]);
// S3 answers these with a 4xx status although trying again is the documented cure.
const TRANSIENT_4XX = new Set(["RequestTimeout", "RequestTimeTooSkewed"]);
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

interface SdkErrorLike {
  name?: string;
  message?: string;
  code?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $response?: { statusCode?: number };
}

/** Secrets that must never reach an error message: given credentials and the usual env variables. */
export function knownSecrets(extra: readonly (string | undefined)[] = []): string[] {
  const values = [...extra, process.env.AWS_SECRET_ACCESS_KEY, process.env.AWS_SESSION_TOKEN];
  return values.filter((v): v is string => typeof v === "string" && v.length >= 4);
}

/** Replaces secrets and signature material in `text`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join("[redacted]");
  return out
    .replace(/(Signature=)[0-9a-f]+/gi, "$1[redacted]")
    .replace(/(X-Amz-Security-Token=)[^&\s]+/gi, "$1[redacted]")
    .replace(/(X-Amz-Signature=)[^&\s]+/gi, "$1[redacted]");
}

export interface MapContext {
  uri: string;
  /** What was being done, e.g. "GetObject bytes=0-99". */
  operation: string;
  signal?: AbortSignal | undefined;
  secrets: readonly string[];
}

/**
 * Turns whatever the SDK or the socket threw into a cellfeed error. The SDK error itself is not kept
 * as `cause` (it carries request/response internals); a redacted copy of its name and message is.
 */
export function mapS3Error(error: unknown, ctx: MapContext): CellfeedError {
  const path = ctx.uri;
  if (ctx.signal?.aborted) return new AbortError("operation aborted", { path, cause: ctx.signal.reason });
  // Errors we raised ourselves (truncated bodies, range checks) pass through.
  if (error instanceof CellfeedError) return error;
  const e = (error ?? {}) as SdkErrorLike;
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const remoteCode = e.Code ?? (e.name && e.name !== "Error" ? e.name : undefined) ?? e.code;
  const rawMessage = redact(String(e.message ?? error), ctx.secrets);
  const cause = Object.assign(new Error(rawMessage), {
    name: redact(String(e.name ?? "Error"), ctx.secrets),
    ...(status === undefined ? {} : { status }),
    ...(e.code === undefined ? {} : { code: e.code }),
    ...(e.$metadata?.requestId === undefined ? {} : { requestId: e.$metadata.requestId }),
  });
  if (e.name === "AbortError" || remoteCode === "AbortError") {
    return new AbortError("operation aborted", { path, cause });
  }
  const label = [status, remoteCode].filter((x) => x !== undefined).join(" ");
  const message = `${ctx.operation} failed${label ? ` (${label})` : ""}: ${rawMessage}`;
  if (
    status === 404 ||
    remoteCode === "NoSuchKey" ||
    remoteCode === "NoSuchBucket" ||
    remoteCode === "NotFound"
  ) {
    return new FileNotFoundError(message, { path, cause });
  }
  if (status === 416 || remoteCode === "InvalidRange") {
    return new TruncatedFileError(message, { path, cause });
  }
  if (status === 412 || remoteCode === "PreconditionFailed") {
    return new RemoteError(`${message} (the object changed: its ETag no longer matches)`, {
      path,
      cause,
      retryable: false,
      status: 412,
      remoteCode: "PreconditionFailed",
    });
  }
  let retryable: boolean;
  if (status !== undefined) {
    retryable =
      status === 429 ||
      status >= 500 ||
      THROTTLING.has(remoteCode ?? "") ||
      TRANSIENT_4XX.has(remoteCode ?? "");
  } else {
    retryable =
      THROTTLING.has(remoteCode ?? "") ||
      NETWORK_CODES.has(e.code ?? "") ||
      e.name === "TimeoutError" ||
      /socket hang up|aborted|ECONNRESET|premature close/i.test(rawMessage);
  }
  return new RemoteError(message, {
    path,
    cause,
    retryable,
    ...(status === undefined ? {} : { status }),
    ...(remoteCode === undefined ? {} : { remoteCode }),
  });
}
