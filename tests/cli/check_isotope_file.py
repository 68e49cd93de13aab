"""Compare ph3mpi's isotope-m<mesh>.hdf5 with phono3py's isotope_gp105.hdf5.

Usage: check_isotope_file.py ISOTOPE_FILE REFERENCE_FILE
gamma (methods, gp, band): method 0 = tetrahedron, 1 = sigma 0.1, as the reference's
(sigma, gp, band). Values above 1e-12 of the largest are compared relatively (1e-8),
the rest absolutely (1e-8 * largest).
"""
import sys

import h5py
import numpy as np

TOL = 1e-8


def compare(name, got, ref):
    got = np.asarray(got, dtype=float)
    ref = np.asarray(ref, dtype=float)
    if got.shape != ref.shape:
        sys.exit(f"{name}: shape {got.shape} != reference {ref.shape}")
    scale = np.abs(ref).max()
    big = np.abs(ref) > 1e-12 * scale
    rel = np.abs(got[big] - ref[big]) / np.abs(ref[big])
    max_rel = rel.max() if rel.size else 0.0
    max_abs = np.abs(got[~big] - ref[~big]).max() if (~big).any() else 0.0
    print(f"{name}: max relative deviation {max_rel:.3e} ({big.sum()} values), "
          f"max absolute on small values {max_abs:.3e}")
    return max_rel <= TOL and max_abs <= TOL * scale


def main():
    out, ref_path = sys.argv[1], sys.argv[2]
    with h5py.File(out, "r") as f, h5py.File(ref_path, "r") as r:
        if list(f["grid_point"][:]) != list(r["grid_points"][:]):
            sys.exit("grid points differ from the reference")
        if int(f["tetrahedron"][()]) != 1 or list(f["sigma"][:]) != [0.1]:
            sys.exit("tetrahedron flag / sigma datasets wrong")
        ok = compare("mass_variances", f["mass_variances"][:], r["mass_variances"][:])
        ok &= compare("frequency", f["frequency"][:], r["frequencies"][:])
        ok &= compare("gamma_tetrahedron", f["gamma"][0], r["gamma"][0])
        ok &= compare("gamma_sigma0.1", f["gamma"][1], r["gamma"][1])
    if not ok:
        sys.exit("isotope file differs from the reference")


main()
