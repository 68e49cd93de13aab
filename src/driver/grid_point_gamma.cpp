#include "ph3mpi/driver/grid_point_gamma.hpp"

#include <algorithm>
#include <numeric>
#include <utility>

#include "ph3mpi/interaction/integration_weights.hpp"
#include "ph3mpi/interaction/triplets.hpp"
#include "ph3mpi/self_energy/isotope.hpp"
#include "ph3mpi/self_energy/pp_collision.hpp"

namespace ph3mpi::driver {

std::vector<std::optional<double>> integration_methods(const config::Settings& settings) {
  std::vector<std::optional<double>> methods;
  if (settings.tetrahedron) methods.emplace_back(std::nullopt);
  for (const double s : settings.sigmas) methods.emplace_back(s);
  return methods;
}

GridPointGamma::GridPointGamma(const config::Settings& settings, const interaction::Interaction& interaction,
                               const interaction::PhononView& phonons, const NdArray<double>& frequencies,
                               const grid::BZGrid& bz_grid, common::TraceSink trace)
    : settings_(settings),
      interaction_(interaction),
      phonons_(phonons),
      frequencies_(frequencies),
      bz_grid_(bz_grid),
      trace_(std::move(trace)),
      methods_(integration_methods(settings)) {}

NamedArrays GridPointGamma::compute(std::int64_t grid_point, std::int64_t batch) const {
  const std::size_t nb = interaction_.num_band0();
  const std::size_t n_t = settings_.temperatures.size();
  const std::size_t n_m = methods_.size();
  const std::vector<std::int64_t>& band0 = interaction_.band_indices();

  trace_.trace("get_triplets_at_q", grid_point, batch);
  const interaction::TripletsAtQ tq = interaction::get_triplets_at_q(grid_point, bz_grid_);

  // Gamma is evaluated at the frequencies of the bands at q0 (phono3py's RTA).
  std::vector<double> f0(nb);
  for (std::size_t b = 0; b < nb; ++b) {
    f0[b] = phonons_.frequencies_at(static_cast<std::size_t>(grid_point))[band0[b]];
  }

  NamedArrays out;
  NdArray<double> gamma({n_m, n_t, nb});
  NdArray<double> gamma_N({n_m, n_t, nb});
  NdArray<double> gamma_U({n_m, n_t, nb});
  for (std::size_t im = 0; im < n_m; ++im) {
    const std::optional<double> sigma = methods_[im];
    const self_energy::TripletWeightsFunction weights = [&](std::size_t t, double* g, std::int8_t* g_zero) {
      if (sigma) {
        interaction::set_triplets_integration_weights_sigma(g, g_zero, 2, f0, {tq.triplets[t]}, frequencies_,
                                                            *sigma, settings_.sigma_cutoff);
      } else {
        interaction::set_triplets_integration_weights_tetrahedron(g, g_zero, 2, f0, {tq.triplets[t]},
                                                                  frequencies_, bz_grid_);
      }
    };
    trace_.trace("Interaction", grid_point, batch);
    const self_energy::ImagSelfEnergy r =
        self_energy::pp_collision(interaction_, phonons_, grid_point, tq.triplets, tq.weights,
                                  settings_.temperatures, weights, bz_grid_, settings_.is_N_U);
    const std::size_t block = n_t * nb;
    std::copy_n(r.gamma.data.begin(), block, gamma.data.begin() + static_cast<std::ptrdiff_t>(im * block));
    if (settings_.is_N_U) {
      std::copy_n(r.gamma_N.data.begin(), block,
                  gamma_N.data.begin() + static_cast<std::ptrdiff_t>(im * block));
      std::copy_n(r.gamma_U.data.begin(), block,
                  gamma_U.data.begin() + static_cast<std::ptrdiff_t>(im * block));
    }
  }
  out.reals["gamma"] = std::move(gamma);
  if (settings_.is_N_U) {
    out.reals["gamma_N"] = std::move(gamma_N);
    out.reals["gamma_U"] = std::move(gamma_U);
  }

  NdArray<std::int64_t> num_triplets({1});
  num_triplets.data[0] = static_cast<std::int64_t>(tq.triplets.size());
  out.ints["num_triplets"] = std::move(num_triplets);
  return out;
}

NamedArrays isotope_result(std::int64_t grid_point, const config::Settings& settings,
                           const std::vector<double>& mass_variances, const interaction::PhononView& phonons,
                           const grid::BZGrid& bz_grid, const common::TraceSink& trace, std::int64_t batch) {
  const std::vector<std::optional<double>> methods = integration_methods(settings);
  const std::size_t nb = phonons.num_band;
  std::vector<std::int64_t> bands(nb);
  std::iota(bands.begin(), bands.end(), std::int64_t{0});
  NdArray<double> gamma_isotope({methods.size(), nb});
  for (std::size_t im = 0; im < methods.size(); ++im) {
    trace.trace("Isotope", grid_point, batch);
    const std::vector<double> g =
        self_energy::isotope_gamma(grid_point, bands, mass_variances, phonons, bz_grid, methods[im],
                                   settings.cutoff_frequency, settings.degenerate_average);
    std::copy(g.begin(), g.end(), gamma_isotope.data.begin() + static_cast<std::ptrdiff_t>(im * nb));
  }
  NamedArrays out;
  out.reals["gamma_isotope"] = std::move(gamma_isotope);
  return out;
}

}  // namespace ph3mpi::driver
