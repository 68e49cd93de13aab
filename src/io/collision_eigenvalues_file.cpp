#include "ph3mpi/io/collision_eigenvalues_file.hpp"

#include "ph3mpi/io/hdf5_file.hpp"

namespace ph3mpi::io {

void write_collision_eigenvalues_file(const std::string& path, const NdArray<double>& eigenvalues,
                                      const std::vector<double>& temperatures) {
  write_hdf5_atomically(path, [&](Hdf5File& file) {
    file.write("collision_eigenvalues", eigenvalues);
    NdArray<double> temps({temperatures.size()});
    temps.data = temperatures;
    file.write("temperature", temps);
    file.write_string("version", PH3MPI_VERSION);
  });
}

}  // namespace ph3mpi::io
