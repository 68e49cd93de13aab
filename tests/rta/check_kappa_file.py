#!/usr/bin/env python3
"""Compare a ph3mpi kappa file with phono3py's reference kappa file.

Usage: check_kappa_file.py OURS REFERENCE [--rtol 1e-8] [--scale DATASET ...]

Structure (the phono3py-compatibility check): the two files must hold exactly the same
dataset names, and each dataset the same shape and dtype (kind and size). The 'version'
string is not compared by value.

Values: for every numeric dataset, |ours - ref| <= rtol * max(|ref|, floor) elementwise,
floor = 1e-6 * max|ref| of that dataset: entries above the floor are compared relatively,
entries below it (zero by symmetry, e.g. off-diagonal gv_by_gv, where both codes hold
~1e-15 rounding noise) absolutely to rtol * 1e-6 * max|ref| (1e-14 of the scale). --scale DATASET compares
that dataset on its scale only (max|ours - ref| <= rtol * max|ref|): for LBTE's f_vector,
whose symmetry-zero entries are rounding noise in both codes. --loose DATASET=RTOL compares
on the scale with its own tolerance (the NAC cases, see run_rta_case.sh). Integer datasets must be
equal. Prints the largest relative deviation per dataset and exits 1 on any failure.
"""
import sys

import h5py
import numpy as np


def datasets(f):
    names = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            names[name] = obj

    f.visititems(visit)
    return names


def main(argv):
    args = list(argv[1:])
    rtol = 1e-8
    if "--rtol" in args:
        i = args.index("--rtol")
        rtol = float(args[i + 1])
        del args[i : i + 2]
    scale_only = set()
    while "--scale" in args:
        i = args.index("--scale")
        scale_only.add(args[i + 1])
        del args[i : i + 2]
    loose = {}
    while "--loose" in args:
        i = args.index("--loose")
        name, value = args[i + 1].split("=")
        loose[name] = float(value)
        scale_only.add(name)
        del args[i : i + 2]
    ours_path, ref_path = args
    failures = []
    with h5py.File(ours_path, "r") as fo, h5py.File(ref_path, "r") as fr:
        ours, ref = datasets(fo), datasets(fr)
        if set(ours) != set(ref):
            failures.append(
                "dataset names differ: only in ours %s, only in reference %s"
                % (sorted(set(ours) - set(ref)), sorted(set(ref) - set(ours)))
            )
        for name in sorted(set(ours) & set(ref)):
            a, b = ours[name], ref[name]
            if a.shape != b.shape:
                failures.append("%s: shape %s, reference %s" % (name, a.shape, b.shape))
                continue
            if a.dtype.kind != b.dtype.kind or (a.dtype.kind != "S" and a.dtype.itemsize != b.dtype.itemsize):
                failures.append("%s: dtype %s, reference %s" % (name, a.dtype, b.dtype))
                continue
            if name == "version" or a.dtype.kind in "SOU":
                continue
            x, y = a[()], b[()]
            if a.dtype.kind in "iu":
                if not np.array_equal(x, y):
                    failures.append("%s: integers differ" % name)
                print("%-16s %-18s equal" % (name, a.shape) if np.array_equal(x, y) else "%s differs" % name)
                continue
            x = np.asarray(x, dtype=float)
            y = np.asarray(y, dtype=float)
            scale = np.max(np.abs(y)) if y.size else 0.0
            floor = (1.0 if name in scale_only else 1e-6) * scale
            denom = np.maximum(np.abs(y), floor)
            with np.errstate(divide="ignore", invalid="ignore"):
                rel = np.where(denom > 0, np.abs(x - y) / np.where(denom > 0, denom, 1.0), np.abs(x - y))
            worst = float(np.max(rel)) if rel.size else 0.0
            print("%-16s %-18s max rel. deviation %.3e" % (name, a.shape, worst))
            limit = loose.get(name, rtol)
            if not np.all(np.isfinite(x)) or worst > limit:
                failures.append("%s: max relative deviation %.3e > %.1e" % (name, worst, limit))
    for f in failures:
        print("FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
