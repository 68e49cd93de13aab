// phono3py's coleigs-m<mesh>[-s<sigma>].hdf5 (conductivity/direct_solution write_collision_
// eigenvalues_to_hdf5): the eigenvalues of the symmetrized collision matrix per temperature.
#pragma once

#include <string>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"

namespace ph3mpi::io {

// collision_eigenvalues (T, n) THz, temperature (T) K and version; written whole through a
// private temporary file (write_hdf5_atomically).
void write_collision_eigenvalues_file(const std::string& path, const NdArray<double>& eigenvalues,
                                      const std::vector<double>& temperatures);

}  // namespace ph3mpi::io
