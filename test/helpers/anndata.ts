/**
 * Runs Python scripts against the real anndata (Debian's python3-anndata at `referencePython`) and
 * parses the JSON they print. `PY_PRELUDE` gives scripts `dump_adata(adata)`, which turns an AnnData
 * into plain JSON (matrices as dense or CSR parts with dtypes, obs/var columns with dtype,
 * categories, codes and values, null where missing). Floats that JSON cannot hold come back as the
 * strings "NaN", "Infinity", "-Infinity".
 *
 * Suites that need anndata use `describeWithAnndata`: without it they fail when
 * CELLFEED_REQUIRE_FIXTURES=1 and skip with a message otherwise.
 */
import { execFile, spawnSync } from "node:child_process";
import { describe } from "vitest";
import { referencePython, requireFixtures } from "./fixtures.js";

let availability: string | null | undefined;

/** null when anndata, h5py, numpy, pandas and scipy import; otherwise why not. */
export function anndataUnavailableReason(): string | null {
  if (availability === undefined) {
    const r = spawnSync(referencePython, ["-c", "import anndata, h5py, numpy, pandas, scipy"], {
      encoding: "utf8",
      timeout: 60_000,
    });
    availability =
      r.status === 0
        ? null
        : `${referencePython} cannot import anndata/h5py/numpy/pandas/scipy: ${(r.stderr || String(r.error ?? "")).trim()}`;
  }
  return availability;
}

/** `describe` that needs Python anndata (see the file comment). */
export function describeWithAnndata(name: string, fn: () => void): void {
  const reason = anndataUnavailableReason();
  if (reason === null) {
    describe(name, fn);
    return;
  }
  if (requireFixtures) {
    describe(name, () => {
      throw new Error(`${reason}; CELLFEED_REQUIRE_FIXTURES=1 makes this a failure`);
    });
    return;
  }
  console.warn(`skipping '${name}': ${reason}`);
  describe.skip(name, fn);
}

/** Runs `script` (with `args` in sys.argv[1:]) and parses its stdout as JSON. */
export function runPython<T = unknown>(script: string, args: readonly string[] = []): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      referencePython,
      ["-c", script, ...args],
      { maxBuffer: 64 << 20, timeout: 120_000, env: { ...process.env, PYTHONWARNINGS: "ignore" } },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`python failed (${error.message}):\n${stderr}`));
          return;
        }
        try {
          resolvePromise(JSON.parse(stdout) as T);
        } catch (e) {
          reject(
            new Error(
              `python printed no JSON: ${String(e)}\nstdout: ${stdout.slice(0, 2000)}\nstderr: ${stderr}`,
            ),
          );
        }
      },
    );
  });
}

/** Python helpers for scripts: `to_json(obj)` and `dump_adata(adata)`. */
export const PY_PRELUDE = `
import json, math, sys, warnings
warnings.filterwarnings("ignore")
import numpy as np, pandas as pd, scipy.sparse as sp, anndata as ad, h5py

def clean(v):
    if isinstance(v, dict):
        return {str(k): clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [clean(x) for x in v]
    if isinstance(v, np.ndarray):
        return clean(v.tolist())
    if v is None or v is pd.NA:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if math.isnan(f):
            return "NaN"
        if math.isinf(f):
            return "Infinity" if f > 0 else "-Infinity"
        return f
    return v

def matrix(m):
    if sp.issparse(m):
        return {"format": m.format, "shape": list(m.shape), "dtype": str(m.dtype),
                "indptr": m.indptr, "indices": m.indices, "data": m.data,
                "indptrDtype": str(m.indptr.dtype), "indicesDtype": str(m.indices.dtype)}
    a = np.asarray(m)
    return {"format": "dense", "shape": list(a.shape), "dtype": str(a.dtype), "data": a.ravel()}

def column(s):
    d = {"dtype": str(s.dtype)}
    if isinstance(s.dtype, pd.CategoricalDtype):
        d["categories"] = list(s.cat.categories)
        d["categoriesDtype"] = str(s.cat.categories.dtype)
        d["codes"] = s.cat.codes.to_numpy()
        d["codesDtype"] = str(s.cat.codes.dtype)
        d["ordered"] = bool(s.cat.ordered)
    d["values"] = [None if (x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))) else x
                   for x in s.tolist()]
    return d

def frame(df):
    return {"index": [str(x) for x in df.index], "indexName": df.index.name, "columns": list(df.columns),
            "data": {c: column(df[c]) for c in df.columns}}

def dump_adata(a):
    return {"shape": list(a.shape), "X": matrix(a.X), "obs": frame(a.obs), "var": frame(a.var),
            "layers": {k: matrix(v) for k, v in a.layers.items()},
            "obsm": {k: matrix(v) for k, v in a.obsm.items()},
            "varm": {k: matrix(v) for k, v in a.varm.items()},
            "obsp": {k: matrix(v) for k, v in a.obsp.items()},
            "varp": {k: matrix(v) for k, v in a.varp.items()},
            "uns": {k: {"type": type(v).__name__, "value": v} for k, v in a.uns.items()}}

def print_json(obj):
    print(json.dumps(clean(obj)))
`;
