#!/usr/bin/python3
"""Expected MappedCollection results computed with Python anndata + pandas (LaminDB's semantics).

Reads a JSON request from argv[1] and prints JSON:
  request: {paths, join, layer, obs_keys, encode_keys, unknown_label, obs_filter, indices, weights: [{keys, scaler}]}
  result:  {var_joint, n_obs_list, shape, encoders, items: [{store_idx, row, x, obs}], weights, merged_labels}
Where LaminDB is wrong on purpose (files lacking a key shorten weights/merged labels) this computes the
documented fix: such files give their cells the missing label ("nan" / null).
"""
import functools
import json
import math
import sys
import warnings

warnings.simplefilter("ignore")
import anndata as ad  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy.sparse as sp  # noqa: E402


def jsonable(v):
    if v is None:
        return None
    if isinstance(v, (float, np.floating)) and math.isnan(v):
        return None
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if v is pd.NA:
        return None
    return v


def labels_of(a, key):
    col = a.obs[key]
    out = []
    for v in col.astype(object).tolist():
        out.append(jsonable(v) if not (v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))) else None)
    return out


def categories_of(a, key):
    col = a.obs[key]
    if isinstance(col.dtype, pd.CategoricalDtype):
        return [jsonable(c) for c in col.cat.categories]
    return [jsonable(v) for v in pd.unique(col.dropna())]


def sort_key(values):
    if all(not isinstance(v, str) for v in values):
        return sorted(values)
    return sorted(values, key=str)


def matches(label, values):
    for v in values:
        if v is None:
            if label is None:
                return True
        elif label is not None:
            if isinstance(label, bool):
                if str(v) in (str(label), str(label).lower()):
                    return True
            elif isinstance(label, (int, float)) and not isinstance(v, str):
                if label == v:
                    return True
            elif str(label) == str(v) or (isinstance(label, float) and label.is_integer() and str(int(label)) == str(v)):
                return True
    return False


def main():
    req = json.loads(sys.argv[1])
    adatas = [ad.read_h5ad(p) for p in req["paths"]]
    join = req.get("join", "inner")
    var_list = [pd.Index([str(v) for v in a.var_names]) for a in adatas]
    var_joint = None
    maps = None
    if join is not None:
        if all(v.equals(var_list[0]) for v in var_list):
            var_joint = var_list[0]
        elif join == "inner":
            var_joint = functools.reduce(pd.Index.intersection, var_list)
        else:
            var_joint = functools.reduce(pd.Index.union, var_list)
        maps = [var_joint.get_indexer(v) for v in var_list]  # file col -> joint col (-1 dropped)

    obs_filter = req.get("obs_filter")
    kept = []
    for a in adatas:
        mask = np.ones(a.n_obs, dtype=bool)
        if obs_filter:
            for key, values in obs_filter.items():
                if key not in a.obs.columns:
                    mask[:] = False
                    continue
                labs = labels_of(a, key)
                mask &= np.array([matches(l, values) for l in labs], dtype=bool)
        kept.append(np.nonzero(mask)[0])
    n_obs_list = [len(k) for k in kept]
    offsets = np.cumsum([0] + n_obs_list)

    obs_keys = req.get("obs_keys", [])
    encode_keys = req.get("encode_keys", [])
    unknown = req.get("unknown_label")
    encoders = {}
    for key in encode_keys:
        cats = set()
        for a in adatas:
            if key in a.obs.columns:
                cats.update(categories_of(a, key))
        cats = sort_key(list(cats))
        enc = {}
        u = unknown.get(key) if isinstance(unknown, dict) else unknown
        if u is not None and u in [str(c) for c in cats]:
            enc[u] = -1
            cats = [c for c in cats if str(c) != u]
        enc.update({str(c): i for i, c in enumerate(cats)})
        encoders[key] = enc

    layer = req.get("layer", "X")
    items = []
    for g in req.get("indices", []):
        s = int(np.searchsorted(offsets, g, side="right") - 1)
        r = int(kept[s][g - offsets[s]])
        a = adatas[s]
        m = a.X if layer == "X" else (a.raw.X if layer == "raw.X" else a.layers[layer])
        row = m[r]
        row = np.asarray(row.todense() if sp.issparse(row) else row, dtype=np.float64).ravel()
        if maps is not None and layer != "raw.X":
            out = np.zeros(len(var_joint))
            sel = maps[s] >= 0
            out[maps[s][sel]] = row[sel]
            row = out
        obs = {}
        for key in obs_keys:
            if key not in a.obs.columns:
                obs[key] = -1 if key in encoders else None  # missing: -1 when encoded
                continue
            lab = labels_of(a, key)[r]
            if key in encoders:
                obs[key] = -1 if lab is None else encoders[key].get(str(lab), -1)
            else:
                obs[key] = lab
        items.append({"store_idx": s, "row": r, "x": [float(v) for v in row], "obs": obs})

    def merged(key):
        out = []
        for a, k in zip(adatas, kept):
            if key in a.obs.columns:
                labs = labels_of(a, key)
                out.extend(labs[i] for i in k)
            else:
                out.extend([None] * len(k))
        return out

    weights = []
    for w in req.get("weights", []):
        cols = [np.array(["nan" if v is None else str(v) for v in merged(k)], dtype=object) for k in w["keys"]]
        joined = ["__".join(t) for t in zip(*cols)]
        from collections import Counter
        c = Counter(joined)
        sc = w.get("scaler")
        weights.append([1 / c[x] if sc is None else sc / (c[x] + sc) for x in joined])

    print(json.dumps({
        "var_joint": None if var_joint is None else [str(v) for v in var_joint],
        "n_obs_list": n_obs_list,
        "shape": [int(offsets[-1]), None if var_joint is None else len(var_joint)],
        "encoders": encoders,
        "items": items,
        "weights": weights,
        "merged_labels": {k: merged(k) for k in req.get("merged", [])},
        "categories": {k: sort_key(list({c for a in adatas if k in a.obs.columns for c in categories_of(a, k)}))
                       for k in req.get("merged", [])},
    }))


if __name__ == "__main__":
    main()
