/**
 * Batches cross thread boundaries by transfer, not copy: collect every ArrayBuffer a batch holds (or
 * those whose array `accept`s). A buffer shared by two views is listed once (transferring it twice
 * throws).
 */
export function collectTransferables(
  value: unknown,
  accept: (owner: ArrayBufferView | ArrayBuffer) => boolean = () => true,
  out: Set<ArrayBuffer> = new Set(),
): Set<ArrayBuffer> {
  if (value === null || typeof value !== "object") return out;
  if (ArrayBuffer.isView(value)) {
    const buffer = value.buffer;
    // Only transfer buffers the view owns entirely; a view into a larger shared pool is copied.
    if (buffer instanceof ArrayBuffer && buffer.byteLength === value.byteLength && accept(value))
      out.add(buffer);
    return out;
  }
  if (value instanceof ArrayBuffer) {
    if (accept(value)) out.add(value);
    return out;
  }
  for (const v of Array.isArray(value) ? value : Object.values(value)) collectTransferables(v, accept, out);
  return out;
}
