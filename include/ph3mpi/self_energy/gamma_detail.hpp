// Contribution of every triplet and band pair to Gamma (phono3py
// ImagSelfEnergy(with_detail=True), c/imag_self_energy_with_g.c
// detailed_imag_self_energy_at_triplet): for triplet t and bands (j0, j1, j2),
//
//   detail(T, t, j0, j1, j2) = C P(t, j0, j1, j2) [ (n1 + n2 + 1) g0 + (n1 - n2) g1 ]   (T > 0)
//                            = C P(t, j0, j1, j2) g0                                    (T = 0)
//
// with the symbols of imag_self_energy.hpp, WITHOUT the triplet weight and without the
// degeneracy averaging, zero where g_zero is set or a mode of q1/q2 is at or below
// cutoff_frequency. So sum_t w_t sum_{j1 j2} detail, averaged over degenerate bands of q0,
// is Gamma (phono3py's gamma_detail dataset; the same relation holds for the N/U parts).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/interaction/phonon_view.hpp"
#include "ph3mpi/interaction/triplets.hpp"

namespace ph3mpi::self_energy {

// interaction_strength: (num_triplets, num_band0, nb, nb) eV^2; g: (>= 2, num_triplets,
// num_band0, nb, nb) 1/THz; g_zero: nullptr or (num_triplets, num_band0, nb, nb);
// temperatures in K. Returns (num_temperatures, num_triplets, num_band0, nb, nb) in THz.
// OpenMP over triplets; every element is computed independently (thread-count
// independent). Throws ph3mpi::Error on inconsistent sizes.
NdArray<double> detailed_imag_self_energy_with_g(
    const double* interaction_strength, const double* g, const std::int8_t* g_zero,
    const std::vector<interaction::Triplet>& triplets, const interaction::PhononView& phonons,
    std::size_t num_band0, const std::vector<double>& temperatures, double cutoff_frequency);

}  // namespace ph3mpi::self_energy
