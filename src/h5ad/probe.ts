/**
 * Checks a path before h5wasm sees it: it exists, it starts with the HDF5 signature, and it is as
 * long as its superblock says. h5wasm reports these cases badly (aborts or garbage), so we look at
 * the bytes ourselves.
 */
import { open, stat } from "node:fs/promises";
import { FileNotFoundError, IoError, NotHdf5Error, TruncatedFileError } from "../errors.js";

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** An undefined address in HDF5 is all ones. */
const UNDEFINED = 2n ** 64n - 1n;

export interface ProbeResult {
  size: number;
  /** Where the superblock starts (0, or 512·2^k after a user block). */
  superblockOffset: number;
  superblockVersion: number;
}

/** Throws FileNotFoundError / NotHdf5Error / TruncatedFileError as appropriate. */
export async function probeHdf5(path: string): Promise<ProbeResult> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new NotHdf5Error("not a regular file", { path });
    size = st.size;
  } catch (e) {
    if (e instanceof NotHdf5Error) throw e;
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
      throw new FileNotFoundError("no such file", { path, cause: e });
    }
    throw new IoError(`cannot stat: ${(e as Error).message}`, { path, cause: e });
  }
  const handle = await open(path, "r").catch((e: unknown) => {
    throw new IoError(`cannot open: ${(e as Error).message}`, { path, cause: e });
  });
  try {
    // The superblock may sit at 0, 512, 1024, 2048, ... (after a user block).
    for (let offset = 0; offset + SIGNATURE.length <= size; offset = offset === 0 ? 512 : offset * 2) {
      const head = new Uint8Array(96);
      const { bytesRead } = await handle.read(head, 0, head.length, offset);
      if (!SIGNATURE.every((b, i) => head[i] === b)) continue;
      checkEof(path, size, offset, head.subarray(0, bytesRead));
      return { size, superblockOffset: offset, superblockVersion: head[8] ?? -1 };
    }
  } finally {
    await handle.close();
  }
  throw new NotHdf5Error("not an HDF5 file (no HDF5 signature)", { path });
}

/** Compares the superblock's end-of-file address with the real size. */
function checkEof(path: string, size: number, offset: number, sb: Uint8Array): void {
  const version = sb[8];
  if (version === undefined) throw new TruncatedFileError("file ends inside the superblock", { path });
  const view = new DataView(sb.buffer, sb.byteOffset, sb.byteLength);
  let sizeOfOffsets: number;
  let baseAt: number;
  let eofAt: number;
  if (version === 0 || version === 1) {
    sizeOfOffsets = sb[13] ?? 0;
    baseAt = version === 0 ? 24 : 28;
    eofAt = baseAt + 2 * sizeOfOffsets;
  } else if (version === 2 || version === 3) {
    sizeOfOffsets = sb[9] ?? 0;
    baseAt = 12;
    eofAt = baseAt + 2 * sizeOfOffsets;
  } else {
    return; // a future superblock version: leave the checks to HDF5
  }
  if (sizeOfOffsets !== 8 && sizeOfOffsets !== 4) return;
  if (eofAt + sizeOfOffsets > sb.length) {
    throw new TruncatedFileError("file ends inside the superblock", { path });
  }
  const read = (at: number): bigint =>
    sizeOfOffsets === 8 ? view.getBigUint64(at, true) : BigInt(view.getUint32(at, true));
  const base = read(baseAt);
  const eof = read(eofAt);
  if (eof === UNDEFINED || (sizeOfOffsets === 4 && eof === 0xffffffffn)) return;
  // Addresses are relative to the base address (the superblock's position unless set otherwise).
  const end = Number(eof + (base === UNDEFINED ? BigInt(offset) : base));
  if (end > size) {
    throw new TruncatedFileError(
      `truncated HDF5 file: the superblock says it ends at byte ${end} but the file has ${size} bytes`,
      { path },
    );
  }
}
