/** Label orderings that match Python's `sorted`: numbers numerically, strings by code point. */
import { compareCodePoints } from "../order.js";

/**
 * Sorts label values like Python's `sorted` on one type: numbers and booleans numerically, strings by
 * code point. Mixed strings and numbers (Python raises) are sorted as strings.
 */
export function sortLabels<T extends string | number | boolean>(values: Iterable<T>): T[] {
  const out = [...values];
  if (out.every((v) => typeof v !== "string")) {
    return out.sort((a, b) => Number(a) - Number(b));
  }
  return out.sort((a, b) => compareCodePoints(String(a), String(b)));
}
