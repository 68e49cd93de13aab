"""Compare ph3mpi's jdos-m<mesh>.hdf5 (plain and at 300 K) with phono3py's jdos_gp105.hdf5.

Usage: check_jdos_file.py PLAIN_FILE T300_FILE REFERENCE
joint_dos (methods, T or 1, gp, point, 2) of one grid point against joint_dos_plain /
joint_dos_T300 (methods, T, point, 2): tetrahedron first, then sigma 0.1. Values above
1e-12 of the largest are compared relatively (1e-8), the rest absolutely.
"""
import sys

import h5py
import numpy as np

from cli_compare import compare


def main():
    plain, t300, ref = sys.argv[1], sys.argv[2], sys.argv[3]
    ok = True
    with h5py.File(plain, "r") as p, h5py.File(t300, "r") as t, h5py.File(ref, "r") as r:
        if "temperature" in p or list(t["temperature"][:]) != [300.0]:
            sys.exit("temperature dataset wrong (plain run must have none, weighted run [300])")
        if int(p["tetrahedron"][()]) != 1 or list(p["sigma"][:]) != [0.1]:
            sys.exit("tetrahedron flag / sigma datasets wrong")
        for f in (p, t):
            if list(f["grid_point"][:]) != [int(r["grid_point"][()])]:
                sys.exit("grid_point differs from the reference")
            ok &= compare("frequency_points", f["frequency_points"][:], r["frequency_points"][:])
        ok &= compare("joint_dos plain", p["joint_dos"][:, :, 0], r["joint_dos_plain"][:])
        ok &= compare("joint_dos T=300 K", t["joint_dos"][:, :, 0], r["joint_dos_T300"][:])
    if not ok:
        sys.exit("jdos file differs from the reference")


main()
