// Phonons (frequencies and eigenvectors) at a list of q-points, OpenMP-parallel over
// q-points: phono3py's run_phonon_solver_c for all BZ grid points.
#pragma once

#include <Eigen/Dense>
#include <complex>
#include <cstddef>
#include <optional>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/common/units.hpp"
#include "ph3mpi/phonon/dynamical_matrix.hpp"

namespace ph3mpi::phonon {

// Solves q-points [begin, end) of `qpoints` (reduced coordinates) and writes, for each iq in
// that range, frequencies[iq * nband + band] (THz) and
// eigenvectors[(iq * nband + component) * nband + band] (phono3py's layout: row-major
// (nband, nband) per q-point, eigenvectors are COLUMNS, component = 3 * atom + Cartesian).
// The output arrays hold all qpoints.size() entries and are written in place only in the
// range, so several workers (e.g. ranks sharing one node-wide window) can fill disjoint
// ranges of one array. q_direction (reduced) is the NAC direction used where q = 0, as
// phono3py's Interaction.nac_q_direction. D(q) follows phono3py's grid solver
// (DynamicalMatrix::GammaConvention::kPhono3pyGrid). Thread-safe w.r.t. disjoint ranges.
void solve_phonons(const DynamicalMatrix& dm, const std::vector<Eigen::Vector3d>& qpoints, std::size_t begin,
                   std::size_t end, double* frequencies, std::complex<double>* eigenvectors,
                   const std::optional<Eigen::Vector3d>& q_direction = std::nullopt,
                   double frequency_factor_to_thz = units::kDefaultToTHz);

struct Phonons {
  NdArray<double> frequencies;                 // (n_qpoints, nband), THz
  NdArray<std::complex<double>> eigenvectors;  // (n_qpoints, nband, nband), columns are modes
};

// All q-points at once into freshly allocated arrays.
Phonons solve_phonons(const DynamicalMatrix& dm, const std::vector<Eigen::Vector3d>& qpoints,
                      const std::optional<Eigen::Vector3d>& q_direction = std::nullopt,
                      double frequency_factor_to_thz = units::kDefaultToTHz);

}  // namespace ph3mpi::phonon
