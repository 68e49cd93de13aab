// Private to the interaction module: the BZ-grid lookup of the tetrahedron
// vertices, an inline copy of grid::bz_grid_point_with_surface for the inner
// loop of the integration weights (192 lookups per triplet), with a modulo that
// avoids integer division for the near-grid addresses that occur there.
#pragma once

#include <cstdint>

#include "ph3mpi/grid/bz_grid.hpp"

namespace ph3mpi::interaction::detail {

inline std::int64_t positive_modulo(std::int64_t a, std::int64_t d) {
  // BZ addresses plus small offsets stay within a period or two of the grid:
  // fold those without an integer division.
  if (a >= 0) {
    if (a < d) return a;
    if (a < 2 * d) return a - d;
  } else if (a >= -d) {
    return a + d;
  }
  const std::int64_t r = a % d;
  return r < 0 ? r + d : r;
}

// GR index of any integer address: m_0 + D_0 m_1 + D_0 D_1 m_2 after folding.
inline std::int64_t gr_index(const grid::Vector3l& address, const grid::Vector3l& D_diag) {
  return positive_modulo(address(0), D_diag(0)) +
         D_diag(0) *
             (positive_modulo(address(1), D_diag(1)) + D_diag(1) * positive_modulo(address(2), D_diag(2)));
}

// BZ-grid index of the image of GR point gr_index(address) whose BZ address is
// exactly `address`; when `address` is none of the stored images (it lies
// outside the BZ), the first image. Dense gp_map numbering (store_dense_gp_map).
inline std::int64_t bz_index_of_address(const grid::Vector3l& address, const grid::BZGrid& bz_grid) {
  const std::int64_t gr = gr_index(address, bz_grid.D_diag);
  const std::int64_t first = bz_grid.gp_map[gr];
  const std::int64_t end = bz_grid.gp_map[gr + 1];
  if (end - first > 1) {
    for (std::int64_t i = first; i < end; ++i) {
      if (bz_grid.addresses[i] == address) return i;
    }
  }
  return first;
}

}  // namespace ph3mpi::interaction::detail
