"""Generate tests/data/crystal/phonopy_crystal.hdf5 (expected values for tests/unit/crystal).

Run with Debian 12's python3-phonopy 2.17.1 (spglib 2.0.2):
    apt-get install -y python3-phonopy
    cd tests/data/crystal && /usr/bin/python3 generate_expected.py

phonopy 2.17's Supercell (is_old_style=True), Primitive and ShortestPairs (dense svecs:
Niggli reduction + 65 lattice points) follow the same algorithm as phonopy 4.4's, which made the
reference data; the diagonal supercells/primitive cells of the four cases are also checked
directly against tests/data/*/phono3py.yaml and reference/grid.hdf5. This file adds what the
reference data lacks: shortest vectors with multiplicities, and non-diagonal supercell matrices.

Per case group: input (unit cell, supercell_matrix, primitive_matrix, symprec) and phonopy's
supercell (lattice, scaled_positions, s2u_map, u2s_map), primitive (lattice, scaled_positions,
p2s_map, s2p_map) and svecs (primitive fractional coords) / multi (n_satom, n_patom, 2).
"""

import h5py
import numpy as np
import phonopy
import yaml
from phonopy.structure.atoms import PhonopyAtoms
from phonopy.structure.cells import get_primitive, get_supercell


def read_unitcell(case):
    with open(f"../{case}/phono3py.yaml") as f:
        data = yaml.safe_load(f)
    uc = data["unit_cell"]
    return PhonopyAtoms(
        symbols=[p["symbol"] for p in uc["points"]],
        cell=np.array(uc["lattice"], dtype="double"),
        scaled_positions=np.array([p["coordinates"] for p in uc["points"]], dtype="double"),
        masses=[p["mass"] for p in uc["points"]],
    ), np.array(data["primitive_matrix"], dtype="double")


fcc = np.array([[0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]])
cases = [
    ("si_222", "si-pbesol", np.diag([2, 2, 2])),
    ("nacl_222", "nacl-pbe", np.diag([2, 2, 2])),
    ("aln_332", "aln-lda", np.diag([3, 3, 2])),
    ("mgo_222", "mgo", np.diag([2, 2, 2])),
    ("mgo_444", "mgo", np.diag([4, 4, 4])),
    ("si_bcc", "si-pbesol", np.array([[-1, 1, 1], [1, -1, 1], [1, 1, -1]])),
    ("aln_oblique", "aln-lda", np.array([[2, -1, 0], [1, 1, 0], [0, 0, 2]])),
]
symprec = 1e-5
with h5py.File("phonopy_crystal.hdf5", "w") as h5:
    h5.attrs["generator"] = f"generate_expected.py, phonopy {phonopy.__version__}"
    for name, case, smat in cases:
        unitcell, pmat = read_unitcell(case)
        sc = get_supercell(unitcell, smat, symprec=symprec)
        prim = get_primitive(sc, np.dot(np.linalg.inv(smat), pmat), symprec=symprec, store_dense_svecs=True)
        svecs, multi = prim.get_smallest_vectors()
        g = h5.create_group(name)
        g["case"] = np.array([case.encode()])  # fixed-length bytes
        g["supercell_matrix"] = smat
        g["primitive_matrix"] = pmat
        g["symprec"] = symprec
        g["supercell_lattice"] = sc.cell
        g["supercell_scaled_positions"] = sc.scaled_positions
        g["supercell_numbers"] = sc.numbers
        g["s2u_map"] = sc.s2u_map
        g["u2s_map"] = sc.u2s_map
        g["primitive_lattice"] = prim.cell
        g["primitive_scaled_positions"] = prim.scaled_positions
        g["p2s_map"] = prim.p2s_map
        g["s2p_map"] = prim.s2p_map
        g["svecs"] = svecs
        g["multi"] = multi
        print(name, len(sc), len(prim), svecs.shape, np.bincount(multi[:, :, 0].ravel()))
