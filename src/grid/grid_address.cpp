// GR-grid address enumeration (phonopy c/grgrid.c get_all_grid_addresses).
#include "ph3mpi/grid/grid_address.hpp"

namespace ph3mpi::grid {

std::vector<Vector3l> gr_grid_addresses(const Vector3l& D_diag) {
  std::vector<Vector3l> addresses(static_cast<std::size_t>(D_diag.prod()));
  std::size_t index = 0;
  // x runs fastest, matching grid_index_from_address.
  for (std::int64_t k = 0; k < D_diag(2); ++k) {
    for (std::int64_t j = 0; j < D_diag(1); ++j) {
      for (std::int64_t i = 0; i < D_diag(0); ++i) addresses[index++] = Vector3l(i, j, k);
    }
  }
  return addresses;
}

}  // namespace ph3mpi::grid
