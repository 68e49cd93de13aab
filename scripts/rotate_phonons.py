#!/usr/bin/env python3
"""Copy a phono3py phonon file with its eigenvectors rotated inside degenerate subspaces.

Usage: scripts/rotate_phonons.py IN.hdf5 OUT.hdf5 SEED

For every grid point, the bands are grouped into degenerate sets exactly as phonopy's
degenerate_sets does (frequencies within 1e-4 THz of some member, scanned in band order),
and the eigenvector columns of each set of size d > 1 are multiplied by a random d x d
unitary matrix (QR of a complex Gaussian matrix, phases fixed: Haar distributed). The
result is an equally valid set of eigenvectors, the kind another CPU's LAPACK may return.
Every other dataset is copied unchanged. Prints the number of rotated sets.
"""
import sys

import h5py
import numpy as np


def degenerate_sets(freqs, cutoff=1e-4):
    sets, done = [], set()
    for i in range(len(freqs)):
        if i in done:
            continue
        members = [i]
        for j in range(i + 1, len(freqs)):
            if np.any(np.abs(freqs[members] - freqs[j]) < cutoff):
                members.append(j)
                done.add(j)
        sets.append(members)
    return sets


def haar_unitary(d, rng):
    z = (rng.standard_normal((d, d)) + 1j * rng.standard_normal((d, d))) / np.sqrt(2)
    q, r = np.linalg.qr(z)
    return q * (np.diag(r) / np.abs(np.diag(r)))


def main(src, dst, seed):
    """Writes the rotated copy; returns the number of rotated sets."""
    rng = np.random.default_rng(seed)
    rotated = 0
    with h5py.File(src, "r") as f, h5py.File(dst, "w") as g:
        for name in f:
            if name != "eigenvector":
                g.create_dataset(name, data=f[name][()])
        freqs = f["frequency"][()]
        eigvecs = np.array(f["eigenvector"][()])
        for gp in range(len(freqs)):
            for members in degenerate_sets(freqs[gp]):
                if len(members) > 1:
                    eigvecs[gp][:, members] = eigvecs[gp][:, members] @ haar_unitary(len(members), rng)
                    rotated += 1
        g.create_dataset("eigenvector", data=eigvecs)
    return rotated


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    print(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
