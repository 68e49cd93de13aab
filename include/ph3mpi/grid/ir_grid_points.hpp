// Irreducible grid points of a BZGrid (phonopy get_ir_grid_points): the GR points
// with the smallest index of each symmetry orbit under grg_rotations.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "ph3mpi/grid/bz_grid.hpp"

namespace ph3mpi::grid {

// c/grgrid.c get_ir_grid_map: map[gp] = map[R gp] for the first rotation with
// R gp < gp, else gp (the orbit minimum, for a group). Sequential by design.
std::vector<std::int64_t> ir_grid_map(const std::vector<Matrix3l>& grg_rotations, const Vector3l& D_diag,
                                      const Vector3l& PS);

struct IrGridPoints {
  std::vector<std::int64_t> ir_grid_points;     // GR indices, ascending
  std::vector<std::int64_t> ir_weights;         // orbit sizes, sum = prod(D_diag)
  std::vector<std::int64_t> ir_grid_map;        // GR index -> GR index of its representative
  std::vector<std::int64_t> ir_grid_points_bz;  // grg2bzg[ir_grid_points] (kappa files' grid_point)
};

// phonopy's extract_ir_grid_points on a given map (unique sorted values and counts).
void extract_ir_grid_points(const std::vector<std::int64_t>& grid_map,
                            std::vector<std::int64_t>& ir_grid_points, std::vector<std::int64_t>& ir_weights);

// get_ir_grid_points(bz_grid) plus the BZ indices of the representatives.
IrGridPoints get_ir_grid_points(const BZGrid& bz_grid);

}  // namespace ph3mpi::grid
