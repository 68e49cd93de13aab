#!/usr/bin/env python3
"""check_phonon_layout.py OURS PHONO3PY: a phonon file ph3mpi wrote has every dataset of
phono3py's --write-phonon file of the same grid, with the same shape (ir_grid_* aside, which
phono3py writes only for its own run) and dtype kind and size, the same mesh / grid matrices
and grid addresses, and frequencies within 1e-8 THz (they do not depend on the basis). The
eigenvector columns must be orthonormal. Prints what it checked."""
import sys

import h5py
import numpy as np

ours_path, ref_path = sys.argv[1:3]
bad = []
with h5py.File(ours_path, "r") as a, h5py.File(ref_path, "r") as b:
    for name in b:
        if name not in a:
            bad.append("dataset %s missing" % name)
            continue
        x, y = a[name], b[name]
        if x.dtype.kind != y.dtype.kind or (x.dtype.kind != "S" and x.dtype.itemsize != y.dtype.itemsize):
            bad.append("%s: dtype %s, phono3py %s" % (name, x.dtype, y.dtype))
        if name not in ("ir_grid_points", "ir_grid_weights", "version") and x.shape != y.shape:
            bad.append("%s: shape %s, phono3py %s" % (name, x.shape, y.shape))
    for name in ("mesh", "grid_matrix", "P_matrix", "Q_matrix", "grid_address", "ir_grid_points", "ir_grid_weights"):
        if name in b and name in a and not np.array_equal(a[name][()], b[name][()]):
            bad.append("%s differs from phono3py's" % name)
    df = np.max(np.abs(a["frequency"][()] - b["frequency"][()]))
    print("frequency: max |ours - phono3py| = %.2e THz" % df)
    if df > 1e-8:
        bad.append("frequencies differ by %.2e THz" % df)
    e = a["eigenvector"][()]
    ortho = np.max(np.abs(np.einsum("gci,gcj->gij", e.conj(), e) - np.eye(e.shape[1])))
    print("eigenvectors: max |E^H E - 1| = %.2e" % ortho)
    if ortho > 1e-12:
        bad.append("eigenvectors not orthonormal (%.2e)" % ortho)
for b in bad:
    print("FAIL " + b)
print("layout of %s matches %s" % (ours_path, ref_path) if not bad else "")
sys.exit(1 if bad else 0)
