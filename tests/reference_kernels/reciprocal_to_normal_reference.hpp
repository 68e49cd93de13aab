// fc3 at a q-triplet projected on the phonon modes as ph3mpi computed it at commit
// 734e1dd (src/interaction/reciprocal_to_normal.cpp then): three dense contractions, one
// index at a time, every element summed over b0, b1, b2 in increasing order. Kept (test
// and bench code only, library ph3mpi_reference_kernels) as the reference that the
// current ReciprocalToNormal is tested against (bit for bit) and as the "before"
// column of bench/bench_interaction.
#pragma once

#include <complex>
#include <cstdint>
#include <vector>

#include "ph3mpi/interaction/phonon_view.hpp"
#include "ph3mpi/interaction/triplets.hpp"

namespace ph3mpi::interaction {

// ReciprocalToNormal(masses, band_indices, cutoff_frequency).run(fc3_reciprocal, phonons,
// triplet, g_zero, out, workspace, parallel_inside) of commit 734e1dd; inputs not checked.
void reciprocal_to_normal_reference(const std::complex<double>* fc3_reciprocal,
                                    const std::vector<double>& masses,
                                    const std::vector<std::int64_t>& band_indices, double cutoff_frequency,
                                    const PhononView& phonons, const Triplet& triplet,
                                    const std::int8_t* g_zero, double* out, bool parallel_inside = false);

}  // namespace ph3mpi::interaction
