// Phonon-isotope scattering, see isotope.hpp for the formula.
#include "ph3mpi/self_energy/isotope.hpp"

#include "ph3mpi/interaction/degenerate_average.hpp"

#include <array>
#include <cmath>
#include <complex>

#include "ph3mpi/common/atomic_data.hpp"
#include "ph3mpi/common/error.hpp"
#include "ph3mpi/grid/make_bz_grid.hpp"
#include "ph3mpi/grid/tetrahedron_grid.hpp"
#include "ph3mpi/interaction/integration_weights.hpp"
#include "ph3mpi/interaction/tetrahedron_method.hpp"

namespace ph3mpi::self_energy {
namespace {

// 2 pi as phono3py's C constant M_2PI.
constexpr double kTwoPi = 6.283185307179586;

// The 96 tetrahedron vertices around each requested BZ point as BZ indices, phonopy's
// recgrid_get_neighboring_grid_points (dense gp_map) with relative addresses P r.
using TetrahedronVertices = std::array<std::int64_t, 96>;

std::array<grid::Vector3l, 96> relative_vertices(const grid::BZGrid& bz_grid) {
  const auto table = grid::tetrahedra_relative_grid_address(bz_grid.microzone_lattice);
  std::array<grid::Vector3l, 96> out;
  for (std::size_t t = 0; t < 24; ++t) {
    for (std::size_t v = 0; v < 4; ++v) out[4 * t + v] = bz_grid.P * table[t][v];
  }
  return out;
}

TetrahedronVertices tetrahedron_vertices(const grid::BZGrid& bz_grid, std::int64_t bz_gp,
                                         const std::array<grid::Vector3l, 96>& relative) {
  TetrahedronVertices out;
  const grid::Vector3l& centre = bz_grid.addresses[static_cast<std::size_t>(bz_gp)];
  for (std::size_t i = 0; i < 96; ++i)
    out[i] = grid::bz_grid_point_with_surface(bz_grid, centre + relative[i]);
  return out;
}

// Weights of the central vertex for delta(omega - f_b) at the sampling points, for every
// band b: iw[s * num_band + b].
void vertex_weights(const TetrahedronVertices& vertices, const double* frequencies, std::size_t num_band,
                    const std::vector<double>& sampling_points, double* iw) {
  double omegas[96];
  interaction::SortedTetrahedra sorted;
  for (std::size_t b = 0; b < num_band; ++b) {
    for (std::size_t i = 0; i < 96; ++i)
      omegas[i] = frequencies[static_cast<std::size_t>(vertices[i]) * num_band + b];
    interaction::sort_tetrahedra(omegas, sorted);
    for (std::size_t s = 0; s < sampling_points.size(); ++s) {
      iw[s * num_band + b] = interaction::tetrahedra_delta_weight(sampling_points[s], sorted);
    }
  }
}

// Tamura's weight sum_atom g2(atom) |e0_j(atom)^* . e1_k(atom)|^2 of every band pair,
// each replaced by its mean over (degenerate group of j among the q0 bands) x (degenerate
// set of k at q'): weight[j * nb + k].
void averaged_isotope_weights(const std::complex<double>* e0, const std::complex<double>* e1, std::size_t nb0,
                              std::size_t nb, const std::vector<double>& mass_variances,
                              const std::vector<std::vector<std::size_t>>& groups0,
                              const interaction::PhononView& phonons, std::size_t gp, double* weight) {
  for (std::size_t j = 0; j < nb0; ++j) {
    for (std::size_t k = 0; k < nb; ++k) {
      double w = 0;
      for (std::size_t atom = 0; atom < mass_variances.size(); ++atom) {
        std::complex<double> overlap = 0;
        for (std::size_t c = 0; c < 3; ++c)
          overlap += std::conj(e0[j * nb + 3 * atom + c]) * e1[(3 * atom + c) * nb + k];
        w += std::norm(overlap) * mass_variances[atom];
      }
      weight[j * nb + k] = w;
    }
  }
  for (const auto& group : groups0) {
    for (std::size_t k = 0; k < nb;) {
      const auto [first, end] = phonons.degenerate_set(gp, k);
      double sum = 0;
      for (const std::size_t j : group)
        for (std::size_t kk = first; kk < end; ++kk) sum += weight[j * nb + kk];
      const double mean = sum / static_cast<double>(group.size() * (end - first));
      for (const std::size_t j : group)
        for (std::size_t kk = first; kk < end; ++kk) weight[j * nb + kk] = mean;
      k = end;
    }
  }
}

void check_arguments(std::int64_t grid_point, const std::vector<std::int64_t>& band_indices,
                     const std::vector<double>& mass_variances, const interaction::PhononView& phonons,
                     const grid::BZGrid& bz_grid) {
  const std::size_t nb = phonons.num_band;
  if (nb == 0 || nb % 3 != 0 || mass_variances.size() * 3 != nb) {
    throw Error("isotope_gamma: " + std::to_string(mass_variances.size()) + " mass variances for " +
                std::to_string(nb) + " bands (one per primitive atom expected)");
  }
  if (phonons.num_grid_points != static_cast<std::size_t>(bz_grid.num_bz_points())) {
    throw Error("isotope_gamma: phonons at " + std::to_string(phonons.num_grid_points) +
                " grid points, BZ grid has " + std::to_string(bz_grid.num_bz_points()));
  }
  if (grid_point < 0 || grid_point >= bz_grid.num_bz_points()) {
    throw Error("isotope_gamma: grid point " + std::to_string(grid_point) + " outside the BZ grid of " +
                std::to_string(bz_grid.num_bz_points()) + " points");
  }
  for (const std::int64_t b : band_indices) {
    if (b < 0 || static_cast<std::size_t>(b) >= nb) {
      throw Error("isotope_gamma: band index " + std::to_string(b) + " outside 0.." + std::to_string(nb - 1));
    }
  }
}

}  // namespace

double mass_variance(const std::vector<common::NaturalIsotope>& isotopes) {
  if (isotopes.empty()) throw Error("mass_variance: no isotopes given");
  double m_ave = 0;
  for (const auto& iso : isotopes) m_ave += iso.mass * iso.abundance;
  if (!(m_ave > 0)) throw Error("mass_variance: average mass " + std::to_string(m_ave) + " is not positive");
  double g = 0;
  for (const auto& iso : isotopes) {
    const double x = 1 - iso.mass / m_ave;
    g += iso.abundance * (x * x);
  }
  return g;
}

std::vector<double> get_mass_variances(const std::vector<std::string>& symbols, const std::string& source) {
  std::vector<double> out;
  out.reserve(symbols.size());
  for (const auto& symbol : symbols) {
    const int z = common::atomic_number(symbol);
    if (z == 0)
      throw InputError(source, "'" + symbol + "' is not a chemical element; cannot look up its isotopes");
    const auto isotopes = common::natural_isotopes(z);
    if (!isotopes) {
      throw InputError(source, "no natural isotope composition is known for " + symbol +
                                   " (phonopy has none); give mass_variances explicitly");
    }
    out.push_back(mass_variance(*isotopes));
  }
  return out;
}

NdArray<double> tetrahedron_integration_weights(const std::vector<double>& sampling_points,
                                                const double* frequencies, std::size_t num_band,
                                                const grid::BZGrid& bz_grid,
                                                const std::vector<std::int64_t>& grid_points) {
  const std::size_t ns = sampling_points.size();
  NdArray<double> iw({grid_points.size(), ns, num_band}, 0.0);
  for (const std::int64_t gp : grid_points) {
    if (gp < 0 || gp >= bz_grid.num_bz_points()) {
      throw Error("tetrahedron_integration_weights: grid point " + std::to_string(gp) +
                  " outside the BZ grid of " + std::to_string(bz_grid.num_bz_points()) + " points");
    }
  }
  const auto relative = relative_vertices(bz_grid);
  const auto n = static_cast<std::ptrdiff_t>(grid_points.size());
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    const auto vertices = tetrahedron_vertices(bz_grid, grid_points[static_cast<std::size_t>(i)], relative);
    vertex_weights(vertices, frequencies, num_band, sampling_points,
                   iw.ptr() + static_cast<std::size_t>(i) * ns * num_band);
  }
  return iw;
}

std::vector<double> isotope_gamma(std::int64_t grid_point, const std::vector<std::int64_t>& band_indices,
                                  const std::vector<double>& mass_variances,
                                  const interaction::PhononView& phonons, const grid::BZGrid& bz_grid,
                                  std::optional<double> sigma, double cutoff_frequency,
                                  bool degenerate_average) {
  check_arguments(grid_point, band_indices, mass_variances, phonons, bz_grid);
  const std::vector<std::vector<std::size_t>> groups0 =
      degenerate_average
          ? interaction::degenerate_band_groups(phonons, static_cast<std::size_t>(grid_point), band_indices)
          : std::vector<std::vector<std::size_t>>{};
  const std::size_t nb = phonons.num_band;
  const std::size_t nb0 = band_indices.size();
  const auto gp0 = static_cast<std::size_t>(grid_point);

  // q0 frequencies and eigenvector columns of the requested bands.
  std::vector<double> f0(nb0);
  std::vector<std::complex<double>> e0(nb0 * nb);
  for (std::size_t j = 0; j < nb0; ++j) {
    const auto b = static_cast<std::size_t>(band_indices[j]);
    f0[j] = phonons.frequencies_at(gp0)[b];
    for (std::size_t c = 0; c < nb; ++c) e0[j * nb + c] = phonons.eigenvectors_at(gp0)[c * nb + b];
  }

  // The sum runs over the GR grid, each point taken at its first BZ image.
  const std::vector<std::int64_t>& q_points = bz_grid.grg2bzg;
  const std::size_t nq = q_points.size();
  const bool tetrahedron = !sigma.has_value();
  const auto relative = tetrahedron ? relative_vertices(bz_grid) : std::array<grid::Vector3l, 96>{};

  // Per-q' partial sums, combined in grid order below (thread-count independent).
  std::vector<double> partial(nq * nb0, 0.0);
#pragma omp parallel
  {
    std::vector<double> iw(tetrahedron ? nb0 * nb : 0);
    std::vector<double> weight(degenerate_average ? nb0 * nb : 0);
#pragma omp for schedule(static)
    for (std::ptrdiff_t i = 0; i < static_cast<std::ptrdiff_t>(nq); ++i) {
      const auto gp = static_cast<std::size_t>(q_points[static_cast<std::size_t>(i)]);
      const double* freqs = phonons.frequencies_at(gp);
      const std::complex<double>* e1 = phonons.eigenvectors_at(gp);
      if (tetrahedron) {
        vertex_weights(tetrahedron_vertices(bz_grid, static_cast<std::int64_t>(gp), relative),
                       phonons.frequencies, nb, f0, iw.data());
      }
      if (degenerate_average) {
        averaged_isotope_weights(e0.data(), e1, nb0, nb, mass_variances, groups0, phonons, gp, weight.data());
        for (std::size_t j = 0; j < nb0; ++j) {
          if (f0[j] < cutoff_frequency) continue;
          double sum = 0;
          for (std::size_t k = 0; k < nb; ++k) {
            if (freqs[k] < cutoff_frequency) continue;
            const double delta =
                tetrahedron ? iw[j * nb + k] : interaction::gaussian(freqs[k] - f0[j], *sigma);
            sum += weight[j * nb + k] * delta;
          }
          partial[static_cast<std::size_t>(i) * nb0 + j] = sum;
        }
        continue;
      }
      for (std::size_t j = 0; j < nb0; ++j) {
        if (f0[j] < cutoff_frequency) continue;
        double sum = 0;
        for (std::size_t k = 0; k < nb; ++k) {
          if (freqs[k] < cutoff_frequency) continue;
          const double delta = tetrahedron ? iw[j * nb + k] : interaction::gaussian(freqs[k] - f0[j], *sigma);
          // phono3py multiplies each atom's term by the delta weight before summing.
          for (std::size_t atom = 0; atom < mass_variances.size(); ++atom) {
            double re = 0;
            double im = 0;
            for (std::size_t c = 0; c < 3; ++c) {
              const std::complex<double> a = e0[j * nb + 3 * atom + c];
              const std::complex<double> b = e1[(3 * atom + c) * nb + k];
              re += a.real() * b.real() + a.imag() * b.imag();
              im += a.imag() * b.real() - a.real() * b.imag();
            }
            sum += (re * re + im * im) * mass_variances[atom] * delta;
          }
        }
        partial[static_cast<std::size_t>(i) * nb0 + j] = sum;
      }
    }
  }

  std::vector<double> gamma(nb0, 0.0);
  for (std::size_t i = 0; i < nq; ++i) {
    for (std::size_t j = 0; j < nb0; ++j) gamma[j] += partial[i * nb0 + j];
  }
  // pi f0^2 / 4 (2 pi / 4 f0^2 / 2 in phono3py's order), then 1/N.
  const auto num_gr = static_cast<double>(bz_grid.num_gr_points());
  for (std::size_t j = 0; j < nb0; ++j) {
    gamma[j] *= kTwoPi / 4 * f0[j] * f0[j] / 2;
    gamma[j] /= num_gr;
  }
  return gamma;
}

}  // namespace ph3mpi::self_energy
