# Writes the small synthetic .h5ad files used by test/h5ad/generated.test.ts (argv[1] = output folder).
import sys, os, h5py, numpy as np, anndata, pandas as pd, scipy.sparse as sp
out = sys.argv[1]
P = lambda n: os.path.join(out, n)
str_dt = h5py.string_dtype()

# HDF5 but not AnnData
with h5py.File(P("plain.h5"), "w") as f:
    f["foo"] = np.arange(3)

# A small valid AnnData written by anndata itself, then copies with edits
a = anndata.AnnData(
    X=np.arange(12, dtype="f4").reshape(4, 3),
    obs=pd.DataFrame({"c": pd.Categorical(["a", "b", "a", None])}, index=[f"c{i}" for i in range(4)]),
    var=pd.DataFrame(index=["g0", "g1", "g2"]),
)
a.write_h5ad(P("base.h5ad"))
import shutil
def edited(name, fn):
    shutil.copy(P("base.h5ad"), P(name))
    with h5py.File(P(name), "r+") as f:
        fn(f)
edited("unknown_root.h5ad", lambda f: f.attrs.__setitem__("encoding-version", "0.9.0"))
def x_enc(f):
    f["X"].attrs["encoding-type"] = "awkward-array"
    f["X"].attrs["encoding-version"] = "0.1.0"
edited("unknown_x.h5ad", x_enc)
def x_ver(f):
    f["X"].attrs["encoding-version"] = "9.9.9"
edited("unknown_x_version.h5ad", x_ver)
def col_enc(f):
    f["obs/c"].attrs["encoding-type"] = "fancy-categorical"
    f["obs/c"].attrs["encoding-version"] = "0.3.0"
edited("unknown_col.h5ad", col_enc)
def unknown_filter(f):
    del f["X"]
    d = f.create_dataset("X", shape=(4, 3), dtype="f4", chunks=(4, 3), compression=32099, allow_unknown_filter=True)
    d.id.write_direct_chunk((0, 0), np.arange(12, dtype="f4").tobytes(), filter_mask=0)
    d.attrs["encoding-type"] = "array"
    d.attrs["encoding-version"] = "0.2.0"
edited("unknown_filter.h5ad", unknown_filter)

# anndata 0.7-style: no root attrs, __categories + object references, code -1 missing,
# a zero-length category list, int categories; X as a legacy h5sparse CSC group with int64 indices.
with h5py.File(P("v07_handmade.h5ad"), "w") as f:
    obs = f.create_group("obs")
    obs.attrs["_index"] = "_index"
    obs.attrs["encoding-type"] = "dataframe"
    obs.attrs["encoding-version"] = "0.1.0"
    obs.attrs["column-order"] = np.array(["cat", "empty", "intcat", "flag"], dtype=object)
    obs.create_dataset("_index", data=np.array(["r0", "r1", "r2", "r3"], dtype=object), dtype=str_dt)
    cats = obs.create_group("__categories")
    c1 = cats.create_dataset("cat", data=np.array(["x", "y", "z"], dtype=object), dtype=str_dt)
    c1.attrs["ordered"] = True
    c2 = cats.create_dataset("empty", data=np.array([], dtype=object), dtype=str_dt)
    c2.attrs["ordered"] = False
    c3 = cats.create_dataset("intcat", data=np.array([10, 20], dtype="i8"))
    c3.attrs["ordered"] = False
    d = obs.create_dataset("cat", data=np.array([2, -1, 0, 2], dtype="i1"))
    d.attrs["categories"] = c1.ref
    d = obs.create_dataset("empty", data=np.array([-1, -1, -1, -1], dtype="i1"))
    d.attrs["categories"] = c2.ref
    d = obs.create_dataset("intcat", data=np.array([1, 0, -1, 1], dtype="i1"))
    d.attrs["categories"] = c3.ref
    obs.create_dataset("flag", data=np.array([True, False, True, True]))
    var = f.create_group("var")
    var.attrs["_index"] = "_index"
    var.attrs["encoding-type"] = "dataframe"
    var.attrs["encoding-version"] = "0.1.0"
    var.attrs["column-order"] = np.array([], dtype="f8")
    var.create_dataset("_index", data=np.array(["g0", "g1", "g2"], dtype=object), dtype=str_dt)
    m = sp.csc_matrix(np.array([[1, 0, 2], [0, 0, 3], [4, 5, 0], [0, 6, 0]], dtype="f8"))
    x = f.create_group("X")
    x.attrs["h5sparse_format"] = "csc"
    x.attrs["h5sparse_shape"] = np.array([4, 3])
    x["data"] = m.data
    x["indices"] = m.indices.astype("i8")
    x["indptr"] = m.indptr.astype("i8")

# Pre-0.7 style: compound obs/var, categories in uns/<col>_categories, code -1 missing.
with h5py.File(P("v06_compound.h5ad"), "w") as f:
    obs = np.zeros(3, dtype=[("index", "S4"), ("kind", "i1"), ("score", "<f4"), ("ok", "?")])
    obs["index"] = [b"c0", b"c1", b"c2"]
    obs["kind"] = [1, -1, 0]
    obs["score"] = [0.5, np.nan, 2.0]
    obs["ok"] = [True, False, True]
    f.create_dataset("obs", data=obs)
    var = np.zeros(2, dtype=[("index", "S4"), ("n", "<i8")])
    var["index"] = [b"g0", b"g1"]
    var["n"] = [7, 9]
    f.create_dataset("var", data=var)
    f.create_dataset("X", data=np.array([[1, 0], [0, 2], [3, 4]], dtype="f4"))
    f.create_dataset("uns/kind_categories", data=np.array([b"alpha", b"beta"]))
    f.create_dataset("uns/other", data=np.arange(2))

# Modern nullable-string-array column (anndata >= 0.11), hand-written.
shutil.copy(P("base.h5ad"), P("nullable_str.h5ad"))
with h5py.File(P("nullable_str.h5ad"), "r+") as f:
    g = f["obs"].create_group("s")
    g.attrs["encoding-type"] = "nullable-string-array"
    g.attrs["encoding-version"] = "0.1.0"
    g.create_dataset("values", data=np.array(["u", "", "w", "v"], dtype=object), dtype=str_dt)
    g.create_dataset("mask", data=np.array([False, True, False, False]))
    f["obs"].attrs["column-order"] = np.array(["c", "s"], dtype=object)
print("ok")
