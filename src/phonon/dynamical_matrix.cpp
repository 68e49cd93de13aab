// D(q) from fc2 (phonopy c/dynmat.c get_dynamical_matrix_at_q / get_dynmat_wang and
// DynamicalMatrix*.run dispatch), and the assembly of DynamicalMatrixInput.
#include "ph3mpi/phonon/dynamical_matrix.hpp"

#include <cmath>
#include <sstream>
#include <utility>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/units.hpp"
#include "ph3mpi/crystal/supercell.hpp"
#include "ph3mpi/phonon/gonze_lee.hpp"

namespace ph3mpi::phonon {

namespace {

constexpr double kPi = units::kPi;
// phonopy's DynamicalMatrixNAC.Q_DIRECTION_TOLERANCE (also the C kernels' q_zero_tolerance).
constexpr double kQZeroTolerance = 1e-5;

std::string shape_problem(const NdArray<double>& fc2, std::size_t n_patom, std::size_t n_satom) {
  std::ostringstream os;
  os << "force constants have shape " << fc2.shape_string() << " but the primitive cell has " << n_patom
     << " atoms and the fc2 supercell " << n_satom << ": expected (" << n_patom << ", " << n_satom
     << ", 3, 3) (compact) or (" << n_satom << ", " << n_satom << ", 3, 3) (full)";
  return os.str();
}

// phonopy's make_Hermitian: D <- (D + D^H) / 2 element by element.
void make_hermitian(Eigen::MatrixXcd& m) {
  const Eigen::Index n = m.rows();
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = i; j < n; ++j) {
      const double re = (m(i, j).real() + m(j, i).real()) / 2;
      const double im = (m(i, j).imag() - m(j, i).imag()) / 2;
      m(i, j) = {re, im};
      m(j, i) = {re, -im};
    }
  }
}

// (A (x) A) / (q.eps.q) term of Wang's method at Cartesian q: charge_sum[i * n + j](a, b) =
// (q.Z_i)_a (q.Z_j)_b * factor (c/dynmat.c dym_get_charge_sum).
std::vector<Eigen::Matrix3d> wang_charge_sum(const std::vector<Eigen::Matrix3d>& born,
                                             const Eigen::Vector3d& q_cart, double factor) {
  const std::size_t n = born.size();
  std::vector<Eigen::Vector3d> q_born(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (int b = 0; b < 3; ++b) {
      double s = 0;
      for (int a = 0; a < 3; ++a) s += q_cart(a) * born[i](a, b);
      q_born[i](b) = s;
    }
  }
  std::vector<Eigen::Matrix3d> charge_sum(n * n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) charge_sum[i * n + j](a, b) = q_born[i](a) * q_born[j](b) * factor;
  return charge_sum;
}

double dielectric_part(const Eigen::Vector3d& q, const Eigen::Matrix3d& eps) {
  double s = 0;
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b) s += q(a) * eps(a, b) * q(b);
  return s;
}

Eigen::Vector3d to_cartesian(const Eigen::Matrix3d& reciprocal_lattice, const Eigen::Vector3d& q) {
  Eigen::Vector3d c;
  for (int i = 0; i < 3; ++i) {
    double s = 0;
    for (int j = 0; j < 3; ++j) s += reciprocal_lattice(i, j) * q(j);
    c(i) = s;
  }
  return c;
}

}  // namespace

DynamicalMatrixInput make_dynamical_matrix_input(const crystal::Primitive& primitive,
                                                 const crystal::ShortestVectors& shortest_vectors,
                                                 NdArray<double> fc2) {
  DynamicalMatrixInput in;
  in.lattice = primitive.lattice;
  in.positions = primitive.positions;
  in.masses = primitive.masses;
  in.p2s_map = primitive.p2s_map;
  const std::size_t n_satom = primitive.s2p_map.size();
  in.s2pp_map.resize(n_satom);
  for (std::size_t s = 0; s < n_satom; ++s) in.s2pp_map[s] = primitive.p2p_map.at(primitive.s2p_map[s]);
  in.shortest_vectors = shortest_vectors;
  // The fc2 supercell in the primitive basis is inv(Primitive.primitive_matrix), which phonopy
  // rounds to integers (DynmatToForceConstants).
  const Eigen::Matrix3d smat = crystal::detail::inverse(primitive.primitive_matrix_to_supercell);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) in.supercell_matrix(i, j) = static_cast<int>(std::nearbyint(smat(i, j)));
  in.fc2 = std::move(fc2);
  const std::size_t n_patom = in.num_patom();
  const auto& s = in.fc2.shape;
  if (s.size() != 4 || s[2] != 3 || s[3] != 3 || s[1] != n_satom || (s[0] != n_patom && s[0] != n_satom)) {
    throw InputError("fc2", shape_problem(in.fc2, n_patom, n_satom));
  }
  return in;
}

namespace detail {

std::vector<std::vector<std::int64_t>> images_of_primitive_atoms(const DynamicalMatrixInput& input) {
  std::vector<std::vector<std::int64_t>> images(input.num_patom());
  for (std::size_t k = 0; k < input.num_satom(); ++k) images.at(input.s2pp_map[k]).push_back(std::int64_t(k));
  return images;
}

void fourier_force_constants(const DynamicalMatrixInput& input, const double* fc, bool fc_is_compact,
                             const std::vector<std::vector<std::int64_t>>& images_of,
                             const Eigen::Vector3d& q, const std::vector<Eigen::Matrix3d>* charge_sum,
                             Eigen::MatrixXcd& dm) {
  const std::size_t n_patom = input.num_patom();
  const std::size_t n_satom = input.num_satom();
  const auto& sv = input.shortest_vectors;
  dm.resize(Eigen::Index(3 * n_patom), Eigen::Index(3 * n_patom));
  for (std::size_t i = 0; i < n_patom; ++i) {
    const std::size_t row = fc_is_compact ? i : std::size_t(input.p2s_map[i]);
    for (std::size_t j = 0; j < n_patom; ++j) {
      const double mass_sqrt = std::sqrt(input.masses[i] * input.masses[j]);
      double re[3][3] = {};
      double im[3][3] = {};
      for (const std::int64_t k : images_of[j]) {
        // Average of exp(2 pi i q.r) over the equivalent shortest vectors of the pair.
        const auto& m = sv.multi[std::size_t(k) * n_patom + i];
        const double m_pair = double(m[0]);
        double cos_phase = 0;
        double sin_phase = 0;
        for (std::int64_t l = 0; l < m[0]; ++l) {
          const Eigen::Vector3d& r = sv.svecs[std::size_t(m[1] + l)];
          double phase = 0;
          for (int c = 0; c < 3; ++c) phase += q(c) * r(c);
          cos_phase += std::cos(phase * 2 * kPi) / m_pair;
          sin_phase += std::sin(phase * 2 * kPi) / m_pair;
        }
        const double* f = fc + (row * n_satom + std::size_t(k)) * 9;
        for (int a = 0; a < 3; ++a) {
          for (int b = 0; b < 3; ++b) {
            double fc_elem = f[a * 3 + b];
            if (charge_sum) fc_elem += (*charge_sum)[i * n_patom + j](a, b);
            re[a][b] += fc_elem * cos_phase;
            im[a][b] += fc_elem * sin_phase;
          }
        }
      }
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b)
          dm(Eigen::Index(3 * i + a), Eigen::Index(3 * j + b)) = {re[a][b] / mass_sqrt, im[a][b] / mass_sqrt};
    }
  }
  make_hermitian(dm);
}

}  // namespace detail

DynamicalMatrix::DynamicalMatrix(DynamicalMatrixInput input, std::optional<NacParams> nac)
    : input_(std::move(input)), nac_(std::move(nac)) {
  const std::size_t n_patom = input_.num_patom();
  const std::size_t n_satom = input_.num_satom();
  if (n_patom == 0 || input_.positions.size() != n_patom || input_.p2s_map.size() != n_patom) {
    throw InputError("fc2", "primitive cell data are inconsistent: " + std::to_string(n_patom) + " masses, " +
                                std::to_string(input_.positions.size()) + " positions, " +
                                std::to_string(input_.p2s_map.size()) + " p2s_map entries");
  }
  const auto& s = input_.fc2.shape;
  if (s.size() != 4 || s[2] != 3 || s[3] != 3 || s[1] != n_satom || (s[0] != n_patom && s[0] != n_satom)) {
    throw InputError("fc2", shape_problem(input_.fc2, n_patom, n_satom));
  }
  if (input_.shortest_vectors.multi.size() != n_satom * n_patom) {
    throw InputError("fc2", "shortest vectors are for " +
                                std::to_string(input_.shortest_vectors.multi.size()) +
                                " atom pairs, expected " + std::to_string(n_satom * n_patom));
  }
  if (n_satom % n_patom != 0) {
    throw InputError("fc2", "supercell atom count " + std::to_string(n_satom) + " is not a multiple of " +
                                std::to_string(n_patom));
  }
  reciprocal_lattice_ = crystal::detail::inverse(input_.lattice);
  images_of_ = detail::images_of_primitive_atoms(input_);

  if (!nac_) return;
  if (nac_->born.size() != n_patom) {
    throw InputError("nac", "Born effective charges are given for " + std::to_string(nac_->born.size()) +
                                " atoms but the primitive cell has " + std::to_string(n_patom));
  }
  if (nac_->method == "wang") {
    method_ = NacMethod::kWang;
  } else if (nac_->method == "gonze" || nac_->method.empty()) {
    method_ = NacMethod::kGonzeLee;
  } else {
    throw InputError("nac", "unknown NAC method '" + nac_->method + "' (expected 'gonze' or 'wang')");
  }
  const double volume = input_.lattice.determinant();
  // phonopy DynamicalMatrixNAC.nac_factor: unit_conversion * 4 pi / V.
  wang_nac_factor_ = nac_->factor * 4.0 * kPi / volume;
  if (method_ == NacMethod::kGonzeLee) {
    gl_ = std::make_shared<const GonzeLeeData>(
        gonze_lee::make_gonze_lee_data(input_, *nac_, reciprocal_lattice_, images_of_));
  }
}

void DynamicalMatrix::compute(const Eigen::Vector3d& q, const std::optional<Eigen::Vector3d>& q_direction,
                              Eigen::MatrixXcd& dm, GammaConvention convention) const {
  const bool compact = input_.is_compact_fc();
  if (method_ == NacMethod::kNone) {
    detail::fourier_force_constants(input_, input_.fc2.ptr(), compact, images_of_, q, nullptr, dm);
    return;
  }
  // DynamicalMatrixNAC.run: no NAC term when q (or the given direction) is ~0.
  const Eigen::Vector3d q_cart = to_cartesian(reciprocal_lattice_, q);
  std::optional<Eigen::Vector3d> q_dir_cart;
  if (q_direction) q_dir_cart = to_cartesian(reciprocal_lattice_, *q_direction);
  const double q_norm = q_dir_cart ? q_dir_cart->norm() : q_cart.norm();
  // phono3py's grid solver keeps the Gonze-Lee form at Gamma too (the G = 0 term dropped),
  // which equals D(0) from fc2 up to rounding.
  const bool gl_at_gamma = method_ == NacMethod::kGonzeLee && convention == GammaConvention::kPhono3pyGrid;
  if (q_norm < kQZeroTolerance && !gl_at_gamma) {
    detail::fourier_force_constants(input_, input_.fc2.ptr(), compact, images_of_, q, nullptr, dm);
    return;
  }

  if (method_ == NacMethod::kGonzeLee) {
    // Short-range part by Fourier interpolation, then the dipole-dipole part (c/dynmat.c
    // add_dynmat_dd_at_q), not hermitized again.
    detail::fourier_force_constants(input_, gl_->short_range_fc2.ptr(), true, images_of_, q, nullptr, dm);
    Eigen::MatrixXcd dd;
    gonze_lee::recip_dipole_dipole(*gl_, nac_->born, nac_->dielectric, q_cart, q_dir_cart, dd);
    const std::size_t n_patom = input_.num_patom();
    for (std::size_t i = 0; i < n_patom; ++i) {
      for (std::size_t j = 0; j < n_patom; ++j) {
        const double mm = std::sqrt(input_.masses[i] * input_.masses[j]);
        for (int a = 0; a < 3; ++a) {
          for (int b = 0; b < 3; ++b) {
            const Eigen::Index r = Eigen::Index(3 * i + a);
            const Eigen::Index c = Eigen::Index(3 * j + b);
            dm(r, c) = {dm(r, c).real() + dd(r, c).real() / mm, dm(r, c).imag() + dd(r, c).imag() / mm};
          }
        }
      }
    }
    return;
  }

  // Wang et al., J. Phys.: Condens. Matter 22, 202201 (2010): the NAC term
  // (4 pi / V) (q.Z_i)(q.Z_j) / (q.eps.q) spread evenly over the N images of each pair in the
  // supercell (c/dynmat.c get_dynmat_wang). At q = 0 it needs a direction.
  const double n_cells = double(input_.num_satom() / input_.num_patom());
  const Eigen::Vector3d* qc = nullptr;
  if (q_cart.norm() < kQZeroTolerance) {
    if (q_dir_cart) qc = &*q_dir_cart;
  } else {
    qc = &q_cart;
  }
  if (!qc) {
    detail::fourier_force_constants(input_, input_.fc2.ptr(), compact, images_of_, q, nullptr, dm);
    return;
  }
  const auto charge_sum =
      wang_charge_sum(nac_->born, *qc, wang_nac_factor_ / n_cells / dielectric_part(*qc, nac_->dielectric));
  detail::fourier_force_constants(input_, input_.fc2.ptr(), compact, images_of_, q, &charge_sum, dm);
}

Eigen::MatrixXcd DynamicalMatrix::at(const Eigen::Vector3d& q,
                                     const std::optional<Eigen::Vector3d>& q_direction) const {
  Eigen::MatrixXcd dm;
  compute(q, q_direction, dm);
  return dm;
}

}  // namespace ph3mpi::phonon
