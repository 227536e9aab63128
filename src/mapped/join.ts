/**
 * Var joins, computed once per collection: LaminDB's pandas semantics (inner = intersection in the first
 * file's order reduced left to right; outer = sorted union; identical lists = no remapping) turned into
 * one Int32Array per file mapping file column → joint column (-1 = dropped by an inner join).
 */
import { DuplicateNamesError, EmptyJoinError } from "../errors.js";
import { compareCodePoints } from "../order.js";

export interface VarJoin {
  /** Joint var names (the first list when all are equal). */
  joint: string[];
  /** True when all lists are identical: no remapping. */
  equal: boolean;
  /** Per file: file column → joint column or -1; null when the file needs no remapping. */
  colMaps: (Int32Array | null)[];
}

/** Names that occur more than once, in first-occurrence order. */
export function findDuplicates(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) dup.add(n);
    else seen.add(n);
  }
  return [...dup];
}

/**
 * anndata's `var_names_make_unique` (utils.make_index_unique): the first occurrence keeps its name, later
 * ones get "-1", "-2", … skipping any name already taken.
 */
export function makeUnique(names: readonly string[], sep = "-"): string[] {
  if (findDuplicates(names).length === 0) return [...names];
  const out = [...names];
  const taken = new Set(names);
  const firstSeen = new Set<string>();
  const counter = new Map<string, number>();
  for (let i = 0; i < out.length; i++) {
    const v = names[i]!;
    if (!firstSeen.has(v)) {
      firstSeen.add(v);
      continue;
    }
    for (;;) {
      const c = (counter.get(v) ?? 0) + 1;
      counter.set(v, c);
      const candidate = `${v}${sep}${c}`;
      if (!taken.has(candidate)) {
        taken.add(candidate);
        out[i] = candidate;
        break;
      }
    }
  }
  return out;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function mapInto(names: readonly string[], pos: Map<string, number>): Int32Array {
  const m = new Int32Array(names.length);
  for (let i = 0; i < names.length; i++) m[i] = pos.get(names[i]!) ?? -1;
  return m;
}

/** True when the map is the identity over the joint space (same names in the same order). */
function isIdentity(m: Int32Array, nJoint: number): boolean {
  if (m.length !== nJoint) return false;
  for (let i = 0; i < m.length; i++) if (m[i] !== i) return false;
  return true;
}

/**
 * Joins var lists. Throws DuplicateNamesError (naming the file and names) when a remap is needed and a
 * list has duplicates, and EmptyJoinError when an inner join is empty.
 */
export function joinVars(
  varLists: readonly string[][],
  paths: readonly string[],
  how: "inner" | "outer",
): VarJoin {
  const first = varLists[0] ?? [];
  if (varLists.every((v) => sameList(v, first))) {
    return { joint: [...first], equal: true, colMaps: varLists.map(() => null) };
  }
  varLists.forEach((names, f) => {
    const dup = findDuplicates(names);
    if (dup.length > 0) {
      const shown = dup.slice(0, 10).join(", ") + (dup.length > 10 ? `, … (${dup.length} in all)` : "");
      throw new DuplicateNamesError(
        `duplicate var names cannot be joined: ${shown} (pass makeVarsUnique: true to suffix them like anndata's var_names_make_unique)`,
        { path: paths[f]!, dataset: "var" },
      );
    }
  });
  let joint: string[];
  if (how === "inner") {
    const sets = varLists.map((v) => new Set(v));
    joint = first;
    for (let f = 1; f < varLists.length; f++) {
      const s = sets[f]!;
      const next = joint.filter((n) => s.has(n));
      if (next.length === 0) throw emptyJoin(varLists, sets, paths, f);
      joint = next;
    }
    if (joint.length === 0) throw new EmptyJoinError("inner join of var names is empty", { path: paths[0]! });
  } else {
    const all = new Set<string>();
    for (const v of varLists) for (const n of v) all.add(n);
    joint = [...all].sort(compareCodePoints);
  }
  const pos = new Map<string, number>();
  for (let i = 0; i < joint.length; i++) pos.set(joint[i]!, i);
  const colMaps = varLists.map((names) => {
    const m = mapInto(names, pos);
    return isIdentity(m, joint.length) ? null : m;
  });
  return { joint, equal: false, colMaps };
}

function emptyJoin(
  lists: readonly string[][],
  sets: Set<string>[],
  paths: readonly string[],
  at: number,
): EmptyJoinError {
  // Name a pair of files with no var name in common when there is one; otherwise where the running
  // intersection ran out.
  for (let a = 0; a < lists.length; a++) {
    for (let b = a + 1; b < lists.length; b++) {
      const sb = sets[b]!;
      if (!lists[a]!.some((n) => sb.has(n))) {
        return new EmptyJoinError(
          `inner join of var names is empty: ${paths[a]} and ${paths[b]} share no var name`,
          {
            path: paths[a]!,
          },
        );
      }
    }
  }
  return new EmptyJoinError(
    `inner join of var names is empty: no var name of files ${paths.slice(0, at).join(", ")} is also in ${paths[at]}`,
    { path: paths[at]! },
  );
}
