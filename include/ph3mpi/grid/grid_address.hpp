// Integer address arithmetic on a GR grid (phonopy c/grgrid.c): index <-> address
// with x running fastest, the doubled-address convention used for shifted grids
// (address_double = 2 * address + PS), and rotation of a grid index.
#pragma once

#include <cstdint>
#include <vector>

#include "ph3mpi/grid/bz_grid.hpp"

namespace ph3mpi::grid {

// Non-negative remainder (a mod b for b > 0).
inline std::int64_t modulo(std::int64_t a, std::int64_t b) {
  const std::int64_t c = a % b;
  return c < 0 ? c + b : c;
}

// GR index of any integer address (reduced modulo D_diag first): phonopy's
// get_grid_point_from_address.
inline std::int64_t grid_index_from_address(const Vector3l& address, const Vector3l& D_diag) {
  return modulo(address(0), D_diag(0)) + modulo(address(1), D_diag(1)) * D_diag(0) +
         modulo(address(2), D_diag(2)) * D_diag(0) * D_diag(1);
}

// Address in [0, D_i) of a GR index.
inline Vector3l grid_address_from_index(std::int64_t grid_index, const Vector3l& D_diag) {
  const std::int64_t nn = D_diag(0) * D_diag(1);
  const std::int64_t a2 = grid_index / nn;
  return Vector3l(grid_index % D_diag(0), (grid_index - a2 * nn) / D_diag(0), a2);
}

// All GR addresses in index order (phonopy's _get_grid_address / gr_grid_addresses).
std::vector<Vector3l> gr_grid_addresses(const Vector3l& D_diag);

// Doubled address 2*address + PS (no modulo).
inline Vector3l double_grid_address(const Vector3l& address, const Vector3l& PS) { return 2 * address + PS; }

// Single-grid address (address_double - PS) / 2 (no modulo).
inline Vector3l grid_address_from_double(const Vector3l& address_double, const Vector3l& PS) {
  return (address_double - PS) / 2;
}

// GR index of a doubled address.
inline std::int64_t double_grid_index(const Vector3l& address_double, const Vector3l& D_diag,
                                      const Vector3l& PS) {
  return grid_index_from_address(grid_address_from_double(address_double, PS), D_diag);
}

// GR index of R g for the GR point `grid_index` (R acts on doubled addresses).
inline std::int64_t rotate_grid_index(std::int64_t grid_index, const Matrix3l& rotation,
                                      const Vector3l& D_diag, const Vector3l& PS) {
  const Vector3l dadrs = double_grid_address(grid_address_from_index(grid_index, D_diag), PS);
  return double_grid_index(rotation * dadrs, D_diag, PS);
}

}  // namespace ph3mpi::grid
