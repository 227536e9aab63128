/** Builds Arrow columns for the filter tests (dictionary columns with fixed levels, nulls). */
import {
  type DataType,
  Dictionary,
  Int32,
  makeData,
  makeVector,
  Utf8,
  type Vector,
  vectorFromArray,
} from "apache-arrow";

function validityBitmap(valid: boolean[]): Uint8Array {
  const bm = new Uint8Array(Math.ceil(valid.length / 8) + 1);
  valid.forEach((v, i) => {
    if (v) bm[i >> 3]! |= 1 << (i & 7);
  });
  return bm;
}

/** A dictionary (enumeration) column whose categories are exactly `levels`, in that order. */
export function dictColumn(
  values: readonly (string | null)[],
  levels: readonly string[],
  ordered = false,
): Vector {
  const type = new Dictionary(new Utf8(), new Int32(), null, ordered);
  const codes = Int32Array.from(values, (v) => {
    if (v === null) return 0;
    const code = levels.indexOf(v);
    if (code < 0) throw new Error(`'${v}' is not a level`);
    return code;
  });
  const nullCount = values.filter((v) => v === null).length;
  return makeVector(
    makeData({
      type,
      length: values.length,
      nullCount,
      nullBitmap: nullCount > 0 ? validityBitmap(values.map((v) => v !== null)) : null,
      data: codes,
      dictionary: vectorFromArray([...levels], new Utf8()),
    }),
  );
}

/** A plain column of the given type; `null` entries become nulls. */
export function column<T extends DataType>(values: readonly unknown[], type: T): Vector<T> {
  return vectorFromArray([...values] as never[], type) as unknown as Vector<T>;
}
