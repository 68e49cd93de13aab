// Joint density of states, see joint_dos.hpp.
#include "ph3mpi/self_energy/joint_dos.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/interaction/integration_weights.hpp"
#include "ph3mpi/self_energy/imag_self_energy.hpp"

namespace ph3mpi::self_energy {
namespace {

void check_weights(std::size_t num_triplets, const std::vector<std::int64_t>& weights,
                   std::int64_t num_gr_points) {
  if (weights.size() != num_triplets) {
    throw Error("joint DOS: " + std::to_string(weights.size()) + " triplet weights for " +
                std::to_string(num_triplets) + " triplets");
  }
  if (num_gr_points <= 0)
    throw Error("joint DOS: number of grid points " + std::to_string(num_gr_points) + " <= 0");
}

}  // namespace

NdArray<double> joint_dos_plain_from_g(const double* g, std::size_t num_triplets,
                                       std::size_t num_frequency_points, std::size_t num_band,
                                       const std::vector<std::int64_t>& weights, std::int64_t num_gr_points) {
  check_weights(num_triplets, weights, num_gr_points);
  const std::size_t nbb = num_band * num_band;
  const std::size_t per_triplet = num_frequency_points * nbb;
  const std::size_t per_component = num_triplets * per_triplet;
  const double* g_decay = g;                    // g[0]
  const double* g_all = g + 2 * per_component;  // g[2]
  const auto norm = static_cast<double>(num_gr_points);
  NdArray<double> jdos({num_frequency_points, 2}, 0.0);
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t fp = 0; fp < static_cast<std::ptrdiff_t>(num_frequency_points); ++fp) {
    double class1 = 0;  // decay
    double class0 = 0;  // the two coalescence/difference deltas
    for (std::size_t t = 0; t < num_triplets; ++t) {
      const std::size_t offset = t * per_triplet + static_cast<std::size_t>(fp) * nbb;
      double s1 = 0;
      double s0 = 0;
      for (std::size_t jk = 0; jk < nbb; ++jk) {
        s1 += g_decay[offset + jk];
        s0 += g_all[offset + jk] - g_decay[offset + jk];
      }
      const auto w = static_cast<double>(weights[t]);
      class1 += s1 * w;
      class0 += s0 * w;
    }
    jdos[static_cast<std::size_t>(fp) * 2] = class0 / norm;
    jdos[static_cast<std::size_t>(fp) * 2 + 1] = class1 / norm;
  }
  return jdos;
}

NdArray<double> joint_dos_at_temperature_from_g(const double* g, const std::int8_t* g_zero,
                                                std::size_t num_frequency_points,
                                                const std::vector<interaction::Triplet>& triplets,
                                                const std::vector<std::int64_t>& weights,
                                                const double* frequencies, std::size_t num_band,
                                                double temperature, double cutoff_frequency,
                                                std::int64_t num_gr_points) {
  const std::size_t nt = triplets.size();
  check_weights(nt, weights, num_gr_points);
  const std::size_t nb = num_band;
  const std::size_t nbb = nb * nb;
  const std::size_t per_triplet = num_frequency_points * nbb;
  const double* g_decay = g;                    // g[0] = delta(omega - w1 - w2)
  const double* g_diff = g + nt * per_triplet;  // g[1] = delta(omega + w1 - w2) - delta(omega - w1 + w2)
  const double t_thz = temperature_to_thz(temperature);

  // Occupations of q1 and q2 of every triplet; -1 marks modes at or below the cutoff,
  // which phono3py leaves out of the sum.
  std::vector<double> n1(nt * nb);
  std::vector<double> n2(nt * nb);
  for (std::size_t t = 0; t < nt; ++t) {
    for (std::size_t j = 0; j < nb; ++j) {
      const double f1 = frequencies[static_cast<std::size_t>(triplets[t][1]) * nb + j];
      const double f2 = frequencies[static_cast<std::size_t>(triplets[t][2]) * nb + j];
      n1[t * nb + j] = f1 > cutoff_frequency ? (t_thz > 0 ? 1.0 / (std::exp(f1 / t_thz) - 1) : 0.0) : -1.0;
      n2[t * nb + j] = f2 > cutoff_frequency ? (t_thz > 0 ? 1.0 / (std::exp(f2 / t_thz) - 1) : 0.0) : -1.0;
    }
  }

  const auto norm = static_cast<double>(num_gr_points);
  NdArray<double> jdos({num_frequency_points, 2}, 0.0);
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t fp = 0; fp < static_cast<std::ptrdiff_t>(num_frequency_points); ++fp) {
    double class1 = 0;
    double class0 = 0;
    for (std::size_t t = 0; t < nt; ++t) {
      const std::size_t offset = t * per_triplet + static_cast<std::size_t>(fp) * nbb;
      const auto w = static_cast<double>(weights[t]);
      double s1 = 0;
      double s0 = 0;
      for (std::size_t j = 0; j < nb; ++j) {
        const double a = n1[t * nb + j];
        if (a < 0) continue;
        for (std::size_t k = 0; k < nb; ++k) {
          const double b = n2[t * nb + k];
          const std::size_t jk = offset + j * nb + k;
          if (b < 0 || (g_zero != nullptr && g_zero[jk])) continue;
          if (t_thz > 0) {
            s1 += (a + b + 1) * g_decay[jk] * w;
            s0 += (a - b) * g_diff[jk] * w;
          } else {
            s1 += g_decay[jk] * w;
          }
        }
      }
      class1 += s1;
      class0 += s0;
    }
    jdos[static_cast<std::size_t>(fp) * 2] = class0 / norm;
    jdos[static_cast<std::size_t>(fp) * 2 + 1] = class1 / norm;
  }
  return jdos;
}

NdArray<double> joint_dos(const std::vector<double>& frequency_points,
                          const std::vector<interaction::Triplet>& triplets,
                          const std::vector<std::int64_t>& weights, const NdArray<double>& frequencies,
                          const grid::BZGrid& bz_grid, std::optional<double> sigma,
                          std::optional<double> temperature, double cutoff_frequency,
                          std::optional<double> sigma_cutoff, std::size_t frequency_batch_size) {
  if (frequencies.rank() != 2 || frequencies.shape[0] != static_cast<std::size_t>(bz_grid.num_bz_points())) {
    throw Error("joint DOS: frequencies of shape " + frequencies.shape_string() + " for a BZ grid of " +
                std::to_string(bz_grid.num_bz_points()) + " points");
  }
  const std::size_t nb = frequencies.shape[1];
  const std::size_t nfp = frequency_points.size();
  const std::size_t batch = std::max<std::size_t>(frequency_batch_size, 1);
  const bool plain = !temperature.has_value();
  NdArray<double> jdos({nfp, 2}, 0.0);
  for (std::size_t start = 0; start < nfp; start += batch) {
    const std::size_t stop = std::min(nfp, start + batch);
    const std::vector<double> points(frequency_points.begin() + static_cast<std::ptrdiff_t>(start),
                                     frequency_points.begin() + static_cast<std::ptrdiff_t>(stop));
    // The plain form needs the sum of all three deltas (phono3py: is_collision_matrix).
    const auto iw = interaction::get_triplets_integration_weights(points, triplets, frequencies, bz_grid,
                                                                  sigma, sigma_cutoff, plain);
    const NdArray<double> part =
        plain ? joint_dos_plain_from_g(iw.g.ptr(), triplets.size(), points.size(), nb, weights,
                                       bz_grid.num_gr_points())
              : joint_dos_at_temperature_from_g(iw.g.ptr(), iw.g_zero.ptr(), points.size(), triplets, weights,
                                                frequencies.ptr(), nb, *temperature, cutoff_frequency,
                                                bz_grid.num_gr_points());
    std::copy(part.data.begin(), part.data.end(), jdos.data.begin() + static_cast<std::ptrdiff_t>(2 * start));
  }
  return jdos;
}

}  // namespace ph3mpi::self_energy
