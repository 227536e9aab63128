/**
 * Batches cross thread boundaries by transfer, not copy: collect every ArrayBuffer a batch holds.
 * A buffer shared by two views is listed once (transferring it twice throws).
 */
export function collectTransferables(value: unknown, out: Set<ArrayBuffer> = new Set()): Set<ArrayBuffer> {
  if (value === null || typeof value !== "object") return out;
  if (ArrayBuffer.isView(value)) {
    const buffer = value.buffer;
    // Only transfer buffers the view owns entirely; a view into a larger shared pool is copied.
    if (buffer instanceof ArrayBuffer && buffer.byteLength === value.byteLength) out.add(buffer);
    return out;
  }
  if (value instanceof ArrayBuffer) {
    out.add(value);
    return out;
  }
  if (Array.isArray(value)) {
    for (const v of value) collectTransferables(v, out);
    return out;
  }
  for (const v of Object.values(value as Record<string, unknown>)) collectTransferables(v, out);
  return out;
}
