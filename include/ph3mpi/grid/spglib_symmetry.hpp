// Filling GridSymmetry from spglib (the grid needs only the rotations, the
// transformation matrix and the standardized lattice of the primitive cell).
// spglib's C API stores lattices as COLUMN vectors; GridSymmetry uses rows like
// phonopy, so std_lattice is transposed here (as spglib's Python wrapper does).
#pragma once

#include <spglib.h>

#include <Eigen/Dense>
#include <vector>

#include "ph3mpi/grid/grid_matrix.hpp"

namespace ph3mpi::grid {

GridSymmetry grid_symmetry_from_spglib_dataset(const SpglibDataset& dataset);

// spg_get_dataset of a cell (lattice rows a, b, c in Angstrom; fractional positions;
// atom types) at `symprec` (phonopy default 1e-5). Throws SettingsError when spglib fails.
GridSymmetry grid_symmetry_of_cell(const Eigen::Matrix3d& lattice,
                                   const std::vector<Eigen::Vector3d>& positions,
                                   const std::vector<int>& types, double symprec = 1e-5);

}  // namespace ph3mpi::grid
