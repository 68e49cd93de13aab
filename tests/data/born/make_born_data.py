#!/usr/bin/python3
"""Regenerate the BORN test data of tests/unit/io/test_born_file.cpp.

Run from this folder with Debian's python (phonopy 2.17.1, spglib 2.0.2, h5py, PyYAML):
    /usr/bin/python3 make_born_data.py

1. BORN_NaCl, BORN_AlN: Born charges of the symmetry-independent atoms of the
   primitive cells in ../nacl-pbe/phono3py.yaml and ../aln-lda/phono3py.yaml (the
   test expands them and compares with the full arrays in those yaml files).
   BORN_NaCl starts with phonopy's comment line (no number: default factor),
   BORN_AlN with the factor written in its yaml.
2. expected_born.hdf5: phonopy's own expansion (phonopy.file_IO.parse_BORN) of
   BORN_SnO2 (rutile, off-diagonal O charges) and BORN_TiO2 (anatase, conventional
   cell with centring translations) on POSCAR_SnO2 / POSCAR_TiO2. Those four files
   are phonopy's example/SnO2 and example/TiO2-anatase inputs (phonopy v4.4.0, BSD-3).
"""

import h5py
import numpy as np
import yaml
from phonopy.file_IO import parse_BORN
from phonopy.interface.vasp import read_vasp
from phonopy.structure.atoms import PhonopyAtoms
from phonopy.structure.symmetry import Symmetry


def primitive_from_yaml(filename):
    with open(filename) as f:
        data = yaml.safe_load(f)
    prim = data["primitive_cell"]
    cell = PhonopyAtoms(
        symbols=[p["symbol"] for p in prim["points"]],
        cell=prim["lattice"],
        scaled_positions=[p["coordinates"] for p in prim["points"]],
        masses=[p["mass"] for p in prim["points"]],
    )
    return cell, data["nac"]


def write_born(filename, first_line, cell, nac):
    independent = Symmetry(cell, symprec=1e-5).get_independent_atoms()
    born = np.array(nac["born_effective_charge"], dtype=float)
    eps = np.array(nac["dielectric_constant"], dtype=float)
    lines = [first_line, " ".join("%.15f" % x for x in eps.ravel())]
    for i in independent:
        lines.append(" ".join("%.15f" % x for x in born[i].ravel()))
    with open(filename, "w") as w:
        w.write("\n".join(lines) + "\n")
    return independent


cell, nac = primitive_from_yaml("../nacl-pbe/phono3py.yaml")
print("NaCl independent atoms", write_born("BORN_NaCl", "# epsilon and Z* of atoms 1 2", cell, nac))
cell, nac = primitive_from_yaml("../aln-lda/phono3py.yaml")
print(
    "AlN independent atoms",
    write_born("BORN_AlN", "%f" % nac["unit_conversion_factor"], cell, nac),
)

with h5py.File("expected_born.hdf5", "w") as w:
    for name, poscar, born_file in (
        ("sno2", "POSCAR_SnO2", "BORN_SnO2"),
        ("tio2", "POSCAR_TiO2", "BORN_TiO2"),
    ):
        cell = read_vasp(poscar)
        nac = parse_BORN(cell, symprec=1e-5, filename=born_file)
        g = w.create_group(name)
        g.create_dataset("lattice", data=cell.cell)  # rows a, b, c
        g.create_dataset("positions", data=cell.scaled_positions)
        g.create_dataset("numbers", data=cell.numbers)
        g.create_dataset("born", data=nac["born"])
        g.create_dataset("dielectric", data=nac["dielectric"])
        if nac.get("factor") is not None:  # absent: the first line is not a number
            g.create_dataset("factor", data=nac["factor"])
        print(name, "independent atoms", Symmetry(cell, 1e-5).get_independent_atoms())
