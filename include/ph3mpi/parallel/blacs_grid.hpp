// A 2-D process grid for block-cyclic matrices (ScaLAPACK's BLACS grid).
//
// With an MPI Context the grid is a BLACS context over the Context's communicator
// (native_communicator, see mpi_handle.hpp; Csys2blacs_handle + Cblacs_gridinit,
// row-major process order), released by Cblacs_gridexit when the last copy of the
// BlacsGrid handle goes away. With the
// serial Context it is a 1 x 1 grid without BLACS or MPI: the operations in
// block_cyclic_ops.hpp then run plain LAPACK/BLAS on the (whole) local matrix, so
// code and unit tests written against the grid need no mpirun.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ph3mpi/parallel/context.hpp"

namespace ph3mpi::parallel {

struct GridShape {
  int nprow = 1;
  int npcol = 1;
};

// The most square nprow x npcol with nprow * npcol == nprocs and nprow <= npcol:
// nprow is the largest divisor of nprocs not above sqrt(nprocs) (2 -> 1x2, 4 -> 2x2,
// 6 -> 2x3, 12 -> 3x4, a prime p -> 1xp). Every rank is in the grid. Throws
// ph3mpi::Error for nprocs < 1.
GridShape near_square_grid_shape(int nprocs);

class BlacsGrid {
 public:
  // Collective over the Context's ranks. The shape is near_square_grid_shape(size).
  explicit BlacsGrid(const Context& context);
  // Collective. An explicit shape; nprow * npcol must equal context.size() (ph3mpi::Error
  // otherwise, on every rank).
  BlacsGrid(const Context& context, GridShape shape);

  // Copies share the one BLACS context (a handle); it is released with the last copy.
  BlacsGrid(const BlacsGrid&) = default;
  BlacsGrid& operator=(const BlacsGrid&) = default;

  int nprow() const noexcept { return shape_.nprow; }
  int npcol() const noexcept { return shape_.npcol; }
  GridShape shape() const noexcept { return shape_; }
  int myrow() const noexcept { return myrow_; }
  int mycol() const noexcept { return mycol_; }
  int size() const noexcept { return shape_.nprow * shape_.npcol; }

  // True when the grid is a BLACS context (MPI Context, any size including 1);
  // false for the serial Context's LAPACK-backed 1 x 1 grid.
  bool uses_scalapack() const noexcept { return blacs_context_ >= 0; }
  // The BLACS context handle (ictxt) for descriptors; -1 for the serial grid.
  int blacs_context() const noexcept { return blacs_context_; }

  const Context& context() const noexcept { return context_; }
  // Rank (in the Context's communicator) of grid process (prow, pcol).
  int rank_of(int prow, int pcol) const;

  // "2 x 2 (BLACS over 4 ranks)" / "1 x 1 (serial LAPACK)", for logs and --dry-run.
  std::string description() const;

 private:
  // Owns the BLACS context: Cblacs_gridexit when the last BlacsGrid copy is gone.
  struct BlacsContextOwner;

  Context context_;
  GridShape shape_;
  int myrow_ = 0;
  int mycol_ = 0;
  int blacs_context_ = -1;                          // ictxt; -1 for the serial grid
  std::shared_ptr<const std::vector<int>> ranks_;   // [prow * npcol + pcol] -> rank in the Context
  std::shared_ptr<const BlacsContextOwner> owner_;  // null for the serial grid
};

}  // namespace ph3mpi::parallel
