#include "ph3mpi/self_energy/frequency_resolved.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/self_energy/imag_self_energy.hpp"

namespace ph3mpi::self_energy {

namespace {

// Scratch of one thread.
struct Buffers {
  interaction::Interaction::Workspace ws;
  std::vector<double> g, pp, n1, n2, local;
  std::vector<std::int8_t> g_zero, mask;
};

}  // namespace

NdArray<double> imag_self_energy_at_frequency_points(
    const interaction::Interaction& interaction, const interaction::PhononView& phonons,
    std::int64_t grid_point, const std::vector<interaction::Triplet>& triplets,
    const std::vector<std::int64_t>& weights, const std::vector<double>& temperatures,
    std::size_t num_frequency_points, const FrequencyPointWeightsFunction& integration_weights,
    const double* interaction_strength) {
  const std::size_t n = triplets.size();
  const std::size_t nb = interaction.num_band();
  const std::size_t nb0 = interaction.num_band0();
  const std::size_t nt = temperatures.size();
  const std::size_t nfp = num_frequency_points;
  const std::size_t nn = nb * nb;
  const std::size_t per = nb0 * nn;
  if (n == 0) throw Error("imag_self_energy_at_frequency_points: no triplets");
  if (nfp == 0) throw Error("imag_self_energy_at_frequency_points: no frequency points");
  if (weights.size() != n) {
    throw Error("imag_self_energy_at_frequency_points: " + std::to_string(weights.size()) + " weights for " +
                std::to_string(n) + " triplets");
  }
  interaction.validate(phonons, triplets);
  if (grid_point < 0 || static_cast<std::size_t>(grid_point) >= phonons.num_grid_points) {
    throw Error("imag_self_energy_at_frequency_points: grid point " + std::to_string(grid_point) +
                " outside the grid");
  }
  std::vector<double> temps_thz(nt);
  for (std::size_t k = 0; k < nt; ++k) temps_thz[k] = temperature_to_thz(temperatures[k]);
  const double cutoff = interaction.cutoff_frequency();

  std::vector<interaction::RealToReciprocal::Q0Sums> q0s;
  if (interaction_strength == nullptr) q0s = interaction.real_to_reciprocal().prepare_q0s(triplets.data(), n);

  // Batches of a fixed size (the interaction's cache batch, which depends on the band
  // count only), so the order of the additions never depends on the thread count.
  const std::size_t chunk = interaction.real_to_reciprocal().batch_size();
  const std::size_t num_chunks = (n + chunk - 1) / chunk;
  const std::size_t block = nt * nfp * nb0;  // [temperature][frequency point][band0]
  std::vector<double> partial(num_chunks * block, 0.0);

  const auto batch = [&](std::size_t c, Buffers& b, bool parallel_inside) {
    const std::size_t t0 = c * chunk;
    const std::size_t len = std::min(chunk, n - t0);
    b.g.resize(len * 2 * nfp * nn);
    b.g_zero.resize(len * nfp * nn);
    b.n1.resize(nt * nb);
    b.n2.resize(nt * nb);
    b.local.resize(block);
    for (std::size_t i = 0; i < len; ++i) {
      integration_weights(t0 + i, &b.g[i * 2 * nfp * nn], &b.g_zero[i * nfp * nn]);
    }
    const double* pp_batch = nullptr;
    if (interaction_strength != nullptr) {
      pp_batch = interaction_strength + t0 * per;
    } else {
      // A band pair is needed when some frequency point gives it a nonzero weight.
      b.mask.assign(len * per, 1);
      for (std::size_t i = 0; i < len; ++i) {
        const std::int8_t* gz = &b.g_zero[i * nfp * nn];
        std::int8_t* m = &b.mask[i * per];
        for (std::size_t fp = 0; fp < nfp; ++fp) {
          for (std::size_t x = 0; x < nn; ++x) {
            if (gz[fp * nn + x] == 0) m[x] = 0;
          }
        }
        for (std::size_t j0 = 1; j0 < nb0; ++j0) std::copy(m, m + nn, m + j0 * nn);
      }
      b.pp.resize(len * per);
      interaction.run_raw(q0s, phonons, &triplets[t0], len, b.mask.data(), b.pp.data(), b.ws,
                          parallel_inside);
      pp_batch = b.pp.data();
    }
    double* acc = &partial[c * block];
    for (std::size_t i = 0; i < len; ++i) {
      const auto& tp = triplets[t0 + i];
      const double* f1 = phonons.frequencies_at(static_cast<std::size_t>(tp[1]));
      const double* f2 = phonons.frequencies_at(static_cast<std::size_t>(tp[2]));
      for (std::size_t k = 0; k < nt; ++k) {
        const double temp = temps_thz[k];
        for (std::size_t j = 0; j < nb; ++j) {
          b.n1[k * nb + j] = f1[j] > cutoff ? (temp > 0 ? 1.0 / (std::exp(f1[j] / temp) - 1) : 0.0) : -1.0;
          b.n2[k * nb + j] = f2[j] > cutoff ? (temp > 0 ? 1.0 / (std::exp(f2[j] / temp) - 1) : 0.0) : -1.0;
        }
      }
      const double* pp = pp_batch + i * per;
      const double* g0 = &b.g[i * 2 * nfp * nn];
      const double* g1 = g0 + nfp * nn;
      const std::int8_t* gz = &b.g_zero[i * nfp * nn];
      const auto w = static_cast<double>(weights[t0 + i]);
      std::fill(b.local.begin(), b.local.end(), 0.0);
      // Per (omega, j0) the band pairs are added in (j1, j2) order, as phono3py does.
      for (std::size_t fp = 0; fp < nfp; ++fp) {
        for (std::size_t x = 0; x < nn; ++x) {
          if (gz[fp * nn + x] != 0) continue;
          const std::size_t j1 = x / nb;
          const std::size_t j2 = x % nb;
          const double a0 = g0[fp * nn + x];
          const double a1 = g1[fp * nn + x];
          for (std::size_t k = 0; k < nt; ++k) {
            const double o1 = b.n1[k * nb + j1];
            const double o2 = b.n2[k * nb + j2];
            if (o1 < 0 || o2 < 0) continue;
            const double factor = temps_thz[k] > 0 ? (o1 + o2 + 1) * a0 + (o1 - o2) * a1 : a0;
            double* out = &b.local[(k * nfp + fp) * nb0];
            for (std::size_t j0 = 0; j0 < nb0; ++j0) out[j0] += factor * pp[j0 * nn + x] * w;
          }
        }
      }
      for (std::size_t y = 0; y < block; ++y) acc[y] += b.local[y];
    }
  };

  if (interaction_strength == nullptr && interaction::Interaction::prefer_parallel_inside(n)) {
    Buffers b;
    for (std::size_t c = 0; c < num_chunks; ++c) batch(c, b, true);
  } else {
    std::exception_ptr error;
#pragma omp parallel
    {
      Buffers b;
#pragma omp for schedule(dynamic)
      for (std::size_t c = 0; c < num_chunks; ++c) {
        try {
          batch(c, b, false);
        } catch (...) {
#pragma omp critical(ph3mpi_frequency_resolved_error)
          if (!error) error = std::current_exception();
        }
      }
    }
    if (error) std::rethrow_exception(error);
  }

  NdArray<double> sum({nt * nfp, nb0}, 0.0);
  for (std::size_t c = 0; c < num_chunks; ++c) {
    for (std::size_t y = 0; y < block; ++y) sum[y] += partial[c * block + y];
  }
  const double conversion = unit_conversion_factor() *
                            (interaction_strength == nullptr ? interaction.unit_conversion_factor() : 1.0);
  for (double& v : sum.data) v *= conversion;
  average_by_degeneracy(sum, interaction.band_indices(),
                        phonons.frequencies_at(static_cast<std::size_t>(grid_point)), nb);
  NdArray<double> result({nt, nb0, nfp});
  for (std::size_t k = 0; k < nt; ++k) {
    for (std::size_t fp = 0; fp < nfp; ++fp) {
      for (std::size_t j0 = 0; j0 < nb0; ++j0) {
        result[(k * nb0 + j0) * nfp + fp] = sum[(k * nfp + fp) * nb0 + j0];
      }
    }
  }
  return result;
}

}  // namespace ph3mpi::self_energy
