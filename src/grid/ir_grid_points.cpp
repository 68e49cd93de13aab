// Irreducible GR-grid points (phonopy get_ir_grid_points / c/grgrid.c get_ir_grid_map).
#include "ph3mpi/grid/ir_grid_points.hpp"

#include "ph3mpi/grid/grid_address.hpp"

namespace ph3mpi::grid {

std::vector<std::int64_t> ir_grid_map(const std::vector<Matrix3l>& grg_rotations, const Vector3l& D_diag,
                                      const Vector3l& PS) {
  const std::int64_t num_gp = D_diag.prod();
  std::vector<std::int64_t> map(static_cast<std::size_t>(num_gp), num_gp);
  const bool unshifted = PS.isZero();
  // Points are visited in index order, so a point that some rotation sends to a
  // smaller index inherits that point's (already final) representative; a point
  // no rotation lowers is the smallest of its orbit and represents it.
  std::int64_t gp = 0;
  for (std::int64_t k = 0; k < D_diag(2); ++k) {
    for (std::int64_t j = 0; j < D_diag(1); ++j) {
      for (std::int64_t i = 0; i < D_diag(0); ++i, ++gp) {
        const Vector3l address(i, j, k);
        for (const auto& r : grg_rotations) {
          // Without a shift the doubled-address rotation reduces to R g.
          const std::int64_t r_gp =
              unshifted ? grid_index_from_address(r * address, D_diag) : rotate_grid_index(gp, r, D_diag, PS);
          if (r_gp < gp) {
            map[static_cast<std::size_t>(gp)] = map[static_cast<std::size_t>(r_gp)];
            break;
          }
        }
        if (map[static_cast<std::size_t>(gp)] == num_gp) map[static_cast<std::size_t>(gp)] = gp;
      }
    }
  }
  return map;
}

void extract_ir_grid_points(const std::vector<std::int64_t>& grid_map,
                            std::vector<std::int64_t>& ir_grid_points,
                            std::vector<std::int64_t>& ir_weights) {
  std::vector<std::int64_t> weights(grid_map.size(), 0);
  for (std::int64_t gp : grid_map) ++weights[static_cast<std::size_t>(gp)];
  ir_grid_points.clear();
  ir_weights.clear();
  for (std::size_t gp = 0; gp < weights.size(); ++gp) {
    if (weights[gp] > 0) {
      ir_grid_points.push_back(static_cast<std::int64_t>(gp));
      ir_weights.push_back(weights[gp]);
    }
  }
}

IrGridPoints get_ir_grid_points(const BZGrid& bz_grid) {
  IrGridPoints ir;
  ir.ir_grid_map = ir_grid_map(bz_grid.grg_rotations, bz_grid.D_diag, bz_grid.PS);
  extract_ir_grid_points(ir.ir_grid_map, ir.ir_grid_points, ir.ir_weights);
  ir.ir_grid_points_bz.reserve(ir.ir_grid_points.size());
  for (std::int64_t gp : ir.ir_grid_points)
    ir.ir_grid_points_bz.push_back(bz_grid.grg2bzg[static_cast<std::size_t>(gp)]);
  return ir;
}

}  // namespace ph3mpi::grid
