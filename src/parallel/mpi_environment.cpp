#include "ph3mpi/parallel/mpi_environment.hpp"

#include <mpi.h>

#include "ph3mpi/common/error.hpp"

namespace ph3mpi::parallel {

MpiEnvironment::MpiEnvironment(int& argc, char**& argv) {
  int already = 0;
  MPI_Initialized(&already);
  if (already) {
    throw Error("MPI was initialised twice: only one MpiEnvironment may exist");
  }
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided_);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  if (provided_ < MPI_THREAD_FUNNELED) {
    MPI_Finalize();
    throw Error("the MPI library grants thread level " + std::to_string(provided_) +
                " but ph3mpi needs MPI_THREAD_FUNNELED (OpenMP inside ranks)");
  }
}

MpiEnvironment::~MpiEnvironment() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) {
    MPI_Finalize();
  }
}

}  // namespace ph3mpi::parallel
