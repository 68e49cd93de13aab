#!/usr/bin/python3
"""How much does a tetrahedron-method kappa depend on the eigenvector basis?

Usage:
  scripts/basis-scatter.py CONFIG.toml [--samples 8] [--np 2] [--ph3mpi build/ph3mpi]
                           [--mpiexec mpirun] [--seed 1] [--work DIR]

CONFIG is an rta or lbte config that reads its phonons (read_phonon = phonon-m<mesh>.hdf5;
write them first with write_phonon = true if needed). The run is repeated
  - once with those phonons as they are (the "original" basis),
  - --samples times with the eigenvectors rotated by Haar-random unitaries inside every
    degenerate subspace (scripts/rotate_phonons.py), degenerate_average = false: the spread
    of these is the spread phono3py itself shows across CPUs / BLAS builds,
  - once with degenerate_average = true (the same result for every basis).
Prints kappa xx, yy, zz (first temperature) of each run, the sample mean, min, max and
standard deviation relative to the mean, and the averaged result's deviation from the mean.
Output folders are kept under --work (default: a temporary folder, removed at the end).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rotate_phonons  # noqa: E402


def set_key(text, key, value):
    pattern = re.compile(r"^\s*" + key + r"\s*=.*$", re.MULTILINE)
    line = "%s = %s" % (key, value)
    return pattern.sub(line, text) if pattern.search(text) else text + "\n" + line + "\n"


def read_key(text, key):
    m = re.search(r'^\s*' + key + r'\s*=\s*"([^"]*)"', text, re.MULTILINE)
    return m.group(1) if m else None


def run(args, config_text, name, work):
    out = os.path.join(work, name)
    path = os.path.join(work, name + ".toml")
    with open(path, "w") as f:
        f.write(set_key(config_text, "output_dir", '"%s"' % out))
    cmd = [args.mpiexec, "-n", str(args.np), args.ph3mpi, path]
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0:
        sys.exit("ph3mpi failed for %s:\n%s" % (name, done.stdout[-2000:]))
    files = [f for f in os.listdir(out) if f.startswith("kappa-m") and f.endswith(".hdf5")]
    with h5py.File(os.path.join(out, sorted(files)[0]), "r") as f:
        return np.array(f["kappa"][()]).reshape(-1, 6)[0, :3]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("config")
    p.add_argument("--samples", type=int, default=8)
    p.add_argument("--np", type=int, default=2)
    p.add_argument("--ph3mpi", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "ph3mpi"))
    p.add_argument("--mpiexec", default="mpirun")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--work")
    args = p.parse_args()
    config_dir = os.path.dirname(os.path.abspath(args.config))
    with open(args.config) as f:
        text = f.read()
    phonons = read_key(text, "read_phonon")
    if phonons is None:
        sys.exit("%s: the config must read its phonons (read_phonon = ...)" % args.config)
    phonons = os.path.normpath(os.path.join(config_dir, phonons))
    # Paths in the copies are absolute, so the copies may live anywhere.
    for key in ("phono3py_yaml", "fc2", "fc3", "born"):
        value = read_key(text, key)
        if value is not None:
            text = set_key(text, key, '"%s"' % os.path.normpath(os.path.join(config_dir, value)))
    work = args.work or tempfile.mkdtemp(prefix="ph3mpi-basis-scatter-")
    os.makedirs(work, exist_ok=True)
    try:
        plain = set_key(set_key(text, "degenerate_average", "false"), "restart", "false")
        rows = [("original", run(args, set_key(plain, "read_phonon", '"%s"' % phonons), "original", work))]
        for i in range(args.samples):
            rotated = os.path.join(work, "rotated-%d.hdf5" % i)
            rotate_phonons.main(phonons, rotated, args.seed + i)
            rows.append(("rotated %d" % i, run(args, set_key(plain, "read_phonon", '"%s"' % rotated), "rot%d" % i, work)))
        averaged_text = set_key(set_key(text, "degenerate_average", "true"), "read_phonon", '"%s"' % phonons)
        averaged = run(args, set_key(averaged_text, "restart", "false"), "averaged", work)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    samples = np.array([k for _, k in rows])
    mean = samples.mean(axis=0)
    print("%-14s %14s %14s %14s" % ("run", "kappa_xx", "kappa_yy", "kappa_zz"))
    for name, k in rows:
        print("%-14s %14.8f %14.8f %14.8f" % (name, *k))
    print("%-14s %14.8f %14.8f %14.8f" % ("mean", *mean))
    print("%-14s %14.8f %14.8f %14.8f" % ("averaged", *averaged))
    rel = lambda x: "%+.2e %+.2e %+.2e" % tuple(x / mean)
    print("(min - mean)/mean      ", rel(samples.min(axis=0) - mean))
    print("(max - mean)/mean      ", rel(samples.max(axis=0) - mean))
    print("std/mean               ", rel(samples.std(axis=0, ddof=1)))
    print("(averaged - mean)/mean ", rel(averaged - mean))
    print("(original - mean)/mean ", rel(samples[0] - mean))


if __name__ == "__main__":
    main()
