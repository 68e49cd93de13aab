// Gonze-Lee set-up done once per crystal (phonopy DynamicalMatrixGL._set_nac_params and
// make_Gonze_nac_dataset): Ewald parameters, G list, dd_q0, and the short-range force
// constants, i.e. fc2 with the dipole-dipole part removed, obtained by the inverse Fourier
// transform of D(q) - C_dd(q)/sqrt(m m) at the commensurate points of the fc2 supercell
// (moved into the first Brillouin zone first, because the truncated G sum is not periodic).
#include <cmath>
#include <complex>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/units.hpp"
#include "ph3mpi/phonon/commensurate_points.hpp"
#include "ph3mpi/phonon/gonze_lee.hpp"
#include "ph3mpi/phonon/numpy_linalg.hpp"

namespace ph3mpi::phonon::gonze_lee {

namespace {
constexpr double kPi = units::kPi;
}  // namespace

NdArray<double> transform_dynmat_to_fc(const DynamicalMatrixInput& input,
                                       const std::vector<Eigen::Vector3d>& commensurate_points,
                                       const std::vector<Eigen::MatrixXcd>& dynamical_matrices) {
  const std::size_t n_patom = input.num_patom();
  const std::size_t n_satom = input.num_satom();
  const std::size_t n_cells = n_satom / n_patom;
  const auto& sv = input.shortest_vectors;
  NdArray<double> fc({n_patom, n_satom, 3, 3}, 0.0);
  for (std::size_t i = 0; i < n_patom; ++i) {
    for (std::size_t s = 0; s < n_satom; ++s) {
      const auto& m = sv.multi[s * n_patom + i];
      const std::size_t j = std::size_t(input.s2pp_map[s]);
      const double coef = std::sqrt(input.masses[i] * input.masses[j]) / double(n_cells);
      double* f = fc.ptr() + (i * n_satom + s) * 9;
      for (std::size_t k = 0; k < commensurate_points.size(); ++k) {
        const Eigen::Vector3d& q = commensurate_points[k];
        double cos_phase = 0;
        double sin_phase = 0;
        for (std::int64_t l = 0; l < m[0]; ++l) {
          const Eigen::Vector3d& r = sv.svecs[std::size_t(m[1] + l)];
          double phase = 0;
          for (int c = 0; c < 3; ++c) phase -= q(c) * r(c);
          cos_phase += std::cos(phase * 2 * kPi);
          sin_phase += std::sin(phase * 2 * kPi);
        }
        cos_phase /= double(m[0]);
        sin_phase /= double(m[0]);
        const Eigen::MatrixXcd& dm = dynamical_matrices[k];
        for (int a = 0; a < 3; ++a) {
          for (int b = 0; b < 3; ++b) {
            const auto& d = dm(Eigen::Index(3 * i + a), Eigen::Index(3 * j + b));
            f[a * 3 + b] += (d.real() * cos_phase - d.imag() * sin_phase) * coef;
          }
        }
      }
    }
  }
  return fc;
}

GonzeLeeData make_gonze_lee_data(const DynamicalMatrixInput& input, const NacParams& nac,
                                 const Eigen::Matrix3d& reciprocal_lattice,
                                 const std::vector<std::vector<std::int64_t>>& images_of) {
  GonzeLeeData gl;
  const std::size_t n_patom = input.num_patom();
  // PhonopyAtoms.volume is numpy.linalg.det of the lattice.
  const double volume = numpy_linalg::det(input.lattice);
  if (!(volume > 0))
    throw InputError("nac", "primitive cell volume is not positive: " + std::to_string(volume));
  gl.g_cutoff = nac.g_cutoff ? *nac.g_cutoff : default_g_cutoff(volume);
  gl.g_list = g_list(reciprocal_lattice, gl.g_cutoff);
  gl.lambda = nac.lambda ? *nac.lambda : default_lambda(gl.g_cutoff, nac.dielectric);
  if (gl.g_list.empty() || !(gl.lambda > 0)) {
    throw InputError("nac", "Gonze-Lee parameters give no G vectors or a non-positive Lambda (G_cutoff " +
                                std::to_string(gl.g_cutoff) + ", Lambda " + std::to_string(gl.lambda) + ")");
  }
  gl.nac_factor = nac.factor * 4.0 * kPi / volume;
  // PhonopyAtoms.positions: numpy.dot(scaled_positions, lattice).
  gl.positions_cart = numpy_linalg::dot_rows(input.positions, input.lattice, false);
  gl.g_phases = g_phase_table(gl.g_list, gl.positions_cart);
  gl.g_atom_phases.resize(gl.g_list.size() * n_patom);
  for (std::size_t ig = 0; ig < gl.g_list.size(); ++ig)
    for (std::size_t k = 0; k < n_patom; ++k)
      gl.g_atom_phases[ig * n_patom + k] =
          std::exp(std::complex<double>(0.0, 2 * kPi * gl.positions_cart[k].dot(gl.g_list[ig])));
  gl.dd_q0 = recip_dipole_dipole_q0(gl.g_list, nac.born, nac.dielectric, gl.positions_cart, gl.lambda);

  const auto shortest =
      shortest_qpoints_in_bz(reciprocal_lattice, commensurate_points(input.supercell_matrix));
  gl.commensurate_points.reserve(shortest.size());
  for (const auto& pts : shortest) gl.commensurate_points.push_back(pts.front());

  // D(q) without NAC minus the mass-weighted dipole-dipole part (no G = -q term).
  std::vector<Eigen::MatrixXcd> dynmats(gl.commensurate_points.size());
  const bool compact = input.is_compact_fc();
  for (std::size_t k = 0; k < gl.commensurate_points.size(); ++k) {
    const Eigen::Vector3d& q = gl.commensurate_points[k];
    Eigen::MatrixXcd& dm = dynmats[k];
    detail::fourier_force_constants(input, input.fc2.ptr(), compact, images_of, q, nullptr, dm);
    Eigen::MatrixXcd dd;
    // q_cart = numpy.dot(q, rec_lat.T) as in DynamicalMatrixGL._get_recip_dipole_dipole.
    recip_dipole_dipole(gl, nac.born, nac.dielectric, numpy_linalg::dot_vector_mt(q, reciprocal_lattice),
                        std::nullopt, dd);
    for (std::size_t i = 0; i < n_patom; ++i) {
      for (std::size_t j = 0; j < n_patom; ++j) {
        const double w = 1.0 / std::sqrt(input.masses[i] * input.masses[j]);
        dm.block<3, 3>(Eigen::Index(3 * i), Eigen::Index(3 * j)) -=
            dd.block<3, 3>(Eigen::Index(3 * i), Eigen::Index(3 * j)) * w;
      }
    }
  }
  gl.short_range_fc2 = transform_dynmat_to_fc(input, gl.commensurate_points, dynmats);
  return gl;
}

}  // namespace ph3mpi::phonon::gonze_lee
