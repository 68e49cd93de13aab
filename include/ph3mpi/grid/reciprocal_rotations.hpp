// Point-group operations of the grid: phonopy's reciprocal_rotations
// (grg_get_reciprocal_point_group with is_transpose) and transform_rotations.
#pragma once

#include <Eigen/Dense>
#include <vector>

#include "ph3mpi/grid/bz_grid.hpp"

namespace ph3mpi::grid {

// Unique direct rotations in input order, each transposed (the action on q in
// reduced reciprocal coordinates), then, with time reversal and when -1 is
// absent, the negatives of all of them appended in the same order. At most 48; throws
// SettingsError when the input has more unique rotations than a point group can.
std::vector<Matrix3l> reciprocal_rotations(const std::vector<Eigen::Matrix3i>& direct_rotations,
                                           bool is_time_reversal);

// Rotations acting on GR-grid addresses: D Q^-1 R Q D^-1 for each R (acting on
// reduced q). Throws GridSymmetryError when one is not an integer matrix
// ("Grid symmetry is broken. Use generalized regular grid.").
std::vector<Matrix3l> transform_rotations(const std::vector<Matrix3l>& reciprocal_operations,
                                          const Vector3l& D_diag, const Matrix3l& Q);

// reciprocal_lattice * R * inv(reciprocal_lattice) for each R (phono3py's rotations_cartesian).
std::vector<Eigen::Matrix3d> rotations_cartesian(const std::vector<Matrix3l>& reciprocal_operations,
                                                 const Eigen::Matrix3d& reciprocal_lattice);

}  // namespace ph3mpi::grid
