// q-point triplets (q0, q1, q2) with q0 + q1 + q2 = G at a fixed q0, reduced
// by the symmetry that leaves q0 invariant, exactly as phono3py's
// get_triplets_at_q / get_nosym_triplets_at_q (phono3py/phonon3/triplets.py,
// c/triplet_grid.c). Grid points are BZ-grid indices (dense gp_map numbering)
// unless a name says GR (generalized regular grid index, 0 <= i < prod(D_diag)).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "ph3mpi/grid/bz_grid.hpp"

namespace ph3mpi::interaction {

// (q0, q1, q2) as BZ-grid indices.
using Triplet = std::array<std::int64_t, 3>;

struct TripletsAtQ {
  // Irreducible triplets, ordered by the GR index of q1. Among the BZ images
  // of q0, q1, q2 the combination with the shortest G = q0 + q1 + q2 is kept
  // (G = 0 when it exists).
  std::vector<Triplet> triplets;
  // Number of GR q1 points each triplet stands for; sums to prod(D_diag).
  std::vector<std::int64_t> weights;
  // GR q1 index -> GR q1 index of its irreducible triplet (size prod(D_diag)).
  std::vector<std::int64_t> map_triplets;
  // GR q1 index -> irreducible GR q1 under the little group of q0 (no q1<->q2 swap).
  std::vector<std::int64_t> map_q;

  std::size_t size() const noexcept { return triplets.size(); }
};

// Rotations acting on GR-grid addresses (phonopy BZGrid.rotations, the same as
// BZGrid::grg_rotations), recomputed from reciprocal_operations, D_diag and Q
// (grid::transform_rotations), so that only those fields need to be filled.
std::vector<grid::Matrix3l> get_grg_rotations(const grid::BZGrid& bz_grid);

// The GR-grid rotations whose reciprocal operation R keeps a q-direction
// (reduced coordinates, any length) fixed, |R d - d| < 1e-5 per component for
// the normalised d: the rotations phono3py's Interaction.set_grid_point uses,
// with is_time_reversal=false, for Gamma when a NAC q-direction is set.
std::vector<grid::Matrix3l> get_grg_rotations_fixing_direction(const grid::BZGrid& bz_grid,
                                                               const Eigen::Vector3d& q_direction);

// phono3py get_triplets_at_q(grid_point, bz_grid, is_time_reversal, swappable),
// using the GR-grid rotations of bz_grid; is_mesh_symmetry=false gives
// get_nosym_triplets_at_q (phono3py Interaction.set_grid_point does the same).
// grid_point is a BZ-grid index.
TripletsAtQ get_triplets_at_q(std::int64_t grid_point, const grid::BZGrid& bz_grid,
                              bool is_time_reversal = true, bool swappable = true,
                              bool is_mesh_symmetry = true);

// Same with explicit GR-grid rotations (phono3py's reciprocal_rotations
// argument, e.g. the subgroup that keeps a NAC q-direction at Gamma, used
// there with is_time_reversal=false).
TripletsAtQ get_triplets_at_q(std::int64_t grid_point, const grid::BZGrid& bz_grid,
                              const std::vector<grid::Matrix3l>& grg_rotations, bool is_time_reversal,
                              bool swappable);

// All prod(D_diag) triplets, each of weight 1 (no symmetry).
TripletsAtQ get_nosym_triplets_at_q(std::int64_t grid_point, const grid::BZGrid& bz_grid);

// Lower level, phono3py _get_triplets_reciprocal_mesh_at_q: fills map_triplets
// and map_q (both GR, size prod(D_diag)) for the GR point gr_grid_point and
// returns the number of irreducible triplets.
std::int64_t get_triplets_reciprocal_mesh_at_q(std::vector<std::int64_t>& map_triplets,
                                               std::vector<std::int64_t>& map_q, std::int64_t gr_grid_point,
                                               const grid::Vector3l& D_diag,
                                               const std::vector<grid::Matrix3l>& grg_rotations,
                                               bool is_time_reversal, bool swappable);

// Lower level, phono3py _get_BZ_triplets_at_q: the BZ triplets of the
// irreducible q1 of map_triplets (those with map_triplets[i] == i), in
// increasing i, and their weights.
void get_bz_triplets_at_q(std::vector<Triplet>& triplets, std::vector<std::int64_t>& weights,
                          std::int64_t grid_point, const grid::BZGrid& bz_grid,
                          const std::vector<std::int64_t>& map_triplets);

// True for a normal process: the BZ addresses of the triplet sum to zero (G = 0).
bool is_normal_process(const Triplet& triplet, const grid::BZGrid& bz_grid);

}  // namespace ph3mpi::interaction
