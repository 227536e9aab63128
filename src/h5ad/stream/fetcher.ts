/**
 * The fetcher worker of a streamed file: it owns the S3 source (retried, block-cached) and answers
 * the reader's synchronous range requests through shared memory (see protocol.ts).
 */
import { type MessagePort, workerData } from "node:worker_threads";
import { BlockCache } from "../../io/block-cache.js";
import { withRetry } from "../../io/retry.js";
import { S3ByteSource } from "../../io/s3/source.js";
import type { ByteSource, ReadOptions } from "../../io/types.js";
import {
  DONE,
  FAILED,
  type FetcherData,
  type FetcherReply,
  RESULT_LENGTH,
  type ReadRequest,
  STAT_BYTES,
  STAT_REQUESTS,
  STATE,
  toPortable,
} from "./protocol.js";

/** Counts every ranged GET sent (retries included) and the bytes that came back. */
function counted(source: ByteSource, stats: Float64Array): ByteSource {
  return {
    uri: source.uri,
    size: (o?: ReadOptions) => source.size(o),
    async read(offset, length, o) {
      stats[STAT_REQUESTS] = (stats[STAT_REQUESTS] ?? 0) + 1;
      const bytes = await source.read(offset, length, o);
      stats[STAT_BYTES] = (stats[STAT_BYTES] ?? 0) + bytes.length;
      return bytes;
    },
    close: () => source.close(),
  };
}

function start(port: MessagePort, d: FetcherData): void {
  const control = new Int32Array(d.control);
  const stats = new Float64Array(d.control);
  const data = new Uint8Array(d.data);
  let source: ByteSource = counted(new S3ByteSource(d.uri, d.s3), stats);
  if (d.retry !== false) source = withRetry(source, d.retry);
  const blocks = new BlockCache(source, { blockSize: d.blockSize, maxBytes: d.maxCacheBytes });
  let size = 0;
  let lastEnd = -1;
  const post = (m: FetcherReply) => port.postMessage(m);

  const answer = (state: number, length: number) => {
    Atomics.store(control, RESULT_LENGTH, length);
    Atomics.store(control, STATE, state);
    Atomics.notify(control, STATE);
  };

  const readAhead = (from: number) => {
    // Sequential reading (the reader asked for the bytes right after its last read): fetch the next
    // blocks in the background so the following reads find them in memory.
    for (let k = 0; k < d.readAheadBlocks; k++) {
      const at = (Math.floor(from / d.blockSize) + k) * d.blockSize;
      if (at >= size) break;
      blocks.read(at, Math.min(d.blockSize, size - at)).catch(() => {});
    }
  };

  // The reader ends this thread with terminate() when it closes the file.
  port.on("message", async (m: ReadRequest) => {
    try {
      const length = Math.min(m.length, data.length, Math.max(0, size - m.offset));
      const bytes = await blocks.read(m.offset, length);
      data.set(bytes);
      const sequential = m.offset === lastEnd;
      lastEnd = m.offset + length;
      answer(DONE, length);
      if (sequential) readAhead(lastEnd);
    } catch (e) {
      // The error travels in the data buffer: the reader is blocked and cannot take messages.
      const json = new TextEncoder().encode(JSON.stringify(toPortable(e))).subarray(0, data.length);
      data.set(json);
      answer(FAILED, json.length);
    }
  });

  blocks.size().then(
    (n) => {
      size = n;
      post({ type: "ready", size: n });
    },
    (e: unknown) => post({ type: "error", error: toPortable(e) }),
  );
}

const init = workerData as (FetcherData & { port: MessagePort }) | null;
if (init?.port) start(init.port, init);
