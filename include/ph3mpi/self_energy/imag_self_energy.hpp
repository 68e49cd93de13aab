// Imaginary part of the bubble self energy, Gamma (phono3py.phonon3.imag_self_energy,
// c/imag_self_energy_with_g.c), for the bands band_indices of the grid point q0 of a
// set of triplets, at several temperatures:
//
//   Gamma_j0(T) = C sum_t w_t sum_{j1 j2} P(t, j0, j1, j2)
//                 [ (n1 + n2 + 1) g0 + (n1 - n2) g1 ]            (T > 0)
//   Gamma_j0(0) = C sum_t w_t sum_{j1 j2} P(t, j0, j1, j2) g0
//
// with P the interaction strength (eV^2), n1, n2 Bose-Einstein occupations of (q1 j1),
// (q2 j2) (modes at or below cutoff_frequency contribute nothing), g0 = delta(w-w1-w2),
// g1 = delta(w+w1-w2) - delta(w-w1+w2) the integration weights (1/THz) and
// C = unit_conversion_factor() = 18 pi / (hbar eV)^2 / (2 pi THz)^2 eV^2, giving THz.
// Results are finally averaged over degenerate bands of q0 (phono3py
// average_by_degeneracy, tolerance 1e-4 THz), as phono3py reports them.
//
// Triplets are summed in their given order after per-triplet sums, so the results do
// not depend on the number of OpenMP threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/interaction/phonon_view.hpp"
#include "ph3mpi/interaction/triplets.hpp"

namespace ph3mpi::self_energy {

// 18 pi / (hbar eV)^2 / (2 pi THz)^2 eV^2 = 3306215.697005045 (phono3py
// ImagSelfEnergy.unit_conversion_factor).
double unit_conversion_factor();

// T (K) as the frequency k_B T / h in THz (phono3py's temperature * KB / THzToEv).
double temperature_to_thz(double temperature);

struct ImagSelfEnergy {
  NdArray<double> gamma;    // (num_temperatures, num_band0), THz
  NdArray<double> gamma_N;  // normal processes only (is_N_U), else empty
  NdArray<double> gamma_U;  // umklapp processes only (is_N_U), else empty
};

// phono3py average_by_degeneracy on the last axis of `values` (..., num_band0):
// entries of band_indices in one degenerate set of frequencies_at_gp (all bands of q0)
// are replaced by their mean.
void average_by_degeneracy(NdArray<double>& values, const std::vector<std::int64_t>& band_indices,
                           const double* frequencies_at_gp, std::size_t num_band);

// Gamma from a stored interaction strength (phono3py ImagSelfEnergy.run with
// is_full_pp=True, or with the g_zero-skipped strength: elements with g_zero set are
// skipped either way).
//   interaction_strength: (num_triplets, num_band0, nb, nb) eV^2 (Interaction::run);
//   g: (>= 2, num_triplets, num_band0, nb, nb), g[0] and g[1] used; g_zero: nullptr or
//   (num_triplets, num_band0, nb, nb); weights: triplet weights; temperatures in K.
// is_N_U additionally splits Gamma into normal (q0+q1+q2 = 0 in BZ addresses) and
// umklapp parts. grid_point: BZ index of q0, whose frequencies define the degenerate
// sets (its triplets may start at other BZ images of it). Throws ph3mpi::Error on
// inconsistent sizes.
ImagSelfEnergy imag_self_energy_with_g(std::int64_t grid_point, const double* interaction_strength,
                                       const double* g, const std::int8_t* g_zero,
                                       const std::vector<interaction::Triplet>& triplets,
                                       const std::vector<std::int64_t>& weights,
                                       const interaction::PhononView& phonons,
                                       const std::vector<std::int64_t>& band_indices,
                                       const std::vector<double>& temperatures, double cutoff_frequency,
                                       const grid::BZGrid& bz_grid, bool is_N_U = false);

// The two halves of imag_self_energy_with_g, for callers that hold the interaction strength
// of a few triplets at a time. imag_self_energy_contributions writes the per-triplet sums of
// triplets [begin, begin + count) (interaction_strength, g, g_zero of just those triplets:
// (count, nb0, nb, nb) and g (>= 2, count, nb0, nb, nb)) into contributions + begin * nT * nb0
// of a (num_triplets, num_temperatures, nb0) array; sum_imag_self_energy then sums every
// triplet's in triplet order, converts to THz and averages over degenerate bands of q0.
// Together they give imag_self_energy_with_g's numbers bit for bit, for any chunking.
void imag_self_energy_contributions(std::size_t begin, std::size_t count, const double* interaction_strength,
                                    const double* g, const std::int8_t* g_zero,
                                    const std::vector<interaction::Triplet>& triplets,
                                    const std::vector<std::int64_t>& weights,
                                    const interaction::PhononView& phonons, std::size_t num_band0,
                                    const std::vector<double>& temperatures, double cutoff_frequency,
                                    double* contributions);
ImagSelfEnergy sum_imag_self_energy(std::int64_t grid_point, const std::vector<double>& contributions,
                                    const std::vector<interaction::Triplet>& triplets,
                                    const interaction::PhononView& phonons,
                                    const std::vector<std::int64_t>& band_indices,
                                    std::size_t num_temperatures, const grid::BZGrid& bz_grid,
                                    bool is_N_U = false);

namespace detail {

// One triplet's contribution, phono3py ise_imag_self_energy_at_triplet: for every
// temperature (in THz, <= 0 meaning T = 0) and j0, weight * sum over (j1, j2) not in
// g_zero of pp [ (n1+n2+1) g0 + (n1-n2) g1 ]. pp, g0, g1, g_zero are (nb0, nb, nb) of
// this triplet; freqs1/freqs2 are all bands at q1, q2. out: (num_temps, nb0), overwritten.
// scratch: at least 2 * num_temps * nb doubles.
void imag_self_energy_at_triplet(const double* pp, const double* g0, const double* g1,
                                 const std::int8_t* g_zero, std::size_t nb0, std::size_t nb,
                                 const double* freqs1, const double* freqs2, std::int64_t weight,
                                 const std::vector<double>& temperatures_thz, double cutoff_frequency,
                                 double* out, double* scratch);

}  // namespace detail

}  // namespace ph3mpi::self_energy
