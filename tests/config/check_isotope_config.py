"""Compare the isotope-m<mesh>.hdf5 of config/si-pbesol-isotope.toml with phono3py's
isotope_gp105.hdf5.

Usage: check_isotope_config.py ISOTOPE_FILE REFERENCE
The example config uses phono3py's Phono3pyIsotope settings (cutoff_frequency = 0), so
every result is compared at 1e-8 (cli_compare: relative above 1e-12 of the largest value,
absolute below): both methods' Gamma, the frequencies and the mass variances.
"""
import sys

import h5py

from cli_compare import compare


def main():
    out, ref = sys.argv[1], sys.argv[2]
    with h5py.File(out, "r") as f, h5py.File(ref, "r") as r:
        if list(f["grid_point"][:]) != list(r["grid_points"][:]):
            sys.exit("grid_point differs from the reference")
        if int(f["tetrahedron"][()]) != 1 or list(f["sigma"][:]) != [0.1]:
            sys.exit("tetrahedron flag / sigma datasets wrong")
        ok = compare("mass_variances", f["mass_variances"][:], r["mass_variances"][:])
        ok &= compare("frequency", f["frequency"][:], r["frequencies"][:])
        ok &= compare("gamma tetrahedron", f["gamma"][0], r["gamma"][0])
        ok &= compare("gamma sigma 0.1", f["gamma"][1], r["gamma"][1])
    if not ok:
        sys.exit("isotope file differs from the reference")


main()
