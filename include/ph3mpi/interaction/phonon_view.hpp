// Read-only view of the phonons on the BZ grid as phono3py keeps them
// (Interaction.get_phonons()): the arrays may live in a node-shared window, so the
// interaction kernels take plain pointers instead of owning containers.
#pragma once

#include <complex>
#include <cstddef>

namespace ph3mpi::interaction {

struct PhononView {
  const double* frequencies = nullptr;  // [num_grid_points][num_band], THz
  const std::complex<double>* eigenvectors =
      nullptr;                      // [num_grid_points][num_band][num_band], column j = mode j
  std::size_t num_grid_points = 0;  // BZ grid points (rows of the arrays)
  std::size_t num_band = 0;         // 3 * primitive atoms

  const double* frequencies_at(std::size_t grid_point) const { return frequencies + grid_point * num_band; }
  const std::complex<double>* eigenvectors_at(std::size_t grid_point) const {
    return eigenvectors + grid_point * num_band * num_band;
  }
};

}  // namespace ph3mpi::interaction
