import { abortable } from "./remote-error.js";

/**
 * One piece of work shared by several callers (one download, one block fetch). Each caller waits
 * with its own signal; the work itself is aborted only when every caller has given up.
 */
export class SharedTask<T> {
  readonly promise: Promise<T>;
  readonly #controller = new AbortController();
  #waiters = 0;
  #settled = false;

  constructor(run: (signal: AbortSignal) => Promise<T>) {
    this.promise = run(this.#controller.signal);
    this.promise.then(
      () => {
        this.#settled = true;
      },
      () => {
        this.#settled = true;
      },
    );
  }

  /** True once every caller gave up and the work was told to stop. */
  get abandoned(): boolean {
    return this.#controller.signal.aborted;
  }

  get settled(): boolean {
    return this.#settled;
  }

  /** Waits for the result; an abort of `signal` rejects this caller only. */
  async join(signal?: AbortSignal, path?: string): Promise<T> {
    this.#waiters++;
    try {
      return await abortable(this.promise, signal, path);
    } finally {
      this.#waiters--;
      if (this.#waiters === 0 && !this.#settled && signal?.aborted) {
        this.#controller.abort(signal.reason);
      }
    }
  }
}
