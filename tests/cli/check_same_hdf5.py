#!/usr/bin/python3
"""check_same_hdf5.py DIR_A DIR_B: the HDF5 files under DIR_A and DIR_B (same relative names)
hold the same datasets (names, dtype, shape, storage filter and chunks) with bit-identical
values. HDF5 object headers carry modification times, so the files are compared by content,
not byte by byte. Exit 1 on any difference."""
import os
import sys

import h5py
import numpy as np


def hdf5_files(root):
    found = set()
    for folder, _, names in os.walk(root):
        found.update(os.path.relpath(os.path.join(folder, n), root) for n in names if n.endswith(".hdf5"))
    return found


def main(a, b):
    files_a, files_b = hdf5_files(a), hdf5_files(b)
    problems = []
    if not files_a:
        problems.append(f"no HDF5 file under {a}")
    if files_a != files_b:
        problems.append(f"file sets differ: {sorted(files_a ^ files_b)}")
    datasets = 0
    for rel in sorted(files_a & files_b):
        with h5py.File(os.path.join(a, rel), "r") as x, h5py.File(os.path.join(b, rel), "r") as y:
            names_a, names_b = [], []
            x.visit(names_a.append)
            y.visit(names_b.append)
            if names_a != names_b:
                problems.append(f"{rel}: datasets {names_a} != {names_b}")
                continue
            for name in names_a:
                u, v = x[name], y[name]
                if not isinstance(u, h5py.Dataset):
                    continue
                datasets += 1
                layout_u = (u.dtype, u.shape, u.compression, u.chunks)
                layout_v = (v.dtype, v.shape, v.compression, v.chunks)
                if layout_u != layout_v:
                    problems.append(f"{rel}/{name}: {layout_u} != {layout_v}")
                elif np.asarray(u[()]).tobytes() != np.asarray(v[()]).tobytes():
                    problems.append(f"{rel}/{name}: values differ")
    for p in problems:
        print("DIFFERENT:", p)
    print(f"{len(files_a & files_b)} files, {datasets} datasets compared bit for bit, {len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
