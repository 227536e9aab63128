/**
 * A byte-bounded LRU of unfiltered (decoded) tiles, one per opened array and shared by all its
 * reads: scattered-row reads that touch the same tiles decode them once. Tiles being decoded are
 * tracked too, so concurrent reads of one tile share the work.
 */

/** Default budget of an array's tile cache. */
export const DEFAULT_TILE_CACHE_BYTES = 64 * 1024 * 1024;

export interface TileCacheStats {
  hits: number;
  misses: number;
  /** Bytes of tiles held now. */
  bytes: number;
  tiles: number;
  evictions: number;
}

export class TileCache {
  readonly maxBytes: number;
  readonly #tiles = new Map<string, Uint8Array>();
  readonly #pending = new Map<string, Promise<Uint8Array>>();
  readonly stats: TileCacheStats = { hits: 0, misses: 0, bytes: 0, tiles: 0, evictions: 0 };

  constructor(maxBytes: number = DEFAULT_TILE_CACHE_BYTES) {
    this.maxBytes = Math.max(0, maxBytes);
  }

  /** A cached tile (marked most recently used), or a decode of it under way. */
  lookup(key: string): Uint8Array | Promise<Uint8Array> | undefined {
    const t = this.#tiles.get(key);
    if (t) {
      this.#tiles.delete(key);
      this.#tiles.set(key, t);
      this.stats.hits++;
      return t;
    }
    const p = this.#pending.get(key);
    if (p) this.stats.hits++;
    else this.stats.misses++;
    return p;
  }

  /** Registers a decode in flight; it is dropped from the pending set when it settles. */
  pending(key: string, p: Promise<Uint8Array>): void {
    this.#pending.set(key, p);
    const done = () => {
      if (this.#pending.get(key) === p) this.#pending.delete(key);
    };
    p.then(done, done);
  }

  /** Stores a decoded tile (tiles larger than the whole budget are not kept). */
  put(key: string, tile: Uint8Array): void {
    if (tile.byteLength > this.maxBytes) return;
    // A tile that is a small view of a large fetched run would pin the whole run: keep a copy.
    const own = tile.byteLength * 2 < tile.buffer.byteLength ? tile.slice() : tile;
    const old = this.#tiles.get(key);
    if (old) {
      this.#tiles.delete(key);
      this.stats.bytes -= old.byteLength;
    }
    this.#tiles.set(key, own);
    this.stats.bytes += own.byteLength;
    for (const [k, v] of this.#tiles) {
      if (this.stats.bytes <= this.maxBytes) break;
      this.#tiles.delete(k);
      this.stats.bytes -= v.byteLength;
      this.stats.evictions++;
    }
    this.stats.tiles = this.#tiles.size;
  }

  clear(): void {
    this.#tiles.clear();
    this.stats.bytes = 0;
    this.stats.tiles = 0;
  }
}
