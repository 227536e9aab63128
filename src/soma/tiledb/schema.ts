/** Array schemas (`__schema/<ts>` or legacy `__array_schema.tdb`) and enumerations. */
import { FormatError, UnsupportedFeatureError } from "../../errors.js";
import { copyBytes, Reader, utf8 } from "./bytes.js";
import { Datatype, datatypeSize, isStringType, readScalar, type Scalar } from "./datatypes.js";
import { EMPTY_PIPELINE, type Pipeline, readPipeline } from "./filters.js";

export const VAR_NUM = 0xffffffff;

export type Layout = "row-major" | "col-major" | "global" | "unordered" | "hilbert";
const LAYOUTS: Layout[] = ["row-major", "col-major", "global", "unordered", "hilbert"];

export interface Dimension {
  name: string;
  type: number;
  /** 1 for fixed-size dims, VAR_NUM for variable-size (string) dims. */
  cellValNum: number;
  filters: Pipeline;
  /** [lo, hi]; undefined for variable-size dims. */
  domain?: [Scalar, Scalar];
  /** Space tile extent; undefined when null (or for string dims). */
  extent?: Scalar;
}

export interface Attribute {
  name: string;
  type: number;
  cellValNum: number;
  filters: Pipeline;
  /** Fill value bytes (one cell). */
  fill: Uint8Array;
  nullable: boolean;
  fillValidity: number;
  /** Name of the enumeration this attribute indexes, if any. */
  enumeration?: string;
}

export interface ArraySchema {
  /** The schema file name (what fragments refer to). */
  name: string;
  version: number;
  allowsDups: boolean;
  arrayType: "dense" | "sparse";
  tileOrder: Layout;
  cellOrder: Layout;
  capacity: number;
  coordsFilters: Pipeline;
  offsetsFilters: Pipeline;
  validityFilters: Pipeline;
  dimensions: Dimension[];
  attributes: Attribute[];
  /** Enumeration name → file name inside `__schema/__enumerations/`. */
  enumerationPaths: Record<string, string>;
  /** Per-dimension [lo, hi] of the current domain (format v22+), when set. */
  currentDomain?: ([Scalar, Scalar] | [string, string])[];
}

function readDomainPair(r: Reader, type: number, nbytes: number): [Scalar, Scalar] {
  const size = datatypeSize(type);
  if (nbytes !== 2 * size)
    throw new FormatError(`domain of ${nbytes} bytes for a ${size}-byte type`, { path: r.where });
  const view = new DataView(r.bytes.buffer, r.bytes.byteOffset + r.pos, nbytes);
  r.skip(nbytes);
  return [readScalar(view, 0, type), readScalar(view, size, type)];
}

function defaultFill(type: number, cellValNum: number): Uint8Array {
  const n = cellValNum === VAR_NUM ? 1 : cellValNum;
  const size = datatypeSize(type);
  const one = new Uint8Array(size);
  const v = new DataView(one.buffer);
  switch (type) {
    case Datatype.INT8:
      v.setInt8(0, -128);
      break;
    case Datatype.INT16:
      v.setInt16(0, -32768, true);
      break;
    case Datatype.INT32:
      v.setInt32(0, -2147483648, true);
      break;
    case Datatype.UINT8:
    case Datatype.UINT16:
    case Datatype.UINT32:
    case Datatype.UINT64:
      one.fill(0xff);
      break;
    case Datatype.FLOAT32:
      v.setFloat32(0, Number.NaN, true);
      break;
    case Datatype.FLOAT64:
      v.setFloat64(0, Number.NaN, true);
      break;
    default:
      if (!isStringType(type) && size === 8) v.setBigInt64(0, -(2n ** 63n), true);
  }
  const out = new Uint8Array(size * n);
  for (let i = 0; i < n; i++) out.set(one, i * size);
  return out;
}

/** Parses a schema tile's payload. `name` is its file name. */
export function parseSchema(data: Uint8Array, name: string, where: string): ArraySchema {
  const r = new Reader(data, where);
  const version = r.u32();
  const allowsDups = version >= 5 ? r.u8() !== 0 : false;
  const arrayType = r.u8() === 0 ? "dense" : "sparse";
  const tileOrder = LAYOUTS[r.u8()] ?? "row-major";
  const cellOrder = LAYOUTS[r.u8()] ?? "row-major";
  const capacity = r.u64();
  const coordsFilters = readPipeline(r);
  const offsetsFilters = readPipeline(r);
  const validityFilters = version >= 7 ? readPipeline(r) : EMPTY_PIPELINE;
  // Domain: before v5 all dimensions share one type stored once.
  const sharedType = version < 5 ? r.u8() : Datatype.INT32;
  const ndim = r.u32();
  const dimensions: Dimension[] = [];
  for (let d = 0; d < ndim; d++) {
    const dname = r.string(r.u32());
    let type = sharedType;
    let cellValNum = 1;
    let filters = coordsFilters;
    if (version >= 5) {
      type = r.u8();
      cellValNum = r.u32();
      const p = readPipeline(r);
      if (p.filters.length > 0) filters = p; // an empty pipeline inherits the coords filters
    } else if (isStringType(type)) cellValNum = VAR_NUM;
    const domBytes = version >= 5 ? r.u64() : 2 * datatypeSize(type);
    const dim: Dimension = { name: dname, type, cellValNum, filters };
    if (domBytes !== 0) dim.domain = readDomainPair(r, type, domBytes);
    const nullExtent = r.u8();
    if (nullExtent === 0) {
      const size = datatypeSize(type);
      const view = new DataView(r.bytes.buffer, r.bytes.byteOffset + r.pos, size);
      r.skip(size);
      if (!isStringType(type)) dim.extent = readScalar(view, 0, type);
    }
    dimensions.push(dim);
  }
  const nattr = r.u32();
  const attributes: Attribute[] = [];
  for (let a = 0; a < nattr; a++) {
    const aname = r.string(r.u32());
    const type = r.u8();
    const cellValNum = r.u32();
    const filters = readPipeline(r);
    const fill = version >= 6 ? copyBytes(r.bytesView(r.u64())) : defaultFill(type, cellValNum);
    const nullable = version >= 7 ? r.u8() !== 0 : false;
    const fillValidity = version >= 7 ? r.u8() : 0;
    if (version >= 17) r.u8(); // data order: not needed to read
    const attr: Attribute = { name: aname, type, cellValNum, filters, fill, nullable, fillValidity };
    if (version >= 20) {
      const n = r.u32();
      if (n > 0) attr.enumeration = r.string(n);
    }
    attributes.push(attr);
  }
  if (version >= 18) {
    const nlabels = r.u32();
    if (nlabels > 0) throw new UnsupportedFeatureError("dimension labels are not supported", { path: where });
  }
  const enumerationPaths: Record<string, string> = {};
  if (version >= 20) {
    const n = r.u32();
    for (let i = 0; i < n; i++) {
      const ename = r.string(r.u32());
      enumerationPaths[ename] = r.string(r.u32());
    }
  }
  const schema: ArraySchema = {
    name,
    version,
    allowsDups,
    arrayType,
    tileOrder,
    cellOrder,
    capacity,
    coordsFilters,
    offsetsFilters,
    validityFilters,
    dimensions,
    attributes,
    enumerationPaths,
  };
  if (version >= 22) {
    r.u32(); // current-domain version
    const empty = r.u8();
    if (!empty) {
      const kind = r.u8();
      if (kind !== 0) throw new UnsupportedFeatureError(`current domain of kind ${kind}`, { path: where });
      schema.currentDomain = dimensions.map((d) => {
        if (d.cellValNum === VAR_NUM) {
          const size = r.u64();
          const startSize = r.u64();
          const bytes = r.bytesView(size);
          return [utf8.decode(bytes.subarray(0, startSize)), utf8.decode(bytes.subarray(startSize))];
        }
        return readDomainPair(r, d.type, 2 * datatypeSize(d.type));
      });
    }
  }
  return schema;
}

export interface Enumeration {
  name: string;
  type: number;
  cellValNum: number;
  ordered: boolean;
  /** The labels: strings for string enumerations, numbers/bigints otherwise. */
  values: (string | Scalar)[];
}

/** Parses an enumeration tile's payload (`__schema/__enumerations/<file>`). */
export function parseEnumeration(data: Uint8Array, where: string): Enumeration {
  const r = new Reader(data, where);
  r.u32(); // version
  const name = r.string(r.u32());
  r.string(r.u32()); // path name
  const type = r.u8();
  const cellValNum = r.u32();
  const ordered = r.u8() !== 0;
  const bytes = r.bytesView(r.u64());
  const values: (string | Scalar)[] = [];
  if (cellValNum === VAR_NUM) {
    const noff = r.u64() / 8;
    const offs: number[] = [];
    for (let i = 0; i < noff; i++) offs.push(r.u64());
    for (let i = 0; i < noff; i++) {
      const s = bytes.subarray(offs[i] as number, i + 1 < noff ? (offs[i + 1] as number) : bytes.byteLength);
      values.push(isStringType(type) ? utf8.decode(s) : utf8.decode(s));
    }
  } else {
    const size = datatypeSize(type) * cellValNum;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let o = 0; o + size <= bytes.byteLength; o += size) {
      if (isStringType(type)) values.push(utf8.decode(bytes.subarray(o, o + size)));
      else values.push(readScalar(view, o, type));
    }
  }
  return { name, type, cellValNum, ordered, values };
}
