// Rows of the LBTE collision matrix at one irreducible grid point q0 (phono3py
// phonon3/collision_matrix.py CollisionMatrix, c/collision_matrix.c), i.e. the
// off-diagonal ("scattering-in") part of Chaput's Omega, PRL 110, 265506 (2013), Eq. (7),
// halved as phono3py defines it:
//
//   Omega_{q0 j0, q1 j1} = C sum_{j2} P(q0 j0, q1 j1, q2 j2) g2(w0, w1, w2) / sinh(w2 / 2T)
//
// with P the interaction strength (eV^2, the same array the Gamma of q0 uses), g2 =
// delta(w0-w1-w2) + delta(w0+w1-w2) + delta(w0-w1+w2) (the third component of the
// collision integration weights, 1/THz), w2 in THz, T = k_B T / h in THz, C =
// self_energy::unit_conversion_factor() (result in THz). Modes of q2 at or below the
// cutoff frequency contribute nothing. q2 = -q0-q1 is the third member of the triplet that
// represents q1 (map_triplets / map_q of get_triplets_at_q); when q1 is represented by the
// swapped triplet (q0, q2', q1') the roles of j1 and j2 are exchanged, as phono3py does.
// Temperatures <= 0 give zero rows (phono3py skips them).
//
// Two row forms:
//  * reducible (phono3py is_reducible_collision_matrix): (nb0, N, nb) over all N = prod(D_diag)
//    GR grid points q1;
//  * irreducible (default): (nb0, 3, N_ir, nb, 3), the rows summed over the star of every
//    irreducible q1 with the Cartesian rotations (phono3py's rotation sums):
//      Omega^ir_{j0 a, (k j1) b} = sum_{R} Omega_{q0 j0, (R k) j1} R_{ab}
//    over all point-group operations R (rot_grid_points[k][R] = GR index of R k).
//
// Both need only q0's own interaction strength and weights, so a rank that computes Gamma
// of q0 can compute its rows too; the diagonal (Gamma, isotope, boundary), weights,
// degeneracy averaging and symmetrization are applied later (transport/lbte_kappa.hpp).
// All loops keep phono3py's summation order; results are bit-identical to its C kernel for
// the same inputs.
#pragma once

#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/interaction/integration_weights.hpp"
#include "ph3mpi/interaction/phonon_view.hpp"
#include "ph3mpi/interaction/triplets.hpp"

namespace ph3mpi::self_energy {

// The symmetry that folds full-grid rows into the irreducible form, shared by all grid
// points of a run (phono3py build_rot_grid_points + CollisionMatrix.__init__).
struct CollisionSymmetry {
  std::size_t num_rot = 0;
  // (num_gp, num_rot): GR index of R_r applied to the address of grid_points[i] (phonopy
  // get_grid_points_by_rotations, i.e. bzg2grg of its BZ result).
  std::vector<std::int64_t> rot_grid_points;
  // num_rot Cartesian rotations in the same order (BZGrid::rotations_cartesian, or the
  // identity alone without kappa star).
  std::vector<Eigen::Matrix3d> rotations_cartesian;

  std::size_t num_grid_points() const { return num_rot == 0 ? 0 : rot_grid_points.size() / num_rot; }
  std::int64_t rot_grid_point(std::size_t i, std::size_t r) const { return rot_grid_points[i * num_rot + r]; }
};

// rot_grid_points and rotations of `grid_points` (BZ indices, usually the irreducible ones:
// grid::IrGridPoints::ir_grid_points_bz) with the grid's GR rotations (is_kappa_star) or the
// identity only. Throws ph3mpi::Error for grid points outside the grid or rotation lists of
// different lengths.
CollisionSymmetry make_collision_symmetry(const grid::BZGrid& bz_grid,
                                          const std::vector<std::int64_t>& grid_points,
                                          bool is_kappa_star = true);

// Reducible row at one temperature (K): out (nb0, N, nb), overwritten.
//   interaction_strength: (num_triplets, nb0, nb, nb) eV^2 of tq.triplets (Interaction::run);
//   g_collision: the third weight component, (num_triplets, nb0, nb, nb) 1/THz
//   (TripletIntegrationWeights::g with is_collision_matrix, at offset 2 * num_triplets*nb0*nb*nb);
//   tq: the triplets of q0 with map_triplets / map_q (get_triplets_at_q);
//   phonons: frequencies on all BZ points.
// Throws ph3mpi::Error when tq's maps do not match its triplets.
void reducible_collision_matrix_row(double* out, const double* interaction_strength,
                                    const double* g_collision, std::size_t nb0,
                                    const interaction::TripletsAtQ& tq,
                                    const interaction::PhononView& phonons, double temperature,
                                    double cutoff_frequency);

// Irreducible row at one temperature: out (nb0, 3, N_ir, nb, 3), overwritten; symmetry as
// from make_collision_symmetry on the irreducible grid points. Same other arguments.
void collision_matrix_row(double* out, const double* interaction_strength, const double* g_collision,
                          std::size_t nb0, const interaction::TripletsAtQ& tq,
                          const interaction::PhononView& phonons, const CollisionSymmetry& symmetry,
                          double temperature, double cutoff_frequency);

struct CollisionRows {
  // (num_temp, nb0) THz: Gamma of q0 (imag_self_energy_with_g on the same strength and the
  // first two weight components, averaged over degenerate bands), phono3py's LBTE gamma.
  NdArray<double> gamma;
  // (num_temp, nb0, 3, N_ir, nb, 3) irreducible or (num_temp, nb0, N, nb) reducible, THz.
  NdArray<double> collision;
};

// Gamma and collision rows of BZ grid point grid_point for every temperature (K) from one
// interaction strength: the strength is computed once and the rows are rebuilt per
// temperature. weights: the collision integration weights (num_g = 3, from
// get_triplets_integration_weights(..., is_collision_matrix = true) or the tetrahedron /
// sigma kernels with num_g = 3) at the frequencies of band_indices of q0, with their
// g_zero (or an empty g_zero when the strength is the full one). symmetry: nullptr for the
// reducible form. Throws ph3mpi::Error on inconsistent sizes.
CollisionRows collision_rows(std::int64_t grid_point, const double* interaction_strength,
                             const interaction::TripletIntegrationWeights& weights,
                             const interaction::TripletsAtQ& tq, const interaction::PhononView& phonons,
                             const std::vector<std::int64_t>& band_indices,
                             const std::vector<double>& temperatures, double cutoff_frequency,
                             const grid::BZGrid& bz_grid, const CollisionSymmetry* symmetry);

// collision_rows built from the triplets in consecutive chunks, so that only one chunk's
// interaction strength and weights exist at a time (O(chunk nb^3) instead of O(N_t nb^3):
// the LBTE's per-grid-point memory). The numbers are collision_rows' bit for bit for any
// chunking: Gamma is summed over triplets in their order after per-triplet sums, and every
// column of the reducible rows comes from exactly one triplet; the irreducible rows are folded
// from the reducible ones at the end.
struct TripletLookup;
class CollisionRowsBuilder {
 public:
  // tq, bz_grid and symmetry must outlive the builder; symmetry: nullptr for the reducible form.
  CollisionRowsBuilder(std::int64_t grid_point, const interaction::TripletsAtQ& tq,
                       const interaction::PhononView& phonons, std::vector<std::int64_t> band_indices,
                       std::vector<double> temperatures, double cutoff_frequency, const grid::BZGrid& bz_grid,
                       const CollisionSymmetry* symmetry);
  ~CollisionRowsBuilder();
  CollisionRowsBuilder(const CollisionRowsBuilder&) = delete;
  CollisionRowsBuilder& operator=(const CollisionRowsBuilder&) = delete;

  // Triplets [begin, begin + count) of tq, in order: their interaction strength (count, nb0,
  // nb, nb) eV^2 and collision weights computed for exactly these triplets (num_g = 3).
  void add(std::size_t begin, std::size_t count, const double* interaction_strength,
           const interaction::TripletIntegrationWeights& weights);
  // After every triplet was added.
  CollisionRows finish() const;

 private:
  std::int64_t grid_point_;
  const interaction::TripletsAtQ& tq_;
  interaction::PhononView phonons_;  // a view: cheap to copy
  std::vector<std::int64_t> band_indices_;
  std::vector<double> temperatures_;
  double cutoff_frequency_;
  const grid::BZGrid& bz_grid_;
  const CollisionSymmetry* symmetry_;
  std::unique_ptr<TripletLookup> lookup_;
  std::vector<double> contributions_;  // (num_triplets, T, nb0): per-triplet Gamma sums
  std::vector<double> reducible_;      // (T, nb0, N, nb)
  std::size_t added_ = 0;
};

}  // namespace ph3mpi::self_energy
