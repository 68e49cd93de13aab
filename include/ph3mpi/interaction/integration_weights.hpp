// Integration weights of the phonon triplets (phono3py
// get_triplets_integration_weights, c/triplet_iw.c): for every triplet
// (q0, q1, q2), frequency point omega, and band pair (j1, j2) of q1 and q2,
//   g[0] = delta(omega - w1 - w2)                        (class 1, decay)
//   g[1] = delta(omega + w1 - w2) - delta(omega - w1 + w2)  (class 2, coalescence)
//   g[2] = delta(omega - w1 - w2) + delta(omega + w1 - w2) + delta(omega - w1 + w2)
//          (only with is_collision_matrix, for the LBTE collision matrix and JDOS)
// in 1/THz, either by the linear tetrahedron method over q1 (q2 = -q0 - q1
// follows, so its tetrahedra are the mirrored ones) or by Gaussian smearing.
// g_zero marks the elements whose weights are exactly zero by construction;
// the interaction strength is not needed there.
//
// Layouts (row-major): g (num_g, num_triplets, num_frequency_points, num_band, num_band),
// g_zero (num_triplets, num_frequency_points, num_band, num_band).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/interaction/triplets.hpp"

namespace ph3mpi::interaction {

struct TripletIntegrationWeights {
  NdArray<double> g;            // 1/THz, num_g = 2, or 3 with is_collision_matrix
  NdArray<std::int8_t> g_zero;  // 1 where every component of g is 0 by construction
};

// phono3py get_triplets_integration_weights(interaction, frequency_points,
// sigma, sigma_cutoff, is_collision_matrix):
//   sigma unset  -> tetrahedron method (sigma_cutoff ignored);
//   sigma set    -> Gaussian of width sigma [THz]; with sigma_cutoff, elements
//                   whose three arguments all exceed sigma_cutoff * sigma are
//                   set to 0 and flagged in g_zero (without it g_zero is all 0).
// frequencies: (num_bz_points, num_band) THz, indexed by BZ-grid point, as
// phono3py's Interaction.get_phonons()[0]. OpenMP over triplets; the result
// does not depend on the number of threads.
TripletIntegrationWeights get_triplets_integration_weights(
    const std::vector<double>& frequency_points, const std::vector<Triplet>& triplets,
    const NdArray<double>& frequencies, const grid::BZGrid& bz_grid, std::optional<double> sigma,
    std::optional<double> sigma_cutoff = std::nullopt, bool is_collision_matrix = false);

// The two kernels writing into caller-owned buffers of the layouts above
// (num_g = 2 or 3; every element is written). Vertex frequencies below zero
// are taken as zero in the tetrahedron method, as phono3py does.
void set_triplets_integration_weights_tetrahedron(double* g, std::int8_t* g_zero, int num_g,
                                                  const std::vector<double>& frequency_points,
                                                  const std::vector<Triplet>& triplets,
                                                  const NdArray<double>& frequencies,
                                                  const grid::BZGrid& bz_grid);

namespace detail {
// set_triplets_integration_weights_tetrahedron with the AVX-512 collection of the
// contributing tetrahedra allowed (if the CPU has it) or not: the same results either
// way; for the tests of both paths.
void set_triplets_integration_weights_tetrahedron(double* g, std::int8_t* g_zero, int num_g,
                                                  const std::vector<double>& frequency_points,
                                                  const std::vector<Triplet>& triplets,
                                                  const NdArray<double>& frequencies,
                                                  const grid::BZGrid& bz_grid, bool allow_avx512);
}  // namespace detail

// sigma_cutoff <= 0 or unset disables the cutoff.
void set_triplets_integration_weights_sigma(double* g, std::int8_t* g_zero, int num_g,
                                            const std::vector<double>& frequency_points,
                                            const std::vector<Triplet>& triplets,
                                            const NdArray<double>& frequencies, double sigma,
                                            std::optional<double> sigma_cutoff);

// Normal distribution of width sigma at x, phono3py funcs_gaussian (1/THz for THz arguments).
double gaussian(double x, double sigma);

}  // namespace ph3mpi::interaction
