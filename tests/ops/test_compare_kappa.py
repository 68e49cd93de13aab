#!/usr/bin/python3
"""Test of scripts/compare-kappa.py on the bundled reference kappa files.

Usage: test_compare_kappa.py SRC_DIR DATA_DIR
  - every tests/data/*/reference/kappa-*.hdf5 compared with itself: exit 0, 0 deviations;
  - a copy with one dataset scaled by (1 + 1e-6): exit 1, the dataset named as FAIL,
    every other dataset ok; with --rtol 1e-5 the same copy passes;
  - --datasets restricted to an untouched dataset passes, to a missing one fails;
  - a missing file and a file that is not HDF5: exit 2 with a clear message (the
    missing-file case through the command line, to test the real exit status).
"""
import contextlib
import glob
import importlib.util
import io
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


_module = None


def run(script, *args):
    """Run the script's main() in this process (one interpreter start for all cases)."""
    global _module
    if _module is None:
        spec = importlib.util.spec_from_file_location("compare_kappa", script)
        _module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(_module)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = _module.main(list(args))
    return code, out.getvalue(), err.getvalue()


def run_cli(script, *args):
    proc = subprocess.run([sys.executable, script, *args], capture_output=True, text=True)
    return proc.returncode, proc.stdout, proc.stderr


def main():
    src, data = sys.argv[1], sys.argv[2]
    script = os.path.join(src, "scripts", "compare-kappa.py")
    files = sorted(glob.glob(os.path.join(data, "*", "reference", "kappa-*.hdf5")))
    check(len(files) >= 10, f"found {len(files)} reference kappa files")
    for f in files:
        code, out, err = run(script, f, f)
        fails = [l for l in out.splitlines() if l.startswith("FAIL")]
        check(code == 0 and not fails and "compare-kappa: OK" in out, f"self-compare {os.path.relpath(f, data)}")

    tmp = tempfile.mkdtemp()
    try:
        for f, victim in ((files[0], "gamma"), (files[-1], "kappa")):
            pert = os.path.join(tmp, "perturbed.hdf5")
            shutil.copyfile(f, pert)
            with h5py.File(pert, "r+") as h:
                h[victim][...] = h[victim][()] * (1 + 1e-6)
            code, out, err = run(script, f, pert)
            fail_lines = [l for l in out.splitlines() if l.startswith("FAIL")]
            check(code == 1, f"{victim} x (1+1e-6) in {os.path.basename(f)}: exit {code} == 1")
            check(
                len(fail_lines) == 1 and fail_lines[0].split()[1] == victim,
                f"only {victim} reported as FAIL: {fail_lines}",
            )
            check(victim in out.splitlines()[-1], f"summary names {victim}: {out.splitlines()[-1]!r}")
            code, out, err = run(script, f, pert, "--rtol", "1e-5")
            check(code == 0, f"the same copy passes with --rtol 1e-5 (exit {code})")
            code, out, err = run(script, f, pert, "--datasets", "frequency", "weight")
            check(code == 0, f"--datasets frequency weight passes (exit {code})")
            code, out, err = run(script, f, pert, "--datasets", "no_such_dataset")
            check(code == 1 and "no_such_dataset" in out, f"--datasets no_such_dataset fails (exit {code})")

        missing = os.path.join(tmp, "does-not-exist.hdf5")
        code, out, err = run_cli(script, files[0], missing)
        check(code == 2 and "no such file" in err and missing in err, f"missing file: exit {code}, stderr {err.strip()!r}")
        junk = os.path.join(tmp, "junk.hdf5")
        with open(junk, "w") as fh:
            fh.write("not an HDF5 file\n")
        code, out, err = run(script, junk, files[0])
        check(code == 2 and "as HDF5" in err, f"non-HDF5 file: exit {code}, stderr {err.strip()!r}")

        # NaN handling and shape mismatch are infinite deviations.
        a = os.path.join(tmp, "a.hdf5")
        b = os.path.join(tmp, "b.hdf5")
        with h5py.File(a, "w") as h:
            h["x"] = np.array([1.0, np.nan])
            h["y"] = np.zeros(3)
        with h5py.File(b, "w") as h:
            h["x"] = np.array([1.0, 2.0])
            h["y"] = np.zeros(4)
        code, out, err = run(script, a, b)
        fails = sorted(l.split()[1] for l in out.splitlines() if l.startswith("FAIL"))
        check(code == 1 and fails == ["x", "y"], f"NaN in one file and a shape mismatch fail: {fails}")
    finally:
        shutil.rmtree(tmp)

    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
