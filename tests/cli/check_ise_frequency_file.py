"""Compare the frequency-resolved Gamma of ph3mpi's ise-m<mesh>.hdf5 with phono3py's.

Usage: check_ise_frequency_file.py COMPUTED_FILE STORED_FILE REFERENCE
gamma_at_frequency_points (methods, T, gp, band, point) against frequency_resolved/gammas
(sigmas [None, 0.1], T = 300 K; phono3py's shape (sigma, T, gp, band, point)), the
frequency points, and gamma (methods, T, gp, band) against gamma_tetrahedron /
gamma_sigma0.1 at 300 K. 1e-8 relative on values above 1e-12 of the largest; the stored
(is_full_pp) run must equal the computed one to 1e-12.
"""
import sys

import h5py
import numpy as np

from cli_compare import compare


def main():
    computed, stored, ref = sys.argv[1], sys.argv[2], sys.argv[3]
    ok = True
    with h5py.File(computed, "r") as c, h5py.File(stored, "r") as s, h5py.File(ref, "r") as r:
        it = list(r["temperatures"][:]).index(300.0)
        for name, f in (("computed", c), ("stored", s)):
            ok &= compare(f"{name} frequency_points", f["frequency_points"][:],
                          r["frequency_resolved/frequency_points"][:])
            ok &= compare(f"{name} gamma_at_frequency_points", f["gamma_at_frequency_points"][:],
                          r["frequency_resolved/gammas"][:])
            ok &= compare(f"{name} gamma tetrahedron at 300 K", f["gamma"][0, 0, 0], r["gamma_tetrahedron"][it])
            ok &= compare(f"{name} gamma sigma 0.1 at 300 K", f["gamma"][1, 0, 0], r["gamma_sigma0.1"][it])
        ok &= compare("stored vs computed gamma_at_frequency_points", s["gamma_at_frequency_points"][:],
                      c["gamma_at_frequency_points"][:], tol=1e-12)
        if "ave_pp" not in s or "ave_pp" in c:
            sys.exit("ave_pp must be written with is_full_pp only")
    if not ok:
        sys.exit("frequency-resolved Gamma differs from the reference")


main()
