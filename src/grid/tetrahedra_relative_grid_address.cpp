// Relative grid addresses of the 24 tetrahedra of the linear tetrahedron method
// (Bloechl, Jepsen, Andersen, PRB 49, 16223 (1994)) around a grid point, in the
// tabulated order of phonopy's c/tetrahedron_method.c.
//
// The 8 microzone parallelepipeds that share the grid point are each cut into 6
// tetrahedra that all contain the parallelepiped's shortest main diagonal (the
// cut with the most compact tetrahedra). For each of the 4 possible diagonals
// the table lists the 24 tetrahedra that contain the grid point, vertices as
// address offsets. The order is phonopy's, which fixes the summation order of
// tetrahedron integration weights downstream.
#include <cstdint>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/grid/tetrahedron_grid.hpp"

namespace ph3mpi::grid {
namespace {

// [main diagonal][tetrahedron][vertex * 3 + axis]
// clang-format off
constexpr std::int8_t kTable[4][24][12] = {
    {  // main diagonal 0
        { 0, 0, 0,   1, 0, 0,   1, 1, 0,   1, 1, 1},
        { 0, 0, 0,   1, 0, 0,   1, 0, 1,   1, 1, 1},
        { 0, 0, 0,   0, 1, 0,   1, 1, 0,   1, 1, 1},
        { 0, 0, 0,   0, 1, 0,   0, 1, 1,   1, 1, 1},
        { 0, 0, 0,   0, 0, 1,   1, 0, 1,   1, 1, 1},
        { 0, 0, 0,   0, 0, 1,   0, 1, 1,   1, 1, 1},
        { 0, 0, 0,   0, 1, 0,   0, 1, 1,  -1, 0, 0},
        { 0, 0, 0,   0, 0, 1,   0, 1, 1,  -1, 0, 0},
        { 0, 0, 0,   1, 0, 0,   1, 0, 1,   0,-1, 0},
        { 0, 0, 0,   0, 0, 1,   1, 0, 1,   0,-1, 0},
        { 0, 0, 0,   0, 0, 1,  -1,-1, 0,   0,-1, 0},
        { 0, 0, 0,   0, 0, 1,  -1,-1, 0,  -1, 0, 0},
        { 0, 0, 0,   1, 0, 0,   1, 1, 0,   0, 0,-1},
        { 0, 0, 0,   0, 1, 0,   1, 1, 0,   0, 0,-1},
        { 0, 0, 0,   0, 1, 0,  -1, 0,-1,   0, 0,-1},
        { 0, 0, 0,   0, 1, 0,  -1, 0,-1,  -1, 0, 0},
        { 0, 0, 0,   1, 0, 0,   0,-1,-1,   0, 0,-1},
        { 0, 0, 0,   1, 0, 0,   0,-1,-1,   0,-1, 0},
        { 0, 0, 0,  -1,-1,-1,   0,-1,-1,   0, 0,-1},
        { 0, 0, 0,  -1,-1,-1,   0,-1,-1,   0,-1, 0},
        { 0, 0, 0,  -1,-1,-1,  -1, 0,-1,   0, 0,-1},
        { 0, 0, 0,  -1,-1,-1,  -1, 0,-1,  -1, 0, 0},
        { 0, 0, 0,  -1,-1,-1,  -1,-1, 0,   0,-1, 0},
        { 0, 0, 0,  -1,-1,-1,  -1,-1, 0,  -1, 0, 0},
    },
    {  // main diagonal 1
        { 0, 0, 0,   1, 0, 0,   0, 1, 0,   0, 1, 1},
        { 0, 0, 0,   1, 0, 0,   0, 0, 1,   0, 1, 1},
        { 0, 0, 0,  -1, 1, 0,  -1, 1, 1,  -1, 0, 0},
        { 0, 0, 0,  -1, 0, 1,  -1, 1, 1,  -1, 0, 0},
        { 0, 0, 0,  -1, 1, 0,   0, 1, 0,  -1, 1, 1},
        { 0, 0, 0,   0, 1, 0,  -1, 1, 1,   0, 1, 1},
        { 0, 0, 0,  -1, 0, 1,   0, 0, 1,  -1, 1, 1},
        { 0, 0, 0,   0, 0, 1,  -1, 1, 1,   0, 1, 1},
        { 0, 0, 0,   0, 0, 1,   0,-1, 0,   1,-1, 0},
        { 0, 0, 0,   1, 0, 0,   0, 0, 1,   1,-1, 0},
        { 0, 0, 0,  -1, 0, 1,   0,-1, 0,  -1, 0, 0},
        { 0, 0, 0,  -1, 0, 1,   0, 0, 1,   0,-1, 0},
        { 0, 0, 0,   0, 1, 0,   0, 0,-1,   1, 0,-1},
        { 0, 0, 0,   1, 0, 0,   0, 1, 0,   1, 0,-1},
        { 0, 0, 0,  -1, 1, 0,   0, 0,-1,  -1, 0, 0},
        { 0, 0, 0,  -1, 1, 0,   0, 1, 0,   0, 0,-1},
        { 0, 0, 0,   0,-1,-1,   1,-1,-1,   0, 0,-1},
        { 0, 0, 0,   0,-1,-1,   1,-1,-1,   0,-1, 0},
        { 0, 0, 0,   1,-1,-1,   0, 0,-1,   1, 0,-1},
        { 0, 0, 0,   1, 0, 0,   1,-1,-1,   1, 0,-1},
        { 0, 0, 0,   1,-1,-1,   0,-1, 0,   1,-1, 0},
        { 0, 0, 0,   1, 0, 0,   1,-1,-1,   1,-1, 0},
        { 0, 0, 0,   0,-1,-1,   0, 0,-1,  -1, 0, 0},
        { 0, 0, 0,   0,-1,-1,   0,-1, 0,  -1, 0, 0},
    },
    {  // main diagonal 2
        { 0, 0, 0,   1, 0, 0,   0, 1, 0,   1, 0, 1},
        { 0, 0, 0,   0, 1, 0,   0, 0, 1,   1, 0, 1},
        { 0, 0, 0,  -1, 1, 0,   0, 0, 1,  -1, 0, 0},
        { 0, 0, 0,  -1, 1, 0,   0, 1, 0,   0, 0, 1},
        { 0, 0, 0,   1,-1, 1,   0,-1, 0,   1,-1, 0},
        { 0, 0, 0,   0,-1, 1,   1,-1, 1,   0,-1, 0},
        { 0, 0, 0,   1, 0, 0,   1,-1, 1,   1,-1, 0},
        { 0, 0, 0,   1, 0, 0,   1,-1, 1,   1, 0, 1},
        { 0, 0, 0,   0,-1, 1,   1,-1, 1,   0, 0, 1},
        { 0, 0, 0,   1,-1, 1,   0, 0, 1,   1, 0, 1},
        { 0, 0, 0,   0,-1, 1,   0,-1, 0,  -1, 0, 0},
        { 0, 0, 0,   0,-1, 1,   0, 0, 1,  -1, 0, 0},
        { 0, 0, 0,   1, 0, 0,   0, 0,-1,   0, 1,-1},
        { 0, 0, 0,   1, 0, 0,   0, 1, 0,   0, 1,-1},
        { 0, 0, 0,  -1, 0,-1,   0, 0,-1,  -1, 1,-1},
        { 0, 0, 0,  -1, 0,-1,  -1, 1,-1,  -1, 0, 0},
        { 0, 0, 0,   0, 0,-1,  -1, 1,-1,   0, 1,-1},
        { 0, 0, 0,   0, 1, 0,  -1, 1,-1,   0, 1,-1},
        { 0, 0, 0,  -1, 1, 0,  -1, 1,-1,  -1, 0, 0},
        { 0, 0, 0,  -1, 1, 0,   0, 1, 0,  -1, 1,-1},
        { 0, 0, 0,   0, 0,-1,   0,-1, 0,   1,-1, 0},
        { 0, 0, 0,   1, 0, 0,   0, 0,-1,   1,-1, 0},
        { 0, 0, 0,  -1, 0,-1,   0, 0,-1,   0,-1, 0},
        { 0, 0, 0,  -1, 0,-1,   0,-1, 0,  -1, 0, 0},
    },
    {  // main diagonal 3
        { 0, 0, 0,   1, 0, 0,   1, 1, 0,   0, 0, 1},
        { 0, 0, 0,   0, 1, 0,   1, 1, 0,   0, 0, 1},
        { 0, 0, 0,   0, 1, 0,  -1, 0, 1,  -1, 0, 0},
        { 0, 0, 0,   0, 1, 0,  -1, 0, 1,   0, 0, 1},
        { 0, 0, 0,   1, 0, 0,   0,-1, 1,   0,-1, 0},
        { 0, 0, 0,   1, 0, 0,   0,-1, 1,   0, 0, 1},
        { 0, 0, 0,  -1,-1, 1,  -1,-1, 0,   0,-1, 0},
        { 0, 0, 0,  -1,-1, 1,  -1,-1, 0,  -1, 0, 0},
        { 0, 0, 0,  -1,-1, 1,   0,-1, 1,   0,-1, 0},
        { 0, 0, 0,  -1,-1, 1,  -1, 0, 1,  -1, 0, 0},
        { 0, 0, 0,  -1,-1, 1,   0,-1, 1,   0, 0, 1},
        { 0, 0, 0,  -1,-1, 1,  -1, 0, 1,   0, 0, 1},
        { 0, 0, 0,   0, 0,-1,   1, 0,-1,   1, 1,-1},
        { 0, 0, 0,   0, 0,-1,   0, 1,-1,   1, 1,-1},
        { 0, 0, 0,   1, 0, 0,   1, 0,-1,   1, 1,-1},
        { 0, 0, 0,   0, 1, 0,   0, 1,-1,   1, 1,-1},
        { 0, 0, 0,   1, 0, 0,   1, 1, 0,   1, 1,-1},
        { 0, 0, 0,   0, 1, 0,   1, 1, 0,   1, 1,-1},
        { 0, 0, 0,   0, 0,-1,   0, 1,-1,  -1, 0, 0},
        { 0, 0, 0,   0, 1, 0,   0, 1,-1,  -1, 0, 0},
        { 0, 0, 0,   0, 0,-1,   1, 0,-1,   0,-1, 0},
        { 0, 0, 0,   1, 0, 0,   1, 0,-1,   0,-1, 0},
        { 0, 0, 0,   0, 0,-1,  -1,-1, 0,   0,-1, 0},
        { 0, 0, 0,   0, 0,-1,  -1,-1, 0,  -1, 0, 0},
    },
};
// clang-format on

std::array<TetrahedraRelativeAddresses, 4> build_tables() {
  std::array<TetrahedraRelativeAddresses, 4> tables{};
  for (int d = 0; d < 4; ++d) {
    for (int t = 0; t < 24; ++t) {
      for (int v = 0; v < 4; ++v) {
        tables[d][t][v] = Vector3l(kTable[d][t][3 * v], kTable[d][t][3 * v + 1], kTable[d][t][3 * v + 2]);
      }
    }
  }
  return tables;
}

}  // namespace

int shortest_main_diagonal(const Eigen::Matrix3d& microzone_lattice) {
  // Diagonals 0-7, 1-6, 2-5, 3-4 of the parallelepiped spanned by a, b, c (columns).
  const double signs[4][3] = {{1, 1, 1}, {-1, 1, 1}, {1, -1, 1}, {1, 1, -1}};
  int shortest = 0;
  double min_length = 0.0;
  for (int d = 0; d < 4; ++d) {
    double diag[3];
    for (int i = 0; i < 3; ++i) {
      diag[i] = microzone_lattice(i, 0) * signs[d][0] + microzone_lattice(i, 1) * signs[d][1] +
                microzone_lattice(i, 2) * signs[d][2];
    }
    const double length = diag[0] * diag[0] + diag[1] * diag[1] + diag[2] * diag[2];
    if (d == 0 || min_length > length) {
      min_length = length;
      shortest = d;
    }
  }
  return shortest;
}

const TetrahedraRelativeAddresses& tetrahedra_relative_grid_address_table(int main_diagonal) {
  static const std::array<TetrahedraRelativeAddresses, 4> tables = build_tables();
  if (main_diagonal < 0 || main_diagonal > 3) {
    throw Error("tetrahedra_relative_grid_address_table: main diagonal " + std::to_string(main_diagonal) +
                " is not in 0..3");
  }
  return tables[static_cast<std::size_t>(main_diagonal)];
}

TetrahedraRelativeAddresses tetrahedra_relative_grid_address(const Eigen::Matrix3d& microzone_lattice) {
  return tetrahedra_relative_grid_address_table(shortest_main_diagonal(microzone_lattice));
}

}  // namespace ph3mpi::grid
