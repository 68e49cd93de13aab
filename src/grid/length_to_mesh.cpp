// Mesh numbers from a length (phonopy's length2mesh, VASP-style automatic mesh).
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "ph3mpi/grid/grid_matrix.hpp"

namespace ph3mpi::grid {

std::array<bool, 3> lattice_vector_equivalence(const std::vector<Eigen::Matrix3i>& rotations) {
  // A column of R with a single +-1 at another axis means R maps one basis vector
  // onto (+-) another, so those two have equal length.
  std::array<bool, 3> equivalence = {false, false, false};  // (b==c, c==a, a==b)
  auto column_is = [](const Eigen::Matrix3i& r, int col, int axis) {
    for (int i = 0; i < 3; ++i) {
      if (std::abs(r(i, col)) != (i == axis ? 1 : 0)) return false;
    }
    return true;
  };
  for (const auto& r : rotations) {
    if (column_is(r, 0, 1)) equivalence[2] = true;
    if (column_is(r, 0, 2)) equivalence[1] = true;
    if (column_is(r, 1, 0)) equivalence[2] = true;
    if (column_is(r, 1, 2)) equivalence[0] = true;
    if (column_is(r, 2, 0)) equivalence[1] = true;
    if (column_is(r, 2, 1)) equivalence[0] = true;
  }
  return equivalence;
}

namespace {

Vector3l raw_mesh(double length, const Eigen::Matrix3d& lattice) {
  const Eigen::Matrix3d reciprocal = lattice.inverse();  // columns b_i (no 2 pi)
  Vector3l mesh;
  for (int i = 0; i < 3; ++i) {
    // numpy.rint: round half to even (default floating-point rounding mode).
    mesh(i) = static_cast<std::int64_t>(std::nearbyint(reciprocal.col(i).norm() * length));
  }
  return mesh;
}

Vector3l at_least_one(Vector3l mesh) {
  for (int i = 0; i < 3; ++i) mesh(i) = std::max<std::int64_t>(mesh(i), 1);
  return mesh;
}

}  // namespace

Vector3l length_to_mesh(double length, const Eigen::Matrix3d& lattice) {
  return at_least_one(raw_mesh(length, lattice));
}

Vector3l length_to_mesh(double length, const Eigen::Matrix3d& lattice,
                        const std::vector<Eigen::Matrix3i>& rotations) {
  Vector3l m = raw_mesh(length, lattice);
  // Reciprocal basis vectors transform with the transposed direct rotations.
  std::vector<Eigen::Matrix3i> transposed;
  transposed.reserve(rotations.size());
  for (const auto& r : rotations) transposed.push_back(r.transpose());
  const std::array<bool, 3> reclat_equiv = lattice_vector_equivalence(transposed);
  const std::array<bool, 3> mesh_equiv = {m(1) == m(2), m(2) == m(0), m(0) == m(1)};
  const int pairs[3][2] = {{1, 2}, {2, 0}, {0, 1}};
  // A slightly distorted cell must still get symmetric mesh numbers: take the larger one.
  for (int i = 0; i < 3; ++i) {
    if (reclat_equiv[i] && !mesh_equiv[i]) {
      const std::int64_t larger = std::max(m(pairs[i][0]), m(pairs[i][1]));
      m(pairs[i][0]) = larger;
      m(pairs[i][1]) = larger;
    }
  }
  return at_least_one(m);
}

}  // namespace ph3mpi::grid
