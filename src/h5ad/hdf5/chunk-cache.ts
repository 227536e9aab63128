/**
 * A byte-bounded LRU of decoded chunks, shared by the datasets of one file and keyed by the
 * chunk's file address. In-flight decodes are shared too, so parallel reads fetch a chunk once.
 */
export class ChunkCache {
  readonly #items = new Map<number, Uint8Array>();
  readonly #pending = new Map<number, Promise<Uint8Array>>();
  #bytes = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.#bytes;
  }

  /** The cached value, if any (marks it recently used). */
  peek(key: number): Uint8Array | undefined {
    const hit = this.#items.get(key);
    if (hit) {
      this.#items.delete(key);
      this.#items.set(key, hit);
    }
    return hit;
  }

  async get(key: number, load: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const hit = this.#items.get(key);
    if (hit) {
      this.#items.delete(key);
      this.#items.set(key, hit);
      return hit;
    }
    let p = this.#pending.get(key);
    if (!p) {
      p = load().then(
        (v) => {
          this.#pending.delete(key);
          this.put(key, v);
          return v;
        },
        (e: unknown) => {
          this.#pending.delete(key);
          throw e;
        },
      );
      this.#pending.set(key, p);
    }
    return p;
  }

  put(key: number, value: Uint8Array): void {
    if (this.#items.has(key)) return;
    if (value.byteLength > this.maxBytes) return;
    this.#items.set(key, value);
    this.#bytes += value.byteLength;
    for (const [k, v] of this.#items) {
      if (this.#bytes <= this.maxBytes) break;
      this.#items.delete(k);
      this.#bytes -= v.byteLength;
    }
  }
}
