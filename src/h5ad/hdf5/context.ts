/**
 * What every metadata parser needs: the byte source, the address widths from the superblock, the
 * base address (addresses in the file are relative to it) and the file size for clamped reads.
 */
import { FormatError, TruncatedFileError } from "../../errors.js";
import type { ByteSource, ReadOptions } from "../../io/types.js";
import { Cursor } from "./cursor.js";

/** A source that can also read synchronously (LocalFileSource): the fast path for cached local files. */
export interface SyncByteSource {
  readonly syncReady: boolean;
  readSync(offset: number, length: number, into?: Uint8Array, at?: number): Uint8Array;
}

function syncOf(source: ByteSource): SyncByteSource | null {
  const s = source as Partial<SyncByteSource>;
  return typeof s.readSync === "function" && "syncReady" in s ? (s as SyncByteSource) : null;
}

export class FileContext {
  readonly #sync: SyncByteSource | null;

  constructor(
    readonly source: ByteSource,
    readonly offsetSize: number,
    readonly lengthSize: number,
    /** Absolute position of the superblock's base address. */
    readonly base: number,
    readonly fileSize: number,
    /** Absolute end-of-file address the superblock declares. */
    readonly endOfFile: number,
  ) {
    this.#sync = syncOf(source);
  }

  /** True when `bytesSync` may be used now. */
  get syncReady(): boolean {
    return this.#sync?.syncReady === true;
  }

  get path(): string {
    return this.source.uri;
  }

  /** Exactly `length` bytes at relative address `addr`. */
  async bytes(addr: number, length: number, options?: ReadOptions): Promise<Uint8Array> {
    return this.source.read(this.#checked(addr, length), length, options);
  }

  /**
   * `bytes` read synchronously into `into` at `intoAt` (fresh when omitted); only when `syncReady`.
   */
  bytesSync(addr: number, length: number, into?: Uint8Array, intoAt = 0): Uint8Array {
    const sync = this.#sync;
    if (!sync) throw new FormatError("this source has no synchronous reads", { path: this.path });
    return sync.readSync(this.#checked(addr, length), length, into, intoAt);
  }

  /** The absolute offset of `length` bytes at relative `addr`, after checking they lie in the file. */
  #checked(addr: number, length: number): number {
    const at = this.base + addr;
    if (addr >= 0 && at + length > this.fileSize && at + length <= this.endOfFile) {
      throw new TruncatedFileError(
        `file is truncated: it has ${this.fileSize} bytes but the superblock says ${this.endOfFile} (needed bytes ${at}..${at + length})`,
        { path: this.path },
      );
    }
    if (addr < 0 || at + length > this.fileSize) {
      throw new FormatError(`structure at file offset ${at} (+${length} bytes) lies outside the file`, {
        path: this.path,
      });
    }
    return at;
  }

  /** A cursor over `length` bytes at `addr`. */
  async cursor(addr: number, length: number, options?: ReadOptions): Promise<Cursor> {
    const b = await this.bytes(addr, length, options);
    return new Cursor(b, this.offsetSize, this.lengthSize, { path: this.path, at: this.base + addr });
  }

  /** Up to `length` bytes at `addr` (fewer at the end of the file): for speculative header reads. */
  async cursorUpTo(addr: number, length: number, options?: ReadOptions): Promise<Cursor> {
    const avail = this.fileSize - (this.base + addr);
    return this.cursor(addr, Math.max(0, Math.min(length, avail)), options);
  }

  /** A cursor over bytes already in memory that came from `addr`. */
  wrap(bytes: Uint8Array, addr: number): Cursor {
    return new Cursor(bytes, this.offsetSize, this.lengthSize, { path: this.path, at: this.base + addr });
  }
}
