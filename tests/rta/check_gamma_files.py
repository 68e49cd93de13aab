#!/usr/bin/env python3
"""Compare ph3mpi's per-grid-point gamma files with phono3py's (--write-gamma).

Usage: check_gamma_files.py OURS_DIR REF_DIR [--rtol 1e-10]

Structure: the same file names kappa-m*-g*.hdf5 in both folders, and in each file the same
dataset names, shapes, dtypes (kind and size) and compression filter as phono3py's. Values:
each float dataset stacked over all files and compared on its scale (max|ours - ref| <=
rtol * max|ref| over all grid points): at Gamma the acoustic group velocities are ~1e-32
rounding in both codes, so a per-file scale would compare noise. Integer datasets and
'version'-less scalars must be equal. Exits 1 on any failure.
"""
import glob
import os
import sys

import h5py
import numpy as np


def main(argv):
    args = list(argv[1:])
    rtol = 1e-10
    if "--rtol" in args:
        i = args.index("--rtol")
        rtol = float(args[i + 1])
        del args[i : i + 2]
    ours_dir, ref_dir = args
    names = lambda d: sorted(os.path.basename(p) for p in glob.glob(os.path.join(d, "kappa-m*-g*.hdf5")))
    ours_names, ref_names = names(ours_dir), names(ref_dir)
    failures = []
    if ours_names != ref_names or not ref_names:
        failures.append("file names differ: only ours %s, only phono3py's %s"
                        % (sorted(set(ours_names) - set(ref_names)), sorted(set(ref_names) - set(ours_names))))
    stacked = {}
    for name in sorted(set(ours_names) & set(ref_names)):
        with h5py.File(os.path.join(ours_dir, name)) as fo, h5py.File(os.path.join(ref_dir, name)) as fr:
            if set(fo) != set(fr):
                failures.append("%s: datasets differ: only ours %s, only phono3py's %s"
                                % (name, sorted(set(fo) - set(fr)), sorted(set(fr) - set(fo))))
            for key in sorted(set(fo) & set(fr)):
                a, b = fo[key], fr[key]
                if a.shape != b.shape or a.dtype.kind != b.dtype.kind or a.dtype.itemsize != b.dtype.itemsize:
                    failures.append("%s/%s: %s %s, phono3py %s %s" % (name, key, a.shape, a.dtype, b.shape, b.dtype))
                    continue
                if a.compression != b.compression:
                    failures.append("%s/%s: compression %s, phono3py %s" % (name, key, a.compression, b.compression))
                if key == "version":
                    continue
                if b.dtype.kind == "f":
                    stacked.setdefault(key, ([], []))
                    stacked[key][0].append(np.ravel(a[()]))
                    stacked[key][1].append(np.ravel(b[()]))
                elif not np.array_equal(a[()], b[()]):
                    failures.append("%s/%s: %s, phono3py %s" % (name, key, a[()], b[()]))
    for key, (ours, ref) in sorted(stacked.items()):
        x, y = np.concatenate(ours), np.concatenate(ref)
        scale = np.max(np.abs(y)) if y.size else 0.0
        dev = np.max(np.abs(x - y)) / scale if scale > 0 else np.max(np.abs(x - y))
        print("%-22s %6d values  max deviation on the scale %.3e" % (key, y.size, dev))
        if not dev <= rtol:
            failures.append("%s: deviation %.3e > %.1e" % (key, dev, rtol))
    print("%d gamma files compared" % len(set(ours_names) & set(ref_names)))
    for f in failures:
        print("FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
