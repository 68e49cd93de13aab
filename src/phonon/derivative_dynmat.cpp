// Analytic dD/dq (phonopy DerivativeOfDynamicalMatrix._run_py, the path that handles
// Gonze-Lee NAC; for no NAC and Wang it is the same formula as c/derivative_dynmat.c).
#include <cmath>
#include <complex>

#include "ph3mpi/common/units.hpp"
#include "ph3mpi/phonon/dynamical_matrix.hpp"
#include "ph3mpi/phonon/gonze_lee.hpp"

namespace ph3mpi::phonon {

namespace {

constexpr double kPi = units::kPi;
constexpr double kQZeroTolerance = 1e-5;  // DerivativeOfDynamicalMatrix.Q_DIRECTION_TOLERANCE

// Wang's NAC contribution to every fc2 element of the pair (i, j) at Cartesian q and its
// derivative (phonopy _wang_nac / _d_wang_nac): with A_i = q.Z_i, B = q.eps.q,
//   fc_nac(i, j) = A_i (x) A_j / B * nac_factor / N,
//   d fc_nac / dq_mu = [(Z_i[mu] (x) A_j + A_i (x) Z_j[mu]) / B - A_i (x) A_j dB_mu / B^2] nac_factor / N,
// dB_mu = 2 (eps q)_mu.
void wang_nac_terms(const std::vector<Eigen::Matrix3d>& born, const Eigen::Matrix3d& eps,
                    const Eigen::Vector3d& q, double nac_factor, double n_cells,
                    std::vector<Eigen::Matrix3d>& fc_nac,
                    std::vector<std::array<Eigen::Matrix3d, 3>>& d_fc_nac) {
  const std::size_t n = born.size();
  std::vector<Eigen::Vector3d> a(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (int c = 0; c < 3; ++c) {
      double s = 0;
      for (int k = 0; k < 3; ++k) s += q(k) * born[i](k, c);
      a[i](c) = s;
    }
  }
  const Eigen::Vector3d eq = eps * q;
  const double b = q.dot(eq);
  fc_nac.assign(n * n, Eigen::Matrix3d::Zero());
  d_fc_nac.assign(n * n, {Eigen::Matrix3d::Zero(), Eigen::Matrix3d::Zero(), Eigen::Matrix3d::Zero()});
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      const Eigen::Matrix3d aa = a[i] * a[j].transpose();
      fc_nac[i * n + j] = aa / b * nac_factor / n_cells;
      for (int mu = 0; mu < 3; ++mu) {
        const double db = eq(mu) * 2;
        const Eigen::Vector3d dai = born[i].row(mu).transpose();
        const Eigen::Vector3d daj = born[j].row(mu).transpose();
        const Eigen::Matrix3d d = (dai * a[j].transpose() + a[i] * daj.transpose()) / b - aa * db / (b * b);
        d_fc_nac[i * n + j][std::size_t(mu)] = d * nac_factor / n_cells;
      }
    }
  }
}

}  // namespace

std::array<Eigen::MatrixXcd, 3> DynamicalMatrix::derivative(
    const Eigen::Vector3d& q, const std::optional<Eigen::Vector3d>& q_direction) const {
  const std::size_t n_patom = input_.num_patom();
  const std::size_t n_satom = input_.num_satom();
  const Eigen::Index nb = Eigen::Index(3 * n_patom);
  std::array<Eigen::MatrixXcd, 3> ddm;
  for (auto& m : ddm) m = Eigen::MatrixXcd::Zero(nb, nb);

  const double* fc = input_.fc2.ptr();
  bool compact = input_.is_compact_fc();
  std::vector<Eigen::Matrix3d> fc_nac;
  std::vector<std::array<Eigen::Matrix3d, 3>> d_fc_nac;
  std::array<Eigen::MatrixXcd, 3> d_dd;
  bool with_d_dd = false;

  if (method_ == NacMethod::kGonzeLee) {
    fc = gl_->short_range_fc2.ptr();
    compact = true;
    Eigen::Vector3d q_cart = reciprocal_lattice_ * q;
    std::optional<Eigen::Vector3d> q_dir_cart;
    if (q_direction) q_dir_cart = reciprocal_lattice_ * *q_direction;
    gonze_lee::derivative_recip_dipole_dipole(*gl_, nac_->born, nac_->dielectric, input_.masses, q_cart,
                                              q_dir_cart, d_dd);
    with_d_dd = true;
  } else if (method_ == NacMethod::kWang) {
    const Eigen::Vector3d& q_for_nac = q_direction ? *q_direction : q;
    if (!(q_for_nac.cwiseAbs().array() < kQZeroTolerance).all()) {
      wang_nac_terms(nac_->born, nac_->dielectric, reciprocal_lattice_ * q_for_nac, wang_nac_factor_,
                     double(n_satom / n_patom), fc_nac, d_fc_nac);
    }
  }

  const auto& sv = input_.shortest_vectors;
  const std::complex<double> two_pi_i(0.0, 2 * kPi);
  std::vector<std::complex<double>> phase;
  for (std::size_t i = 0; i < n_patom; ++i) {
    const std::size_t row = compact ? i : std::size_t(input_.p2s_map[i]);
    for (std::size_t j = 0; j < n_patom; ++j) {
      const double mass = std::sqrt(input_.masses[i] * input_.masses[j]);
      Eigen::Matrix3cd local[3] = {Eigen::Matrix3cd::Zero(), Eigen::Matrix3cd::Zero(),
                                   Eigen::Matrix3cd::Zero()};
      for (const std::int64_t k : images_of_[j]) {
        const auto& m = sv.multi[std::size_t(k) * n_patom + i];
        const std::size_t count = std::size_t(m[0]);
        // d/dq_cart of exp(2 pi i q.r) = 2 pi i r_cart exp(2 pi i q.r), averaged over the
        // equivalent shortest vectors.
        std::complex<double> scalars[3] = {0.0, 0.0, 0.0};
        std::complex<double> phase_sum = 0.0;
        for (std::size_t l = 0; l < count; ++l) {
          const Eigen::Vector3d& r = sv.svecs[std::size_t(m[1]) + l];
          const std::complex<double> ph = std::exp(two_pi_i * r.dot(q));
          const Eigen::Vector3d r_cart = input_.lattice.transpose() * r;
          for (int c = 0; c < 3; ++c) scalars[c] += two_pi_i * r_cart(c) * ph;
          phase_sum += ph;
        }
        const double norm = mass * double(count);
        const double* f = fc + (row * n_satom + std::size_t(k)) * 9;
        Eigen::Matrix3d fc_elem;
        for (int a = 0; a < 3; ++a)
          for (int b = 0; b < 3; ++b) fc_elem(a, b) = f[a * 3 + b];
        if (!fc_nac.empty()) fc_elem += fc_nac[i * n_patom + j];
        for (int c = 0; c < 3; ++c) {
          local[c] += (scalars[c] / norm) * fc_elem.cast<std::complex<double>>();
          if (!d_fc_nac.empty()) {
            local[c] +=
                d_fc_nac[i * n_patom + j][std::size_t(c)].cast<std::complex<double>>() * (phase_sum / norm);
          }
        }
      }
      for (int c = 0; c < 3; ++c)
        ddm[std::size_t(c)].block<3, 3>(Eigen::Index(3 * i), Eigen::Index(3 * j)) = local[c];
    }
  }
  for (int c = 0; c < 3; ++c) {
    auto& d = ddm[std::size_t(c)];
    if (with_d_dd) d += d_dd[std::size_t(c)];
    const Eigen::MatrixXcd h = (d + d.adjoint()) / 2.0;
    d = h;
  }
  return ddm;
}

}  // namespace ph3mpi::phonon
