// phono3py's Brillouin-zone grid (BZGrid with store_dense_gp_map=True): a regular
// or generalized regular grid (GR grid, Smith normal form D = P A Q) and the
// BZ grid built on it, where points on the BZ surface appear once per
// translationally equivalent image. All arrays use phono3py's numbering exactly.
//
// Two index spaces (phonopy/phonon/grid.py, BZGrid docstring):
//   GR index  gp_gr = a0 + a1*D0 + a2*D0*D1 for an address reduced to 0 <= a_i < D_i,
//   BZ index  gp_bz in [0, num_bz_points()), addresses[gp_bz] is the shortest image.
// q in reduced coordinates of the primitive reciprocal basis: q = QDinv * address.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

namespace ph3mpi::grid {

using Vector3l = Eigen::Matrix<std::int64_t, 3, 1>;
using Matrix3l = Eigen::Matrix<std::int64_t, 3, 3>;

struct BZGrid {
  // ----- GR grid (Smith normal form of the grid matrix A: D_diag = P A Q)
  Vector3l D_diag = Vector3l::Ones();
  Matrix3l P = Matrix3l::Identity();
  Matrix3l Q = Matrix3l::Identity();
  Matrix3l grid_matrix = Matrix3l::Zero();  // A; diagonal mesh numbers for a regular mesh
  Vector3l PS = Vector3l::Zero();           // shift (always zero: Gamma-centred)
  bool is_regular_mesh = true;              // false when A went through SNF (P, Q may differ from 1)
  // ----- lattices, columns are the basis vectors (phonopy: reciprocal_lattice = inv(lattice))
  Eigen::Matrix3d reciprocal_lattice = Eigen::Matrix3d::Zero();  // 1/Angstrom (no 2 pi), columns b1 b2 b3
  Eigen::Matrix3d microzone_lattice = Eigen::Matrix3d::Zero();   // reciprocal_lattice * QDinv * P (columns)
  Eigen::Matrix3d QDinv = Eigen::Matrix3d::Identity();  // Q(i,j) / D_diag(j); q(reduced) = QDinv * address
  // ----- BZ grid (store_dense_gp_map=True numbering)
  std::vector<Vector3l> addresses;  // BZ grid addresses, size N_bz
  // size prod(D_diag)+1: BZ points of GR point i are gp_map[i]..gp_map[i+1]-1
  std::vector<std::int64_t> gp_map;
  std::vector<std::int64_t> bzg2grg;  // BZ index -> GR index
  std::vector<std::int64_t> grg2bzg;  // GR index -> its first BZ index
  std::int64_t gp_Gamma = 0;
  // ----- symmetry of the grid
  // Direct-space rotations of the primitive cell as given (spglib dataset order,
  // lattice basis, x' = R x). NOT phono3py's BZGrid.rotations: that one is grg_rotations.
  std::vector<Eigen::Matrix3i> rotations;
  // phono3py's BZGrid.reciprocal_operations: unique transposed direct rotations
  // (+ their negatives with time reversal when -1 is absent), acting on q in
  // reduced reciprocal coordinates, q' = R q.
  std::vector<Matrix3l> reciprocal_operations;
  std::vector<Eigen::Matrix3d> rotations_cartesian;  // reciprocal_lattice * R * inv(reciprocal_lattice)
  // phono3py's BZGrid.rotations: reciprocal_operations transformed to act on GR/BZ
  // grid addresses, g' = R g (D Q^-1 R Q D^-1). Use these for ir grid points and
  // triplets. Equal to reciprocal_operations for a regular mesh (Q = 1).
  std::vector<Matrix3l> grg_rotations;

  std::int64_t num_gr_points() const { return D_diag(0) * D_diag(1) * D_diag(2); }
  std::int64_t num_bz_points() const { return static_cast<std::int64_t>(addresses.size()); }
};

}  // namespace ph3mpi::grid
