// Real part of the bubble self energy, the anharmonic frequency shift Delta
// (phono3py.phonon3.real_self_energy.RealSelfEnergy, c/real_self_energy.c): at a
// frequency omega for band j0 of q0,
//
//   Delta_j0(omega) = C sum_t w_t sum_{j1 j2} P(t, j0, j1, j2) [
//       - (n1 + n2 + 1) PV 1/(omega + w1 + w2) + (n1 + n2 + 1) PV 1/(omega - w1 - w2)
//       - (n1 - n2)     PV 1/(omega - w1 + w2) + (n1 - n2)     PV 1/(omega + w1 - w2) ]
//
// (at T = 0 only the two (n1 + n2 + 1) = 1 terms), the Cauchy principal value taken as
// PV 1/x ~ x / (x^2 + epsilon^2). P is the interaction strength (eV^2) of the triplets of
// q0, n the Bose-Einstein occupations of (q1 j1), (q2 j2); modes at or below
// cutoff_frequency, and omega below it, contribute nothing. C =
// real_self_energy_unit_conversion() turns the sum into THz.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/interaction/phonon_view.hpp"
#include "ph3mpi/interaction/triplets.hpp"

namespace ph3mpi::self_energy {

// 18 / (hbar eV)^2 / (2 pi THz)^2 eV^2 (phono3py RealSelfEnergy._unit_conversion).
double real_self_energy_unit_conversion();

// Delta at the band frequencies of q0 = triplets[0][0] (phono3py rse_get_real_self_energy_at_bands),
// not averaged over degenerate bands. interaction_strength: (num_triplets, num_band0, nb, nb)
// for band_indices (num_band0 of them); frequencies of phonons indexed by the BZ grid points of
// the triplets; temperature in K; epsilon in THz. Returns (num_band0) THz.
// OpenMP over triplets, summed in triplet order afterwards (thread-count independent).
std::vector<double> real_self_energy_at_bands(const double* interaction_strength,
                                              const std::vector<interaction::Triplet>& triplets,
                                              const std::vector<std::int64_t>& weights,
                                              const interaction::PhononView& phonons,
                                              const std::vector<std::int64_t>& band_indices,
                                              double temperature, double epsilon, double cutoff_frequency);

// Delta at each frequency point (phono3py rse_get_real_self_energy_at_frequency_point),
// not averaged. Returns (num_frequency_points, num_band0) THz. OpenMP over frequency points.
NdArray<double> real_self_energy_at_frequency_points(
    const std::vector<double>& frequency_points, const double* interaction_strength,
    const std::vector<interaction::Triplet>& triplets, const std::vector<std::int64_t>& weights,
    const interaction::PhononView& phonons, const std::vector<std::int64_t>& band_indices, double temperature,
    double epsilon, double cutoff_frequency);

// phono3py get_real_self_energy at one grid point, as it reports it (RealSelfEnergy.real_self_energy:
// averaged over degenerate bands of q0, tolerance 1e-4 THz), for all epsilons and temperatures:
//   frequency_points empty:  (num_epsilons, num_temperatures, num_band0)       (frequency_points_at_bands)
//   otherwise:               (num_epsilons, num_temperatures, num_band0, num_frequency_points)
NdArray<double> real_self_energy(const double* interaction_strength,
                                 const std::vector<interaction::Triplet>& triplets,
                                 const std::vector<std::int64_t>& weights,
                                 const interaction::PhononView& phonons,
                                 const std::vector<std::int64_t>& band_indices,
                                 const std::vector<double>& temperatures, const std::vector<double>& epsilons,
                                 const std::vector<double>& frequency_points, double cutoff_frequency);

}  // namespace ph3mpi::self_energy
