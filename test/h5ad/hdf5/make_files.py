"""Writes the HDF5 files the direct-reader tests compare against h5wasm (argv[1] = output dir)."""
import json
import os
import sys

import h5py
import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(7)


def common(f, latest):
    f.create_dataset("contig_f64", data=rng.normal(size=1000))
    f.create_dataset("contig_i32_2d", data=rng.integers(-1000, 1000, size=(50, 7), dtype=np.int32))
    f.create_dataset("gzip_shuffle_f32", data=rng.normal(size=10000).astype(np.float32),
                     chunks=(1000,), compression="gzip", shuffle=True)
    f.create_dataset("fletcher_i16", data=rng.integers(-30000, 30000, size=3000, dtype=np.int16),
                     chunks=(512,), fletcher32=True)
    f.create_dataset("fletcher_gzip_f64", data=rng.normal(size=3001), chunks=(256,),
                     fletcher32=True, compression="gzip", shuffle=True)
    f.create_dataset("lzf_shuffle_u16", data=rng.integers(0, 65535, size=5000, dtype=np.uint16),
                     chunks=(700,), compression="lzf", shuffle=True)
    f.create_dataset("int64", data=rng.integers(-(2**50), 2**50, size=777, dtype=np.int64), chunks=(100,))
    f.create_dataset("uint64", data=rng.integers(0, 2**52, size=300, dtype=np.uint64))
    f.create_dataset("int64_huge", data=np.array([1, 2**60], dtype=np.int64))
    f.create_dataset("int8", data=rng.integers(-128, 127, size=99, dtype=np.int8), chunks=(10,), compression="gzip")
    f.create_dataset("uint8", data=rng.integers(0, 255, size=99, dtype=np.uint8))
    f.create_dataset("uint32", data=rng.integers(0, 2**32 - 1, size=99, dtype=np.uint32), chunks=(33,))
    f.create_dataset("dense2d", data=rng.normal(size=(700, 765)).astype(np.float32), chunks=(44, 96),
                     compression="gzip", compression_opts=4)
    f.create_dataset("dense3d", data=rng.normal(size=(13, 14, 15)), chunks=(5, 6, 7), compression="gzip")
    f.create_dataset("manychunks", data=np.arange(50000, dtype=np.int32), chunks=(10,))
    sparse = f.create_dataset("sparse_chunks", shape=(1000,), dtype=np.float32, chunks=(100,))
    sparse[250:420] = np.arange(170, dtype=np.float32) + 1
    filled = f.create_dataset("fill_chunked", shape=(500,), dtype=np.int16, chunks=(64,), fillvalue=-1)
    filled[100:200] = 5
    f.create_dataset("fill_contiguous", shape=(20, 3), dtype=np.float32, fillvalue=7.5)
    # Attributes added after creation overflow the first header chunk: continuation blocks.
    attrs = f.create_dataset("with_attrs", data=np.arange(12, dtype=np.float32).reshape(3, 4))
    # (6 stay below the compact-attribute limit of the latest format, so they stay in the header.)
    for i in range(6):
        attrs.attrs[f"attribute_{i}"] = np.arange(30)
    f.create_dataset("scalar", data=3.25)
    f.create_dataset("empty", shape=(0,), dtype=np.int32, chunks=(16,), maxshape=(None,))
    f.create_dataset("bigendian", data=np.arange(10, dtype=">i4"))
    f.create_dataset("strings", data=np.array([b"a", b"bc"]))
    f.create_dataset("bools", data=np.array([True, False, True]))
    # Half zeros (LZF compresses), half random bytes (LZF gives up: the chunk's filter mask is set).
    mixed = np.concatenate([np.zeros(2000), rng.normal(size=2000)])
    f.create_dataset("lzf_mixed_f64", data=mixed, chunks=(500,), compression="lzf")
    # 600 members: more symbol table nodes than one group B-tree node holds.
    g = f.create_group("many")
    for i in range(600):
        g.create_dataset(f"d{i:03d}", data=np.full(3, i, dtype=np.int32))
    f.create_group("layers/counts").create_dataset("indices", data=np.arange(40, dtype=np.int32), chunks=(8,),
                                                   compression="gzip")
    f["soft"] = h5py.SoftLink("/contig_f64")
    # Creation-order tracking: new-style groups even in the default format; 2-byte message order
    # fields in v2 object headers. 12 members: dense storage in the latest format.
    ordered = f.create_group("ordered", track_order=True)
    for i in range(12):
        ordered.create_dataset(f"m{11 - i}", data=np.arange(i, i + 5, dtype=np.int64), track_order=True)
    space = h5py.h5s.create_simple((10,))
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    ds = h5py.h5d.create(f.id, b"compact_i32", h5py.h5t.NATIVE_INT32, space, dcpl=dcpl)
    ds.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(10, dtype=np.int32) * 3)
    if latest:
        # Layout v4 chunk indexes: single chunk, implicit (early allocation, no filters),
        # extensible array (one unlimited dim), v2 B-tree (two unlimited dims).
        f.create_dataset("single_chunk_gzip", data=np.arange(500, dtype=np.float64), chunks=(500,), compression="gzip")
        f.create_dataset("single_chunk", data=np.arange(500, dtype=np.int32), chunks=(500,))
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((64,))
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
        ds = h5py.h5d.create(f.id, b"implicit_i32", h5py.h5t.NATIVE_INT32, h5py.h5s.create_simple((1000,)), dcpl=dcpl)
        ds.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(1000, dtype=np.int32) * 7)
        # 600 chunks: past the index block's super blocks into secondary super blocks.
        f.create_dataset("extensible", data=np.arange(6000, dtype=np.int32), chunks=(10,), maxshape=(None,),
                         compression="gzip")
        f.create_dataset("extensible_2d", data=rng.normal(size=(300, 7)), chunks=(16, 4), maxshape=(None, 7))
        f.create_dataset("btree2", data=np.arange(600, dtype=np.float32).reshape(20, 30), chunks=(7, 8),
                         maxshape=(None, None))


with h5py.File(os.path.join(out, "default.h5"), "w") as f:
    common(f, False)
with h5py.File(os.path.join(out, "latest.h5"), "w", libver="latest") as f:
    common(f, True)
# Chunk locations as HDF5 itself reports them, to check the chunk indexes and byteRanges().
CHUNKED = ["gzip_shuffle_f32", "fletcher_i16", "dense2d", "dense3d", "manychunks", "sparse_chunks", "lzf_mixed_f64",
           "single_chunk_gzip", "implicit_i32", "extensible", "extensible_2d", "btree2"]
info = {}
for name in ["default.h5", "latest.h5"]:
    with h5py.File(os.path.join(out, name), "r") as f:
        for key in CHUNKED:
            if key not in f:
                continue
            ds = f[key]
            chunks = [ds.id.get_chunk_info(i) for i in range(ds.id.get_num_chunks())]
            info[f"{name}:{key}"] = [
                {"offset": c.byte_offset, "length": c.size, "mask": c.filter_mask, "at": list(c.chunk_offset)}
                for c in chunks
            ]
with open(os.path.join(out, "chunks.json"), "w") as fh:
    json.dump(info, fh)

with h5py.File(os.path.join(out, "unknown_filter.h5"), "w") as f:
    # zstd (32015) is not available here: HDF5 accepts it as optional and skips it on write.
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((10,))
    dcpl.set_filter(32015, h5py.h5z.FLAG_OPTIONAL, (3,))
    ds = h5py.h5d.create(f.id, b"zstd", h5py.h5t.NATIVE_INT32, h5py.h5s.create_simple((100,)), dcpl=dcpl)
    ds.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(100, dtype=np.int32))

with h5py.File(os.path.join(out, "v108.h5"), "w", libver=("v108", "v108")) as f:
    # HDF5 1.8 format: superblock version 2, layout message version 3.
    f.create_dataset("x", data=np.arange(300, dtype=np.float64), chunks=(64,), compression="gzip")
    f.create_group("g").create_dataset("y", data=np.arange(10, dtype=np.uint16))

with h5py.File(os.path.join(out, "userblock.h5"), "w", userblock_size=512) as f:
    f.create_dataset("x", data=np.arange(100, dtype=np.float32), chunks=(30,), compression="gzip")
    f.create_dataset("y", data=np.arange(10, dtype=np.int16))
