// The one way from a parallel::Context to raw MPI, and the check of raw MPI calls.
//
// Everything that only talks to other ranks uses Context (context.hpp, no MPI types).
// This header is for the few places that must hand an MPI_Comm to a library or build
// MPI objects Context does not model:
//   - parallel/blacs_grid.cpp: Csys2blacs_handle(comm) for the BLACS process grid;
//   - parallel/block_cyclic_ops.cpp: the row exchange's MPI derived datatypes
//     (MPI_Alltoallw on the grid's communicator);
//   - io/hdf5_file.cpp, io/kappa_file.cpp: parallel HDF5 (H5Pset_fapl_mpio(comm)).
// Because it includes <mpi.h>, a target that includes it links MPI itself (CMake:
// ph3mpi::parallel_mpi_handle); the other layers never see MPI's include paths.
#pragma once

#include <mpi.h>

#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/parallel/context.hpp"

namespace ph3mpi::parallel {

// An MPI call returned an error code. what(): "<call> failed: <MPI_Error_string text>".
class MpiError : public Error {
 public:
  MpiError(int code, const std::string& call);
  int code() const noexcept { return code_; }

 private:
  int code_;
};

// Throws MpiError(code, call) unless code == MPI_SUCCESS (Arbor's mpi_or_throw). Error
// codes come back only from communicators (and windows) whose error handler is
// MPI_ERRORS_RETURN, as Context's private ones; on others MPI's handler acts first.
void check_mpi(int code, const char* call);

// check_mpi(fn(args...), "fn"): the call's name can never disagree with the call.
#define PH3MPI_MPI_CHECK(fn, ...) ::ph3mpi::parallel::check_mpi(fn(__VA_ARGS__), #fn)

// The communicator of an MPI-backend Context as its creator made it (for mpi_world:
// MPI_COMM_WORLD with MPI's default handler, MPI_ERRORS_ARE_FATAL, so that libraries
// which ignore return codes still stop on an error). Context's own operations run on a
// private duplicate instead. Throws ph3mpi::Error for the serial backend (ask
// context.is_mpi() first). The handle lives as long as any copy of the Context.
MPI_Comm native_communicator(const Context& context);

// A Context over the ranks of `comm` (collective over comm). `comm` is not owned and
// must outlive the Context and its copies.
Context make_mpi_context(MPI_Comm comm);

// MPI_Finalized, for destructors (an MPI object cannot be released after MPI_Finalize).
bool mpi_finalized() noexcept;

}  // namespace ph3mpi::parallel
