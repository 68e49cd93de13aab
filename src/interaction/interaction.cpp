#include "ph3mpi/interaction/interaction.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <numeric>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/units.hpp"
#include "ph3mpi/interaction/degenerate_average.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace ph3mpi::interaction {

namespace {

std::vector<std::int64_t> all_bands_if_empty(std::vector<std::int64_t> band_indices, std::size_t num_band) {
  if (band_indices.empty()) {
    band_indices.resize(num_band);
    std::iota(band_indices.begin(), band_indices.end(), std::int64_t{0});
  }
  return band_indices;
}

int max_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

}  // namespace

double interaction_unit_conversion(std::int64_t num_grid_points) {
  using namespace units;
  // Same expression and order as phono3py's Interaction.__init__.
  return std::pow(kHbar * kEV, 3) / 36 / 8 * std::pow(kEV, 2) / std::pow(kAngstrom, 6) /
         std::pow(2 * kPi * kTHz, 3) / std::pow(kAMU, 3) / static_cast<double>(num_grid_points) /
         std::pow(kEV, 2);
}

Interaction::Interaction(const NdArray<double>& fc3, const std::int8_t* fc3_nonzero_indices,
                         const AtomTriplets& atoms, const std::vector<double>& masses,
                         const grid::BZGrid& bz_grid, std::vector<std::int64_t> band_indices,
                         bool make_r0_average, double cutoff_frequency, std::size_t batch_size)
    : r2r_(fc3, fc3_nonzero_indices, atoms, bz_grid, make_r0_average, batch_size),
      r2n_(masses, all_bands_if_empty(std::move(band_indices), 3 * atoms.n_patom), cutoff_frequency),
      cutoff_frequency_(cutoff_frequency),
      unit_conversion_(interaction_unit_conversion(bz_grid.num_gr_points())),
      num_bz_points_(bz_grid.addresses.size()) {
  if (masses.size() != atoms.n_patom) {
    throw Error("interaction: " + std::to_string(masses.size()) + " masses for " +
                std::to_string(atoms.n_patom) + " primitive atoms");
  }
}

void Interaction::validate(const PhononView& phonons, const std::vector<Triplet>& triplets) const {
  if (phonons.num_band != num_band()) {
    throw Error("interaction: phonons have " + std::to_string(phonons.num_band) + " bands, the crystal " +
                std::to_string(num_band()));
  }
  if (degenerate_average_ && phonons.degenerate_first == nullptr) {
    throw Error("interaction: degenerate averaging needs the degenerate band sets of the phonons");
  }
  const std::size_t limit = std::min(phonons.num_grid_points, num_bz_points_);
  for (const Triplet& tp : triplets) {
    for (const std::int64_t gp : tp) {
      if (gp < 0 || static_cast<std::size_t>(gp) >= limit) {
        throw Error("interaction: triplet grid point " + std::to_string(gp) + " outside the " +
                    std::to_string(limit) + " BZ grid points with phonons");
      }
    }
  }
}

NdArray<double> Interaction::run(const PhononView& phonons, const std::vector<Triplet>& triplets,
                                 const std::int8_t* g_zero) const {
  const std::size_t nb = num_band();
  NdArray<double> out({triplets.size(), num_band0(), nb, nb});
  run(phonons, triplets, g_zero, out.ptr());
  return out;
}

void Interaction::run(const PhononView& phonons, const std::vector<Triplet>& triplets,
                      const std::int8_t* g_zero, double* interaction_strength) const {
  validate(phonons, triplets);
  const std::size_t nb = num_band();
  const std::size_t per = num_band0() * nb * nb;
  const std::size_t threads = static_cast<std::size_t>(max_threads());
  const std::vector<RealToReciprocal::Q0Sums> q0s = r2r_.prepare_q0s(triplets.data(), triplets.size());
  const std::size_t n = triplets.size();
  // Few triplets: threads inside each one. Otherwise threads over batches of triplets,
  // small enough that every thread gets several (dynamic balance). Results do not
  // depend on either choice.
  if (prefer_parallel_inside(n)) {
    Workspace ws;
    run_raw(q0s, phonons, triplets.data(), n, g_zero, interaction_strength, ws, true);
  } else {
    const std::size_t chunk = std::max<std::size_t>(1, std::min(r2r_.batch_size(), n / (4 * threads)));
    const std::size_t num_chunks = (n + chunk - 1) / chunk;
    std::exception_ptr error;
#pragma omp parallel
    {
      Workspace ws;
#pragma omp for schedule(dynamic)
      for (std::size_t c = 0; c < num_chunks; ++c) {
        const std::size_t t0 = c * chunk;
        const std::size_t len = std::min(chunk, n - t0);
        try {
          run_raw(q0s, phonons, &triplets[t0], len, g_zero != nullptr ? g_zero + t0 * per : nullptr,
                  interaction_strength + t0 * per, ws);
        } catch (...) {
#pragma omp critical(ph3mpi_interaction_error)
          if (!error) error = std::current_exception();
        }
      }
    }
    if (error) std::rethrow_exception(error);
  }
  const std::size_t total = triplets.size() * per;
  for (std::size_t i = 0; i < total; ++i) interaction_strength[i] *= unit_conversion_;
}

bool Interaction::prefer_parallel_inside(std::size_t n) {
  const auto threads = static_cast<std::size_t>(max_threads());
  return threads > 1 && n < 2 * threads;
}

void Interaction::run_raw(const std::vector<RealToReciprocal::Q0Sums>& q0s, const PhononView& phonons,
                          const Triplet* triplets, std::size_t n, const std::int8_t* g_zero, double* out,
                          Workspace& ws, bool parallel_inside) const {
  const std::size_t nb = num_band();
  const std::size_t per = num_band0() * nb * nb;
  const std::size_t nb3 = nb * nb * nb;
  ws.active.clear();
  ws.active_index.clear();
  if (degenerate_average_ && g_zero != nullptr) {
    // An element is needed when any element of its degenerate block is (for the mean).
    ws.widened_g_zero.assign(g_zero, g_zero + n * per);
    for (std::size_t t = 0; t < n; ++t) {
      widen_mask_to_degenerate_blocks(
          &ws.widened_g_zero[t * per],
          degenerate_band_groups(phonons, static_cast<std::size_t>(triplets[t][0]), band_indices()), phonons,
          static_cast<std::size_t>(triplets[t][1]), static_cast<std::size_t>(triplets[t][2]));
    }
    g_zero = ws.widened_g_zero.data();
  }
  for (std::size_t t = 0; t < n; ++t) {
    const std::int8_t* gz = g_zero != nullptr ? g_zero + t * per : nullptr;
    if (r2n_.any_needed(phonons, triplets[t], gz)) {
      ws.active.push_back(triplets[t]);
      ws.active_index.push_back(t);
    } else {
      std::fill(out + t * per, out + (t + 1) * per, 0.0);
    }
  }
  const std::size_t B = r2r_.batch_size();
  ws.fc3_reciprocal.resize(B * nb3);
  for (std::size_t start = 0; start < ws.active.size(); start += B) {
    const std::size_t m = std::min(B, ws.active.size() - start);
    r2r_.run(q0s, &ws.active[start], m, ws.fc3_reciprocal.data(), ws.r2r, parallel_inside);
    for (std::size_t i = 0; i < m; ++i) {
      const std::size_t t = ws.active_index[start + i];
      r2n_.run(&ws.fc3_reciprocal[i * nb3], phonons, ws.active[start + i],
               g_zero != nullptr ? g_zero + t * per : nullptr, out + t * per, ws.r2n, parallel_inside);
      if (degenerate_average_) {
        const Triplet& tp = ws.active[start + i];
        average_over_degenerate_blocks(
            out + t * per, degenerate_band_groups(phonons, static_cast<std::size_t>(tp[0]), band_indices()),
            band_indices(), phonons, static_cast<std::size_t>(tp[0]), static_cast<std::size_t>(tp[1]),
            static_cast<std::size_t>(tp[2]), cutoff_frequency_);
      }
    }
  }
}

}  // namespace ph3mpi::interaction
