// Test program for the abort path of parallel::run_guarded: the last rank throws
// outside any collective phase while the other ranks wait in a barrier. The job must
// end (MPI_Abort) with exactly one message naming the rank; with one rank it returns 1.
#include <stdexcept>

#include "ph3mpi/parallel/context.hpp"
#include "ph3mpi/parallel/error_handling.hpp"
#include "ph3mpi/parallel/mpi_environment.hpp"

int main(int argc, char** argv) {
  ph3mpi::parallel::MpiEnvironment mpi(argc, argv);
  const auto context = ph3mpi::parallel::Context::mpi_world();
  return ph3mpi::parallel::run_guarded(context, [&] {
    ph3mpi::parallel::collective_check(context, [] {});  // a phase that succeeds everywhere
    if (context.rank() == context.size() - 1) {
      throw std::runtime_error("probe failure outside a collective phase");
    }
    context.barrier();  // never completes: only MPI_Abort ends these ranks
    return 0;
  });
}
