// Joint density of states of the two-phonon final states of q0 (phono3py
// phono3py.phonon3.joint_dos.JointDos, api_jointdos.Phono3pyJointDos), per frequency
// point omega, in 1/THz, normalized by N = prod(D_diag), over the symmetry-reduced
// triplets (q0, q1, q2) with weights w:
//
//   plain (no temperature), the two classes of
//     [1] D2(omega) = 1/N sum_t w_t sum_{j1 j2} delta(omega - w1 - w2)                   (decay)
//     [0] D1(omega) = 1/N sum_t w_t sum_{j1 j2} [delta(omega + w1 - w2) + delta(omega - w1 + w2)]
//   weighted by occupations at temperature T,
//     [1] N2(omega) = 1/N sum_t w_t sum (n1 + n2 + 1) delta(omega - w1 - w2)
//     [0] N1(omega) = 1/N sum_t w_t sum (n1 - n2) [delta(omega + w1 - w2) - delta(omega - w1 + w2)]
//   where modes at or below cutoff_frequency contribute nothing (phono3py drops them only
//   in the weighted form). N2 and N1 are the phase-space factors of Gamma (imag_self_energy.hpp)
//   with the interaction strength set to 1.
//
// Layout of the result: (num_frequency_points, 2) with index 0 = class [0], 1 = class [1].
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/interaction/triplets.hpp"

namespace ph3mpi::self_energy {

// The plain joint DOS from integration weights computed with is_collision_matrix:
// g (3, num_triplets, num_frequency_points, nb, nb), g[0] = delta(omega - w1 - w2),
// g[2] = the sum of all three deltas, so g[2] - g[0] is class [0] (phono3py forms that
// difference too). weights: triplet weights; num_gr_points = prod(D_diag).
// Returns (num_frequency_points, 2). OpenMP over frequency points, triplets summed in order.
NdArray<double> joint_dos_plain_from_g(const double* g, std::size_t num_triplets,
                                       std::size_t num_frequency_points, std::size_t num_band,
                                       const std::vector<std::int64_t>& weights, std::int64_t num_gr_points);

// The occupation-weighted joint DOS at temperature (K; 0 allowed: n = 0) from
// g (>= 2, num_triplets, num_frequency_points, nb, nb) (g[0], g[1] of
// interaction/integration_weights.hpp) and g_zero (num_triplets, num_frequency_points, nb, nb)
// or nullptr. frequencies: (num_bz_points, nb) THz by BZ grid point. Same arithmetic as
// phono3py's imag_self_energy_with_g kernel with unit interaction strength.
NdArray<double> joint_dos_at_temperature_from_g(const double* g, const std::int8_t* g_zero,
                                                std::size_t num_frequency_points,
                                                const std::vector<interaction::Triplet>& triplets,
                                                const std::vector<std::int64_t>& weights,
                                                const double* frequencies, std::size_t num_band,
                                                double temperature, double cutoff_frequency,
                                                std::int64_t num_gr_points);

// Phono3pyJointDos.run for one grid point and one sigma/temperature: integration weights
// (interaction::get_triplets_integration_weights; sigma unset = tetrahedron method) in
// batches of frequency_batch_size frequency points (phono3py's default 10: only memory
// changes with it), then the sums above. temperature unset = plain joint DOS.
// triplets/weights: interaction::get_triplets_at_q of q0; frequencies (num_bz_points, nb)
// THz on the whole BZ grid (phono3py Phono3pyJointDos: cutoff_frequency 1e-4 THz).
// Returns (frequency_points.size(), 2) in 1/THz.
NdArray<double> joint_dos(const std::vector<double>& frequency_points,
                          const std::vector<interaction::Triplet>& triplets,
                          const std::vector<std::int64_t>& weights, const NdArray<double>& frequencies,
                          const grid::BZGrid& bz_grid, std::optional<double> sigma,
                          std::optional<double> temperature, double cutoff_frequency = 1e-4,
                          std::optional<double> sigma_cutoff = std::nullopt,
                          std::size_t frequency_batch_size = 10);

}  // namespace ph3mpi::self_energy
