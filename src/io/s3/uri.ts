import { InvalidArgumentError } from "../../errors.js";

/** A bucket and a key (the key may be "" or end in "/" for a prefix). */
export interface S3Location {
  bucket: string;
  key: string;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** True for strings that look like `s3://...` (any case of the scheme). */
export function isS3Uri(value: string): boolean {
  return /^s3:\/\//i.test(value);
}

/**
 * Splits `s3://bucket/key` into bucket and key. The key is taken literally (no URL decoding), as the
 * AWS CLI does. Bad URIs throw an `InvalidArgumentError` naming the URI.
 *
 * ```ts
 * parseS3Uri("s3://my-bucket/data/pbmc.h5ad"); // { bucket: "my-bucket", key: "data/pbmc.h5ad" }
 * ```
 */
export function parseS3Uri(uri: string): S3Location {
  if (typeof uri !== "string" || !isS3Uri(uri)) {
    throw new InvalidArgumentError("not an S3 URI (expected s3://bucket/key)", { path: String(uri) });
  }
  const rest = uri.slice(5);
  const slash = rest.indexOf("/");
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? "" : rest.slice(slash + 1);
  if (bucket === "") throw new InvalidArgumentError("S3 URI has no bucket name", { path: uri });
  if (!BUCKET.test(bucket) || bucket.includes("..")) {
    throw new InvalidArgumentError(
      `invalid bucket name '${bucket}' (3-63 characters: lowercase letters, digits, '.', '-')`,
      { path: uri },
    );
  }
  if (key.length > 1024) {
    throw new InvalidArgumentError(`S3 key is ${key.length} characters long (the limit is 1024)`, {
      path: uri,
    });
  }
  return { bucket, key };
}

/** The inverse of `parseS3Uri`. */
export function formatS3Uri(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}

/** Parses a URI that must name one object (a non-empty key that does not end in "/"). */
export function parseS3ObjectUri(uri: string): S3Location {
  const location = parseS3Uri(uri);
  if (location.key === "" || location.key.endsWith("/")) {
    throw new InvalidArgumentError("S3 URI names a bucket or prefix, not an object", { path: uri });
  }
  return location;
}
