// Relative grid addresses of the 24 tetrahedra around a grid point used by the
// linear tetrahedron method (phonopy c/tetrahedron_method.c): the 8 parallelepipeds
// sharing the point are each cut into 6 tetrahedra along the shortest of the four
// main diagonals of the microzone.
#pragma once

#include <Eigen/Dense>
#include <array>

#include "ph3mpi/grid/bz_grid.hpp"

namespace ph3mpi::grid {

using TetrahedraRelativeAddresses = std::array<std::array<Vector3l, 4>, 24>;

// 0: a+b+c, 1: -a+b+c, 2: a-b+c, 3: a+b-c, for microzone columns a, b, c; the
// first shortest wins ties.
int shortest_main_diagonal(const Eigen::Matrix3d& microzone_lattice);

// phonopy's table for a main-diagonal choice (0..3), same tetrahedron and vertex order.
const TetrahedraRelativeAddresses& tetrahedra_relative_grid_address_table(int main_diagonal);

// get_tetrahedra_relative_grid_address(bz_grid.microzone_lattice).
TetrahedraRelativeAddresses tetrahedra_relative_grid_address(const Eigen::Matrix3d& microzone_lattice);

}  // namespace ph3mpi::grid
