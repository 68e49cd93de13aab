#include "ph3mpi/self_energy/pp_collision.hpp"

#include <algorithm>
#include <exception>
#include <string>

#include "ph3mpi/common/error.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace ph3mpi::self_energy {

ImagSelfEnergy pp_collision(const interaction::Interaction& interaction,
                            const interaction::PhononView& phonons, std::int64_t grid_point,
                            const std::vector<interaction::Triplet>& triplets,
                            const std::vector<std::int64_t>& weights, const std::vector<double>& temperatures,
                            const TripletWeightsFunction& integration_weights, const grid::BZGrid& bz_grid,
                            bool is_N_U) {
  const std::size_t n = triplets.size();
  const std::size_t nb = interaction.num_band();
  const std::size_t nb0 = interaction.num_band0();
  const std::size_t nt = temperatures.size();
  const std::size_t per = nb0 * nb * nb;
  if (n == 0) throw Error("pp_collision: no triplets");
  if (weights.size() != n) {
    throw Error("pp_collision: " + std::to_string(weights.size()) + " weights for " + std::to_string(n) +
                " triplets");
  }
  interaction.validate(phonons, triplets);
  if (grid_point < 0 || static_cast<std::size_t>(grid_point) >= phonons.num_grid_points) {
    throw Error("pp_collision: grid point " + std::to_string(grid_point) + " outside the grid");
  }
  std::vector<double> temps_thz(nt);
  for (std::size_t k = 0; k < nt; ++k) temps_thz[k] = temperature_to_thz(temperatures[k]);

  const std::vector<interaction::RealToReciprocal::Q0Sums> q0s =
      interaction.real_to_reciprocal().prepare_q0s(triplets.data(), n);
#ifdef _OPENMP
  const auto threads = static_cast<std::size_t>(omp_get_max_threads());
#else
  const std::size_t threads = 1;
#endif
  const std::size_t chunk =
      std::max<std::size_t>(1, std::min(interaction.real_to_reciprocal().batch_size(), n / (4 * threads)));
  const std::size_t num_chunks = (n + chunk - 1) / chunk;

  std::vector<double> ise(n * nt * nb0);  // per-triplet sums, combined in order below
  // One batch of triplets: weights, interaction where needed, per-triplet Gamma sums.
  struct Buffers {
    interaction::Interaction::Workspace ws;
    std::vector<double> g, pp, scratch;
    std::vector<std::int8_t> g_zero;
  };
  const auto batch = [&](std::size_t t0, std::size_t len, Buffers& b, bool parallel_inside) {
    b.g.resize(len * 2 * per);
    b.pp.resize(len * per);
    b.scratch.resize(2 * nt * nb);
    b.g_zero.resize(len * per);
    for (std::size_t i = 0; i < len; ++i) integration_weights(t0 + i, &b.g[i * 2 * per], &b.g_zero[i * per]);
    interaction.run_raw(q0s, phonons, &triplets[t0], len, b.g_zero.data(), b.pp.data(), b.ws,
                        parallel_inside);
    for (std::size_t i = 0; i < len; ++i) {
      const auto& tp = triplets[t0 + i];
      detail::imag_self_energy_at_triplet(
          &b.pp[i * per], &b.g[i * 2 * per], &b.g[i * 2 * per + per], &b.g_zero[i * per], nb0, nb,
          phonons.frequencies_at(static_cast<std::size_t>(tp[1])),
          phonons.frequencies_at(static_cast<std::size_t>(tp[2])), weights[t0 + i], temps_thz,
          interaction.cutoff_frequency(), &ise[(t0 + i) * nt * nb0], b.scratch.data());
    }
  };
  if (interaction::Interaction::prefer_parallel_inside(n)) {
    // Fewer triplets than threads: one at a time, threads inside the interaction.
    Buffers b;
    for (std::size_t t = 0; t < n; ++t) batch(t, 1, b, true);
  } else {
    std::exception_ptr error;
#pragma omp parallel
    {
      Buffers b;
#pragma omp for schedule(dynamic)
      for (std::size_t c = 0; c < num_chunks; ++c) {
        const std::size_t t0 = c * chunk;
        try {
          batch(t0, std::min(chunk, n - t0), b, false);
        } catch (...) {
#pragma omp critical(ph3mpi_pp_collision_error)
          if (!error) error = std::current_exception();
        }
      }
    }
    if (error) std::rethrow_exception(error);
  }

  // phono3py finalize_ise + _store_lowmem_results.
  ImagSelfEnergy result;
  NdArray<double> normal({nt, nb0}, 0.0), umklapp({nt, nb0}, 0.0), total({nt, nb0}, 0.0);
  for (std::size_t t = 0; t < n; ++t) {
    const double* x = &ise[t * nt * nb0];
    if (is_N_U) {
      NdArray<double>& dst = interaction::is_normal_process(triplets[t], bz_grid) ? normal : umklapp;
      for (std::size_t k = 0; k < nt * nb0; ++k) dst[k] += x[k];
    } else {
      for (std::size_t k = 0; k < nt * nb0; ++k) total[k] += x[k];
    }
  }
  if (is_N_U) {
    for (std::size_t k = 0; k < nt * nb0; ++k) total[k] = normal[k] + umklapp[k];
  }
  const double conversion = unit_conversion_factor() * interaction.unit_conversion_factor();
  const double* f_gp = phonons.frequencies_at(static_cast<std::size_t>(grid_point));
  auto finish = [&](NdArray<double>& a) {
    for (double& v : a.data) v *= conversion;
    average_by_degeneracy(a, interaction.band_indices(), f_gp, nb);
  };
  finish(total);
  result.gamma = std::move(total);
  if (is_N_U) {
    finish(normal);
    finish(umklapp);
    result.gamma_N = std::move(normal);
    result.gamma_U = std::move(umklapp);
  }
  return result;
}

}  // namespace ph3mpi::self_energy
