// Gonze-Lee NAC kernels: G list and Ewald parameter, the reciprocal-space dipole-dipole sum
// and its analytic q-derivative (phonopy DynamicalMatrixGL, c/dynmat.c get_dd /
// multiply_borns / dym_get_recip_dipole_dipole[_q0], derivative_dynmat.py).
#include "ph3mpi/phonon/gonze_lee.hpp"

#include <cmath>
#include <complex>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/units.hpp"
#include "ph3mpi/phonon/numpy_linalg.hpp"

namespace ph3mpi::phonon::gonze_lee {

namespace {

constexpr double kPi = units::kPi;
constexpr double kQZeroTolerance = 1e-5;

double dielectric_part(const Eigen::Vector3d& q, const Eigen::Matrix3d& eps) {
  double s = 0;
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b) s += q(a) * eps(a, b) * q(b);
  return s;
}

// sum_G K(q+G) exp(2 pi i G.(tau_i - tau_j)) as [i][a][j][b] in a (3n x 3n) matrix (get_dd).
// Where |q + G| < 1e-5 the term is dropped without a direction, or is the undamped limit
// q_dir q_dir^T / (q_dir.eps.q_dir) with one.
void ewald_sum(const std::vector<Eigen::Vector3d>& g_list, const std::vector<std::complex<double>>& g_phases,
               std::size_t n, const Eigen::Matrix3d& eps, const Eigen::Vector3d& q_cart,
               const std::optional<Eigen::Vector3d>& q_dir_cart, double lambda, Eigen::MatrixXcd& dd_part) {
  dd_part = Eigen::MatrixXcd::Zero(Eigen::Index(3 * n), Eigen::Index(3 * n));
  const double l2 = 4 * lambda * lambda;
  for (std::size_t ig = 0; ig < g_list.size(); ++ig) {
    const Eigen::Vector3d& g = g_list[ig];
    Eigen::Vector3d q_k;
    double norm = 0;
    for (int a = 0; a < 3; ++a) {
      q_k(a) = g(a) + q_cart(a);
      norm += q_k(a) * q_k(a);
    }
    Eigen::Matrix3d kk;
    if (std::sqrt(norm) < kQZeroTolerance) {
      if (!q_dir_cart) continue;  // contributes zero
      const double d = dielectric_part(*q_dir_cart, eps);
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) kk(a, b) = (*q_dir_cart)(a) * (*q_dir_cart)(b) / d;
    } else {
      const double d = dielectric_part(q_k, eps);
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) kk(a, b) = q_k(a) * q_k(b) / d * std::exp(-d / l2);
    }
    // "C-type" dynamical matrix: the phase carries G only, not q + G.
    const std::complex<double>* ph = &g_phases[ig * n * n];
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) {
        const double c = ph[i * n + j].real();
        const double s = ph[i * n + j].imag();
        for (int a = 0; a < 3; ++a) {
          for (int b = 0; b < 3; ++b) {
            auto& e = dd_part(Eigen::Index(3 * i + a), Eigen::Index(3 * j + b));
            e = {e.real() + kk(a, b) * c, e.imag() + kk(a, b) * s};
          }
        }
      }
    }
  }
}

// dd(i a, j b) = sum_{c,d} dd_in(i c, j d) Z_i(c, a) Z_j(d, b) (multiply_borns).
void multiply_borns(const Eigen::MatrixXcd& dd_in, const std::vector<Eigen::Matrix3d>& born,
                    Eigen::MatrixXcd& dd) {
  const std::size_t n = born.size();
  dd = Eigen::MatrixXcd::Zero(dd_in.rows(), dd_in.cols());
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      for (int a = 0; a < 3; ++a) {
        for (int b = 0; b < 3; ++b) {
          double re = 0;
          double im = 0;
          for (int c = 0; c < 3; ++c) {
            for (int d = 0; d < 3; ++d) {
              const double zz = born[i](c, a) * born[j](d, b);
              const auto& v = dd_in(Eigen::Index(3 * i + c), Eigen::Index(3 * j + d));
              re += v.real() * zz;
              im += v.imag() * zz;
            }
          }
          dd(Eigen::Index(3 * i + a), Eigen::Index(3 * j + b)) = {re, im};
        }
      }
    }
  }
}

}  // namespace

std::vector<std::complex<double>> g_phase_table(const std::vector<Eigen::Vector3d>& g_list,
                                                const std::vector<Eigen::Vector3d>& positions_cart) {
  const std::size_t n = positions_cart.size();
  std::vector<std::complex<double>> table(g_list.size() * n * n);
  for (std::size_t ig = 0; ig < g_list.size(); ++ig) {
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) {
        double phase = 0;
        for (int a = 0; a < 3; ++a) phase += (positions_cart[i](a) - positions_cart[j](a)) * g_list[ig](a);
        phase *= 2 * kPi;
        table[(ig * n + i) * n + j] = {std::cos(phase), std::sin(phase)};
      }
    }
  }
  return table;
}

double default_g_cutoff(double volume, int num_g_points) {
  return std::pow(3 * num_g_points / (4 * kPi) / volume, 1.0 / 3);
}

double default_lambda(double g_cutoff, const Eigen::Matrix3d& dielectric) {
  const double exp_cutoff = 1e-10;
  const double geg = g_cutoff * g_cutoff * dielectric.trace() / 3;
  return std::sqrt(-geg / 4 / std::log(exp_cutoff));
}

std::vector<Eigen::Vector3d> g_list(const Eigen::Matrix3d& reciprocal_lattice, double g_cutoff) {
  // Smallest cube radius: the first (from large to small) radius at which some nearest
  // lattice direction n, |n_i| <= 1, already lies inside the cutoff sphere, plus one.
  int g_rad = 100;
  bool found = false;
  for (int r = 100; r > 0 && !found; --r) {
    for (int a = -1; a <= 1 && !found; ++a) {
      for (int b = -1; b <= 1 && !found; ++b) {
        for (int c = -1; c <= 1 && !found; ++c) {
          if (a == 0 && b == 0 && c == 0) continue;
          const double norm = (reciprocal_lattice * Eigen::Vector3d(a, b, c)).norm() * r;
          if (norm < g_cutoff) {
            g_rad = r + 1;
            found = true;
          }
        }
      }
    }
  }
  // phonopy builds all candidates as one numpy product (grid @ rec.T, BLAS dgemm) and keeps
  // those with (G_x^2 + G_y^2) + G_z^2 < G_cutoff^2; the same operations give the same bits.
  const int npts = 2 * g_rad + 1;
  std::vector<Eigen::Vector3d> grid;
  grid.reserve(std::size_t(npts) * std::size_t(npts) * std::size_t(npts));
  for (int i = -g_rad; i <= g_rad; ++i)
    for (int j = -g_rad; j <= g_rad; ++j)
      for (int k = -g_rad; k <= g_rad; ++k) grid.emplace_back(double(i), double(j), double(k));
  const std::vector<Eigen::Vector3d> g_all = numpy_linalg::dot_rows(grid, reciprocal_lattice, true);
  std::vector<Eigen::Vector3d> list;
  const double cutoff2 = g_cutoff * g_cutoff;
  for (const Eigen::Vector3d& g : g_all) {
    const double x0 = g(0) * g(0);
    const double x1 = g(1) * g(1);
    const double x2 = g(2) * g(2);
    if ((x0 + x1) + x2 < cutoff2) list.push_back(g);
  }
  return list;
}

std::vector<Eigen::Matrix3cd> recip_dipole_dipole_q0(const std::vector<Eigen::Vector3d>& g_list,
                                                     const std::vector<Eigen::Matrix3d>& born,
                                                     const Eigen::Matrix3d& dielectric,
                                                     const std::vector<Eigen::Vector3d>& positions_cart,
                                                     double lambda) {
  const std::size_t n = born.size();
  Eigen::MatrixXcd dd_tmp1;
  Eigen::MatrixXcd dd_tmp2;
  ewald_sum(g_list, g_phase_table(g_list, positions_cart), n, dielectric, Eigen::Vector3d::Zero(),
            std::nullopt, lambda, dd_tmp1);
  multiply_borns(dd_tmp1, born, dd_tmp2);
  std::vector<Eigen::Matrix3cd> dd_q0(n, Eigen::Matrix3cd::Zero());
  for (std::size_t i = 0; i < n; ++i) {
    for (int a = 0; a < 3; ++a) {
      for (int b = 0; b < 3; ++b) {
        std::complex<double> s = 0.0;
        for (std::size_t j = 0; j < n; ++j) s += dd_tmp2(Eigen::Index(3 * i + a), Eigen::Index(3 * j + b));
        dd_q0[i](a, b) = s;
      }
    }
    // Hermitize each 3x3 block.
    Eigen::Matrix3cd& m = dd_q0[i];
    for (int a = 0; a < 3; ++a) {
      for (int b = 0; b < 3; ++b) {
        const double re = (m(a, b).real() + m(b, a).real()) / 2;
        const double im = (m(a, b).imag() - m(b, a).imag()) / 2;
        m(a, b) = {re, im};
        m(b, a) = {re, -im};
      }
    }
  }
  return dd_q0;
}

void recip_dipole_dipole(const GonzeLeeData& gl, const std::vector<Eigen::Matrix3d>& born,
                         const Eigen::Matrix3d& dielectric, const Eigen::Vector3d& q_cart,
                         const std::optional<Eigen::Vector3d>& q_direction_cart, Eigen::MatrixXcd& dd) {
  const std::size_t n = born.size();
  Eigen::MatrixXcd dd_tmp;
  ewald_sum(gl.g_list, gl.g_phases, n, dielectric, q_cart, q_direction_cart, gl.lambda, dd_tmp);
  multiply_borns(dd_tmp, born, dd);
  for (std::size_t i = 0; i < n; ++i)
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 3; ++b) dd(Eigen::Index(3 * i + a), Eigen::Index(3 * i + b)) -= gl.dd_q0[i](a, b);
  dd *= gl.nac_factor;
}

void derivative_recip_dipole_dipole(const GonzeLeeData& gl, const std::vector<Eigen::Matrix3d>& born,
                                    const Eigen::Matrix3d& dielectric, const std::vector<double>& masses,
                                    const Eigen::Vector3d& q_cart,
                                    const std::optional<Eigen::Vector3d>& q_direction_cart,
                                    std::array<Eigen::MatrixXcd, 3>& ddm) {
  const std::size_t n = born.size();
  const Eigen::Index nb = Eigen::Index(3 * n);
  for (auto& m : ddm) m = Eigen::MatrixXcd::Zero(nb, nb);
  std::optional<Eigen::Vector3d> q_dir;
  if (q_cart.norm() < kQZeroTolerance && q_direction_cart) q_dir = q_direction_cart->normalized();
  const double lambda2 = gl.lambda * gl.lambda;
  for (std::size_t ig = 0; ig < gl.g_list.size(); ++ig) {
    const Eigen::Vector3d& g = gl.g_list[ig];
    Eigen::Vector3d qv = g + q_cart;
    if (qv.norm() < kQZeroTolerance) {
      if (!q_dir) continue;
      qv = *q_dir;
    }
    const Eigen::Vector3d v = dielectric * qv;
    const double b = qv.dot(v);
    const double damping = std::exp(-b / (4.0 * lambda2));
    const Eigen::Vector3d kmu = v * (2.0 / (b * b) + 1.0 / (2.0 * lambda2 * b));
    const std::complex<double>* phase = &gl.g_atom_phases[ig * n];
    for (int mu = 0; mu < 3; ++mu) {
      // T_mu(c, d) = (delta_{mu c} Q_d + Q_c delta_{mu d}) / B - Q_c Q_d K_mu
      Eigen::Matrix3d t = -qv * qv.transpose() * kmu(mu);
      for (int d = 0; d < 3; ++d) {
        t(mu, d) += qv(d) / b;
        t(d, mu) += qv(d) / b;
      }
      for (std::size_t k = 0; k < n; ++k) {
        for (std::size_t kp = 0; kp < n; ++kp) {
          const Eigen::Matrix3d ztz = born[k].transpose() * t * born[kp];
          const std::complex<double> w = damping * phase[k] * std::conj(phase[kp]);
          ddm[std::size_t(mu)].block<3, 3>(Eigen::Index(3 * k), Eigen::Index(3 * kp)) +=
              ztz.cast<std::complex<double>>() * w;
        }
      }
    }
  }
  for (auto& m : ddm) {
    for (std::size_t k = 0; k < n; ++k) {
      for (std::size_t kp = 0; kp < n; ++kp) {
        const double w = 1.0 / std::sqrt(masses[k]) * (1.0 / std::sqrt(masses[kp]));
        m.block<3, 3>(Eigen::Index(3 * k), Eigen::Index(3 * kp)) *= w;
      }
    }
    m *= gl.nac_factor;
  }
}

}  // namespace ph3mpi::phonon::gonze_lee
