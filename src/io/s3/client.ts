import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";

/** How to reach S3. Everything is optional: the SDK's standard credential chain and config apply. */
export interface S3Options {
  /** Use this client as is (all other connection options are then ignored). */
  client?: S3Client;
  /** Region; default from `AWS_REGION` / `AWS_DEFAULT_REGION` / the shared config, else "us-east-1". */
  region?: string;
  /**
   * Custom endpoint (MinIO, moto, R2, ...). Default from `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL`
   * (unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`).
   */
  endpoint?: string;
  /** Path-style addressing (`endpoint/bucket/key`); default true when an endpoint is set. */
  forcePathStyle?: boolean;
  /** Send unsigned requests (public buckets); no credentials are looked up. */
  anonymous?: boolean;
  /** Explicit credentials (or a provider); default the SDK chain (env, profile, SSO, IMDS, ...). */
  credentials?: S3ClientConfig["credentials"];
  /** Fail a request that gets no answer within this many ms (default 30 000). */
  requestTimeoutMs?: number;
  /** Fail a connection attempt after this many ms (default 10 000). */
  connectionTimeoutMs?: number;
  /**
   * Attempts made by the SDK itself (default 1: cellfeed's `withRetry` does the retrying, including
   * for truncated bodies that the SDK would not retry).
   */
  sdkMaxAttempts?: number;
}

/** The endpoint configured through the environment, if any. */
export function endpointFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === "true") return undefined;
  const value = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  return value ? value : undefined;
}

/** Region from options, then env, then the shared config file, then "us-east-1". */
function regionProvider(region: string | undefined): S3ClientConfig["region"] {
  if (region) return region;
  const fromEnv = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  if (fromEnv) return fromEnv;
  return async () => {
    // A client without a region resolves it from the shared config (profile), or rejects.
    const probe = new S3Client({});
    try {
      return await probe.config.region();
    } catch {
      return "us-east-1";
    } finally {
      probe.destroy();
    }
  };
}

/** Unsigned requests: the "no auth" scheme with an empty identity and a signer that changes nothing. */
const anonymousAuth = {
  httpAuthSchemes: [
    {
      schemeId: "smithy.api#noAuth",
      identityProvider: () => async () => ({}),
      signer: { sign: async <R>(request: R) => request },
    },
  ],
  httpAuthSchemeProvider: () => [{ schemeId: "smithy.api#noAuth" }],
} as unknown as Partial<S3ClientConfig>;

/**
 * Builds an S3 client from `S3Options`.
 *
 * ```ts
 * const client = createS3Client({ anonymous: true, region: "us-west-2" });
 * ```
 */
export function createS3Client(options: S3Options = {}): S3Client {
  if (options.client) return options.client;
  const endpoint = options.endpoint ?? endpointFromEnv();
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  const config: S3ClientConfig = {
    region: regionProvider(options.region),
    maxAttempts: options.sdkMaxAttempts ?? 1,
    requestHandler: {
      requestTimeout,
      // Without this the SDK only logs a warning on timeout; we want an error (which we retry).
      throwOnRequestTimeout: true,
      socketTimeout: requestTimeout,
      connectionTimeout: options.connectionTimeoutMs ?? 10_000,
    } as S3ClientConfig["requestHandler"],
    // Retries are ours; keep the SDK from writing to the console.
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  };
  if (endpoint !== undefined) config.endpoint = endpoint;
  const pathStyle = options.forcePathStyle ?? endpoint !== undefined;
  if (pathStyle) config.forcePathStyle = true;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  if (options.anonymous) Object.assign(config, anonymousAuth);
  return new S3Client(config);
}
