// phono3py's Brillouin-zone grid (BZGrid with store_dense_gp_map=True): a regular
// or generalized regular grid (GR grid, Smith normal form D = P A Q) and the
// BZ grid built on it, where points on the BZ surface appear once per
// translationally equivalent image. All arrays use phono3py's numbering exactly.
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
  bool is_regular_mesh = true;              // false when use_grg gave a non-diagonal A
  // ----- lattices, columns are the basis vectors (phonopy: reciprocal_lattice = inv(lattice))
  Eigen::Matrix3d reciprocal_lattice = Eigen::Matrix3d::Zero();  // 1/Angstrom (no 2 pi), columns b1 b2 b3
  Eigen::Matrix3d microzone_lattice = Eigen::Matrix3d::Zero();   // reciprocal_lattice * inv(D) * ... as phono3py
  // ----- BZ grid (store_dense_gp_map=True numbering)
  std::vector<Vector3l> addresses;       // BZ grid addresses, size N_bz
  std::vector<std::int64_t> gp_map;      // size prod(D_diag)+1: BZ points of GR point i are gp_map[i]..gp_map[i+1]-1
  std::vector<std::int64_t> bzg2grg;     // BZ index -> GR index
  std::vector<std::int64_t> grg2bzg;     // GR index -> its first BZ index
  std::int64_t gp_Gamma = 0;
  // ----- symmetry of the grid
  std::vector<Eigen::Matrix3i> rotations;              // direct-space point-group rotations (spglib, lattice basis)
  std::vector<Matrix3l> reciprocal_operations;         // rotations acting on grid addresses (with time reversal)
  std::vector<Eigen::Matrix3d> rotations_cartesian;    // reciprocal rotations in Cartesian coordinates

  std::int64_t num_gr_points() const { return D_diag(0) * D_diag(1) * D_diag(2); }
  std::int64_t num_bz_points() const { return static_cast<std::int64_t>(addresses.size()); }
};

}  // namespace ph3mpi::grid
