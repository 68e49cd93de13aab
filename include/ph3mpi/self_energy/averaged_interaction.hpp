// Band-averaged and constant interaction strengths, the approximations phono3py offers
// for analysing Gamma (phono3py.phonon3.interaction.Interaction.averaged_interaction,
// ImagSelfEnergy.set_averaged_pp_interaction, Interaction(constant_averaged_interaction)):
//
//   P_ave(j0) = 1/nb^2 sum_t w_t sum_{j1 j2} P(t, j0, j1, j2)        (PRB 91, 094306 (2015), Eq. 21)
//
// in eV^2. Since sum_t w_t = N (the number of GR grid points), replacing every element by
// P_ave(j0) / N keeps sum_t w_t sum_{j1 j2} P unchanged; Gamma computed from that flat
// interaction is phono3py's "use_ave_pp" value, and a constant c / N its "const_ave_pp" one.
// P_ave of bands in one degenerate set depends on the gauge of their eigenvectors; only
// its mean over the set is a property of the crystal (phono3py does not average it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"

namespace ph3mpi::self_energy {

// P_ave(j0) of an interaction strength (num_triplets, num_band0, nb, nb) eV^2 with
// triplet weights; returns num_band0 values (eV^2). Throws ph3mpi::Error on a weights
// size different from num_triplets. Sums in triplet order (deterministic).
std::vector<double> averaged_interaction(const double* interaction_strength, std::size_t num_triplets,
                                         std::size_t num_band0, std::size_t num_band,
                                         const std::vector<std::int64_t>& weights);

// The interaction strength (num_triplets, num_band0, nb, nb) with every element of band j0
// equal to averaged[j0] / num_grid_points (phono3py set_averaged_pp_interaction).
NdArray<double> interaction_from_averaged(const std::vector<double>& averaged, std::size_t num_triplets,
                                          std::size_t num_band, std::int64_t num_grid_points);

// Every element equal to constant / num_grid_points (phono3py Interaction.run with
// constant_averaged_interaction).
NdArray<double> constant_interaction(double constant, std::size_t num_triplets, std::size_t num_band0,
                                     std::size_t num_band, std::int64_t num_grid_points);

}  // namespace ph3mpi::self_energy
