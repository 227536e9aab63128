/**
 * Test helper: walks an HDF5 file with h5wasm (the reference) and compares every numeric dataset
 * with the direct reader, full reads and random row ranges.
 */
import h5wasm from "h5wasm/node";
import { expect } from "vitest";
import { isCellfeedError } from "../../../src/errors.js";
import { type DirectArray, Hdf5File } from "../../../src/h5ad/hdf5/index.js";
import { LocalFileSource } from "../../../src/io/local.js";

type H5Module = Awaited<typeof h5wasm.ready>;
let ready: Promise<H5Module> | undefined;

/** h5wasm with the h5wasm-plugins filters (LZF) installed, loaded once. */
export function h5wasmReady(): Promise<H5Module> {
  ready ??= (async () => {
    const m = await h5wasm.ready;
    // Imported by name: the package ships no type declarations.
    const pluginsName = "h5wasm-plugins";
    const plugins = (await import(pluginsName)) as { install_local_plugins(m: unknown): void };
    plugins.install_local_plugins(m);
    return m;
  })();
  return ready;
}

/** HDF5 type classes (H5T_class_t) the direct reader does not decode, by name. */
export const NON_NUMERIC_CLASSES: Readonly<Record<number, string>> = {
  2: "time",
  3: "string",
  4: "bitfield",
  5: "opaque",
  6: "compound",
  7: "reference",
  8: "enum",
  9: "variable-length",
  10: "array",
};

export interface DatasetInfo {
  path: string;
  shape: number[];
  typeClass: number;
  littleEndian: boolean;
}

/** Every dataset reachable by hard links from the root (soft/external links skipped). */
export async function listDatasets(file: string): Promise<DatasetInfo[]> {
  await h5wasmReady();
  const f = new h5wasm.File(file, "r");
  try {
    const out: DatasetInfo[] = [];
    const walk = (prefix: string, g: InstanceType<typeof h5wasm.Group>) => {
      for (const key of g.keys()) {
        const path = prefix ? `${prefix}/${key}` : key;
        const obj = f.get(path);
        if (obj instanceof h5wasm.Group) walk(path, obj);
        else if (obj instanceof h5wasm.Dataset) {
          const md = obj.metadata;
          out.push({ path, shape: obj.shape ?? [], typeClass: md.type, littleEndian: md.littleEndian });
        }
      }
    };
    walk("", f);
    return out;
  } finally {
    f.close();
  }
}

function toNumbers(v: unknown): number[] {
  if (typeof v === "number" || typeof v === "bigint") return [Number(v)];
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) return Array.from(v, Number);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return v.map(Number);
  throw new Error(`unexpected h5wasm value ${String(v)}`);
}

/** A small deterministic generator for the random ranges. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface CompareResult {
  /** Numeric datasets the direct reader read identically. */
  supported: string[];
  /** Numeric datasets it declined, with the reason. */
  declined: Map<string, string>;
  /** Non-numeric datasets (declined too), with their class name. */
  nonNumeric: Map<string, string>;
  /** 64-bit integer datasets holding values beyond 2^53, whose reads must throw FormatError. */
  tooLarge: string[];
}

/**
 * Compares the direct reader with h5wasm on every dataset of `file`. Non-numeric datasets must be
 * declined (null) by the direct reader; numeric ones either match exactly or are declined.
 */
export async function compareFile(file: string, seed = 1): Promise<CompareResult> {
  const infos = await listDatasets(file);
  await h5wasmReady();
  const ref = new h5wasm.File(file, "r");
  const source = new LocalFileSource(file);
  const result: CompareResult = { supported: [], declined: new Map(), nonNumeric: new Map(), tooLarge: [] };
  const rand = lcg(seed);
  try {
    const direct = await Hdf5File.open(source);
    for (const info of infos) {
      const className = NON_NUMERIC_CLASSES[info.typeClass];
      const ds = await direct.dataset(info.path);
      if (className !== undefined) {
        expect(ds, `${info.path} (${className}) must be declined`).toBeNull();
        result.nonNumeric.set(info.path, className);
        continue;
      }
      if (!ds) {
        result.declined.set(info.path, (await direct.unsupportedReason(info.path)) ?? "?");
        continue;
      }
      const refDs = ref.get(info.path) as InstanceType<typeof h5wasm.Dataset>;
      expect(ds.shape, info.path).toEqual(info.shape);
      const rows = info.shape.length === 0 ? 1 : (info.shape[0] as number);
      const refValue = refDs.value;
      if (toNumbers(refValue).some((v) => !Number.isSafeInteger(v) && Number.isInteger(v))) {
        await expect(ds.read(0, rows), info.path).rejects.toSatisfy((e) => isCellfeedError(e, "format"));
        result.tooLarge.push(info.path);
        continue;
      }
      const full = await ds.read(0, rows);
      expect(full.length, info.path).toBe(info.shape.reduce((a, b) => a * b, 1));
      expectSame(full, toNumbers(refValue), `${info.path} full`);
      const rowElems = info.shape.slice(1).reduce((a, b) => a * b, 1);
      for (let k = 0; k < 4 && info.shape.length > 0; k++) {
        const a = Math.floor(rand() * (rows + 1));
        const b = a + Math.floor(rand() * (rows - a + 1));
        const part = await ds.read(a, b);
        const expected = b > a ? toNumbers(refDs.slice([[a, b]])) : [];
        expect(part.length, `${info.path} [${a},${b})`).toBe((b - a) * rowElems);
        expectSame(part, expected, `${info.path} [${a},${b})`);
      }
      result.supported.push(info.path);
    }
  } finally {
    ref.close();
    await source.close();
  }
  return result;
}

function expectSame(got: DirectArray, want: number[], label: string): void {
  expect(got.length, label).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i] as number;
    const w = want[i] as number;
    if (!(g === w || (Number.isNaN(g) && Number.isNaN(w)))) {
      expect(g, `${label}: element ${i}`).toBe(w);
    }
  }
}
