/** Seeded indices over [0, n): the last, the first twice, then pseudo-random ones (unsorted, repeats). */
export function someIndices(n: number, count: number, seed = 12345): number[] {
  const out = [n - 1, 0, 0];
  let s = seed;
  while (out.length < count) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out.push(s % n);
  }
  return out;
}
