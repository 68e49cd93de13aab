#include "ph3mpi/self_energy/imag_self_energy.hpp"

#include <cmath>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/units.hpp"
#include "ph3mpi/phonon/degeneracy.hpp"

namespace ph3mpi::self_energy {

double unit_conversion_factor() {
  using namespace units;
  // Same expression and order as phono3py's ImagSelfEnergy.__init__.
  return 18 * kPi / std::pow(kHbar * kEV, 2) / std::pow(2 * kPi * kTHz, 2) * std::pow(kEV, 2);
}

double temperature_to_thz(double temperature) { return temperature * units::kKb / units::kTHzToEv; }

void average_by_degeneracy(NdArray<double>& values, const std::vector<std::int64_t>& band_indices,
                           const double* frequencies_at_gp, std::size_t num_band) {
  const std::size_t nb0 = band_indices.size();
  if (values.rank() == 0 || values.shape.back() != nb0) {
    throw Error("average_by_degeneracy: values of shape " + values.shape_string() + " for " +
                std::to_string(nb0) + " bands");
  }
  const std::size_t rows = nb0 == 0 ? 0 : values.size() / nb0;
  NdArray<double> averaged(values.shape, 0.0);
  for (const auto& dset : phonon::degenerate_sets(frequencies_at_gp, num_band)) {
    std::vector<std::size_t> bi_set;
    for (std::size_t i = 0; i < nb0; ++i) {
      for (const std::size_t b : dset) {
        if (static_cast<std::int64_t>(b) == band_indices[i]) {
          bi_set.push_back(i);
          break;
        }
      }
    }
    for (std::size_t r = 0; r < rows; ++r) {
      double sum = 0.0;
      for (const std::size_t i : bi_set) sum += values[r * nb0 + i];
      for (const std::size_t i : bi_set) averaged[r * nb0 + i] = sum / static_cast<double>(bi_set.size());
    }
  }
  values = std::move(averaged);
}

namespace detail {

void imag_self_energy_at_triplet(const double* pp, const double* g0, const double* g1,
                                 const std::int8_t* g_zero, std::size_t nb0, std::size_t nb,
                                 const double* freqs1, const double* freqs2, std::int64_t weight,
                                 const std::vector<double>& temperatures_thz, double cutoff_frequency,
                                 double* out, double* scratch) {
  const std::size_t nt = temperatures_thz.size();
  double* n1 = scratch;            // [temp][band], -1 = below the cutoff
  double* n2 = scratch + nt * nb;  // idem
  for (std::size_t k = 0; k < nt; ++k) {
    const double t = temperatures_thz[k];
    for (std::size_t j = 0; j < nb; ++j) {
      n1[k * nb + j] =
          freqs1[j] > cutoff_frequency ? (t > 0 ? 1.0 / (std::exp(freqs1[j] / t) - 1) : 0.0) : -1.0;
      n2[k * nb + j] =
          freqs2[j] > cutoff_frequency ? (t > 0 ? 1.0 / (std::exp(freqs2[j] / t) - 1) : 0.0) : -1.0;
    }
  }
  const auto w = static_cast<double>(weight);
  for (std::size_t x = 0; x < nt * nb0; ++x) out[x] = 0.0;
  for (std::size_t i0 = 0; i0 < nb0; ++i0) {
    for (std::size_t j1 = 0; j1 < nb; ++j1) {
      for (std::size_t j2 = 0; j2 < nb; ++j2) {
        const std::size_t x = (i0 * nb + j1) * nb + j2;
        if (g_zero != nullptr && g_zero[x] != 0) continue;
        for (std::size_t k = 0; k < nt; ++k) {
          const double a = n1[k * nb + j1];
          const double b = n2[k * nb + j2];
          if (a < 0 || b < 0) continue;
          if (temperatures_thz[k] > 0) {
            out[k * nb0 + i0] += ((a + b + 1) * g0[x] + (a - b) * g1[x]) * pp[x] * w;
          } else {
            out[k * nb0 + i0] += g0[x] * pp[x] * w;
          }
        }
      }
    }
  }
}

}  // namespace detail

ImagSelfEnergy imag_self_energy_with_g(std::int64_t grid_point, const double* interaction_strength,
                                       const double* g, const std::int8_t* g_zero,
                                       const std::vector<interaction::Triplet>& triplets,
                                       const std::vector<std::int64_t>& weights,
                                       const interaction::PhononView& phonons,
                                       const std::vector<std::int64_t>& band_indices,
                                       const std::vector<double>& temperatures, double cutoff_frequency,
                                       const grid::BZGrid& bz_grid, bool is_N_U) {
  const std::size_t n = triplets.size();
  const std::size_t nb = phonons.num_band;
  const std::size_t nb0 = band_indices.size();
  const std::size_t nt = temperatures.size();
  if (weights.size() != n) {
    throw Error("imag_self_energy: " + std::to_string(weights.size()) + " weights for " + std::to_string(n) +
                " triplets");
  }
  if (n == 0) throw Error("imag_self_energy: no triplets");
  if (grid_point < 0 || static_cast<std::size_t>(grid_point) >= phonons.num_grid_points) {
    throw Error("imag_self_energy: grid point " + std::to_string(grid_point) + " outside the grid");
  }
  for (const auto& tp : triplets) {
    for (const std::int64_t gp : tp) {
      if (gp < 0 || static_cast<std::size_t>(gp) >= phonons.num_grid_points ||
          static_cast<std::size_t>(gp) >= bz_grid.addresses.size()) {
        throw Error("imag_self_energy: triplet grid point " + std::to_string(gp) + " outside the grid");
      }
    }
  }
  for (const std::int64_t b : band_indices) {
    if (b < 0 || static_cast<std::size_t>(b) >= nb) throw Error("imag_self_energy: band index out of range");
  }
  std::vector<double> ise(n * nt * nb0);
  imag_self_energy_contributions(0, n, interaction_strength, g, g_zero, triplets, weights, phonons, nb0,
                                 temperatures, cutoff_frequency, ise.data());
  return sum_imag_self_energy(grid_point, ise, triplets, phonons, band_indices, nt, bz_grid, is_N_U);
}

void imag_self_energy_contributions(std::size_t begin, std::size_t count, const double* interaction_strength,
                                    const double* g, const std::int8_t* g_zero,
                                    const std::vector<interaction::Triplet>& triplets,
                                    const std::vector<std::int64_t>& weights,
                                    const interaction::PhononView& phonons, std::size_t num_band0,
                                    const std::vector<double>& temperatures, double cutoff_frequency,
                                    double* contributions) {
  const std::size_t nb = phonons.num_band;
  const std::size_t nt = temperatures.size();
  if (begin + count > triplets.size()) throw Error("imag_self_energy: triplet range beyond the triplets");
  std::vector<double> temps_thz(nt);
  for (std::size_t k = 0; k < nt; ++k) temps_thz[k] = temperature_to_thz(temperatures[k]);
  const std::size_t per = num_band0 * nb * nb;
#pragma omp parallel
  {
    std::vector<double> scratch(2 * nt * nb);
#pragma omp for schedule(dynamic, 4)
    for (std::size_t c = 0; c < count; ++c) {
      const auto& tp = triplets[begin + c];
      detail::imag_self_energy_at_triplet(interaction_strength + c * per, g + c * per, g + (count + c) * per,
                                          g_zero != nullptr ? g_zero + c * per : nullptr, num_band0, nb,
                                          phonons.frequencies_at(static_cast<std::size_t>(tp[1])),
                                          phonons.frequencies_at(static_cast<std::size_t>(tp[2])),
                                          weights[begin + c], temps_thz, cutoff_frequency,
                                          contributions + (begin + c) * nt * num_band0, scratch.data());
    }
  }
}

ImagSelfEnergy sum_imag_self_energy(std::int64_t grid_point, const std::vector<double>& ise,
                                    const std::vector<interaction::Triplet>& triplets,
                                    const interaction::PhononView& phonons,
                                    const std::vector<std::int64_t>& band_indices, std::size_t nt,
                                    const grid::BZGrid& bz_grid, bool is_N_U) {
  const std::size_t n = triplets.size();
  const std::size_t nb = phonons.num_band;
  const std::size_t nb0 = band_indices.size();
  const double conversion = unit_conversion_factor();
  ImagSelfEnergy result;
  result.gamma = NdArray<double>({nt, nb0}, 0.0);
  if (is_N_U) {
    result.gamma_N = NdArray<double>({nt, nb0}, 0.0);
    result.gamma_U = NdArray<double>({nt, nb0}, 0.0);
  }
  for (std::size_t t = 0; t < n; ++t) {
    const bool normal = is_N_U && interaction::is_normal_process(triplets[t], bz_grid);
    for (std::size_t x = 0; x < nt * nb0; ++x) {
      result.gamma[x] += ise[t * nt * nb0 + x];
      if (is_N_U) (normal ? result.gamma_N : result.gamma_U)[x] += ise[t * nt * nb0 + x];
    }
  }
  const double* f_gp = phonons.frequencies_at(static_cast<std::size_t>(grid_point));
  for (NdArray<double>* a : {&result.gamma, &result.gamma_N, &result.gamma_U}) {
    if (a->size() == 0) continue;
    for (double& v : a->data) v *= conversion;
    average_by_degeneracy(*a, band_indices, f_gp, nb);
  }
  return result;
}

}  // namespace ph3mpi::self_energy
