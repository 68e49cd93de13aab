#!/usr/bin/env python3
"""compare_rotation.py AVG_ORIG AVG_ROT PLAIN_ORIG PLAIN_ROT [--must-differ NAME ...]

Four output files of one run: with degenerate_average on (AVG_*) and off (PLAIN_*), each fed
the original phonons (*_ORIG) and the same phonons with eigenvectors rotated inside degenerate
subspaces (*_ROT). Every numeric dataset of the averaged pair must agree to 1e-12 of its
scale (max |a - b| <= 1e-12 max |b|): the averaged formulation does not depend on the basis.
The plain pair is reported; each --must-differ dataset must differ by more than 1e-9 of its
scale (else the rotation did not touch what the test is about). Prints one line per dataset.
"""
import sys

import h5py
import numpy as np


def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and obj.dtype.kind in "fiuc":
                out[name] = np.asarray(obj[()])
        f.visititems(visit)
    return out


def scaled_difference(a, b):
    scale = np.max(np.abs(b)) if b.size else 0.0
    diff = np.max(np.abs(a - b)) if b.size else 0.0
    return diff / scale if scale > 0 else diff


def main(argv):
    args = argv[1:]
    must_differ = []
    while "--must-differ" in args:
        i = args.index("--must-differ")
        must_differ.append(args[i + 1])
        del args[i : i + 2]
    avg_orig, avg_rot, plain_orig, plain_rot = (datasets(p) for p in args)
    failures = []
    for name in sorted(avg_orig):
        a, b = avg_rot.get(name), avg_orig[name]
        if a is None or a.shape != b.shape:
            failures.append("%s: missing or shape differs in the rotated averaged run" % name)
            continue
        d_avg = scaled_difference(a, b)
        d_plain = scaled_difference(plain_rot[name], plain_orig[name]) if name in plain_orig else float("nan")
        print("%-22s averaged: rotated vs original %.2e   plain: rotated vs original %.2e" % (name, d_avg, d_plain))
        if d_avg > 1e-12:
            failures.append("%s: averaged results change by %.2e under rotation (> 1e-12)" % (name, d_avg))
    for name in must_differ:
        d = scaled_difference(plain_rot[name], plain_orig[name])
        if not d > 1e-9:
            failures.append("%s: plain results change by only %.2e under rotation" % (name, d))
    for f in failures:
        print("FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
