/** Timestamped object names: `__<t1>_<t2>_<uuid>[_<v>][.ext]`, and the older `__<uuid>_<t>[_<v>]`. */

export interface TimestampedName {
  /** The entry name as listed (with extension). */
  name: string;
  /** The name without its extension. */
  stem: string;
  t1: number;
  t2: number;
  uuid: string;
  /** Format version, when the name carries it. */
  version?: number;
  ext: string;
  /** True for the oldest form `__<uuid>_<t>` (format versions 1–2). */
  uuidFirst?: boolean;
}

const NEW = /^__(\d+)_(\d+)_([0-9a-fA-F]{32})(?:_(\d+))?$/;
// Format versions 1–2: `__<uuid>_<timestamp>`; some also end with `_<v>`.
const OLD = /^__([0-9a-fA-F]{32})_(\d+)(?:_(\d+))?$/;

/** Parses a timestamped name; undefined for anything else (including `*.tmp`). */
export function parseTimestampedName(name: string): TimestampedName | undefined {
  if (name.endsWith(".tmp")) return undefined;
  const dot = name.indexOf(".");
  const stem = dot < 0 ? name : name.slice(0, dot);
  const ext = dot < 0 ? "" : name.slice(dot);
  let m = NEW.exec(stem);
  if (m) {
    const out: TimestampedName = {
      name,
      stem,
      t1: Number(m[1]),
      t2: Number(m[2]),
      uuid: m[3] as string,
      ext,
    };
    if (m[4] !== undefined) out.version = Number(m[4]);
    return out;
  }
  m = OLD.exec(stem);
  if (m) {
    const t = Number(m[2]);
    const out: TimestampedName = { name, stem, t1: t, t2: t, uuid: m[1] as string, ext, uuidFirst: true };
    if (m[3] !== undefined) out.version = Number(m[3]);
    return out;
  }
  return undefined;
}

/** Sort order libtiledb uses for timestamped files: by t1, then t2, then name. */
export function compareTimestamped(a: TimestampedName, b: TimestampedName): number {
  if (a.t1 !== b.t1) return a.t1 - b.t1;
  if (a.t2 !== b.t2) return a.t2 - b.t2;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
