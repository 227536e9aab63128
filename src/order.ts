/**
 * Orderings that match Python: strings by Unicode code point (JS `<` compares UTF-16 code units, which
 * differs only when a surrogate pair meets a character in U+E000..U+FFFF). Used by the writer (dict
 * keys), MappedCollection (var joins, encoders) and SOMA (encoders).
 */

function hasSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return true;
  }
  return false;
}

/** Compares two strings by code point, as Python's `sorted` does. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  if (!hasSurrogate(a) && !hasSurrogate(b)) return a < b ? -1 : 1;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}
