#include "ph3mpi/driver/grid_point_collision.hpp"

#include <algorithm>

#include "ph3mpi/driver/memory_model.hpp"
#include "ph3mpi/interaction/integration_weights.hpp"
#include "ph3mpi/interaction/triplets.hpp"
#include "ph3mpi/self_energy/collision_matrix.hpp"

namespace ph3mpi::driver {

GridPointCollision::GridPointCollision(const config::Settings& settings,
                                       const interaction::Interaction& interaction,
                                       const interaction::PhononView& phonons,
                                       const NdArray<double>& frequencies, const grid::BZGrid& bz_grid,
                                       const transport::LbteLayout& layout, common::TraceSink trace)
    : settings_(settings),
      interaction_(interaction),
      phonons_(phonons),
      frequencies_(frequencies),
      bz_grid_(bz_grid),
      layout_(layout),
      trace_(std::move(trace)),
      sigma_(settings.tetrahedron ? std::nullopt : std::optional<double>(settings.sigmas.front())) {}

NamedArrays GridPointCollision::compute(std::int64_t gp, std::int64_t batch) const {
  const std::size_t nb = phonons_.num_band;
  trace_.trace("get_triplets_at_q", gp, batch);
  const interaction::TripletsAtQ tq = interaction::get_triplets_at_q(gp, bz_grid_);
  const double* f = phonons_.frequencies_at(static_cast<std::size_t>(gp));
  const std::vector<double> f0(f, f + nb);
  // The triplets a chunk at a time (lbte_triplet_chunk): only one chunk's interaction strength
  // and weights exist at once; the rows are the same for any chunking.
  const std::vector<std::int64_t>& bands = interaction_.band_indices();
  self_energy::CollisionRowsBuilder builder(gp, tq, phonons_, bands, settings_.temperatures,
                                            interaction_.cutoff_frequency(), bz_grid_,
                                            layout_.reducible ? nullptr : &layout_.symmetry);
  const std::size_t chunk = lbte_triplet_chunk(settings_.memory_per_rank, bands.size(), nb);
  for (std::size_t begin = 0; begin < tq.triplets.size(); begin += chunk) {
    const std::size_t count = std::min(chunk, tq.triplets.size() - begin);
    const std::vector<interaction::Triplet> triplets(
        tq.triplets.begin() + static_cast<std::ptrdiff_t>(begin),
        tq.triplets.begin() + static_cast<std::ptrdiff_t>(begin + count));
    trace_.trace("CollisionWeights", gp, batch);
    const interaction::TripletIntegrationWeights w = interaction::get_triplets_integration_weights(
        f0, triplets, frequencies_, bz_grid_, sigma_, sigma_ ? settings_.sigma_cutoff : std::nullopt, true);
    trace_.trace("Interaction", gp, batch);
    const NdArray<double> pp = interaction_.run(phonons_, triplets, w.g_zero.ptr());
    builder.add(begin, count, pp.ptr(), w);
  }
  trace_.trace("CollisionMatrix", gp, batch);
  self_energy::CollisionRows rows = builder.finish();
  NamedArrays out;
  out.reals["gamma"] = std::move(rows.gamma);
  out.reals["collision"] = std::move(rows.collision);
  NdArray<std::int64_t> n({1});
  n.data[0] = static_cast<std::int64_t>(tq.triplets.size());
  out.ints["num_triplets"] = std::move(n);
  return out;
}

}  // namespace ph3mpi::driver
