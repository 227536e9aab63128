import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { type FileHandle, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { IoError } from "../../errors.js";
import { abortError, RemoteError } from "../remote-error.js";
import type { ByteSource } from "../types.js";
import { suffixes } from "./paths.js";

/** The version of a remote object being downloaded. */
export interface ObjectVersion {
  size: number;
  /** Identifies the version (the ETag, or size+date when the server sends none). */
  etag: string;
  /** The ETag is the MD5 of the bytes (verified after download). */
  etagIsMd5: boolean;
}

export interface CacheProgress {
  uri: string;
  bytesDone: number;
  totalBytes: number;
  /** True when the cached copy was reused (no download). */
  reused: boolean;
}

export interface DownloadOptions {
  partSize: number;
  concurrency: number;
  signal: AbortSignal;
  onProgress: (p: CacheProgress) => void;
}

interface ProgressFile {
  etag: string;
  size: number;
  partSize: number;
  done: number[];
}

export interface MetaFile {
  uri: string;
  etag: string;
  size: number;
}

export async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/** Writes JSON through a scratch file and a rename, so readers never see half a file. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = path + suffixes.tmp;
  await writeFile(tmp, JSON.stringify(value));
  await rename(tmp, path);
}

async function md5Hex(path: string, signal: AbortSignal): Promise<string> {
  const hash = createHash("md5");
  for await (const chunk of createReadStream(path, { signal, highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest("hex");
}

/** Reopens a resumable partial download of this exact version, or starts a fresh one. */
async function openTemp(
  temp: string,
  version: ObjectVersion,
  partSize: number,
): Promise<{ handle: FileHandle; done: Set<number> }> {
  const progressPath = temp + suffixes.progress;
  const previous = await readJson<ProgressFile>(progressPath);
  const parts = Math.ceil(version.size / partSize);
  if (
    previous &&
    previous.etag === version.etag &&
    previous.size === version.size &&
    previous.partSize === partSize &&
    Array.isArray(previous.done)
  ) {
    try {
      const s = await stat(temp);
      if (s.size === version.size) {
        const done = new Set(previous.done.filter((i) => Number.isInteger(i) && i >= 0 && i < parts));
        return { handle: await open(temp, "r+"), done };
      }
    } catch {
      // No usable temp file: start over.
    }
  }
  await rm(progressPath, { force: true });
  const handle = await open(temp, "w");
  await handle.truncate(version.size);
  await writeJsonAtomic(progressPath, { ...version, partSize, done: [] });
  return { handle, done: new Set() };
}

/**
 * Downloads `source` (pinned to `version`) into `final`: parts are fetched in parallel into
 * `final.part`, each completed part is recorded in `final.part.json`, and after the size (and MD5,
 * when the ETag is one) checks pass the temp file is renamed to `final`. Interrupted downloads keep
 * the temp file and its record, and the next call fetches only the missing parts.
 */
export async function downloadTo(
  source: ByteSource,
  version: ObjectVersion,
  final: string,
  options: DownloadOptions,
): Promise<void> {
  const { partSize, signal } = options;
  const temp = final + suffixes.part;
  const progressPath = temp + suffixes.progress;
  const { handle, done } = await openTemp(temp, version, partSize);
  const parts = Math.ceil(version.size / partSize);
  const partLength = (i: number) => Math.min(partSize, version.size - i * partSize);
  let bytesDone = 0;
  for (const i of done) bytesDone += partLength(i);
  const report = (): void =>
    options.onProgress({ uri: source.uri, bytesDone, totalBytes: version.size, reused: false });
  report();

  const todo: number[] = [];
  for (let i = 0; i < parts; i++) if (!done.has(i)) todo.push(i);
  // Sidecar writes are serialised so they never overtake each other.
  let record = Promise.resolve();
  const saveProgress = () => {
    const snapshot = { ...version, partSize, done: [...done].sort((a, b) => a - b) };
    record = record.then(() => writeJsonAtomic(progressPath, snapshot));
    return record;
  };
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  let firstError: unknown;
  const worker = async () => {
    while (todo.length > 0 && !stop.signal.aborted) {
      const i = todo.shift()!;
      const data = await source.read(i * partSize, partLength(i), { signal: stop.signal });
      let written = 0;
      while (written < data.length) {
        const r = await handle.write(data, written, data.length - written, i * partSize + written);
        written += r.bytesWritten;
      }
      done.add(i);
      bytesDone += data.length;
      await saveProgress();
      report();
    }
  };
  try {
    await Promise.all(
      Array.from({ length: Math.min(options.concurrency, Math.max(1, todo.length)) }, () =>
        worker().catch((e: unknown) => {
          firstError ??= e;
          stop.abort(e);
        }),
      ),
    );
    await record.catch(() => {});
    if (firstError === undefined && signal.aborted) firstError = abortError(signal, source.uri);
    if (firstError === undefined) await handle.datasync();
  } finally {
    signal.removeEventListener("abort", onAbort);
    await handle.close();
  }
  if (firstError !== undefined) {
    // The object changed under us: its parts are worthless.
    if (firstError instanceof RemoteError && firstError.status === 412) {
      await rm(temp, { force: true });
      await rm(progressPath, { force: true });
    }
    throw signal.aborted ? abortError(signal, source.uri) : firstError;
  }

  const actual = (await stat(temp)).size;
  if (actual !== version.size || done.size !== parts) {
    throw new IoError(
      `downloaded ${actual} bytes / ${done.size} of ${parts} parts, expected ${version.size}`,
      {
        path: source.uri,
      },
    );
  }
  if (version.etagIsMd5) {
    const md5 = await md5Hex(temp, signal);
    if (md5 !== version.etag.replace(/"/g, "").toLowerCase()) {
      await rm(temp, { force: true });
      await rm(progressPath, { force: true });
      throw new IoError(`downloaded bytes have MD5 ${md5}, but the ETag is ${version.etag}`, {
        path: source.uri,
      });
    }
  }
  // Old metadata goes first: a crash between the steps leaves a file that is not reused.
  await rm(final + suffixes.meta, { force: true });
  await rename(temp, final);
  const meta: MetaFile = { uri: source.uri, etag: version.etag, size: version.size };
  await writeJsonAtomic(final + suffixes.meta, meta);
  await rm(progressPath, { force: true });
}
