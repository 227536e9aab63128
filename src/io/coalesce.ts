import { InvalidArgumentError, throwIfAborted } from "../errors.js";
import { abortable } from "./remote-error.js";
import type { ByteSource, ReadOptions } from "./types.js";

export interface ByteRange {
  offset: number;
  length: number;
}

export interface CoalesceOptions {
  /** Largest hole (bytes) between two ranges that is read through rather than split (default 64 KiB). */
  maxGap?: number;
  /** Largest merged read in bytes (default 16 MiB); a single bigger range is still read whole. */
  maxSize?: number;
}

/** One merged read and the input ranges (by index) it serves. */
export interface CoalescedRange extends ByteRange {
  members: number[];
}

/**
 * Merges ranges that overlap or lie within `maxGap` of each other into fewer, larger reads, in offset
 * order. Every input index appears in exactly one group.
 *
 * ```ts
 * coalesceRanges([{ offset: 0, length: 10 }, { offset: 12, length: 4 }], { maxGap: 8 });
 * // → [{ offset: 0, length: 16, members: [0, 1] }]
 * ```
 */
export function coalesceRanges(
  ranges: readonly ByteRange[],
  options: CoalesceOptions = {},
): CoalescedRange[] {
  const maxGap = options.maxGap ?? 64 * 1024;
  const maxSize = options.maxSize ?? 16 << 20;
  if (!(maxGap >= 0) || !(maxSize > 0)) {
    throw new InvalidArgumentError(`maxGap must be >= 0 and maxSize > 0 (got ${maxGap}, ${maxSize})`);
  }
  ranges.forEach((r, i) => {
    if (!Number.isSafeInteger(r.offset) || !Number.isSafeInteger(r.length) || r.offset < 0 || r.length < 0) {
      throw new InvalidArgumentError(`range ${i}: bad offset ${r.offset} / length ${r.length}`);
    }
  });
  const order = ranges.map((_, i) => i).sort((a, b) => ranges[a]!.offset - ranges[b]!.offset);
  const groups: CoalescedRange[] = [];
  let current: CoalescedRange | undefined;
  for (const i of order) {
    const r = ranges[i]!;
    const end = r.offset + r.length;
    if (current) {
      const currentEnd = current.offset + current.length;
      const newEnd = Math.max(currentEnd, end);
      if (r.offset - currentEnd <= maxGap && newEnd - current.offset <= maxSize) {
        current.length = newEnd - current.offset;
        current.members.push(i);
        continue;
      }
    }
    current = { offset: r.offset, length: r.length, members: [i] };
    groups.push(current);
  }
  return groups;
}

export interface ReadManyOptions extends CoalesceOptions, ReadOptions {
  /** Merged reads in flight at once (default 8). */
  concurrency?: number;
}

/**
 * Reads many ranges of one source: neighbours are coalesced, merged reads run `concurrency` at a time,
 * and the results come back in input order (each a fresh array).
 */
export async function readMany(
  source: ByteSource,
  ranges: readonly ByteRange[],
  options: ReadManyOptions = {},
): Promise<Uint8Array[]> {
  const groups = coalesceRanges(ranges, options);
  const concurrency = options.concurrency ?? 8;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new InvalidArgumentError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const signal = options.signal;
  const out: Uint8Array[] = new Array(ranges.length);
  let next = 0;
  // If one read fails, the others stop taking new work.
  const failed = new AbortController();
  const onAbort = () => failed.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  const worker = async () => {
    while (next < groups.length && !failed.signal.aborted) {
      const group = groups[next++]!;
      throwIfAborted(signal, { path: source.uri });
      const data = await source.read(group.offset, group.length, { signal: failed.signal });
      for (const i of group.members) {
        const r = ranges[i]!;
        const start = r.offset - group.offset;
        out[i] = group.members.length === 1 ? data : data.slice(start, start + r.length);
      }
    }
  };
  let firstError: unknown;
  const workers = Array.from({ length: Math.min(concurrency, groups.length) }, () =>
    worker().catch((e: unknown) => {
      firstError ??= e;
      failed.abort(e);
    }),
  );
  try {
    // The caller's abort ends the wait at once; the workers stop through `failed.signal`.
    await abortable(Promise.all(workers), signal, source.uri);
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  if (firstError !== undefined) throw firstError;
  return out;
}
