#!/usr/bin/python3
"""Test of scripts/plot-kappa.py on the bundled reference kappa files (RTA and LBTE).

Usage: test_plot_kappa.py SRC_DIR DATA_DIR
For each tests/data/*/reference/kappa-*.hdf5 the script must exit 0 and write the four
PNGs, each larger than 10 kB and not blank (pixel standard deviation > 0 read back
with matplotlib.image.imread). Also: a missing file exits 2 (through the command line).
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

import matplotlib

matplotlib.use("Agg")
import matplotlib.image as mpimg  # noqa: E402

PLOTS = ("kappa-vs-T", "kappa-cumulative-frequency", "kappa-cumulative-mfp", "gamma-vs-frequency")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def main():
    src, data = sys.argv[1], sys.argv[2]
    script = os.path.join(src, "scripts", "plot-kappa.py")
    files = sorted(glob.glob(os.path.join(data, "*", "reference", "kappa-*.hdf5")))
    check(len(files) >= 10, f"found {len(files)} reference kappa files")
    tmp = tempfile.mkdtemp()
    env = dict(os.environ, MPLCONFIGDIR=os.path.join(tmp, "mpl"))
    # main() runs in this process: one interpreter and one matplotlib import for all files.
    spec = importlib.util.spec_from_file_location("plot_kappa", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    try:
        for f in files:
            name = os.path.relpath(f, data).replace(os.sep, "_").replace(".hdf5", "")
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = module.main([f, "--outdir", tmp, "--prefix", name])
            check(code == 0, f"{name}: exit {code} {err.getvalue().strip()}")
            check("warning" not in out.getvalue(), f"{name}: no warning in output")
            for plot in PLOTS:
                png = os.path.join(tmp, f"{name}-{plot}.png")
                if not os.path.isfile(png):
                    check(False, f"{png} written")
                    continue
                size = os.path.getsize(png)
                std = float(mpimg.imread(png).std())
                check(size > 10 * 1024 and std > 0, f"{name}-{plot}.png: {size} bytes, pixel std {std:.4f}")
            lbte = "lbte" in os.path.basename(f)
            if lbte:
                print(f"     ({name} is LBTE: cumulative plots from mode_kappa_RTA)")

        proc = subprocess.run(
            [sys.executable, script, os.path.join(tmp, "missing.hdf5")], capture_output=True, text=True, env=env
        )
        check(proc.returncode == 2 and "no such file" in proc.stderr, f"missing file: exit {proc.returncode}")
    finally:
        shutil.rmtree(tmp)
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
