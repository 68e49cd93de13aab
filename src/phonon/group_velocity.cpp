// Group velocities with degenerate-subspace treatment and site-symmetry averaging
// (phonopy.phonon.group_velocity.GroupVelocity).
#include "ph3mpi/phonon/group_velocity.hpp"

#include <cmath>
#include <cstdint>
#include <exception>

#include "ph3mpi/crystal/supercell.hpp"
#include "ph3mpi/phonon/degeneracy.hpp"
#include "ph3mpi/phonon/eigensolver.hpp"

namespace ph3mpi::phonon {

GroupVelocity::GroupVelocity(const DynamicalMatrix& dm, std::vector<Eigen::Matrix3i> reciprocal_operations,
                             double symprec, std::optional<double> q_length, double frequency_factor_to_thz,
                             double cutoff_frequency)
    : dm_(dm),
      reciprocal_operations_(std::move(reciprocal_operations)),
      symprec_(symprec),
      q_length_(q_length),
      factor_(frequency_factor_to_thz),
      cutoff_frequency_(cutoff_frequency) {
  // A general direction (1, 2, 3) breaks the degeneracy; then the Cartesian axes.
  directions_[0] = Eigen::Vector3d(1, 2, 3) / Eigen::Vector3d(1, 2, 3).norm();
  directions_[1] = Eigen::Vector3d(1, 0, 0);
  directions_[2] = Eigen::Vector3d(0, 1, 0);
  directions_[3] = Eigen::Vector3d(0, 0, 1);
}

void GroupVelocity::at(const Eigen::Vector3d& q, double* gv) const {
  const std::size_t nb = dm_.num_band();
  Eigen::MatrixXcd d;
  dm_.compute(q, std::nullopt, d);
  Eigen::VectorXd vals;
  Eigen::MatrixXcd vecs;
  hermitian_eigh(d, vals, vecs);
  std::vector<double> freqs(nb);
  for (std::size_t b = 0; b < nb; ++b) freqs[b] = eigenvalue_to_frequency(vals(Eigen::Index(b)), factor_);

  // Derivative of D along each direction (analytic or central difference).
  std::array<Eigen::MatrixXcd, 4> ddms;
  if (!q_length_) {
    const auto ddm = dm_.derivative(q);
    for (std::size_t k = 0; k < 4; ++k) {
      ddms[k] = Eigen::MatrixXcd::Zero(d.rows(), d.cols());
      for (std::size_t c = 0; c < 3; ++c) ddms[k] += directions_[k](Eigen::Index(c)) * ddm[c];
    }
  } else {
    const double ql = *q_length_;
    Eigen::MatrixXcd d_minus;
    Eigen::MatrixXcd d_plus;
    for (std::size_t k = 0; k < 4; ++k) {
      const Eigen::Vector3d dq_cart = directions_[k] / directions_[k].norm() * ql;
      const Eigen::Vector3d dq = dm_.input().lattice * dq_cart;  // reduced
      dm_.compute(q - dq, std::nullopt, d_minus);
      dm_.compute(q + dq, std::nullopt, d_plus);
      ddms[k] = (d_plus - d_minus) / ql / 2.0;
    }
  }

  // Degenerate perturbation theory inside each degenerate subspace: rotate the subspace to
  // diagonalize dD along directions_[0], then take <e|dD/dq_xyz|e>.
  std::vector<double> v(nb * 3, 0.0);
  std::size_t pos = 0;
  Eigen::VectorXd sub_vals;
  Eigen::MatrixXcd sub_vecs;
  for (const auto& deg : degenerate_sets(freqs.data(), nb)) {
    Eigen::MatrixXcd eigsets(vecs.rows(), Eigen::Index(deg.size()));
    for (std::size_t c = 0; c < deg.size(); ++c)
      eigsets.col(Eigen::Index(c)) = vecs.col(Eigen::Index(deg[c]));
    const Eigen::MatrixXcd proj = eigsets.adjoint() * ddms[0] * eigsets;
    hermitian_eigh(proj, sub_vals, sub_vecs);
    const Eigen::MatrixXcd rot = eigsets * sub_vecs;
    for (std::size_t k = 1; k < 4; ++k) {
      const Eigen::MatrixXcd m = rot.adjoint() * ddms[k] * rot;
      for (std::size_t c = 0; c < deg.size(); ++c)
        v[(pos + c) * 3 + (k - 1)] = m(Eigen::Index(c), Eigen::Index(c)).real();
    }
    pos += deg.size();
  }
  for (std::size_t b = 0; b < nb; ++b) {
    const double f = freqs[b];
    if (f > cutoff_frequency_) {
      const double scale = factor_ * factor_ / f / 2;
      for (int c = 0; c < 3; ++c) v[b * 3 + c] *= scale;
    } else {
      for (int c = 0; c < 3; ++c) v[b * 3 + c] = 0;
    }
  }

  if (reciprocal_operations_.empty()) {
    std::copy(v.begin(), v.end(), gv);
    return;
  }
  // Average over the operations that leave q (brought next to Gamma) invariant.
  const Eigen::Matrix3d& rec = dm_.reciprocal_lattice();
  const Eigen::Matrix3d rec_inv = crystal::detail::inverse(rec);
  Eigen::Vector3d q_bz = q;
  for (int c = 0; c < 3; ++c) q_bz(c) -= std::nearbyint(q(c));
  std::vector<double> sym(nb * 3, 0.0);
  int count = 0;
  for (const Eigen::Matrix3i& r : reciprocal_operations_) {
    const Eigen::Vector3d diff = q_bz - r.cast<double>() * q_bz;
    if (!(diff.cwiseAbs().array() < symprec_).all()) continue;
    ++count;
    const Eigen::Matrix3d r_cart = rec * (r.cast<double>() * rec_inv);
    for (std::size_t b = 0; b < nb; ++b) {
      const Eigen::Vector3d x(v[b * 3], v[b * 3 + 1], v[b * 3 + 2]);
      const Eigen::Vector3d y = r_cart * x;
      for (int c = 0; c < 3; ++c) sym[b * 3 + c] += y(c);
    }
  }
  for (std::size_t i = 0; i < nb * 3; ++i) gv[i] = sym[i] / count;
}

std::vector<double> GroupVelocity::at(const Eigen::Vector3d& q) const {
  std::vector<double> gv(dm_.num_band() * 3);
  at(q, gv.data());
  return gv;
}

void GroupVelocity::run(const std::vector<Eigen::Vector3d>& qpoints, double* out) const {
  const std::size_t stride = dm_.num_band() * 3;
  const std::int64_t n = std::int64_t(qpoints.size());
  std::exception_ptr error;
#pragma omp parallel for schedule(dynamic)
  for (std::int64_t iq = 0; iq < n; ++iq) {
    try {
      at(qpoints[std::size_t(iq)], out + std::size_t(iq) * stride);
    } catch (...) {
#pragma omp critical(ph3mpi_group_velocity_error)
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace ph3mpi::phonon
