// Kernel code including mpi.h: must not compile with the kernels' include path
// (cmake/kernel_forbidden_headers/mpi.h comes first and stops it with #error).
#include "ph3mpi/common/error.hpp"

#include <mpi.h>

int main() { return 0; }
