#include "ph3mpi/self_energy/gamma_detail.hpp"

#include <cmath>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/self_energy/imag_self_energy.hpp"

namespace ph3mpi::self_energy {

NdArray<double> detailed_imag_self_energy_with_g(
    const double* interaction_strength, const double* g, const std::int8_t* g_zero,
    const std::vector<interaction::Triplet>& triplets, const interaction::PhononView& phonons,
    std::size_t num_band0, const std::vector<double>& temperatures, double cutoff_frequency) {
  const std::size_t n = triplets.size();
  const std::size_t nb = phonons.num_band;
  const std::size_t nt = temperatures.size();
  const std::size_t per = num_band0 * nb * nb;
  for (const auto& tp : triplets) {
    for (const std::int64_t gp : tp) {
      if (gp < 0 || static_cast<std::size_t>(gp) >= phonons.num_grid_points) {
        throw Error("detailed_imag_self_energy: triplet grid point " + std::to_string(gp) + " outside the " +
                    std::to_string(phonons.num_grid_points) + " grid points with phonons");
      }
    }
  }
  std::vector<double> temps_thz(nt);
  for (std::size_t k = 0; k < nt; ++k) temps_thz[k] = temperature_to_thz(temperatures[k]);
  const double conversion = unit_conversion_factor();

  NdArray<double> detail({nt, n, num_band0, nb, nb}, 0.0);
#pragma omp parallel
  {
    std::vector<double> n1(nb), n2(nb);
#pragma omp for schedule(dynamic, 4)
    for (std::size_t t = 0; t < n; ++t) {
      const double* f1 = phonons.frequencies_at(static_cast<std::size_t>(triplets[t][1]));
      const double* f2 = phonons.frequencies_at(static_cast<std::size_t>(triplets[t][2]));
      const double* pp = interaction_strength + t * per;
      const double* g0 = g + t * per;
      const double* g1 = g + (n + t) * per;
      const std::int8_t* gz = g_zero != nullptr ? g_zero + t * per : nullptr;
      for (std::size_t k = 0; k < nt; ++k) {
        const double temp = temps_thz[k];
        // Occupations; -1 marks a mode at or below the cutoff (no contribution).
        for (std::size_t j = 0; j < nb; ++j) {
          n1[j] = f1[j] > cutoff_frequency ? (temp > 0 ? 1.0 / (std::exp(f1[j] / temp) - 1) : 0.0) : -1.0;
          n2[j] = f2[j] > cutoff_frequency ? (temp > 0 ? 1.0 / (std::exp(f2[j] / temp) - 1) : 0.0) : -1.0;
        }
        double* out = detail.ptr() + (k * n + t) * per;
        for (std::size_t x = 0; x < per; ++x) {
          if (gz != nullptr && gz[x] != 0) continue;
          const std::size_t j1 = (x / nb) % nb;
          const std::size_t j2 = x % nb;
          if (n1[j1] < 0 || n2[j2] < 0) continue;
          const double v =
              temp > 0 ? ((n1[j1] + n2[j2] + 1) * g0[x] + (n1[j1] - n2[j2]) * g1[x]) * pp[x] : g0[x] * pp[x];
          out[x] = v * conversion;
        }
      }
    }
  }
  return detail;
}

}  // namespace ph3mpi::self_energy
