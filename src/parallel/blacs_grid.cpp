#include "ph3mpi/parallel/blacs_grid.hpp"

#include <array>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/parallel/mpi_handle.hpp"
#include "scalapack_api.hpp"

namespace ph3mpi::parallel {

GridShape near_square_grid_shape(int nprocs) {
  if (nprocs < 1)
    throw Error("BLACS grid: number of processes must be positive, got " + std::to_string(nprocs));
  int nprow = 1;
  for (int d = 1; static_cast<long long>(d) * d <= nprocs; ++d) {
    if (nprocs % d == 0) nprow = d;
  }
  return GridShape{nprow, nprocs / nprow};
}

struct BlacsGrid::BlacsContextOwner {
  explicit BlacsContextOwner(int ictxt) : blacs_context(ictxt) {}
  ~BlacsContextOwner() {
    // A grid that outlives MPI cannot be released any more (MPI calls after
    // MPI_Finalize are erroneous); the process is ending anyway.
    if (!mpi_finalized()) Cblacs_gridexit(blacs_context);
  }
  BlacsContextOwner(const BlacsContextOwner&) = delete;
  BlacsContextOwner& operator=(const BlacsContextOwner&) = delete;
  int blacs_context;
};

BlacsGrid::BlacsGrid(const Context& context) : BlacsGrid(context, near_square_grid_shape(context.size())) {}

BlacsGrid::BlacsGrid(const Context& context, GridShape shape) : context_(context), shape_(shape) {
  if (shape.nprow < 1 || shape.npcol < 1 || shape.nprow * shape.npcol != context.size()) {
    throw Error("BLACS grid " + std::to_string(shape.nprow) + " x " + std::to_string(shape.npcol) +
                " does not match the " + std::to_string(context.size()) + " ranks of the context");
  }
  if (!context.is_mpi()) {
    // Serial backend: the 1 x 1 LAPACK grid, no BLACS and no MPI.
    ranks_ = std::make_shared<const std::vector<int>>(1, 0);
    return;
  }
  // BLACS builds its own communicators from the one it is given (the native handle,
  // with the caller's error handler: BLACS does not check MPI return codes).
  const MPI_Comm mpi_comm = native_communicator(context);
  // The system handle is only the input of Cblacs_gridinit (which builds the grid's
  // own communicators from it); it is released at once because BLACS hands out the
  // same slot to every grid on one communicator, so holding it would let one grid's
  // release free another's.
  const int system_handle = Csys2blacs_handle(mpi_comm);
  int ictxt = system_handle;  // Cblacs_gridinit replaces the system handle by the grid's context
  Cblacs_gridinit(&ictxt, "Row", shape.nprow, shape.npcol);
  Cfree_blacs_system_handle(system_handle);
  int nprow = 0;
  int npcol = 0;
  Cblacs_gridinfo(ictxt, &nprow, &npcol, &myrow_, &mycol_);
  if (nprow != shape.nprow || npcol != shape.npcol || myrow_ < 0 || mycol_ < 0) {
    if (ictxt >= 0) Cblacs_gridexit(ictxt);
    throw Error("BLACS grid initialisation failed: asked for " + std::to_string(shape.nprow) + " x " +
                std::to_string(shape.npcol) + ", got " + std::to_string(nprow) + " x " +
                std::to_string(npcol) + " with this rank at (" + std::to_string(myrow_) + ", " +
                std::to_string(mycol_) + ")");
  }
  owner_ = std::make_shared<const BlacsContextOwner>(ictxt);
  blacs_context_ = ictxt;
  // Which communicator rank sits at which grid position: asked from every rank
  // rather than assumed, so the row placement never depends on BLACS' numbering.
  const std::vector<std::array<int, 2>> all = context.allgather(std::array<int, 2>{myrow_, mycol_});
  auto ranks = std::make_shared<std::vector<int>>(static_cast<std::size_t>(context.size()), -1);
  for (int r = 0; r < context.size(); ++r) {
    const auto [prow, pcol] = all[static_cast<std::size_t>(r)];
    (*ranks)[static_cast<std::size_t>(prow * shape.npcol + pcol)] = r;
  }
  ranks_ = std::move(ranks);
}

int BlacsGrid::rank_of(int prow, int pcol) const {
  if (prow < 0 || prow >= nprow() || pcol < 0 || pcol >= npcol()) {
    throw Error("BLACS grid: process (" + std::to_string(prow) + ", " + std::to_string(pcol) +
                ") is outside the " + std::to_string(nprow()) + " x " + std::to_string(npcol()) + " grid");
  }
  return (*ranks_)[static_cast<std::size_t>(prow * npcol() + pcol)];
}

std::string BlacsGrid::description() const {
  const std::string dims = std::to_string(nprow()) + " x " + std::to_string(npcol());
  if (!uses_scalapack()) return dims + " (serial LAPACK)";
  return dims + " (BLACS over " + std::to_string(size()) + (size() == 1 ? " rank)" : " ranks)");
}

}  // namespace ph3mpi::parallel
