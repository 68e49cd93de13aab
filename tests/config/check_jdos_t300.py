"""Compare a jdos-m<mesh>.hdf5 written at T = 300 K (config/si-pbesol-jdos.toml) with
phono3py's jdos_gp105.hdf5: joint_dos (methods, T, gp, point, 2) of the one grid point
against joint_dos_T300 (methods, T, point, 2), tetrahedron first, then sigma 0.1, and the
frequency points. Tolerances as tests/cli/check_jdos_file.py (cli_compare: 1e-8 relative
above 1e-12 of the largest value, absolute below).

Usage: check_jdos_t300.py JDOS_FILE REFERENCE
"""
import sys

import h5py

from cli_compare import compare


def main():
    out, ref = sys.argv[1], sys.argv[2]
    with h5py.File(out, "r") as f, h5py.File(ref, "r") as r:
        if list(f["temperature"][:]) != [300.0]:
            sys.exit("temperature dataset is not [300]")
        if int(f["tetrahedron"][()]) != 1 or list(f["sigma"][:]) != [0.1]:
            sys.exit("tetrahedron flag / sigma datasets wrong")
        if list(f["grid_point"][:]) != [int(r["grid_point"][()])]:
            sys.exit("grid_point differs from the reference")
        ok = compare("frequency_points", f["frequency_points"][:], r["frequency_points"][:])
        ok &= compare("joint_dos T=300 K", f["joint_dos"][:, :, 0], r["joint_dos_T300"][:])
    if not ok:
        sys.exit("jdos file differs from the reference")


main()
