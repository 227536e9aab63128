/** Int32Array ↔ base64 (little-endian bytes): compact plain JSON for descriptions sent to workers. */

export function int32ToBase64(a: Int32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
}

export function base64ToInt32(s: string): Int32Array {
  const bytes = Buffer.from(s, "base64");
  const out = new Int32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
