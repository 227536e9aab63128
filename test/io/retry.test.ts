import { describe, expect, it } from "vitest";
import { FileNotFoundError, TruncatedFileError } from "../../src/errors.js";
import { RemoteError } from "../../src/io/remote-error.js";
import { backoffDelay, isRetryable, retrying, withRetry } from "../../src/io/retry.js";
import type { ByteSource } from "../../src/io/types.js";

const transient = (status: number, code: string) =>
  new RemoteError(`injected ${code}`, {
    retryable: status === 429 || status >= 500,
    status,
    remoteCode: code,
  });

/** A source whose reads fail with the queued errors first. */
function flaky(errors: unknown[]): ByteSource & { attempts: number } {
  const queue = [...errors];
  const source = {
    uri: "mem://flaky",
    attempts: 0,
    size: async () => 100,
    read: async (offset: number, length: number) => {
      source.attempts++;
      const e = queue.shift();
      if (e !== undefined) throw e;
      return Uint8Array.from({ length }, (_, i) => (offset + i) & 0xff);
    },
    close: async () => {},
  };
  return source;
}

describe("isRetryable", () => {
  it("retries throttling, 5xx, resets, timeouts and truncated bodies", () => {
    expect(isRetryable(transient(503, "SlowDown"))).toBe(true);
    expect(isRetryable(transient(429, "TooManyRequests"))).toBe(true);
    expect(isRetryable(transient(500, "InternalError"))).toBe(true);
    expect(isRetryable(new RemoteError("truncated response body", { retryable: true }))).toBe(true);
    expect(isRetryable(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }))).toBe(true);
    expect(isRetryable(Object.assign(new Error("t"), { name: "TimeoutError" }))).toBe(true);
    expect(isRetryable({ $metadata: { httpStatusCode: 502 } })).toBe(true);
  });

  it("does not retry 4xx, missing objects, reads past the end or aborts", () => {
    expect(isRetryable(transient(403, "AccessDenied"))).toBe(false);
    expect(isRetryable(transient(412, "PreconditionFailed"))).toBe(false);
    expect(isRetryable(new FileNotFoundError("gone"))).toBe(false);
    expect(isRetryable(new TruncatedFileError("past end"))).toBe(false);
    expect(isRetryable({ $metadata: { httpStatusCode: 404 } })).toBe(false);
    expect(isRetryable(new Error("some bug"))).toBe(false);
  });
});

describe("backoffDelay (full jitter)", () => {
  it("is uniform below min(max, base * 2^attempt)", () => {
    expect(backoffDelay(0, { baseDelayMs: 100, random: () => 0.999 })).toBe(99);
    expect(backoffDelay(3, { baseDelayMs: 100, random: () => 0.5 })).toBe(400);
    expect(backoffDelay(10, { baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.5 })).toBe(500);
    expect(backoffDelay(4, { random: () => 0 })).toBe(0);
  });
});

describe("withRetry", () => {
  const fast = { baseDelayMs: 1, maxDelayMs: 2 };

  it("retries transient failures and returns the right bytes", async () => {
    const source = flaky([transient(503, "SlowDown"), transient(500, "InternalError")]);
    const delays: number[] = [];
    const wrapped = withRetry(source, { ...fast, retries: 2, onRetry: (i) => delays.push(i.attempt) });
    expect(Array.from(await wrapped.read(10, 3))).toEqual([10, 11, 12]);
    expect(source.attempts).toBe(3);
    expect(delays).toEqual([1, 2]);
  });

  it("gives up after `retries` and throws the last error", async () => {
    const source = flaky([transient(503, "a"), transient(503, "b"), transient(503, "c")]);
    await expect(withRetry(source, { ...fast, retries: 2 }).read(0, 1)).rejects.toThrow(/injected c/);
    expect(source.attempts).toBe(3);
  });

  it("does not retry a 403 or a missing object", async () => {
    for (const e of [transient(403, "AccessDenied"), new FileNotFoundError("missing")]) {
      const source = flaky([e]);
      await expect(withRetry(source, fast).read(0, 1)).rejects.toBe(e);
      expect(source.attempts).toBe(1);
    }
  });

  it("an abort during the backoff sleep rejects at once", async () => {
    const source = flaky([transient(503, "SlowDown")]);
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 30);
    await expect(
      withRetry(source, { baseDelayMs: 60_000, maxDelayMs: 60_000, random: () => 0.9 }).read(0, 1, {
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ code: "aborted" });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(source.attempts).toBe(1);
  });

  it("retrying() runs any operation", async () => {
    let n = 0;
    const value = await retrying(async () => {
      if (++n < 3) throw Object.assign(new Error("reset"), { code: "ECONNRESET" });
      return "ok";
    }, fast);
    expect(value).toBe("ok");
    expect(n).toBe(3);
  });
});
