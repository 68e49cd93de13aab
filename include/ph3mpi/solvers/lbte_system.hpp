// The linearized Boltzmann equation of one run, temperature by temperature (Chaput, PRL
// 110, 265506 (2013); phono3py's CollisionMatrixKernel; formulas in transport/lbte_kappa.hpp):
//
//   Omega Y = X,  Omega = the collision matrix (diagonal Gamma + isotope + boundary terms,
//   the scattering rows of the grid points, weights, degeneracy averaging), X from the
//   group velocities and the phonon distribution.
//
// LbteSystem holds what is replicated and small (the layout, Gamma and Gamma_iso of every
// irreducible grid point, group velocities, heat capacities) and assembles Omega of one
// temperature as a block-cyclic ScaLAPACK matrix: every rank reads the stored rows of its
// contiguous block of grid points one grid point per collective round (so a rank never
// holds more than one grid point's rows and its local block), finishes them and sends them
// to their owners. The matrix is returned unsymmetrized; the direct solver symmetrizes it
// in place, the CG solver multiplies by (Omega + Omega^T) / 2 without a second copy.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/common/trace.hpp"
#include "ph3mpi/parallel/blacs_grid.hpp"
#include "ph3mpi/parallel/block_cyclic_matrix.hpp"
#include "ph3mpi/parallel/context.hpp"
#include "ph3mpi/solvers/conductivity_problem.hpp"
#include "ph3mpi/solvers/grid_point_results.hpp"
#include "ph3mpi/transport/lbte_kappa.hpp"

namespace ph3mpi::solvers {

class LbteSystem {
 public:
  // Collective. Reads Gamma (and Gamma_iso) of every irreducible grid point from `results`
  // (each rank its block, then shared) and computes the group velocities the same way.
  // layout: transport::make_lbte_layout of problem's grid points (the per-grid-point stage
  // used the same). `problem` and `results` must outlive the system.
  LbteSystem(const parallel::Context& context, const ConductivityProblem& problem,
             const GridPointResults& results, transport::LbteLayout layout);

  const transport::LbteLayout& layout() const noexcept { return layout_; }
  std::int64_t size() const noexcept { return static_cast<std::int64_t>(layout_.size()); }
  const ConductivityProblem& problem() const noexcept { return problem_; }
  // This rank's contiguous block of the irreducible grid points.
  std::size_t block_first() const noexcept { return first_; }
  std::size_t block_count() const noexcept { return count_; }

  // Replicated, over the irreducible grid points in file order.
  const NdArray<double>& gamma() const noexcept { return gamma_; }                  // (T, N_ir, nb) THz
  const NdArray<double>& gamma_isotope() const noexcept { return gamma_isotope_; }  // (N_ir, nb) THz
  const NdArray<double>& group_velocity() const noexcept { return gv_ir_; }         // (N_ir, nb, 3)
  const NdArray<double>& heat_capacity() const noexcept { return heat_capacity_; }  // (T, N_ir, nb) eV/K

  // Collective. Omega at temperature index `it` on `blacs` (block size `block`), not
  // symmetrized.
  parallel::BlockCyclicMatrix assemble(const parallel::BlacsGrid& blacs, int block, std::size_t it,
                                       const common::TraceSink& trace) const;

  // X (num matrix grid points, nb, 3) at temperature index it (replicated).
  NdArray<double> rhs(std::size_t it) const;

  // The RTA by-product: mode_kappa_RTA of Y_RTA = X / d, d the main diagonal (irreducible)
  // or the diagonal of Omega (reducible; read from `omega`, collective then).
  NdArray<double> rta_mode_kappa(const parallel::Context& context, const parallel::BlockCyclicMatrix& omega,
                                 std::size_t it, const NdArray<double>& X) const;

 private:
  // Gamma (and Gamma_iso) per matrix grid point at one temperature: the irreducible values,
  // or expanded to all N points in the reducible form.
  struct Diagonal {
    NdArray<double> gamma;          // (num matrix grid points, nb)
    NdArray<double> gamma_isotope;  // same, with isotope
  };
  Diagonal diagonal_at(std::size_t it) const;
  // Main diagonal (nb) of matrix grid point q: Gamma + Gamma_iso + boundary term.
  void main_diagonal(const Diagonal& d, std::size_t q, double* out) const;
  // The finished rows (global row indices and row-major data) of irreducible grid point i.
  void finished_rows(std::size_t it, const Diagonal& d, std::size_t i, std::vector<std::int64_t>& global_rows,
                     std::vector<double>& data) const;

  const parallel::Context& context_;
  const ConductivityProblem& problem_;
  const GridPointResults& results_;
  transport::LbteLayout layout_;
  std::size_t first_ = 0, count_ = 0;  // this rank's block of irreducible grid points
  NdArray<double> gamma_, gamma_isotope_, gv_ir_, heat_capacity_;
  NdArray<double> gv_matrix_;  // group velocities of the matrix grid points
};

}  // namespace ph3mpi::solvers
