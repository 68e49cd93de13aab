// Phonon group velocities v = d omega / dq (phonopy.phonon.group_velocity.GroupVelocity, as
// phono3py's conductivity uses it: symmetry = primitive symmetry, cutoff 1e-4 THz).
//
// v_nu = <e_nu| dD/dq |e_nu> * factor^2 / (2 omega_nu) in THz*Angstrom, with dD/dq analytic
// (DynamicalMatrix::derivative) or, when q_length is given, the central difference
// [D(q + dq) - D(q - dq)] / (2 q_length), |dq_cart| = q_length. Inside a degenerate subspace
// (frequencies within 1e-4 THz) the eigenvectors are first rotated to diagonalize dD/dq along
// the direction (1, 2, 3)/|(1, 2, 3)| (degenerate perturbation theory). Modes with
// omega <= cutoff get v = 0. Finally v is averaged over the site-symmetry (little group) of
// q: the reciprocal operations R with q' - R q' = 0 (within symprec), q' = q - rint(q).
#pragma once

#include <Eigen/Dense>
#include <array>
#include <optional>
#include <vector>

#include "ph3mpi/common/units.hpp"
#include "ph3mpi/phonon/dynamical_matrix.hpp"

namespace ph3mpi::phonon {

class GroupVelocity {
 public:
  // reciprocal_operations: point-group operations acting on reduced q (phonopy
  // Symmetry.reciprocal_operations: transposed rotations, with time-reversal images appended
  // when inversion is absent); empty = no symmetrization. q_length (1/Angstrom, no 2 pi)
  // selects the finite-difference variant (phono3py's gv_delta_q).
  explicit GroupVelocity(const DynamicalMatrix& dm, std::vector<Eigen::Matrix3i> reciprocal_operations = {},
                         double symprec = 1e-5, std::optional<double> q_length = std::nullopt,
                         double frequency_factor_to_thz = units::kDefaultToTHz,
                         double cutoff_frequency = 1e-4);

  // Group velocities at q (reduced): gv[band * 3 + xyz], THz*Angstrom. Thread-safe.
  void at(const Eigen::Vector3d& q, double* gv) const;
  std::vector<double> at(const Eigen::Vector3d& q) const;

  // All q-points, OpenMP-parallel: out[(iq * nband + band) * 3 + xyz].
  void run(const std::vector<Eigen::Vector3d>& qpoints, double* out) const;

 private:
  const DynamicalMatrix& dm_;
  std::vector<Eigen::Matrix3i> reciprocal_operations_;
  double symprec_;
  std::optional<double> q_length_;
  double factor_;
  double cutoff_frequency_;
  std::array<Eigen::Vector3d, 4> directions_;  // perturbation direction, then x, y, z
};

}  // namespace ph3mpi::phonon
