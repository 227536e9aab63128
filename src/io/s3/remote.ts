import type { RemoteObject } from "../cache/cache.js";
import type { ObjectVersion } from "../cache/download.js";
import { createS3Client, type S3Options } from "./client.js";
import { S3ByteSource } from "./source.js";

/** An S3 object as `cache()` sees it: HeadObject for the version, reads pinned with If-Match. */
export function s3RemoteObject(uri: string, options: S3Options): RemoteObject {
  const client = createS3Client(options);
  const owned = options.client === undefined;
  const shared = { ...options, client };
  const probe = new S3ByteSource(uri, shared);
  return {
    uri,
    async version(signal?: AbortSignal): Promise<ObjectVersion> {
      const info = await probe.head(signal === undefined ? {} : { signal });
      const etag = info.etag ?? `size:${info.size};modified:${info.lastModified?.toISOString() ?? ""}`;
      return { size: info.size, etag, etagIsMd5: info.etagIsMd5 };
    },
    open(version: ObjectVersion) {
      const etag = version.etag.startsWith("size:") ? undefined : version.etag;
      return new S3ByteSource(uri, {
        ...shared,
        size: version.size,
        ...(etag === undefined ? {} : { etag }),
      });
    },
    async close() {
      if (owned) client.destroy();
    },
  };
}
