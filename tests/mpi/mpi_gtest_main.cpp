// googletest main for MPI tests: MPI is started by the project's RAII guard and
// only rank 0 prints googletest's report, so the output of `mpiexec -n N` stays readable.
#include <gtest/gtest.h>

#include "ph3mpi/parallel/mpi_environment.hpp"

int main(int argc, char** argv) {
  ph3mpi::parallel::MpiEnvironment mpi(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  if (mpi.world_rank() != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  return RUN_ALL_TESTS();
}
