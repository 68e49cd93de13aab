"""Compare ph3mpi's ise-m<mesh>.hdf5 with phono3py's ise_gp<N>.hdf5 references.

Usage: check_ise_file.py ISE_FILE REFERENCE_DIR
gamma (methods, T, gp, band0): method 0 = tetrahedron, 1 = sigma 0.1 (also gamma_N/U for
the tetrahedron). Values above 1e-12 of the largest are compared relatively (1e-8),
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
    out, refdir = sys.argv[1], sys.argv[2]
    ok = True
    with h5py.File(out, "r") as f:
        gps = list(f["grid_point"][:])
        temps = f["temperature"][:]
        if int(f["tetrahedron"][()]) != 1 or list(f["sigma"][:]) != [0.1]:
            sys.exit("tetrahedron flag / sigma datasets wrong")
        gamma = f["gamma"][:]
        gamma_n = f["gamma_N"][:]
        gamma_u = f["gamma_U"][:]
        freq = f["frequency"][:]
        for i, gp in enumerate(gps):
            with h5py.File(f"{refdir}/ise_gp{gp}.hdf5", "r") as r:
                if not np.allclose(temps, r["temperatures"][:]):
                    sys.exit("temperatures differ from the reference")
                ok &= compare(f"gp{gp} frequency", freq[i], r["frequencies"][:])
                ok &= compare(f"gp{gp} gamma_tetrahedron", gamma[0, :, i], r["gamma_tetrahedron"][:])
                ok &= compare(f"gp{gp} gamma_sigma0.1", gamma[1, :, i], r["gamma_sigma0.1"][:])
                ok &= compare(f"gp{gp} gamma_N_tetrahedron", gamma_n[0, :, i], r["gamma_N_tetrahedron"][:])
                ok &= compare(f"gp{gp} gamma_U_tetrahedron", gamma_u[0, :, i], r["gamma_U_tetrahedron"][:])
    if not ok:
        sys.exit("ise file differs from the reference")


main()
