#!/usr/bin/env python3
"""Write the phonons of a reference/phonons.hdf5 `grid/` group as a phono3py phonon file.

Usage: make_reference_phonon_file.py PHONONS_HDF5 OUT_DIR

Made tests/data/<case>/reference/phonon-m999.hdf5 (AlN: phonon-m775.hdf5) with
  python3 make_reference_phonon_file.py <case>/reference/phonons.hdf5 <case>/reference

The Intel-made reference files (ise_gp*, interaction_gp*, kappa-*-m999/m775, ...) were
computed with the eigenvectors stored in `grid/` (phono3py's own phonons on every BZ grid
point of the 9x9x9, AlN 7x7x5, grid). Their tetrahedron results depend on that basis, so
tests that compare with them read those eigenvectors (read_phonon) instead of trusting this
machine's LAPACK to return the same basis. Written like phono3py's write_phonon_to_hdf5:
mesh, grid_address, frequency, eigenvector (gp, component, band). Prints the path.
"""
import os
import sys

import h5py
import numpy as np


def main(source, out_dir):
    with h5py.File(source, "r") as f:
        g = f["grid"]
        mesh = np.array(g["mesh_numbers"][()], dtype="int64")
        address = np.array(g["addresses"][()], dtype="int64")
        frequency = np.array(g["frequencies"][()], dtype="double")
        eigenvector = np.array(g["eigenvectors"][()], dtype="complex128")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "phonon-m%d%d%d.hdf5" % tuple(mesh))
    with h5py.File(path, "w") as w:
        w.create_dataset("mesh", data=mesh)
        w.create_dataset("grid_address", data=address)
        w.create_dataset("frequency", data=frequency)
        w.create_dataset("eigenvector", data=eigenvector)
    print(path)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
