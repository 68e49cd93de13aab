// phono3py's phonon-m<mesh>.hdf5 (phono3py --write-phonon / --read-phonon,
// file_IO.write_phonon_to_hdf5 and read_phonon_from_hdf5): frequencies (N_bz, nband) in
// THz and eigenvectors (N_bz, component, band) on all BZ grid points with their BZ grid
// addresses, the mesh (D_diag), grid_matrix/P_matrix/Q_matrix on GR grids, and the
// irreducible grid points with their weights. ph3mpi writes the same datasets (plus
// group_velocity in mode "phonons") and reads files of phono3py or of its own.
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
  std::array<std::int64_t, 3> mesh{};     // D_diag as phono3py writes `mesh`
  const grid::BZGrid* bz_grid = nullptr;  // addresses; grid_matrix/P/Q written for GR grids
  std::size_t num_band = 0;
  const double* frequency = nullptr;                  // (N_bz, nband), THz, BZ order
  const std::complex<double>* eigenvector = nullptr;  // (N_bz, nband, nband), columns are modes
  const NdArray<double>* group_velocity = nullptr;    // (N_bz, nband, 3), THz Angstrom; optional
  std::vector<std::int64_t> ir_grid_points;           // BZ indices
  std::vector<std::int64_t> ir_grid_weights;
};

// Writes <directory>/phonon<suffix>.hdf5 through a temporary name and an atomic
// rename, so that a half-written file is never taken for a result. Returns the path.
std::string write_phonon_file(const std::string& directory, const PhononFileContent& content);

// The small datasets of a phonon file, read and checked for layout by PhononFileReader.
struct PhononFileHeader {
  std::array<std::int64_t, 3> mesh{};
  std::optional<grid::Matrix3l> grid_matrix, P, Q;        // present in files of GR grids
  std::vector<std::array<std::int64_t, 3>> grid_address;  // one per row of the file
  std::size_t num_band = 0;
  std::optional<std::vector<std::int64_t>> ir_grid_points, ir_grid_weights;
};

// Reads a phonon file in pieces (the eigenvectors of a large grid do not fit one rank
// twice). Every problem is an InputError naming the file and the dataset.
class PhononFileReader {
 public:
  // Opens `path` and checks the layout: frequency (N, nband) float, eigenvector
  // (N, nband, nband) complex, grid_address (N, 3) integer, mesh (3,) integer,
  // grid_matrix/P_matrix/Q_matrix (3, 3) integer when present.
  explicit PhononFileReader(const std::string& path);
  const std::string& path() const noexcept { return path_; }
  const PhononFileHeader& header() const noexcept { return header_; }
  std::size_t num_rows() const noexcept { return header_.grid_address.size(); }

  // Rows [first, first + count) of frequency (count, nband) and eigenvector
  // (count, nband, nband). A non-finite value is an InputError naming the row and its
  // grid address.
  void read_rows(std::size_t first, std::size_t count, NdArray<double>& frequency,
                 NdArray<std::complex<double>>& eigenvector) const;

 private:
  std::string path_;
  PhononFileHeader header_;
};

// For every row of the file, the index of the BZ grid point of `bz_grid` with the same
// grid address (phono3py's BZ numbering need not be the file's row order). The file must
// describe this grid: mesh = D_diag, the same grid matrix (and P, Q) on GR grids and
// none on a regular mesh, `num_band` bands and exactly one row per BZ grid point;
// otherwise an InputError naming the file and the mismatch.
std::vector<std::int64_t> match_phonon_file_rows(const std::string& path, const PhononFileHeader& header,
                                                 const grid::BZGrid& bz_grid, std::size_t num_band);

}  // namespace ph3mpi::io
