// Velocity matrix of the inter-band conductivity (see velocity_matrix.hpp for the formulas).
#include "ph3mpi/transport/velocity_matrix.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/phonon/degeneracy.hpp"
#include "ph3mpi/phonon/eigensolver.hpp"
#include "ph3mpi/transport/rta_kappa.hpp"

namespace ph3mpi::transport {
namespace {

void require(bool condition, const std::string& what) {
  if (!condition) throw Error("velocity_matrix: " + what);
}

// phono3py LITTLE_GROUP_TOLERANCE (reduced coordinates).
constexpr double kLittleGroupTolerance = 1e-5;

}  // namespace

Eigen::Vector3d degeneracy_perturbation_direction() {
  const Eigen::Vector3d n(1, 2, 3);
  return n / n.norm();
}

DynamicalMatrixDerivatives dynamical_matrix_derivatives(const phonon::DynamicalMatrix& dm,
                                                        const Eigen::Vector3d& q,
                                                        std::optional<double> q_length) {
  const std::array<Eigen::Vector3d, 4> directions{degeneracy_perturbation_direction(),
                                                  Eigen::Vector3d(1, 0, 0), Eigen::Vector3d(0, 1, 0),
                                                  Eigen::Vector3d(0, 0, 1)};
  DynamicalMatrixDerivatives out;
  const Eigen::Index nb = Eigen::Index(dm.num_band());
  if (!q_length) {
    const std::array<Eigen::MatrixXcd, 3> ddm = dm.derivative(q);
    for (std::size_t k = 0; k < 4; ++k) {
      out[k] = Eigen::MatrixXcd::Zero(nb, nb);
      for (Eigen::Index c = 0; c < 3; ++c) out[k] += directions[k](c) * ddm[std::size_t(c)];
    }
    return out;
  }
  require(*q_length > 0, "q_length must be positive, got " + std::to_string(*q_length));
  Eigen::MatrixXcd d_minus;
  Eigen::MatrixXcd d_plus;
  for (std::size_t k = 0; k < 4; ++k) {
    const Eigen::Vector3d dq_cart = directions[k] / directions[k].norm() * *q_length;
    const Eigen::Vector3d dq = dm.input().lattice * dq_cart;  // reduced coordinates
    dm.compute(q - dq, std::nullopt, d_minus);
    dm.compute(q + dq, std::nullopt, d_plus);
    out[k] = (d_plus - d_minus) / *q_length / 2.0;
  }
  return out;
}

VelocityMatrices velocity_matrices(const DynamicalMatrixDerivatives& derivatives,
                                   const Eigen::MatrixXcd& eigenvectors, const double* frequencies,
                                   const VelocityMatrixSettings& settings) {
  const Eigen::Index nb = eigenvectors.rows();
  require(nb > 0 && eigenvectors.cols() == nb, "eigenvector matrix must be square and non-empty");
  require(frequencies != nullptr, "frequencies are missing");
  for (const Eigen::MatrixXcd& d : derivatives)
    require(d.rows() == nb && d.cols() == nb, "derivative of D has the wrong size");

  // Degenerate perturbation theory: inside each degenerate subspace rotate to the basis that
  // diagonalizes dD along the perturbation direction (phono3py VelocityMatrix._rot_eigsets).
  Eigen::MatrixXcd rotated(nb, nb);
  Eigen::VectorXd sub_values;
  Eigen::MatrixXcd sub_vectors;
  for (const auto& deg : phonon::degenerate_sets(frequencies, std::size_t(nb), settings.degeneracy_cutoff)) {
    Eigen::MatrixXcd eigsets(nb, Eigen::Index(deg.size()));
    for (std::size_t c = 0; c < deg.size(); ++c)
      eigsets.col(Eigen::Index(c)) = eigenvectors.col(Eigen::Index(deg[c]));
    const Eigen::MatrixXcd projected = eigsets.adjoint() * derivatives[0] * eigsets;
    phonon::hermitian_eigh(projected, sub_values, sub_vectors);
    const Eigen::MatrixXcd rot = eigsets * sub_vectors;
    for (std::size_t c = 0; c < deg.size(); ++c) rotated.col(Eigen::Index(deg[c])) = rot.col(Eigen::Index(c));
  }
  // 1 / sqrt(2 f) per band, 0 at or below the cutoff.
  for (Eigen::Index b = 0; b < nb; ++b) {
    const double f = frequencies[b];
    const double scale = f > settings.cutoff_frequency ? 1.0 / std::sqrt(2 * f) : 0.0;
    rotated.col(b) *= scale;
  }
  const double factor2 = settings.frequency_factor_to_thz * settings.frequency_factor_to_thz;
  VelocityMatrices vm;
  for (std::size_t a = 0; a < 3; ++a) {
    const Eigen::MatrixXcd m = rotated.adjoint() * derivatives[a + 1] * rotated;
    vm[a] = (m + m.adjoint()) / 2.0 * factor2;  // hermitize, then F^2
  }
  return vm;
}

VelocityMatrices velocity_matrices_at(const phonon::DynamicalMatrix& dm, const Eigen::Vector3d& q,
                                      const Eigen::MatrixXcd& eigenvectors, const double* frequencies,
                                      std::optional<double> q_length,
                                      const VelocityMatrixSettings& settings) {
  return velocity_matrices(dynamical_matrix_derivatives(dm, q, q_length), eigenvectors, frequencies,
                           settings);
}

void vm_by_vm_over_star(const VelocityMatrices& vm, const std::vector<Eigen::Matrix3d>& rotations_cartesian,
                        std::int64_t multiplicity, double* vm_by_vm) {
  require(multiplicity >= 1, "kappa-star multiplicity must be >= 1, got " + std::to_string(multiplicity));
  require(!rotations_cartesian.empty(), "no rotations");
  const Eigen::Index nb = vm[0].rows();
  const std::size_t n = std::size_t(nb) * std::size_t(nb);
  std::fill(vm_by_vm, vm_by_vm + n * 6, 0.0);
  for (const Eigen::Matrix3d& r : rotations_cartesian) {
    for (Eigen::Index j = 0; j < nb; ++j) {
      for (Eigen::Index k = 0; k < nb; ++k) {
        // (R v_{jk})_a = sum_b R_ab v^b_{jk}
        std::array<std::complex<double>, 3> rv;
        for (int a = 0; a < 3; ++a)
          rv[std::size_t(a)] = r(a, 0) * vm[0](j, k) + r(a, 1) * vm[1](j, k) + r(a, 2) * vm[2](j, k);
        double* out = vm_by_vm + (std::size_t(j) * std::size_t(nb) + std::size_t(k)) * 6;
        for (std::size_t p = 0; p < 6; ++p) {
          const std::complex<double>& x = rv[std::size_t(kVoigtPairs[p][0])];
          const std::complex<double>& y = rv[std::size_t(kVoigtPairs[p][1])];
          out[p] += x.real() * y.real() + x.imag() * y.imag();  // Re(x conj(y))
        }
      }
    }
  }
  const double m = double(multiplicity);
  for (std::size_t i = 0; i < n * 6; ++i) vm_by_vm[i] /= m;
}

void project_group_velocities(VelocityMatrices& vm, const Eigen::Vector3d& q,
                              const std::vector<grid::Matrix3l>& reciprocal_operations,
                              const std::vector<Eigen::Matrix3d>& rotations_cartesian,
                              double* group_velocities) {
  require(!reciprocal_operations.empty() && reciprocal_operations.size() == rotations_cartesian.size(),
          "reciprocal_operations and rotations_cartesian must be non-empty and of equal length");
  Eigen::Vector3d q_bz = q;
  for (int c = 0; c < 3; ++c) q_bz(c) -= std::nearbyint(q(c));
  Eigen::Matrix3d projector = Eigen::Matrix3d::Zero();
  int order = 0;
  for (std::size_t i = 0; i < reciprocal_operations.size(); ++i) {
    const Eigen::Vector3d diff = q_bz - reciprocal_operations[i].cast<double>() * q_bz;
    if ((diff.cwiseAbs().array() < kLittleGroupTolerance).all()) {
      projector += rotations_cartesian[i];
      ++order;
    }
  }
  require(order > 0, "the little group of q is empty (no identity among the operations?)");
  projector /= double(order);
  const Eigen::Index nb = vm[0].rows();
  for (Eigen::Index j = 0; j < nb; ++j) {
    const Eigen::Vector3d v(vm[0](j, j).real(), vm[1](j, j).real(), vm[2](j, j).real());
    const Eigen::Vector3d pv = projector * v;
    for (int c = 0; c < 3; ++c) {
      group_velocities[std::size_t(j) * 3 + std::size_t(c)] = pv(c);
      vm[std::size_t(c)](j, j).real(pv(c));  // phono3py projects the diagonal in place
    }
  }
}

}  // namespace ph3mpi::transport
