#!/usr/bin/python3
"""Compare two HDF5 files dataset by dataset (typically a ph3mpi kappa-m*.hdf5 with
phono3py's kappa file for the same run).

Usage:
  scripts/compare-kappa.py REFERENCE.hdf5 CANDIDATE.hdf5 [--rtol 1e-8] [--floor 1e-6]
                           [--measure scale|elementwise] [--datasets kappa gamma ...]
                           [--strict] [--quiet]

The first file is the reference: deviations are measured relative to its values.
Every numeric dataset present in both files (groups are walked recursively) gets two
measures, with d = |candidate - reference| elementwise and M = max |reference|:

  scale        max(d) / M
               The deviation relative to the size of the dataset. This is the measure
               the test suite means by "within 1e-8 relative": entries that are
               numerically zero (off-diagonal kappa of a cubic crystal, acoustic Gamma
               at q=0) cannot fail it through round-off noise.
  elementwise  max over elements of d_i / max(|reference_i|, floor * M)
               The relative deviation of each element, with an absolute floor of
               `floor` (default 1e-6) times M below which an element counts as zero.
               It catches a small entry that is wrong by a large factor, which the
               scale measure hides.

If M == 0 the dataset is compared absolutely (the measures are max(d)). Integer
datasets go through the same measures (exact equality gives 0). NaN in the same places
in both files counts as equal; NaN in one file only, or a shape mismatch, is an
infinite deviation. String datasets (phono3py's `version`) are reported as equal or
different but only fail the comparison with --strict, since two programs legitimately
write different version strings.

The pass/fail criterion is the measure chosen by --measure (default: scale) <= rtol.
Datasets present in only one file are listed; they fail the comparison only with
--strict, or when they were named with --datasets.

Exit status: 0 all compared datasets within rtol; 1 some dataset outside rtol (named in
the output), or a required dataset missing; 2 unreadable input (missing file, not
HDF5, a dataset that cannot be read) or bad arguments.

Needs only Debian's python3-h5py and python3-numpy (/usr/bin/python3).
"""

import argparse
import math
import sys

try:
    import h5py
    import numpy as np
except ImportError as exc:  # pragma: no cover - depends on the interpreter
    print(
        f"compare-kappa: error: {exc}; run with /usr/bin/python3 (Debian python3-h5py, python3-numpy)",
        file=sys.stderr,
    )
    sys.exit(2)

EXIT_OK, EXIT_DIFFER, EXIT_UNREADABLE = 0, 1, 2


class Unreadable(Exception):
    """An input file or dataset that cannot be read (exit status 2)."""


def read_datasets(path):
    """Return {name: numpy array} for every dataset in the file (names with '/')."""
    try:
        handle = h5py.File(path, "r")
    except FileNotFoundError:
        raise Unreadable(f"cannot open '{path}': no such file")
    except (OSError, ValueError) as exc:
        raise Unreadable(f"cannot open '{path}' as HDF5: {exc}")
    data = {}
    with handle:
        names = []
        handle.visititems(lambda name, obj: names.append(name) if isinstance(obj, h5py.Dataset) else None)
        for name in names:
            try:
                data[name] = handle[name][()]
            except (OSError, ValueError, TypeError) as exc:
                raise Unreadable(f"cannot read dataset '{name}' of '{path}': {exc}")
    return data


def is_numeric(value):
    arr = np.asarray(value)
    return arr.dtype.kind in "biufc"


def measures(ref, cand, floor):
    """Return (scale, elementwise, max_abs_diff, max_abs_ref) for two numeric arrays."""
    ref = np.asarray(ref)
    cand = np.asarray(cand)
    if ref.shape != cand.shape:
        return math.inf, math.inf, math.inf, float("nan")
    if ref.size == 0:
        return 0.0, 0.0, 0.0, 0.0
    # Complex values compare by modulus of the difference; integers as float64.
    r = ref.astype(np.complex128 if ref.dtype.kind == "c" or cand.dtype.kind == "c" else np.float64)
    c = cand.astype(r.dtype)
    nan_r, nan_c = np.isnan(r), np.isnan(c)
    if np.any(nan_r != nan_c):
        return math.inf, math.inf, math.inf, float(np.nanmax(np.abs(r))) if not nan_r.all() else 0.0
    finite = ~nan_r
    r, c = r[finite], c[finite]
    if r.size == 0:
        return 0.0, 0.0, 0.0, 0.0
    inf_r, inf_c = np.isinf(r), np.isinf(c)
    if np.any(inf_r != inf_c) or np.any(r[inf_r] != c[inf_c]):
        return math.inf, math.inf, math.inf, math.inf
    r, c = r[~inf_r], c[~inf_r]
    if r.size == 0:
        return 0.0, 0.0, 0.0, 0.0
    diff = np.abs(c - r)
    max_diff = float(diff.max())
    max_ref = float(np.abs(r).max())
    if max_ref == 0.0:
        return max_diff, max_diff, max_diff, max_ref
    scale = max_diff / max_ref
    elementwise = float((diff / np.maximum(np.abs(r), floor * max_ref)).max())
    return scale, elementwise, max_diff, max_ref


def fmt(x):
    return "inf" if x == math.inf else ("nan" if x != x else f"{x:.3e}")


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Per-dataset deviation of CANDIDATE from REFERENCE (HDF5); see the module docstring.",
    )
    parser.add_argument("reference", help="reference HDF5 file (e.g. phono3py's kappa-m999.hdf5)")
    parser.add_argument("candidate", help="HDF5 file to check (e.g. ph3mpi's kappa-m999.hdf5)")
    parser.add_argument("--rtol", type=float, default=1e-8, help="tolerance on the chosen measure (default 1e-8)")
    parser.add_argument(
        "--floor",
        type=float,
        default=1e-6,
        help="elementwise measure: |ref_i| below floor*max|ref| counts as floor*max|ref| (default 1e-6)",
    )
    parser.add_argument(
        "--measure",
        choices=["scale", "elementwise"],
        default="scale",
        help="measure that decides pass/fail (default scale = max|diff| / max|ref|)",
    )
    parser.add_argument("--datasets", nargs="+", metavar="NAME", help="compare only these datasets (all required)")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="also fail on datasets present in only one file and on differing strings",
    )
    parser.add_argument("--quiet", action="store_true", help="print only failures and the summary")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_UNREADABLE if exc.code else EXIT_OK
    if not (args.rtol >= 0.0) or not (args.floor > 0.0):
        print("compare-kappa: error: --rtol must be >= 0 and --floor > 0", file=sys.stderr)
        return EXIT_UNREADABLE

    try:
        ref = read_datasets(args.reference)
        cand = read_datasets(args.candidate)
    except Unreadable as exc:
        print(f"compare-kappa: error: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE

    failures = []
    names = sorted(set(ref) & set(cand))
    only_ref = sorted(set(ref) - set(cand))
    only_cand = sorted(set(cand) - set(ref))
    if args.datasets:
        missing = [n for n in args.datasets if n not in ref or n not in cand]
        for n in missing:
            where = "either file" if n not in ref and n not in cand else ("candidate" if n in ref else "reference")
            print(f"MISSING  {n}: not in {where}")
            failures.append(n)
        names = [n for n in args.datasets if n in ref and n in cand]
        only_ref = only_cand = []

    print(f"reference: {args.reference}")
    print(f"candidate: {args.candidate}")
    print(f"measure: {args.measure} <= rtol {args.rtol:g} (elementwise floor {args.floor:g} * max|ref|)")
    header = f"{'status':<6} {'dataset':<28} {'shape':<18} {'max|ref|':>10} {'max|diff|':>10} {'scale':>10} {'elementw':>10}"
    if not args.quiet:
        print(header)
    for name in names:
        r, c = ref[name], cand[name]
        if not (is_numeric(r) and is_numeric(c)):
            same = np.array_equal(np.asarray(r), np.asarray(c))
            status = "ok" if same else ("FAIL" if args.strict else "note")
            if status == "FAIL":
                failures.append(name)
            if not args.quiet or status == "FAIL":
                detail = "equal" if same else f"differs: {r!r} vs {c!r}"
                print(f"{status:<6} {name:<28} non-numeric, {detail}")
            continue
        scale, elem, dmax, rmax = measures(r, c, args.floor)
        value = scale if args.measure == "scale" else elem
        shape = str(tuple(np.shape(r))) if np.shape(r) == np.shape(c) else f"{np.shape(r)}!={np.shape(c)}"
        ok = value <= args.rtol
        if not ok:
            failures.append(name)
        if not args.quiet or not ok:
            print(
                f"{'ok' if ok else 'FAIL':<6} {name:<28} {shape:<18} {fmt(rmax):>10} {fmt(dmax):>10} {fmt(scale):>10} {fmt(elem):>10}"
            )
    for n in only_ref:
        print(f"{'FAIL' if args.strict else 'only':<6} {n:<28} only in reference")
    for n in only_cand:
        print(f"{'FAIL' if args.strict else 'only':<6} {n:<28} only in candidate")
    if args.strict:
        failures.extend(only_ref + only_cand)

    compared = len(names)
    if failures:
        print(f"compare-kappa: FAILED: {len(failures)} of {compared} compared dataset(s) outside rtol "
              f"{args.rtol:g} or missing: {', '.join(failures)}")
        return EXIT_DIFFER
    print(f"compare-kappa: OK: {compared} dataset(s) within rtol {args.rtol:g}"
          + (f"; {len(only_ref)} only in reference, {len(only_cand)} only in candidate" if only_ref or only_cand else ""))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
