// Kernel code calling MPI: must not link against ph3mpi_kernels alone (tests/layering).
// The prototype is written out because kernel code has no mpi.h on its include path;
// C linkage makes the symbol MPI_Comm_rank whatever the argument types.
#include <string>

#include "ph3mpi/common/sha256.hpp"

extern "C" int MPI_Comm_rank(void* comm, int* rank);

int main(int argc, char** argv) {
  // A kernel function, so the program really links against the kernel library.
  const std::string digest = ph3mpi::common::sha256_hex(argc > 1 ? argv[1] : "layering");
  int rank = 0;
  if (argc > 100) MPI_Comm_rank(nullptr, &rank);  // never runs; the reference is what counts
  return digest.size() == 64 ? rank : 1;
}
