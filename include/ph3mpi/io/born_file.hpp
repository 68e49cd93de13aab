// Reader of phonopy's BORN file (phonopy.file_IO.parse_BORN / get_born_parameters):
//
//   line 1: NAC unit conversion factor; any non-number (e.g. "default" or the
//           "# epsilon and Z* of atoms ..." comment phonopy writes) selects the
//           calculator's default. Optional 2nd and 3rd numbers: Gonze-Lee G_cutoff
//           and Lambda.
//   line 2: dielectric tensor, 9 numbers xx xy xz yx yy yz zx zy zz.
//   then:   one line of 9 numbers (Z*_xx xy xz yx ... zz) per symmetry-INDEPENDENT
//           atom of the primitive cell, in increasing atom order; nothing after.
//
// The charges are expanded to every primitive atom with the space group of the
// primitive cell as phonopy does: atom i takes the tensor of its representative
// r = equivalent_atoms[i] transformed by the first operation (R, t) of the spglib
// dataset with R x_i + t = x_r (mod lattice):
//   Z*_i = Rc^T Z*_r (Rc^T)^-1,  Rc = L R L^-1,  L = lattice vectors as columns.
#pragma once

#include <string>

#include "ph3mpi/common/units.hpp"
#include "ph3mpi/crystal/cell.hpp"
#include "ph3mpi/phonon/nac_params.hpp"

namespace ph3mpi::io {

// `primitive` is the primitive cell the force constants belong to (phono3py uses
// Phono3py.primitive; its symbols/numbers/positions/lattice must be filled).
// Note: phono3py.load reads BORN with parse_BORN's default symprec = 1e-5, not with
// its own symprec argument; pass 1e-5 to reproduce it exactly.
// `default_factor` is used when line 1 gives no number (phonopy: the calculator's
// nac_factor; Hartree*Bohr for VASP units). Bad content raises
// InputError(path, "line N: ...").
phonon::NacParams read_born_file(const std::string& path, const crystal::Cell& primitive, double symprec,
                                 double default_factor = units::kHartree * units::kBohr);

}  // namespace ph3mpi::io
