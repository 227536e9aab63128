/** Result columns and the byte-level helpers that build them from tiles. */
import { concatBytes, copyBytes, decodeString } from "./bytes.js";
import { isStringType, type NumericArray, type Scalar, viewAs } from "./datatypes.js";
import type { Attribute, Dimension } from "./schema.js";
import { VAR_NUM } from "./schema.js";

/**
 * One result column. `data` is a typed array for fixed-size numeric fields (cell_val_num > 1 gives
 * cell_val_num consecutive values per cell; INT64/UINT64/DATETIME give BigInt64Array/BigUint64Array),
 * `string[]` for string fields, and an array of typed arrays for variable-size numeric fields.
 * `validity` (1 = valid) is present for nullable attributes. For an enumerated attribute `data` holds
 * the codes and `enumeration` the labels (see `columnValues`).
 */
export interface Column {
  type: number;
  data: NumericArray | string[] | NumericArray[];
  validity?: Uint8Array;
  enumeration?: (string | Scalar)[];
}

/** Gathered raw pieces of one field, concatenated at the end. */
export class ColumnBuilder {
  private fixed: Uint8Array[] = [];
  private strings: string[] = [];
  private vars: NumericArray[] = [];
  private validity: Uint8Array[] = [];
  readonly isVar: boolean;
  readonly isString: boolean;

  constructor(
    readonly field: Attribute | Dimension,
    readonly nullable: boolean,
  ) {
    this.isVar = field.cellValNum === VAR_NUM;
    this.isString = isStringType(field.type);
  }

  /** Fixed-size cells: `bytes` already holds exactly the kept cells. */
  addFixed(bytes: Uint8Array): void {
    this.fixed.push(bytes);
  }

  /** Variable-size cells `idx` of a tile: `offsets` per cell (no trailing one) into `data`. */
  addVar(offsets: Float64Array, data: Uint8Array, idx: ArrayLike<number>): void {
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k] as number;
      const s = offsets[i] as number;
      const e = i + 1 < offsets.length ? (offsets[i + 1] as number) : data.byteLength;
      const piece = data.subarray(s, e);
      if (this.isString) this.strings.push(decodeString(piece));
      // A copy: tiles may live on in the array's tile cache.
      else this.vars.push(viewAs(copyBytes(piece), this.field.type));
    }
  }

  /** Fixed-size string cells (e.g. CHAR with cell_val_num N). */
  addFixedStrings(bytes: Uint8Array, cellBytes: number): void {
    for (let o = 0; o + cellBytes <= bytes.byteLength; o += cellBytes)
      this.strings.push(decodeString(bytes.subarray(o, o + cellBytes)));
  }

  addValidity(v: Uint8Array): void {
    this.validity.push(v);
  }

  build(): Column {
    const type = this.field.type;
    let data: Column["data"];
    if (this.isString) data = this.strings;
    else if (this.isVar) data = this.vars;
    else data = viewAs(copyBytes(concatBytes(this.fixed)), type);
    const col: Column = { type, data };
    if (this.nullable) col.validity = copyBytes(concatBytes(this.validity));
    return col;
  }
}

/** Copies the cells listed in `idx` (each `cellBytes` wide) out of `tile`. */
export function gatherCells(
  tile: Uint8Array,
  cellBytes: number,
  idx: ArrayLike<number>,
  all: boolean,
): Uint8Array {
  if (all) return tile;
  const out = new Uint8Array(idx.length * cellBytes);
  if (cellBytes === 8 && tile.byteOffset % 8 === 0) {
    const src = new Float64Array(tile.buffer, tile.byteOffset, tile.byteLength / 8);
    const dst = new Float64Array(out.buffer);
    // Copy bit patterns through a Uint32 pair to avoid NaN canonicalisation.
    const s32 = new Uint32Array(src.buffer, src.byteOffset, src.length * 2);
    const d32 = new Uint32Array(dst.buffer);
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k] as number;
      d32[2 * k] = s32[2 * i] as number;
      d32[2 * k + 1] = s32[2 * i + 1] as number;
    }
    return out;
  }
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k] as number;
    out.set(tile.subarray(i * cellBytes, (i + 1) * cellBytes), k * cellBytes);
  }
  return out;
}

/** Per cell: the label of an enumerated column, its value otherwise; null where invalid. */
export function columnValues(col: Column): unknown[] {
  const out: unknown[] = [];
  const n = col.data.length;
  for (let i = 0; i < n; i++) {
    if (col.validity && col.validity[i] === 0) {
      out.push(null);
      continue;
    }
    const v = (col.data as ArrayLike<unknown>)[i];
    out.push(col.enumeration ? col.enumeration[Number(v)] : v);
  }
  return out;
}
