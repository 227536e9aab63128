/**
 * A read-only file in h5wasm's emscripten file system whose bytes come from a `RemoteObject`.
 *
 * h5wasm's Node build uses NODERAWFS: `FS.open(path)` goes straight to `fs.openSync`, but a stream
 * that carries its own `stream_ops` is served by emscripten's generic FS code. So we wrap `FS.open`,
 * `FS.stat`/`lstat` and `FS.fstat` once: paths under `/cellfeed-stream/` get such a stream (its `read`
 * blocks on the fetcher thread), everything else goes to the original functions.
 */
import type { RemoteObject } from "./remote-object.js";

/** The slice of emscripten's FS that we use (it is untyped in h5wasm). */
interface EmFs {
  open(path: string, flags: number | string, mode?: number): EmStream;
  stat(path: string, dontFollow?: boolean): unknown;
  lstat(path: string): unknown;
  fstat(fd: number): unknown;
  createStream(stream: Partial<EmStream>, fd?: number): EmStream;
  getStream(fd: number): EmStream | null;
  ErrnoError: new (errno: number) => Error;
}

interface EmStream {
  fd: number;
  path: string;
  flags: number;
  position: number;
  seekable: boolean;
  node: { id: number; mode: number };
  stream_ops: {
    read(stream: EmStream, buffer: Uint8Array, offset: number, length: number, position: number): number;
    llseek(stream: EmStream, offset: number, whence: number): number;
  };
  remote?: RemoteObject;
}

export const STREAM_ROOT = "/cellfeed-stream/";
const S_IFREG_READONLY = 0o100444;
const EIO = 29;
const ENOENT = 44;
const EINVAL = 28;
const EROFS = 69;
const O_ACCMODE = 3;

const files = new Map<string, RemoteObject>();
let installedOn: EmFs | undefined;
let nextId = 1;

function statOf(remote: RemoteObject, id: number) {
  const epoch = new Date(0);
  return {
    dev: 0x5e,
    ino: id,
    mode: S_IFREG_READONLY,
    nlink: 1,
    uid: 0,
    gid: 0,
    rdev: 0,
    size: remote.size,
    blksize: 4096,
    blocks: Math.ceil(remote.size / 512),
    atime: epoch,
    mtime: epoch,
    ctime: epoch,
  };
}

const streamOps: EmStream["stream_ops"] = {
  read(stream, buffer, offset, length, position) {
    const remote = stream.remote!;
    try {
      return remote.readSync(position, buffer, offset, length);
    } catch (e) {
      // HDF5 sees EIO; the h5ad layer then throws this error in place of HDF5's.
      remote.lastError = e as RemoteObject["lastError"];
      throw new (installedOn as EmFs).ErrnoError(EIO);
    }
  },
  llseek(stream, offset, whence) {
    const base = whence === 0 ? 0 : whence === 1 ? stream.position : stream.remote!.size;
    const at = base + offset;
    if (at < 0) throw new (installedOn as EmFs).ErrnoError(EINVAL);
    return at;
  },
};

function install(FS: EmFs): void {
  if (installedOn === FS) return;
  installedOn = FS;
  const open = FS.open.bind(FS);
  const stat = FS.stat.bind(FS);
  const lstat = FS.lstat.bind(FS);
  const fstat = FS.fstat.bind(FS);
  FS.open = (path, flags, mode) => {
    if (typeof path !== "string" || !path.startsWith(STREAM_ROOT)) return open(path, flags, mode);
    const remote = files.get(path);
    if (remote === undefined) throw new FS.ErrnoError(ENOENT);
    if (typeof flags !== "number" || (flags & O_ACCMODE) !== 0) throw new FS.ErrnoError(EROFS);
    return FS.createStream({
      path,
      flags,
      position: 0,
      seekable: true,
      node: { id: nextId++, mode: S_IFREG_READONLY },
      stream_ops: streamOps,
      remote,
    });
  };
  FS.stat = (path, dontFollow) => {
    const remote = typeof path === "string" ? files.get(path) : undefined;
    return remote ? statOf(remote, 0) : stat(path, dontFollow);
  };
  FS.lstat = (path) => {
    const remote = typeof path === "string" ? files.get(path) : undefined;
    return remote ? statOf(remote, 0) : lstat(path);
  };
  FS.fstat = (fd) => {
    const stream = FS.getStream(fd);
    return stream?.remote ? statOf(stream.remote, stream.node.id) : fstat(fd);
  };
}

/**
 * Makes `remote` readable by h5wasm under a fresh path; returns the path and a function that
 * removes it again (call it after h5wasm closed the file).
 */
export function mountRemote(fs: unknown, remote: RemoteObject): { path: string; unmount: () => void } {
  install(fs as EmFs);
  const name = remote.uri.slice(remote.uri.lastIndexOf("/") + 1).replace(/[^\w.-]/g, "_");
  const path = `${STREAM_ROOT}${nextId++}/${name || "object"}`;
  files.set(path, remote);
  return { path, unmount: () => files.delete(path) };
}
