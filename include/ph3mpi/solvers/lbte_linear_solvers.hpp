// The two ways ph3mpi solves Omega Y = X for the LBTE (lbte_solver = "direct" | "cg"), on
// the distributed (unsymmetrized) collision matrix from LbteSystem::assemble. X and Y are
// replicated: (num matrix grid points, nb, 3); the irreducible form solves one right-hand
// side (X flattened, index (k, j, a)), the reducible form three (the Cartesian columns).
//
// Direct (phono3py's way): Omega_s = (Omega + Omega^T) / 2 = V diag(lambda) V^T
// (pdsyevd / pdsyevr), Y = V diag(e) V^T X with e_l = 1 / lambda_l for the eigenvalues
// the pinv cutoff keeps and 0 for the others. Memory: the matrix, its eigenvectors, the
// symmetrization copy and the solver workspace (~3-4 n^2 x 8 B / P).
//
// Conjugate gradient: Jacobi-preconditioned CG (Hestenes-Stiefel) on Omega_s, multiplying
// by (Omega p + Omega^T p) / 2 with two distributed products, so only the matrix is held
// (n^2 x 8 B / P) plus a few replicated vectors; no eigenvectors.
//
// The null space, and why both give the same Y. The pseudo-inverse of the direct solution
// discards the eigenvectors of (near-)zero eigenvalues (|lambda| < pinv_cutoff). In every run
// checked the spectrum has a wide gap: eigenvalues are either ~1e-17 (rounding) or above
// ~1e-4 THz, so the cutoff separates exactly the null space. That null space is structural:
// (1) rows and columns of modes at or below the cutoff frequency, which are zero; (2) in the
// irreducible form, at every grid point k the Cartesian components the little group G_k does
// not leave invariant (the rows are rotation sums over G_k) and the differences of degenerate
// bands (their rows and columns are averaged). X has a small part there (up to ~1e-8 of it:
// the velocities of degenerate bands and of points with symmetry are invariant only as a set),
// which the pseudo-inverse drops; CG started from 0 on X projected onto the complement of (2)
// (transport::project_on_collision_range), preconditioned within it and skipping (1), stays
// in the range of Omega_s, where Omega_s is non-singular: it converges to the same
// minimum-norm solution. The direct solver logs the measured part of X it drops and the
// tests check that the projected X has none (~1e-15) and that both solutions agree to 1e-10.
// If an eigenvalue the cutoff keeps were itself tiny, the direct result would depend on the
// cutoff and the CG one would not.
#pragma once

#include <cstdint>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/parallel/block_cyclic_matrix.hpp"
#include "ph3mpi/parallel/block_cyclic_ops.hpp"
#include "ph3mpi/transport/lbte_kappa.hpp"

namespace ph3mpi::solvers {

struct LbteLinearSolution {
  NdArray<double> Y;  // (num matrix grid points, nb, 3), replicated
  // direct
  std::vector<double> eigenvalues;  // ascending
  // |V_dropped^T X| / |X|: the part of X outside the eigenspace the pinv cutoff keeps, and
  // the same for X projected by transport::project_on_collision_range (what CG solves
  // with; ~1e-15 when the dropped eigenspace is the structural null space).
  double rhs_fraction_dropped = 0;
  double projected_rhs_fraction_dropped = 0;
  // cg
  int iterations = 0;
  double relative_residual = 0;  // max over right-hand sides of |X - Omega_s Y| / |X|
};

struct DirectOptions {
  parallel::EigenSolver eigen_solver = parallel::EigenSolver::kPdsyevd;
  double pinv_cutoff = 1e-8;
  int pinv_method = 0;
};

// Collective. `omega` is consumed (symmetrized, then overwritten by the eigen-solver).
// frequencies: (num_bz, nb) THz, for the diagnostic of the projected right-hand side.
LbteLinearSolution solve_lbte_direct(parallel::BlockCyclicMatrix& omega, const NdArray<double>& X,
                                     const transport::LbteLayout& layout, const double* frequencies,
                                     const DirectOptions& options);

struct CgOptions {
  double tolerance = 1e-12;  // stop at |r| <= tolerance |X| for every right-hand side
  int max_iterations = 10000;
};

// Collective. `omega` is only read. The iteration runs in the subspace the matrix acts on
// (transport::project_on_collision_range applied to the right-hand side and to every
// preconditioned residual): there Omega_s is non-singular apart from zero rows, so CG converges
// to the minimum-norm solution, the one the direct solver's pseudo-inverse gives. Rows whose
// diagonal is below 1e-10 of the largest (modes at the cutoff; Cartesian components the
// rotation sums of the irreducible form cancel) are zero rows of the positive semi-definite
// Omega_s and are left out. frequencies: (num_bz, nb) THz, for the degenerate sets. Throws
// ph3mpi::Error when CG does not reach the tolerance within max_iterations (naming both and
// the residual reached).
LbteLinearSolution solve_lbte_cg(const parallel::BlockCyclicMatrix& omega, const NdArray<double>& X,
                                 const transport::LbteLayout& layout, const double* frequencies,
                                 const CgOptions& options);

}  // namespace ph3mpi::solvers
