// Frequency-resolved imaginary self energy Gamma_j0(omega) on sampling frequencies omega
// (phono3py get_imag_self_energy with frequency points, ImagSelfEnergy._run_with_frequency_points,
// c/imag_self_energy_with_g.c with frequency_point_index >= 0):
//
//   Gamma_j0(omega, T) = C sum_t w_t sum_{j1 j2} P(t, j0, j1, j2)
//                        [ (n1 + n2 + 1) g0(omega) + (n1 - n2) g1(omega) ]      (T > 0; g0 alone at T = 0)
//
// i.e. the band-frequency formula of imag_self_energy.hpp with the integration weights
// evaluated at omega instead of at the frequency of band j0, so g does not depend on j0.
// Averaged over degenerate bands of q0 for every omega, as phono3py reports it.
//
// Low memory: per batch of triplets, the weights at all omega are computed, then the
// interaction strength only for the band pairs (j1, j2) that some omega needs (phono3py
// computes every element; skipped ones have zero weight at every omega), then the sums.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/interaction/interaction.hpp"
#include "ph3mpi/interaction/phonon_view.hpp"
#include "ph3mpi/interaction/triplets.hpp"

namespace ph3mpi::self_energy {

// Fills the integration weights of triplet `index` at all frequency points:
// g: (2, num_frequency_points, nb, nb) (g0 then g1, 1/THz); g_zero: (num_frequency_points,
// nb, nb), nonzero where both are zero by construction. Called concurrently from several
// threads with different indices: must be thread-safe.
using FrequencyPointWeightsFunction = std::function<void(std::size_t index, double* g, std::int8_t* g_zero)>;

// Gamma (THz) at num_frequency_points frequencies for the bands interaction.band_indices()
// of grid_point (BZ index of q0; its frequencies give the degenerate sets), for each
// temperature (K). Returns (num_temperatures, num_band0, num_frequency_points), phono3py's
// axis order. interaction_strength: nullptr = computed here from `interaction`; else a
// stored interaction strength (num_triplets, num_band0, nb, nb) in eV^2 (Interaction::run,
// or its averaged/constant replacements) with every element a frequency point may need.
// OpenMP over fixed batches of triplets whose partial sums are added in order: results do
// not depend on the number of threads. Throws ph3mpi::Error on inconsistent input.
NdArray<double> imag_self_energy_at_frequency_points(
    const interaction::Interaction& interaction, const interaction::PhononView& phonons,
    std::int64_t grid_point, const std::vector<interaction::Triplet>& triplets,
    const std::vector<std::int64_t>& weights, const std::vector<double>& temperatures,
    std::size_t num_frequency_points, const FrequencyPointWeightsFunction& integration_weights,
    const double* interaction_strength = nullptr);

}  // namespace ph3mpi::self_energy
