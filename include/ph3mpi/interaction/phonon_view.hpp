// Read-only view of the phonons on the BZ grid as phono3py keeps them
// (Interaction.get_phonons()): the arrays may live in a node-shared window, so the
// interaction kernels take plain pointers instead of owning containers.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <utility>

namespace ph3mpi::interaction {

struct PhononView {
  const double* frequencies = nullptr;  // [num_grid_points][num_band], THz
  const std::complex<double>* eigenvectors =
      nullptr;  // [num_grid_points][num_band][num_band], column j = mode j
  // [num_grid_points][num_band]: the first band of the degenerate set each band belongs to
  // (phonopy's degenerate_sets, 1e-4 THz; sets are runs of consecutive bands). nullptr:
  // not provided (only degenerate averaging needs it).
  const std::int32_t* degenerate_first = nullptr;
  std::size_t num_grid_points = 0;  // BZ grid points (rows of the arrays)
  std::size_t num_band = 0;         // 3 * primitive atoms

  const double* frequencies_at(std::size_t grid_point) const { return frequencies + grid_point * num_band; }
  const std::complex<double>* eigenvectors_at(std::size_t grid_point) const {
    return eigenvectors + grid_point * num_band * num_band;
  }
  // Bands [first, end) of the degenerate set that `band` at `grid_point` belongs to.
  std::pair<std::size_t, std::size_t> degenerate_set(std::size_t grid_point, std::size_t band) const {
    const std::int32_t* row = degenerate_first + grid_point * num_band;
    const std::int32_t first = row[band];
    std::size_t end = band + 1;
    while (end < num_band && row[end] == first) ++end;
    return {static_cast<std::size_t>(first), end};
  }
};

}  // namespace ph3mpi::interaction
