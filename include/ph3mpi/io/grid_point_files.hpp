// The output files of the grid-point modes, one writer per file kind, each writing the
// whole file atomically (write_hdf5_atomically: private temporary folder, finite check,
// rename), so no partial file is ever visible. Dataset names, order and axes are those
// ph3mpi has always written (phono3py's words); n_gp = grid points in the configured
// order, nb0 = computed bands, methods = tetrahedron (when on) then each sigma.
//
//   ise-m<mesh>.hdf5      grid_point (n_gp), band_indices (nb0), temperature (T) K,
//                         tetrahedron () 0/1, sigma (sigmas, when any), frequency (n_gp, nb0)
//                         THz, gamma (methods, T, n_gp, nb0) THz, gamma_N / gamma_U (same,
//                         with is_N_U), ave_pp (n_gp, nb0) eV^2 (when computed),
//                         frequency_points (fp) THz and gamma_at_frequency_points
//                         (methods, T, n_gp, nb0, fp) THz (frequency resolved)
//   rse-m<mesh>.hdf5      grid_point, band_indices, temperature, epsilon (eps) THz, frequency
//                         (n_gp, nb0), delta (eps, T, n_gp, nb0) THz, frequency_points and
//                         delta_at_frequency_points (eps, T, n_gp, nb0, fp) THz
//   jdos-m<mesh>.hdf5     grid_point, tetrahedron, sigma, temperature (weighted only),
//                         frequency (n_gp, nb) THz, frequency_points (fp) THz,
//                         joint_dos (methods, T or 1, n_gp, fp, 2) 1/THz
//   isotope-m<mesh>.hdf5  grid_point, band_indices, mass_variances (atoms), tetrahedron,
//                         sigma, frequency (n_gp, nb0) THz, gamma (methods, n_gp, nb0) THz
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"

namespace ph3mpi::io {

// "<kind>-m<mesh>.hdf5", e.g. grid_point_filename("ise", {9, 9, 9}) = "ise-m999.hdf5".
std::string grid_point_filename(const std::string& kind, const std::array<std::int64_t, 3>& mesh);

// The integration methods of a file: tetrahedron first (when on), then the sigmas.
struct IntegrationMethods {
  bool tetrahedron = false;
  std::vector<double> sigmas;  // THz
  std::size_t size() const noexcept { return (tetrahedron ? 1 : 0) + sigmas.size(); }
};

struct IseFile {
  std::vector<std::int64_t> grid_points;
  std::vector<std::int64_t> band_indices;
  std::vector<double> temperatures;  // K
  IntegrationMethods methods;
  NdArray<double> frequency;                  // (n_gp, nb0) THz
  NdArray<double> gamma;                      // (methods, T, n_gp, nb0) THz
  std::optional<NdArray<double>> gamma_N;     // with is_N_U, as gamma
  std::optional<NdArray<double>> gamma_U;     // with is_N_U, as gamma
  std::optional<NdArray<double>> ave_pp;      // (n_gp, nb0) eV^2
  std::vector<double> frequency_points;       // THz; empty: not frequency resolved
  NdArray<double> gamma_at_frequency_points;  // (methods, T, n_gp, nb0, fp) THz
};

struct RseFile {
  std::vector<std::int64_t> grid_points;
  std::vector<std::int64_t> band_indices;
  std::vector<double> temperatures;           // K
  std::vector<double> epsilons;               // THz
  NdArray<double> frequency;                  // (n_gp, nb0) THz
  NdArray<double> delta;                      // (eps, T, n_gp, nb0) THz
  std::vector<double> frequency_points;       // THz; empty: at the band frequencies only
  NdArray<double> delta_at_frequency_points;  // (eps, T, n_gp, nb0, fp) THz
};

struct JdosFile {
  std::vector<std::int64_t> grid_points;
  IntegrationMethods methods;
  std::vector<double> temperatures;      // K; empty: the plain joint DOS
  NdArray<double> frequency;             // (n_gp, nb) THz
  std::vector<double> frequency_points;  // THz
  NdArray<double> joint_dos;             // (methods, T or 1, n_gp, fp, 2) 1/THz
};

struct IsotopeFile {
  std::vector<std::int64_t> grid_points;
  std::vector<std::int64_t> band_indices;
  std::vector<double> mass_variances;  // one per primitive atom
  IntegrationMethods methods;
  NdArray<double> frequency;  // (n_gp, nb0) THz
  NdArray<double> gamma;      // (methods, n_gp, nb0) THz
};

// Each writes the whole file at `path` atomically. Throws ph3mpi::Error when an array's
// shape does not match the lists (grid points, bands, temperatures, methods, points),
// NonFiniteResultError for inf/NaN, Hdf5Error on I/O failure.
void write_ise_file(const std::string& path, const IseFile& data);
void write_rse_file(const std::string& path, const RseFile& data);
void write_jdos_file(const std::string& path, const JdosFile& data);
void write_isotope_file(const std::string& path, const IsotopeFile& data);

}  // namespace ph3mpi::io
