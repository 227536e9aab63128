/**
 * The h5wasm runtime, loaded once per process: the wasm module, plus the HDF5 filter plugins that
 * h5wasm-plugins ships (LZF is the one anndata used to write), and the set of filter ids that this
 * runtime can actually decode.
 */
import { readdirSync } from "node:fs";

// Imported on first use, not at load: importing h5wasm instantiates its wasm (~40 MB of RSS per
// thread), which loader workers reading through the direct HDF5 reader never need.
type H5wasm = typeof import("h5wasm/node").default;

/** Filters compiled into h5wasm's HDF5: deflate (gzip), shuffle, fletcher32, szip. */
export const BUILTIN_FILTERS: ReadonlyMap<number, string> = new Map([
  [1, "gzip"],
  [2, "shuffle"],
  [3, "fletcher32"],
  [4, "szip"],
]);

/** Registered HDF5 filter ids of the plugins h5wasm-plugins may ship (file libH5Z<name>.so). */
const PLUGIN_IDS: Readonly<Record<string, number>> = {
  lzf: 32000,
  blosc: 32001,
  lz4: 32004,
  bshuf: 32008,
  zfp: 32013,
  zstd: 32015,
  jpeg: 32019,
  bitgroom: 32022,
  bitround: 32023,
  blosc2: 32026,
  bz2: 307,
};

export interface H5Runtime {
  h5wasm: H5wasm;
  /** The emscripten module (for direct, status-checked dataset reads). */
  module: Awaited<H5wasm["ready"]>;
  /** Filter id → name for every filter this runtime decodes (built-ins and installed plugins). */
  filters: ReadonlyMap<number, string>;
}

let loading: Promise<H5Runtime> | undefined;

/** Loads h5wasm and its plugins once; later calls share the same promise. */
export function loadRuntime(): Promise<H5Runtime> {
  loading ??= init();
  return loading;
}

async function init(): Promise<H5Runtime> {
  const [{ default: h5wasm }, { install_local_plugins }] = await Promise.all([
    import("h5wasm/node"),
    import("h5wasm-plugins"),
  ]);
  const module = await h5wasm.ready;
  install_local_plugins(module);
  const filters = new Map(BUILTIN_FILTERS);
  // Count a plugin as decodable only if its shared library is really on disk.
  const dir = module.get_plugin_search_paths()[0];
  if (dir !== undefined) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      names = [];
    }
    for (const file of names) {
      const m = /^libH5Z(\w+)\.so$/.exec(file);
      const id = m?.[1] === undefined ? undefined : PLUGIN_IDS[m[1]];
      if (id !== undefined && m?.[1] !== undefined) filters.set(id, m[1]);
    }
  }
  return { h5wasm, module, filters };
}

/** A conventional name for a filter id (h5py's names where it has one). */
export function filterName(id: number, fallback?: string): string {
  const builtin = BUILTIN_FILTERS.get(id);
  if (builtin !== undefined) return builtin;
  for (const [name, pid] of Object.entries(PLUGIN_IDS)) if (pid === id) return name;
  return fallback !== undefined && fallback !== "" ? fallback : "unknown";
}
