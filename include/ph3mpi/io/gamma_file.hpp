// phono3py's per-grid-point gamma file of an RTA run (--write-gamma / --read-gamma):
// kappa-m<mesh>-g<gp>[-s<sigma>[-sd<cutoff>]].hdf5, one per irreducible grid point and
// integration method (phono3py/conductivity/output.py ConductivityRTAWriter.write_gamma ->
// file_IO.write_kappa_to_hdf5 with grid_point; read by file_IO.read_gamma_from_hdf5).
//
// Datasets (T = temperatures, nb = bands), as phono3py 4.4 writes them:
//   version            ()       string  producing program's version
//   temperature        (T)      f8      K
//   mesh               (3)      i8      D_diag
//   grid_matrix, P_matrix, Q_matrix (3,3) i8  only for a generalized regular grid
//   frequency          (nb)     f8 gz   THz
//   group_velocity     (nb,3)   f8 gz   THz Angstrom
//   gv_by_gv           (nb,6)   f8      (THz Angstrom)^2, summed over the star / multiplicity
//   heat_capacity      (T,nb)   f8 gz   eV/K
//   gamma              (T,nb)   f8 gz   THz (ph-ph)
//   gamma_isotope      (nb)     f8 gz   THz, with isotope
//   gamma_N, gamma_U   (T,nb)   f8 gz   THz, with is_N_U
//   grid_point         ()       i8      BZ grid index
//   sigma              ()       f8      THz, smearing methods only
//   sigma_cutoff_width ()       f8      when a sigma cutoff is set
//   kappa_unit_conversion ()    f8
// phono3py's --read-gamma takes gamma, and gamma_N/gamma_U when present, from these files
// (gamma_isotope is read but recomputed); nothing else.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"

namespace ph3mpi::io {

struct GammaFile {
  std::string version = PH3MPI_VERSION;
  std::vector<double> temperatures;  // K
  std::array<std::int64_t, 3> mesh{};
  std::optional<std::array<std::int64_t, 27>> grid_matrices;  // grid_matrix, P, Q row-major (GR grid)
  std::int64_t grid_point = 0;
  NdArray<double> frequency, group_velocity, gv_by_gv, heat_capacity, gamma;
  std::optional<NdArray<double>> gamma_isotope, gamma_N, gamma_U;
  std::optional<double> sigma, sigma_cutoff;
  double kappa_unit_conversion = 0;
};

// "kappa" + kappa_filename_suffix(mesh, grid_point, -, sigma, sigma_cutoff) + ".hdf5".
std::string gamma_filename(const std::array<std::int64_t, 3>& mesh, std::int64_t grid_point,
                           std::optional<double> sigma, std::optional<double> sigma_cutoff);

// Writes `data` as a new file `path` (atomically; finite check). Shapes are checked
// (ph3mpi::Error naming the dataset).
void write_gamma_file(const std::string& path, const GammaFile& data);

// Reads a gamma file: temperature, mesh, grid_point and gamma are required (InputError
// naming the file and the dataset otherwise), the rest is read when present (frequency,
// group_velocity, gv_by_gv, heat_capacity and kappa_unit_conversion are left empty / 0 when
// absent).
GammaFile read_gamma_file(const std::string& path);

// What a run expects of the gamma file of one grid point and integration method.
struct GammaFileExpectation {
  std::array<std::int64_t, 3> mesh{};
  std::vector<double> temperatures;
  std::int64_t grid_point = 0;
  std::optional<double> sigma;
  std::optional<double> sigma_cutoff;
  std::size_t num_band = 0;
  bool needs_gamma_N_U = false;
};

// Throws InputError(path, "<what>: <value> in the file, <value> in this run") at the first
// mismatch: mesh, temperatures (within 1e-9 K), grid point, sigma and sigma cutoff (present
// in the one exactly when in the other, equal within 1e-12 relative), gamma's shape (T, nb),
// gamma_N/gamma_U when the run needs them, and finite values.
void check_gamma_file(const GammaFile& file, const GammaFileExpectation& expected, const std::string& path);

}  // namespace ph3mpi::io
