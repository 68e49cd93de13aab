// Degenerate band sets (phonopy.phonon.degeneracy.degenerate_sets).
#pragma once

#include <cstddef>
#include <vector>

namespace ph3mpi::phonon {

// Groups band indices whose frequencies are within `cutoff` (THz) of some member of the
// group, scanning in band order exactly as phonopy does: e.g. [1.5, 2.1, 2.1, 3.4, 8] ->
// [[0], [1, 2], [3], [4]].
std::vector<std::vector<std::size_t>> degenerate_sets(const double* frequencies, std::size_t num_band,
                                                      double cutoff = 1e-4);

}  // namespace ph3mpi::phonon
