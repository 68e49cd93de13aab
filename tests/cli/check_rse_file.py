"""Compare ph3mpi's rse-m<mesh>.hdf5 with phono3py's rse_gp105.hdf5 reference.

Usage: check_rse_file.py RSE_FILE REFERENCE
delta (eps, T, gp, band) against delta_at_bands, delta_at_frequency_points
(eps, T, gp, band, point) and frequency_points against phono3py's. Values above 1e-12 of
the largest are compared relatively (1e-8), the rest absolutely (1e-8 * largest).
"""
import sys

import h5py
import numpy as np

from cli_compare import compare


def main():
    out, ref = sys.argv[1], sys.argv[2]
    ok = True
    with h5py.File(out, "r") as f, h5py.File(ref, "r") as r:
        if list(f["grid_point"][:]) != [int(r["grid_point"][()])]:
            sys.exit("grid_point differs from the reference")
        if not np.allclose(f["temperature"][:], r["temperatures"][:]):
            sys.exit("temperatures differ from the reference")
        if not np.allclose(f["epsilon"][:], r["epsilons"][:]):
            sys.exit("epsilons differ from the reference")
        ok &= compare("frequency", f["frequency"][0], r["frequencies"][:])
        ok &= compare("delta (at the bands)", f["delta"][:], r["delta_at_bands"][:])
        ok &= compare("frequency_points", f["frequency_points"][:], r["frequency_points"][:])
        ok &= compare("delta_at_frequency_points", f["delta_at_frequency_points"][:],
                      r["delta_at_frequency_points"][:])
    if not ok:
        sys.exit("rse file differs from the reference")


main()
