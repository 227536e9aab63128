/** A one-line progress bar on stderr, drawn only when stderr is a terminal. */
export class ProgressBar {
  #last = 0;
  readonly #enabled: boolean;

  constructor(
    readonly label: string,
    enabled = process.stderr.isTTY === true,
  ) {
    this.#enabled = enabled;
  }

  /** `fraction` in [0, 1]; `detail` is shown after the bar. Redraws at most 10 times a second. */
  update(fraction: number, detail = ""): void {
    if (!this.#enabled) return;
    const now = Date.now();
    if (now - this.#last < 100 && fraction < 1) return;
    this.#last = now;
    const width = 30;
    const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
    const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
    process.stderr.write(
      `\r${this.label} ${bar} ${(fraction * 100).toFixed(0).padStart(3)}% ${detail}\x1b[K`,
    );
  }

  done(): void {
    if (this.#enabled) process.stderr.write("\r\x1b[K");
  }
}
