/**
 * `cellfeed/s3`: S3 sources and stores (needs the optional peer `@aws-sdk/client-s3`).
 *
 * ```ts
 * import { S3ByteSource, S3Store, cache } from "cellfeed/s3";
 * const local = await cache("s3://bucket/pbmc.h5ad");
 * ```
 */
export { type CacheOptions, type CacheProgress, cache } from "../cache/cache.js";
export { createS3Client, endpointFromEnv, type S3Options } from "./client.js";
export { S3ByteSource, type S3ObjectInfo, type S3SourceOptions } from "./source.js";
export { S3Store, type S3StoreOptions } from "./store.js";
export { formatS3Uri, isS3Uri, parseS3Uri, type S3Location } from "./uri.js";
