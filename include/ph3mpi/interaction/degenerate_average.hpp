// Averages over degenerate band sets (config key degenerate_average).
//
// Inside a subspace of degenerate bands LAPACK may return any orthonormal basis. Sums of
// |Phi(q0 j0, q1 j1, q2 j2)|^2 over a whole degenerate set of one of the three phonons
// do not depend on that basis (they are traces of the projector onto the subspace), but
// the band-resolved tetrahedron weights g(j1, j2) that multiply them do, because g is
// built from band-sorted frequencies at the tetrahedron corners. So phono3py's per-band
// Gamma_j0 = sum_t w_t sum_{j1 j2} |Phi|^2 g_t(j1, j2) depends on the basis.
//
// Replacing |Phi|^2 by its mean over the product block D0 x D1 x D2 of the degenerate
// sets containing (j0, j1, j2) removes the dependence. It is also the mean of phono3py's
// |Phi|^2 over bases: Phi is linear in each of the three eigenvectors, and for a
// Haar-random unitary U on a d-dimensional subspace E|sum_k U_jk a_k|^2 = (1/d) sum_k
// |a_k|^2, so averaging over independent rotations in D0, D1, D2 gives exactly the block
// mean. Gamma is linear in |Phi|^2, so Gamma computed from block means is phono3py's
// Gamma averaged over all bases (docs/validation.md). The same holds for the isotope
// weights |e_j0^* . e_j1|^2 (Tamura), averaged over D0 x D1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ph3mpi/interaction/phonon_view.hpp"

namespace ph3mpi::interaction {

// Positions into `bands` (the computed band indices at grid point gp) grouped by the
// degenerate set of phonons at gp they belong to; needs phonons.degenerate_first.
std::vector<std::vector<std::size_t>> degenerate_band_groups(const PhononView& phonons, std::size_t gp,
                                                             const std::vector<std::int64_t>& bands);

// interaction_strength (nb0, nb, nb) of one triplet (q0, q1, q2) as phono3py stores it,
// |Phi|^2 / (f0 f1 f2): |Phi|^2 of every element replaced by its mean over the element's
// block (group of q0 positions) x (degenerate set at q1) x (degenerate set at q2), then
// divided again by the element's own f0 f1 f2. The frequencies of a set differ slightly
// (up to the 1e-4 THz tolerance), so averaging the quotient itself would not be exactly
// basis-independent. Elements with a mode at or below cutoff_frequency are zero in
// phono3py and stay out of the means. bands0: the band index of each q0 position.
void average_over_degenerate_blocks(double* interaction_strength,
                                    const std::vector<std::vector<std::size_t>>& groups0,
                                    const std::vector<std::int64_t>& bands0, const PhononView& phonons,
                                    std::size_t gp0, std::size_t gp1, std::size_t gp2,
                                    double cutoff_frequency);

// mask (nb0, nb, nb), nonzero = element not needed (phono3py's g_zero): an element is
// needed when any element of its block is, so that the block mean can be formed. Returns
// whether anything changed.
bool widen_mask_to_degenerate_blocks(std::int8_t* mask, const std::vector<std::vector<std::size_t>>& groups0,
                                     const PhononView& phonons, std::size_t gp1, std::size_t gp2);

}  // namespace ph3mpi::interaction
