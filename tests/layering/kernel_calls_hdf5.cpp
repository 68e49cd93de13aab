// Kernel code calling HDF5: must not link against ph3mpi_kernels alone (tests/layering).
// The prototype is written out because kernel code has no hdf5.h on its include path;
// C linkage makes the symbol H5Fopen whatever the argument types (hid_t is int64_t).
#include <cstdint>
#include <string>

#include "ph3mpi/common/sha256.hpp"

extern "C" std::int64_t H5Fopen(const char* name, unsigned flags, std::int64_t access_plist);

int main(int argc, char** argv) {
  // A kernel function, so the program really links against the kernel library.
  const std::string digest = ph3mpi::common::sha256_hex(argc > 1 ? argv[1] : "layering");
  std::int64_t file = 0;
  if (argc > 100) file = H5Fopen(argv[0], 0, 0);  // never runs; the reference is what counts
  return digest.size() == 64 ? static_cast<int>(file) : 1;
}
