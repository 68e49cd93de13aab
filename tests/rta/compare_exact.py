#!/usr/bin/env python3
"""compare_exact.py A B [RTOL]: every dataset of two kappa files (except 'version') has the
same shape and values; RTOL absent = bit-identical, else |a-b| <= RTOL*max|b| per dataset."""
import sys

import h5py
import numpy as np

a_path, b_path = sys.argv[1], sys.argv[2]
rtol = float(sys.argv[3]) if len(sys.argv) > 3 else None
bad = []
with h5py.File(a_path, "r") as fa, h5py.File(b_path, "r") as fb:
    if sorted(fa.keys()) != sorted(fb.keys()):
        bad.append("names differ: %s vs %s" % (sorted(fa.keys()), sorted(fb.keys())))
    for name in sorted(set(fa.keys()) & set(fb.keys())):
        if name == "version":
            continue
        x, y = fa[name][()], fb[name][()]
        if np.shape(x) != np.shape(y):
            bad.append("%s: shapes differ" % name)
        elif rtol is None:
            if not np.array_equal(x, y):
                bad.append("%s: not bit-identical (max |diff| %.3e)" % (name, np.max(np.abs(x - y))))
        else:
            scale = np.max(np.abs(y)) if np.size(y) else 0.0
            diff = np.max(np.abs(x - y)) if np.size(y) else 0.0
            if diff > rtol * scale:
                bad.append("%s: max |diff| %.3e > %.1e * %.3e" % (name, diff, rtol, scale))
for b in bad:
    print("FAIL " + b)
print("compared %s with %s: %s" % (a_path, b_path, "differ" if bad else ("identical" if rtol is None else "within %g" % rtol)))
sys.exit(1 if bad else 0)
