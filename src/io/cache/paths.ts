import { createHash } from "node:crypto";
import { homedir } from "node:os";
import { isAbsolute, join, relative, resolve } from "node:path";
import { InvalidArgumentError } from "../../errors.js";

/** `CELLFEED_CACHE_DIR`, else `~/.cache/cellfeed`. */
export function defaultCacheDir(): string {
  const fromEnv = process.env.CELLFEED_CACHE_DIR;
  return fromEnv ? resolve(fromEnv) : join(homedir(), ".cache", "cellfeed");
}

/** Keeps `[A-Za-z0-9._-]`, drops leading dots (no `..`, no hidden files), bounds the length. */
function safeSegment(text: string, max: number): string {
  const cleaned = text.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "");
  const bounded = cleaned.length > max ? cleaned.slice(cleaned.length - max) : cleaned;
  return bounded.replace(/^\.+/, "") || "object";
}

/**
 * Where the object `uri` is cached under `cacheDir`: `objects/<scheme>/<bucket>/<hash>-<name>`.
 * The hash (SHA-256 of the whole URI) makes the path unique; the readable tail (the key's last
 * segment, cleaned and shortened) keeps the file extension. Whatever the key holds (`..`, a leading
 * `/`, control or non-ASCII characters, 1 KiB of text) the path stays inside `cacheDir`.
 */
export function cachePathFor(cacheDir: string, uri: string): string {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)\/?(.*)$/is.exec(uri);
  if (!m) throw new InvalidArgumentError("not a URI with a scheme", { path: uri });
  const [, scheme = "", authority = "", key = ""] = m;
  const hash = createHash("sha256").update(uri).digest("hex").slice(0, 32);
  const last = key.split("/").filter(Boolean).pop() ?? "";
  let name = `${hash}-${safeSegment(last, 80)}`;
  // A key named like one of our sidecars must not look like one.
  if (!isDataFile(name)) name += "_";
  const root = resolve(cacheDir);
  const path = join(root, "objects", safeSegment(scheme.toLowerCase(), 16), safeSegment(authority, 63), name);
  const rel = relative(root, path);
  if (rel.startsWith("..") || isAbsolute(rel)) {
    throw new InvalidArgumentError("cache path escapes the cache directory", { path: uri });
  }
  return path;
}

/** Sidecar names next to a cached object. */
export const suffixes = {
  /** Finished object's metadata: `{ uri, etag, size }`. */
  meta: ".meta.json",
  /** Download in progress (data, preallocated to full size). */
  part: ".part",
  /** Which parts of the `.part` file are complete, keyed by ETag. */
  progress: ".part.json",
  /** Scratch name for atomic sidecar writes. */
  tmp: ".tmp",
} as const;

/** True for the main data file of a cached object (not a sidecar or temp). */
export function isDataFile(name: string): boolean {
  return !Object.values(suffixes).some((s) => name.endsWith(s));
}
