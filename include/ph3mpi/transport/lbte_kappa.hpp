// Direct solution of the linearized phonon Boltzmann equation (LBTE), as phono3py's
// CollisionMatrixKernel does it (phono3py/conductivity/collision_matrix_kernel.py,
// utils.py diagonalize_collision_matrix, c/phono3py.c symmetrize/expand_collision_matrix).
// Pure kernels over plain arrays, no MPI: the per-block pieces the distributed solvers
// (solvers/lbte_system, solvers/lbte_linear_solvers) are built from.
//
// # Formulas
//
// Chaput, PRL 110, 265506 (2013); phono3py docs "Direct solution of LBTE". Modes
// lambda = (q, j) with frequency f (THz, ordinary), N = prod(D_diag) grid points, T in K,
// V the primitive-cell volume.
//
// Collision matrix (phono3py's convention: half of Chaput's Omega, THz):
//
//   Omega_{lambda lambda'} = delta_{lambda lambda'} (Gamma_lambda + Gamma^iso_lambda + Gamma^bnd_lambda)
//                            + Omega^off_{lambda lambda'}
//
// Gamma and Omega^off from the same interaction strength (self_energy/collision_matrix.hpp),
// Gamma^bnd = |v| / (4 pi L_b). Irreducible form: rows and columns are (k, j, a), k an
// irreducible grid point, a a Cartesian index; the diagonal term is sum over the R with
// R k = k of Gamma R_{ab}; every block (k, k') is scaled by w_k w_k', w_k =
// sqrt(|star(k)| / |G|). Reducible form: rows and columns are (q, j) over all N points.
//
// Post-processing (in this order; the reducible one expands first):
//   irreducible: + diagonal, * w_k w_k', average rows then columns over degenerate bands of
//                each k, Omega <- (Omega + Omega^T) / 2;
//   reducible:   average the computed irreducible rows over degenerate bands (rows, then
//                the columns of irreducible points only -- phono3py's literal rule), expand
//                to the star: row (R k) = sum_{R': R' k = R k} P_{R'} row(k) / m_k (columns
//                permuted q -> R' q, m_k the little-group order), expand Gamma, Gamma^iso
//                and v the same way (v rotated), + diagonal, Omega <- (Omega + Omega^T) / 2.
//
// Right-hand side, for every matrix grid point k and band j (Cartesian a):
//
//   X_{kja} = v_{kja} w_k (h f_kj) / (4 k_B T^2) / sinh(h f_kj / (2 k_B T))
//
// (0 at or below the cutoff frequency; w_k = 1 in the reducible form). Solved by the
// eigendecomposition Omega = V diag(lambda) V^T (phono3py's default pinv_solver 0 -> 4, scipy's
// dsyev; ph3mpi: ScaLAPACK pdsyevd/pdsyevr, or conjugate gradient, solvers/):
//
//   Y = V diag(e) V^T X,   e_i = 1/lambda_i if |lambda_i| > pinv_cutoff (pinv_method 0)
//                                            or lambda_i > pinv_cutoff (pinv_method 1), else 0,
//
// irreducible: one right-hand side, the flattened X (index (k, j, a)); reducible: the three
// columns X[:, a]. Then (the factor 2 of Chaput's Omega is absorbed by the convention)
//
//   f_vector_kj   = Y_kj / 2 / w_k
//   mode_kappa_kj = c k_B T^2 sum_{R in G} [ (R X_kj) (x) (R Y_kj) + transpose ]   (Voigt)
//                   (divided by |G| in the reducible form; j < 3 skipped at Gamma)
//   kappa         = sum_{k, j} mode_kappa_kj / N
//
// with c = kappa_unit_conversion(V) (rta_kappa.hpp), giving W/(m K). kappa_RTA uses
// Y^RTA_kj = X_kj / d_kj instead, d = Gamma + Gamma^iso + Gamma^bnd of k (irreducible) or
// the diagonal element of the symmetrized Omega (reducible), for modes above the cutoff.
// Every step keeps phono3py's operation order; with phono3py's phonons the results agree
// with its files to ~1e-14 (tests/unit/solvers, tests/rta).
//
// # What a distributed solver can do locally
//
// Global matrix index: irreducible I = (k * nb + j) * 3 + a (k = index in the irreducible
// list), size 3 nb N_ir; reducible I = q * nb + j (q = GR index), size nb N.
//  * Row-block local (all columns of the rows of one grid point, i.e. what the rank that
//    computed those rows holds): the diagonal term, the weights w_k w_k' (element (I, J)
//    only needs the grid points of I and J), the degeneracy averaging (rows of one grid point
//    mix only among themselves; column averaging mixes columns within one row), and the
//    reducible expansion (a row of R k is a column permutation of the row of k, so the rank
//    holding the rows of k produces those of its whole star and sends them to their
//    owners): prepare_irreducible_row_block, average_reducible_row_by_degeneracy,
//    reducible_star, expand_reducible_row, add_reducible_main_diagonal (with the values of
//    expand_reducible_values / expand_reducible_group_velocities, replicated).
//  * Elementwise on global (I, J) pairs: symmetrization (a_IJ + a_JI) / 2 (needs the
//    transposed block: pdtran + pdgeadd), the RTA divisor d_I of the reducible form (the
//    diagonal element, read before the matrix is overwritten by its eigenvectors).
//  * Replicated and small (O(n)): X (lbte_X), e (pinv_eigenvalues), the RTA Y (rta_Y), and,
//    from X and Y, f_vector / mode_kappa / kappa (lbte_f_vectors, lbte_mode_kappa,
//    sum_mode_kappa): mode_kappa of grid point k needs only X and Y of k.
//  * Needs the eigenvectors: Y = V (e * (V^T X)): two matrix-vector products (pdgemv, or
//    pdgemm with three columns in the reducible form) on the distributed V; lambda from
//    pdsyevd/pdsyevr. Everything else is unchanged.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/self_energy/collision_matrix.hpp"

namespace ph3mpi::transport {

// Grid bookkeeping of one LBTE problem (replicated; O(N * |G|) integers at most).
struct LbteLayout {
  bool reducible = false;
  bool is_kappa_star = true;
  std::size_t num_band = 0;
  std::int64_t num_mesh_points = 0;  // N = prod(D_diag)
  // Irreducible grid points whose rows are computed (BZ indices, phono3py's grid_point
  // dataset): the irreducible points with kappa star, all GR points (grg2bzg) without.
  std::vector<std::int64_t> ir_grid_points;
  std::vector<std::int64_t> ir_grid_points_gr;  // their GR indices
  // Grid points of the matrix in matrix order, as BZ indices: ir_grid_points
  // (irreducible) or grg2bzg[q] for q = 0..N-1 (reducible).
  std::vector<std::int64_t> grid_points;
  // Irreducible: rot_grid_points of ir_grid_points (the collision-row symmetry).
  // Reducible with kappa star: the rotation map of all N GR points (for the expansion).
  self_energy::CollisionSymmetry symmetry;
  std::vector<double> weights;         // w_k per matrix grid point
  std::vector<char> skip_acoustic;     // phono3py's "Gamma, j < 3" rule per matrix grid point
  std::vector<std::int64_t> ir_multi;  // reducible with kappa star: m_k of each ir grid point

  std::size_t num_grid_points() const { return grid_points.size(); }
  std::size_t num_ir_grid_points() const { return ir_grid_points.size(); }
  // Matrix rows (= columns) per grid point: 3 nb (irreducible) or nb (reducible).
  std::size_t block_size() const { return reducible ? num_band : 3 * num_band; }
  std::size_t size() const { return num_grid_points() * block_size(); }
  // Elements of one computed row block: (nb, 3, N_ir, nb, 3) or (nb, N, nb).
  std::size_t row_block_elements() const { return block_size() * size(); }
};

// phono3py build_lbte_kappa_settings + build_rot_grid_points + _get_ir_weights for the BZ
// grid, its irreducible grid points (BZ indices, grid::IrGridPoints::ir_grid_points_bz;
// ignored without kappa star) and num_band bands. Throws ph3mpi::Error when the grid has no
// rotations or a grid point is outside it.
LbteLayout make_lbte_layout(const grid::BZGrid& bz_grid, const std::vector<std::int64_t>& ir_grid_points,
                            std::size_t num_band, bool reducible, bool is_kappa_star = true);

// ---------------------------------------------------------------- (b) post-processing

// phono3py _get_main_diagonal for one grid point: Gamma + Gamma^iso + |v| 1e-4 / (4 pi L_b)
// (THz) into out (nb). gamma_isotope may be nullptr; group_velocities (nb, 3) are needed
// only with boundary_mfp (micrometre).
void lbte_main_diagonal(const double* gamma, const double* gamma_isotope, const double* group_velocities,
                        std::optional<double> boundary_mfp, std::size_t num_band, double* out);

// Irreducible form, rows of irreducible grid point i (a raw row block from
// self_energy::collision_rows at one temperature, (nb, 3, N_ir, nb, 3)), in place: adds the
// diagonal term (main_diagonal: nb values of lbte_main_diagonal), scales by w_i w_k, averages
// over degenerate bands of i (rows) and of every k (columns). The result is the final matrix
// rows [i * 3 nb, (i + 1) * 3 nb) before symmetrization. frequencies: (num_bz, nb) THz.
void prepare_irreducible_row_block(double* rows, std::size_t i, const double* main_diagonal,
                                   const LbteLayout& layout, const double* frequencies);

// Reducible form with kappa star, raw rows (nb, N, nb) of irreducible grid point i, in
// place: averages rows over degenerate bands of i, then columns over degenerate bands of
// every irreducible grid point (other columns untouched, as phono3py). Without kappa star
// it leaves the rows as they are: phono3py averages only as part of the expansion by
// symmetry (CollisionMatrixKernel._expand_by_symmetry), which --noks skips.
void average_reducible_row_by_degeneracy(double* rows, std::size_t i, const LbteLayout& layout,
                                         const double* frequencies);

// GR indices of the star of irreducible grid point i, each once, in rotation order.
std::vector<std::int64_t> reducible_star(std::size_t i, const LbteLayout& layout);

// Rows (nb, N, nb) of star member `target_gr` of irreducible grid point i from its averaged
// rows (phono3py expand_collision_matrix): sum over rotations R' with R' k = target of the
// rows divided by m_k, columns moved q -> R' q. Without kappa star target_gr must be the
// point itself and the rows are copied.
void expand_reducible_row(const double* averaged_rows, std::size_t i, std::int64_t target_gr,
                          const LbteLayout& layout, double* out);

// Per-grid-point values of the irreducible points expanded to all N GR points
// (phono3py _expand_local_values): sum over R with R k = q of value / m_k, velocities rotated.
// Arrays: (num_ir, nb) -> (N, nb); group velocities (num_ir, nb, 3) -> (N, nb, 3). Without
// kappa star (every point irreducible) they are reordered to GR order.
NdArray<double> expand_reducible_values(const NdArray<double>& values, const LbteLayout& layout);
NdArray<double> expand_reducible_group_velocities(const NdArray<double>& group_velocities,
                                                  const LbteLayout& layout);

// Reducible rows (nb, N, nb) of GR point q: adds main_diagonal (nb) on element (q j, q j).
void add_reducible_main_diagonal(double* rows, std::int64_t q, const double* main_diagonal,
                                 const LbteLayout& layout);

// ---------------------------------------------------------------- (c) solve

// X (num_gp, nb, 3) for the matrix grid points; frequencies (num_bz, nb) THz, group
// velocities (num_gp, nb, 3) of the matrix grid points (irreducible: of ir_grid_points;
// reducible: expanded, GR order). All zero for T <= 0.
NdArray<double> lbte_X(const LbteLayout& layout, const double* frequencies,
                       const NdArray<double>& group_velocities, double temperature, double cutoff_frequency);

// The part of a vector (num matrix grid points, nb, 3) the irreducible collision matrix can
// act on. The matrix is built from rotation sums over the little group G_k of each grid point
// (its row and column blocks of k hold only G_k-invariant Cartesian vectors) and has its rows
// and columns of degenerate bands averaged (prepare_irreducible_row_block). So its null space
// contains, at every k, the Cartesian components P_k removes (P_k = mean of the rotations of
// G_k, the projector onto the invariant vectors) and every e_j - e_j' of a degenerate set;
// the pseudo-inverse of the direct solution drops the part of X there. This applies P_k to
// every band and averages over degenerate bands: the conjugate-gradient solver iterates in
// that subspace, so that it reaches the same (minimum-norm) solution. The reducible form is
// returned unchanged. frequencies: (num_bz, nb) THz.
NdArray<double> project_on_collision_range(const NdArray<double>& v, const LbteLayout& layout,
                                           const double* frequencies);

// Divisors of Y_RTA for every mode of the irreducible matrix (num_gp * nb): the main
// diagonals (num_ir, nb). (Reducible: the diagonal of the matrix, read where it lives.)
std::vector<double> rta_divisors_irreducible(const NdArray<double>& main_diagonals);

// Y_RTA = X / d for modes above the cutoff, 0 elsewhere (and, irreducible, where d = 0:
// phono3py catches that division). The cutoff test uses frequencies[k] of the matrix grid
// point, except in the reducible form, where phono3py indexes the BZ-grid frequencies with
// the GR index (identical for Gamma, the only point where it matters).
NdArray<double> rta_Y(const NdArray<double>& X, const std::vector<double>& divisors, const LbteLayout& layout,
                      const double* frequencies, double cutoff_frequency);

// e_i = 1 / w_i where |w_i| > cutoff (pinv_method 0) or w_i > cutoff (pinv_method 1), else 0.
// Throws ph3mpi::Error for another method.
std::vector<double> pinv_eigenvalues(const std::vector<double>& eigenvalues, double pinv_cutoff,
                                     int pinv_method);

// f_vector = Y / 2 / w_k, (num_gp, nb, 3).
NdArray<double> lbte_f_vectors(const NdArray<double>& Y, const LbteLayout& layout);

// mode_kappa (num_gp, nb, 6) W/(m K) from X and Y (LBTE or RTA) of the grid points
// [first, first + count) of the matrix (X, Y hold just those rows); count = 0: all.
NdArray<double> lbte_mode_kappa(const NdArray<double>& X, const NdArray<double>& Y, const LbteLayout& layout,
                                double temperature, double conversion_factor, std::size_t first = 0,
                                std::size_t count = 0);

// kappa = sum over grid points, then bands (numpy's order) of mode_kappa / N.
std::array<double, 6> sum_mode_kappa(const NdArray<double>& mode_kappa, std::int64_t num_mesh_points);

}  // namespace ph3mpi::transport
