// Gamma without storing the interaction strength (phono3py c/pp_collision.c, the
// default RTA path): per triplet, integration weights -> interaction strength only where
// g_zero allows -> Gamma contribution, summed over triplets; formula and units as in
// imag_self_energy.hpp. phono3py computes the tetrahedron weights inside the loop; here
// the caller supplies them per triplet through a callback, so any weight scheme (the
// tetrahedron method, a Gaussian sigma with or without sigma_cutoff) plugs in.
//
// OpenMP over batches of triplets. Per-triplet sums are combined in triplet order
// afterwards: bit-identical results for any OMP_NUM_THREADS.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "ph3mpi/interaction/interaction.hpp"
#include "ph3mpi/interaction/phonon_view.hpp"
#include "ph3mpi/interaction/triplets.hpp"
#include "ph3mpi/self_energy/imag_self_energy.hpp"

namespace ph3mpi::self_energy {

// Fills the integration weights of triplet `index` (position in the triplet list):
// g: (2, num_band0, nb, nb), g[0] then g[1], 1/THz; g_zero: (num_band0, nb, nb),
// nonzero where both are zero by construction (elements then skipped). The band0
// frequencies are those of q0 at interaction.band_indices(). Called concurrently from
// several threads with different indices: must be thread-safe.
using TripletWeightsFunction = std::function<void(std::size_t index, double* g, std::int8_t* g_zero)>;

// phono3py ppc_get_pp_collision / ppc_get_pp_collision_with_sigma, followed by the unit
// conversion (Interaction and ImagSelfEnergy factors) and degeneracy averaging of
// phono3py's _store_lowmem_results. grid_point: BZ index of q0 (its frequencies give
// the degenerate sets); triplets: those of grid_point (starting at it or at BZ images of
// it); weights: triplet weights; temperatures in K. With is_N_U, gamma_N and gamma_U are
// filled too (gamma = their sum, as phono3py).
ImagSelfEnergy pp_collision(const interaction::Interaction& interaction,
                            const interaction::PhononView& phonons, std::int64_t grid_point,
                            const std::vector<interaction::Triplet>& triplets,
                            const std::vector<std::int64_t>& weights, const std::vector<double>& temperatures,
                            const TripletWeightsFunction& integration_weights, const grid::BZGrid& bz_grid,
                            bool is_N_U = false);

}  // namespace ph3mpi::self_energy
