// phono3py's phonon-m<mesh>.hdf5 (Phono3py.write_phonon / file_IO.write_phonon_to_hdf5):
// phonons on all BZ grid points in phono3py's BZ numbering, plus the group velocities
// and irreducible grid points ph3mpi adds.
#pragma once

#include <array>
#include <complex>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/grid/bz_grid.hpp"

namespace ph3mpi::io {

struct PhononFileContent {
  std::array<std::int64_t, 3> mesh{};                          // D_diag as phono3py writes `mesh`
  const grid::BZGrid* bz_grid = nullptr;                       // grid_matrix/P/Q written for GR grids
  const NdArray<double>* frequency = nullptr;                  // (N_bz, nband), THz
  const NdArray<std::complex<double>>* eigenvector = nullptr;  // (N_bz, nband, nband)
  const NdArray<double>* group_velocity = nullptr;             // (N_bz, nband, 3), THz Angstrom; optional
  std::vector<std::int64_t> ir_grid_points;                    // BZ indices
  std::vector<std::int64_t> ir_grid_weights;
};

// Writes <directory>/phonon<suffix>.hdf5 through a temporary name and an atomic
// rename, so that a half-written file is never taken for a result. Returns the path.
std::string write_phonon_file(const std::string& directory, const PhononFileContent& content);

}  // namespace ph3mpi::io
