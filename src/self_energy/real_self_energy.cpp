// Real part of the bubble self energy, see real_self_energy.hpp.
#include "ph3mpi/self_energy/real_self_energy.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/units.hpp"
#include "ph3mpi/self_energy/imag_self_energy.hpp"

namespace ph3mpi::self_energy {
namespace {

void check_arguments(const std::vector<interaction::Triplet>& triplets,
                     const std::vector<std::int64_t>& weights, const interaction::PhononView& phonons,
                     const std::vector<std::int64_t>& band_indices) {
  if (triplets.empty()) throw Error("real self energy: no triplets");
  if (weights.size() != triplets.size()) {
    throw Error("real self energy: " + std::to_string(weights.size()) + " triplet weights for " +
                std::to_string(triplets.size()) + " triplets");
  }
  for (const auto& t : triplets) {
    for (const std::int64_t gp : t) {
      if (gp < 0 || static_cast<std::size_t>(gp) >= phonons.num_grid_points) {
        throw Error("real self energy: triplet grid point " + std::to_string(gp) + " outside the " +
                    std::to_string(phonons.num_grid_points) + " phonon grid points");
      }
    }
  }
  for (const std::int64_t b : band_indices) {
    if (b < 0 || static_cast<std::size_t>(b) >= phonons.num_band) {
      throw Error("real self energy: band index " + std::to_string(b) + " outside 0.." +
                  std::to_string(phonons.num_band - 1));
    }
  }
}

// Sum over (j1, j2) of one triplet for one band j0 at frequency fpoint:
// pp (nb, nb) = P(t, j0, :, :). Operation order as phono3py's C kernel.
double triplet_sum(const double* pp, std::size_t nb, double fpoint, const double* freqs1,
                   const double* freqs2, double epsilon, double t_thz, double cutoff_frequency) {
  const double eps2 = epsilon * epsilon;
  double sum = 0;
  for (std::size_t i = 0; i < nb; ++i) {
    if (!(freqs1[i] > cutoff_frequency)) continue;
    const double n1 = t_thz > 0 ? 1.0 / (std::exp(freqs1[i] / t_thz) - 1) : 0.0;
    for (std::size_t j = 0; j < nb; ++j) {
      if (!(freqs2[j] > cutoff_frequency)) continue;
      const double f_sum_plus = fpoint + freqs1[i] + freqs2[j];   // omega + w1 + w2
      const double f_sum_minus = fpoint - freqs1[i] - freqs2[j];  // omega - w1 - w2
      if (t_thz > 0) {
        const double n2 = 1.0 / (std::exp(freqs2[j] / t_thz) - 1);
        const double f_diff_minus = fpoint - freqs1[i] + freqs2[j];  // omega - w1 + w2
        const double f_diff_plus = fpoint + freqs1[i] - freqs2[j];   // omega + w1 - w2
        const double decay = n1 + n2 + 1;
        const double scatter = n1 - n2;
        sum += (-decay * f_sum_plus / (f_sum_plus * f_sum_plus + eps2) +
                decay * f_sum_minus / (f_sum_minus * f_sum_minus + eps2) -
                scatter * f_diff_minus / (f_diff_minus * f_diff_minus + eps2) +
                scatter * f_diff_plus / (f_diff_plus * f_diff_plus + eps2)) *
               pp[i * nb + j];
      } else {
        sum += (-1 * f_sum_plus / (f_sum_plus * f_sum_plus + eps2) +
                1 * f_sum_minus / (f_sum_minus * f_sum_minus + eps2)) *
               pp[i * nb + j];
      }
    }
  }
  return sum;
}

}  // namespace

double real_self_energy_unit_conversion() {
  using namespace units;
  // Same expression and order as phono3py's RealSelfEnergy.__init__.
  return 18 / std::pow(kHbar * kEV, 2) / std::pow(2 * kPi * kTHz, 2) * std::pow(kEV, 2);
}

std::vector<double> real_self_energy_at_bands(const double* interaction_strength,
                                              const std::vector<interaction::Triplet>& triplets,
                                              const std::vector<std::int64_t>& weights,
                                              const interaction::PhononView& phonons,
                                              const std::vector<std::int64_t>& band_indices,
                                              double temperature, double epsilon, double cutoff_frequency) {
  check_arguments(triplets, weights, phonons, band_indices);
  const std::size_t nb = phonons.num_band;
  const std::size_t nb0 = band_indices.size();
  const std::size_t nt = triplets.size();
  const double t_thz = temperature_to_thz(temperature);
  const double conversion = real_self_energy_unit_conversion();
  const double* f0 = phonons.frequencies_at(static_cast<std::size_t>(triplets[0][0]));

  // Per-triplet terms, reduced in triplet order below.
  std::vector<double> terms(nt * nb0, 0.0);
#pragma omp parallel for schedule(dynamic)
  for (std::ptrdiff_t t = 0; t < static_cast<std::ptrdiff_t>(nt); ++t) {
    const auto ti = static_cast<std::size_t>(t);
    const double* freqs1 = phonons.frequencies_at(static_cast<std::size_t>(triplets[ti][1]));
    const double* freqs2 = phonons.frequencies_at(static_cast<std::size_t>(triplets[ti][2]));
    for (std::size_t j = 0; j < nb0; ++j) {
      const double fpoint = f0[band_indices[j]];
      if (fpoint < cutoff_frequency) continue;
      const double* pp = interaction_strength + (ti * nb0 + j) * nb * nb;
      terms[ti * nb0 + j] = triplet_sum(pp, nb, fpoint, freqs1, freqs2, epsilon, t_thz, cutoff_frequency) *
                            static_cast<double>(weights[ti]) * conversion;
    }
  }
  std::vector<double> shift(nb0, 0.0);
  for (std::size_t t = 0; t < nt; ++t) {
    for (std::size_t j = 0; j < nb0; ++j) shift[j] += terms[t * nb0 + j];
  }
  return shift;
}

NdArray<double> real_self_energy_at_frequency_points(
    const std::vector<double>& frequency_points, const double* interaction_strength,
    const std::vector<interaction::Triplet>& triplets, const std::vector<std::int64_t>& weights,
    const interaction::PhononView& phonons, const std::vector<std::int64_t>& band_indices, double temperature,
    double epsilon, double cutoff_frequency) {
  check_arguments(triplets, weights, phonons, band_indices);
  const std::size_t nb = phonons.num_band;
  const std::size_t nb0 = band_indices.size();
  const std::size_t nt = triplets.size();
  const std::size_t nfp = frequency_points.size();
  const double t_thz = temperature_to_thz(temperature);
  const double conversion = real_self_energy_unit_conversion();

  NdArray<double> shift({nfp, nb0}, 0.0);
#pragma omp parallel for schedule(dynamic)
  for (std::ptrdiff_t k = 0; k < static_cast<std::ptrdiff_t>(nfp); ++k) {
    const double fpoint = frequency_points[static_cast<std::size_t>(k)];
    if (fpoint < cutoff_frequency) continue;
    for (std::size_t j = 0; j < nb0; ++j) {
      double sum = 0;
      for (std::size_t t = 0; t < nt; ++t) {
        const double* pp = interaction_strength + (t * nb0 + j) * nb * nb;
        sum += triplet_sum(pp, nb, fpoint, phonons.frequencies_at(static_cast<std::size_t>(triplets[t][1])),
                           phonons.frequencies_at(static_cast<std::size_t>(triplets[t][2])), epsilon, t_thz,
                           cutoff_frequency) *
               static_cast<double>(weights[t]) * conversion;
      }
      shift[static_cast<std::size_t>(k) * nb0 + j] = sum;
    }
  }
  return shift;
}

NdArray<double> real_self_energy(const double* interaction_strength,
                                 const std::vector<interaction::Triplet>& triplets,
                                 const std::vector<std::int64_t>& weights,
                                 const interaction::PhononView& phonons,
                                 const std::vector<std::int64_t>& band_indices,
                                 const std::vector<double>& temperatures, const std::vector<double>& epsilons,
                                 const std::vector<double>& frequency_points, double cutoff_frequency) {
  check_arguments(triplets, weights, phonons, band_indices);
  const std::size_t ne = epsilons.size();
  const std::size_t ntemp = temperatures.size();
  const std::size_t nb0 = band_indices.size();
  const std::size_t nfp = frequency_points.size();
  const double* f0 = phonons.frequencies_at(static_cast<std::size_t>(triplets[0][0]));
  const bool at_bands = frequency_points.empty();
  NdArray<double> out(
      at_bands ? std::vector<std::size_t>{ne, ntemp, nb0} : std::vector<std::size_t>{ne, ntemp, nb0, nfp},
      0.0);
  for (std::size_t e = 0; e < ne; ++e) {
    for (std::size_t k = 0; k < ntemp; ++k) {
      const std::size_t block = (e * ntemp + k) * nb0 * (at_bands ? 1 : nfp);
      if (at_bands) {
        NdArray<double> delta({nb0});
        delta.data = real_self_energy_at_bands(interaction_strength, triplets, weights, phonons, band_indices,
                                               temperatures[k], epsilons[e], cutoff_frequency);
        average_by_degeneracy(delta, band_indices, f0, phonons.num_band);
        std::copy(delta.data.begin(), delta.data.end(),
                  out.data.begin() + static_cast<std::ptrdiff_t>(block));
      } else {
        NdArray<double> delta = real_self_energy_at_frequency_points(
            frequency_points, interaction_strength, triplets, weights, phonons, band_indices, temperatures[k],
            epsilons[e], cutoff_frequency);
        average_by_degeneracy(delta, band_indices, f0, phonons.num_band);
        // (frequency point, band) -> (band, frequency point), phono3py's output order.
        for (std::size_t i = 0; i < nfp; ++i) {
          for (std::size_t j = 0; j < nb0; ++j) out[block + j * nfp + i] = delta[i * nb0 + j];
        }
      }
    }
  }
  return out;
}

}  // namespace ph3mpi::self_energy
