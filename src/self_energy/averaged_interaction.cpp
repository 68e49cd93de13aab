#include "ph3mpi/self_energy/averaged_interaction.hpp"

#include <string>

#include "ph3mpi/common/error.hpp"

namespace ph3mpi::self_energy {

std::vector<double> averaged_interaction(const double* interaction_strength, std::size_t num_triplets,
                                         std::size_t num_band0, std::size_t num_band,
                                         const std::vector<std::int64_t>& weights) {
  if (weights.size() != num_triplets) {
    throw Error("averaged_interaction: " + std::to_string(weights.size()) + " weights for " +
                std::to_string(num_triplets) + " triplets");
  }
  const std::size_t nn = num_band * num_band;
  std::vector<double> sum(num_band0, 0.0);
  for (std::size_t t = 0; t < num_triplets; ++t) {
    for (std::size_t j0 = 0; j0 < num_band0; ++j0) {
      const double* p = interaction_strength + (t * num_band0 + j0) * nn;
      double s = 0.0;
      for (std::size_t x = 0; x < nn; ++x) s += p[x];
      sum[j0] += static_cast<double>(weights[t]) * s;
    }
  }
  for (double& v : sum) v /= static_cast<double>(nn);
  return sum;
}

NdArray<double> interaction_from_averaged(const std::vector<double>& averaged, std::size_t num_triplets,
                                          std::size_t num_band, std::int64_t num_grid_points) {
  if (num_grid_points <= 0) throw Error("interaction_from_averaged: no grid points");
  const std::size_t nb0 = averaged.size();
  const std::size_t nn = num_band * num_band;
  NdArray<double> pp({num_triplets, nb0, num_band, num_band});
  for (std::size_t t = 0; t < num_triplets; ++t) {
    for (std::size_t j0 = 0; j0 < nb0; ++j0) {
      const double v = averaged[j0] / static_cast<double>(num_grid_points);
      double* p = pp.ptr() + (t * nb0 + j0) * nn;
      for (std::size_t x = 0; x < nn; ++x) p[x] = v;
    }
  }
  return pp;
}

NdArray<double> constant_interaction(double constant, std::size_t num_triplets, std::size_t num_band0,
                                     std::size_t num_band, std::int64_t num_grid_points) {
  if (num_grid_points <= 0) throw Error("constant_interaction: no grid points");
  return NdArray<double>({num_triplets, num_band0, num_band, num_band},
                         constant / static_cast<double>(num_grid_points));
}

}  // namespace ph3mpi::self_energy
