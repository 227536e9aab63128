/**
 * Delete commits (`__commits/<timestamped name>.del`, also embedded in consolidated `.con` lists).
 *
 * A `.del` file is one generic tile holding a serialized condition tree. libtiledb writes the
 * *negation* of the user's delete condition, so the stored tree says which cells to KEEP
 * (deletes_and_updates.cc). Node layout (deletes_and_updates/serialization.cc):
 * - expression: u8 0, u8 combination op (AND 0, OR 1, NOT 2), u64 child count, children;
 * - value: u8 1, u8 op (LT 0, LE 1, GT 2, GE 3, EQ 4, NE 5, IN 6, NOT_IN 7, ALWAYS_TRUE 253,
 *   ALWAYS_FALSE 254), u32 name length, name, u64 value length, value bytes, and for IN/NOT_IN
 *   u64 offsets length, u64 start offsets of each member in the value bytes.
 *
 * Semantics (sparse_index_reader_base.cc, reader_base.cc): a delete at time t (the first timestamp
 * of its name) is visible when its name's range lies inside the open range; it applies to a fragment
 * whose first timestamp is ≤ t. If the fragment has per-cell timestamps and t ≤ its last timestamp,
 * only cells with timestamp ≤ t are candidates. libtiledb only writes deletes for sparse arrays.
 */
import { FormatError, UnsupportedFeatureError } from "../../errors.js";
import type { ByteStore, ReadOptions } from "../../io/types.js";
import { Reader, utf8 } from "./bytes.js";
import type { Column } from "./columns.js";
import { datatypeName, datatypeSize, readScalar, type Scalar } from "./datatypes.js";
import { readGenericTile } from "./generic-tile.js";
import { permuteColumn } from "./merge.js";
import { parseTimestampedName, type TimestampedName } from "./names.js";
import type { FragmentResult } from "./read-sparse.js";
import type { ArraySchema } from "./schema.js";

export const ConditionOp = {
  LT: 0,
  LE: 1,
  GT: 2,
  GE: 3,
  EQ: 4,
  NE: 5,
  IN: 6,
  NOT_IN: 7,
  ALWAYS_TRUE: 253,
  ALWAYS_FALSE: 254,
} as const;
export const CombinationOp = { AND: 0, OR: 1, NOT: 2 } as const;

export type ConditionNode =
  | { kind: "value"; op: number; field: string; value: Uint8Array; members?: Uint8Array[] }
  | { kind: "expr"; combine: number; children: ConditionNode[] };

export interface DeleteCommit {
  name: TimestampedName;
  /** The delete time: cells of fragments written at or before it are candidates. */
  timestamp: number;
  /** Which cells survive the delete (the stored, already negated condition). */
  keep: ConditionNode;
  /** Names the file (or `.con` entry) in error messages. */
  where: string;
}

// Deeper trees than this are refused rather than risking a stack overflow on corrupt input.
const MAX_DEPTH = 256;

function parseNode(r: Reader, depth: number): ConditionNode {
  if (depth > MAX_DEPTH)
    throw new FormatError(`delete condition nested deeper than ${MAX_DEPTH}`, { path: r.where });
  const at = r.pos;
  const type = r.u8();
  if (type === 1) {
    const op = r.u8();
    if (op > 7 && op !== 253 && op !== 254)
      throw new FormatError(`unknown delete condition op ${op} at offset ${at + 1}`, { path: r.where });
    const field = r.string(r.u32());
    const value = r.bytesView(r.u64());
    if (op !== ConditionOp.IN && op !== ConditionOp.NOT_IN) return { kind: "value", op, field, value };
    const offBytes = r.bytesView(r.u64());
    if (offBytes.byteLength % 8 !== 0)
      throw new FormatError(
        `IN offsets of '${field}' are ${offBytes.byteLength} bytes, not a multiple of 8`,
        {
          path: r.where,
        },
      );
    const ov = new DataView(offBytes.buffer, offBytes.byteOffset, offBytes.byteLength);
    const n = offBytes.byteLength / 8;
    const members: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      const s = Number(ov.getBigUint64(i * 8, true));
      const e = i + 1 < n ? Number(ov.getBigUint64((i + 1) * 8, true)) : value.byteLength;
      if (s > e || e > value.byteLength)
        throw new FormatError(`IN member ${i} of '${field}' has bad offsets ${s}..${e}`, { path: r.where });
      members.push(value.subarray(s, e));
    }
    return { kind: "value", op, field, value, members };
  }
  if (type === 0) {
    const combine = r.u8();
    if (combine > 2)
      throw new FormatError(`unknown delete condition combination op ${combine} at offset ${at + 1}`, {
        path: r.where,
      });
    const count = r.u64();
    // Every child takes at least one byte: a larger count is corrupt, not a reason to loop.
    if (count === 0 || count > r.remaining || (combine === CombinationOp.NOT && count !== 1))
      throw new FormatError(`delete condition expression at offset ${at} has ${count} children`, {
        path: r.where,
      });
    const children: ConditionNode[] = [];
    for (let i = 0; i < count; i++) children.push(parseNode(r, depth + 1));
    return { kind: "expr", combine, children };
  }
  throw new FormatError(`unknown delete condition node type ${type} at offset ${at}`, { path: r.where });
}

/** Parses a serialized condition tree (the payload of a `.del` tile); trailing bytes are an error. */
export function parseCondition(bytes: Uint8Array, where: string): ConditionNode {
  const r = new Reader(bytes, where);
  const node = parseNode(r, 0);
  if (r.remaining !== 0)
    throw new FormatError(`${r.remaining} unexpected bytes after the delete condition`, { path: where });
  return node;
}

/** Decodes a whole `.del` file (generic tile + condition). */
export function parseDeleteFile(bytes: Uint8Array, name: TimestampedName, where: string): DeleteCommit {
  const keep = parseCondition(readGenericTile(bytes, where).data, where);
  return { name, timestamp: name.t1, keep, where };
}

/** Entries of a consolidated commits file: relative paths, each `.del` followed by u64 size + file bytes. */
export function readConsolidatedCommits(
  bytes: Uint8Array,
  where: string,
): { path: string; name: string; payload?: Uint8Array }[] {
  const out: { path: string; name: string; payload?: Uint8Array }[] = [];
  const r = new Reader(bytes, where);
  while (r.remaining > 0) {
    let nl = bytes.indexOf(0x0a, r.pos);
    if (nl < 0) nl = bytes.byteLength;
    const path = utf8.decode(bytes.subarray(r.pos, nl)).trim();
    r.pos = Math.min(nl + 1, bytes.byteLength);
    if (!path) continue;
    const name = path.replace(/\/+$/, "").split("/").pop() ?? path;
    if (name.endsWith(".del")) out.push({ path, name, payload: r.bytesView(r.u64()) });
    else out.push({ path, name });
  }
  return out;
}

/** Delete commits visible in the open range `[tStart, tEnd]`, oldest first (deduplicated by name). */
export async function listDeletes(
  store: ByteStore,
  tStart: number,
  tEnd: number,
  options?: ReadOptions,
): Promise<DeleteCommit[]> {
  const found = new Map<string, DeleteCommit>();
  const visible = (n: TimestampedName | undefined): n is TimestampedName =>
    n !== undefined && n.t1 >= tStart && n.t2 <= tEnd;
  for (const e of await store.list("__commits", options)) {
    if (e.isDirectory) continue;
    const where = `${store.uri}/__commits/${e.name}`;
    if (e.name.endsWith(".del")) {
      const n = parseTimestampedName(e.name);
      if (visible(n) && !found.has(e.name))
        found.set(e.name, parseDeleteFile(await store.get(`__commits/${e.name}`, options), n, where));
    } else if (e.name.endsWith(".con")) {
      const entries = readConsolidatedCommits(await store.get(`__commits/${e.name}`, options), where);
      for (const c of entries) {
        const n = parseTimestampedName(c.name);
        if (c.payload && visible(n) && !found.has(c.name))
          found.set(c.name, parseDeleteFile(c.payload, n, `${where} (${c.path})`));
      }
    }
  }
  return [...found.values()].sort((a, b) => a.timestamp - b.timestamp);
}

/** Field names a condition reads. */
export function conditionFields(node: ConditionNode, out = new Set<string>()): Set<string> {
  if (node.kind === "value") {
    if (node.op !== ConditionOp.ALWAYS_TRUE && node.op !== ConditionOp.ALWAYS_FALSE) out.add(node.field);
  } else for (const c of node.children) conditionFields(c, out);
  return out;
}

const encoder = new TextEncoder();

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

function compareScalars(a: Scalar, b: Scalar): number {
  // NaN compares as "not ordered": every relational op is then false, EQ false, NE true.
  return a < b ? -1 : a > b ? 1 : a === b ? 0 : Number.NaN;
}

function test(op: number, c: number): boolean {
  switch (op) {
    case ConditionOp.LT:
      return c < 0;
    case ConditionOp.LE:
      return c <= 0;
    case ConditionOp.GT:
      return c > 0;
    case ConditionOp.GE:
      return c >= 0;
    case ConditionOp.EQ:
      return c === 0;
    default:
      return !(c === 0); // NE
  }
}

interface EvalContext {
  columns: Record<string, Column>;
  n: number;
  where: string;
  /** Fields with an enumeration (their conditions name labels, mapped to codes by libtiledb). */
  enumerated: ReadonlySet<string>;
}

/**
 * Per cell: 1 where the condition holds, as libtiledb's sparse evaluation does it. A value node directly
 * under OR is false on null cells; elsewhere it compares the bytes stored in the cell even when null.
 */
function evaluate(node: ConditionNode, ctx: EvalContext, underOr: boolean): Uint8Array {
  const { columns, n, where } = ctx;
  const out = new Uint8Array(n);
  if (node.kind === "expr") {
    // libtiledb refuses to apply NOT as well ("not currently supported").
    if (node.combine === CombinationOp.NOT)
      throw new UnsupportedFeatureError("delete conditions with a NOT node are not supported", {
        path: where,
      });
    const and = node.combine === CombinationOp.AND;
    const parts = node.children.map((c) => evaluate(c, ctx, !and));
    out.fill(and ? 1 : 0);
    for (const p of parts)
      for (let i = 0; i < n; i++)
        out[i] = and ? (out[i] as number) & (p[i] as number) : (out[i] as number) | (p[i] as number);
    return out;
  }
  const { op, field, value } = node;
  if (op === ConditionOp.ALWAYS_TRUE) return out.fill(1);
  if (op === ConditionOp.ALWAYS_FALSE) return out;
  const col = columns[field];
  if (!col) throw new FormatError(`delete condition names unknown field '${field}'`, { path: where });
  const validity = col.validity;
  // An empty value with EQ/NE is a null test.
  if (value.byteLength === 0 && (op === ConditionOp.EQ || op === ConditionOp.NE)) {
    for (let i = 0; i < n; i++) {
      const isNull = validity ? validity[i] === 0 : false;
      out[i] = (op === ConditionOp.EQ) === isNull ? 1 : 0;
    }
    return out;
  }
  if (ctx.enumerated.has(field))
    throw new UnsupportedFeatureError(`delete conditions on enumerated field '${field}' are not supported`, {
      path: where,
    });
  compareValues(node, col, out, where);
  if (validity && underOr) for (let i = 0; i < n; i++) if (validity[i] === 0) out[i] = 0;
  return out;
}

/** Fills `out` with the comparison of each cell of `col` against the node's value(s). */
function compareValues(
  node: Extract<ConditionNode, { kind: "value" }>,
  col: Column,
  out: Uint8Array,
  where: string,
): void {
  const { op, field, value } = node;
  const n = out.length;
  const data = col.data;
  const members = node.members;
  const isIn = op === ConditionOp.IN || op === ConditionOp.NOT_IN;
  if (Array.isArray(data) && (data.length === 0 || typeof data[0] === "string")) {
    // Strings compare by their bytes, as libtiledb does.
    const strs = data as string[];
    const set = isIn ? new Set((members ?? []).map((m) => utf8.decode(m))) : undefined;
    for (let i = 0; i < n; i++) {
      const s = strs[i] as string;
      if (set) out[i] = set.has(s) === (op === ConditionOp.IN) ? 1 : 0;
      else out[i] = test(op, compareBytes(encoder.encode(s), value)) ? 1 : 0;
    }
    return;
  }
  if (Array.isArray(data) || data.length !== n)
    throw new UnsupportedFeatureError(
      `delete conditions on multi-value field '${field}' (${datatypeName(col.type)}) are not supported`,
      { path: where },
    );
  const size = datatypeSize(col.type);
  const scalar = (b: Uint8Array): Scalar => {
    if (b.byteLength !== size)
      throw new FormatError(
        `delete condition value for '${field}' is ${b.byteLength} bytes, ${datatypeName(col.type)} needs ${size}`,
        { path: where },
      );
    return readScalar(new DataView(b.buffer, b.byteOffset, b.byteLength), 0, col.type);
  };
  const nums = data as ArrayLike<Scalar>;
  if (isIn) {
    const set = new Set((members ?? []).map(scalar));
    for (let i = 0; i < n; i++) out[i] = set.has(nums[i] as Scalar) === (op === ConditionOp.IN) ? 1 : 0;
    return;
  }
  const v = scalar(value);
  for (let i = 0; i < n; i++) out[i] = test(op, compareScalars(nums[i] as Scalar, v)) ? 1 : 0;
  return;
}

/** Attributes a read must also load so the deletes that touch this fragment can be evaluated. */
export function extraAttributes(
  deletes: readonly DeleteCommit[],
  schema: ArraySchema,
  attributes: readonly string[],
): string[] {
  const fields = new Set<string>();
  for (const d of deletes) conditionFields(d.keep, fields);
  return [...fields].filter((f) => !attributes.includes(f) && schema.attributes.some((a) => a.name === f));
}

/** The deletes that apply to a fragment written in `[t1, t2]` (delete time ≥ fragment start). */
export function deletesFor(deletes: readonly DeleteCommit[], t1: number): DeleteCommit[] {
  return deletes.filter((d) => d.timestamp >= t1);
}

/**
 * Drops the cells of one fragment's result that `deletes` remove, and the `extra` columns loaded
 * only to evaluate them. `cellTimestamps` is set when the fragment stores per-cell timestamps.
 */
export function applyDeletes(
  result: FragmentResult,
  deletes: readonly DeleteCommit[],
  fragment: { t2: number; cellTimestamps: boolean },
  extra: readonly string[],
  schema: ArraySchema,
): FragmentResult {
  const n = result.count;
  if (deletes.length === 0 && extra.length === 0) return result;
  const keep = new Uint8Array(n).fill(1);
  const enumerated = new Set(schema.attributes.filter((a) => a.enumeration).map((a) => a.name));
  for (const d of deletes) {
    const k = evaluate(d.keep, { columns: result.columns, n, where: d.where, enumerated }, false);
    // Cells written after the delete survive it (only knowable from per-cell timestamps).
    const perCell = fragment.cellTimestamps && d.timestamp <= fragment.t2;
    for (let i = 0; i < n; i++)
      if (!k[i] && !(perCell && (result.priority[i] as number) > d.timestamp)) keep[i] = 0;
  }
  const columns: Record<string, Column> = {};
  let kept = 0;
  for (let i = 0; i < n; i++) kept += keep[i] as number;
  const order = new Uint32Array(kept);
  for (let i = 0, k = 0; i < n; i++) if (keep[i]) order[k++] = i;
  for (const [name, col] of Object.entries(result.columns)) {
    if (extra.includes(name)) continue;
    columns[name] = kept === n ? col : permuteColumn(col, order, n);
  }
  const priority =
    kept === n ? result.priority : Float64Array.from(order, (i) => result.priority[i] as number);
  return { columns, priority, count: kept };
}
