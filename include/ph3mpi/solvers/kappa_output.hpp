// Pieces every conductivity writer shares: the grid part of a kappa file's layout, the
// per-grid-point rows every kappa file holds (frequency, group velocity, heat capacity,
// q-point, weight, grid point), and phono3py's kappa table for the run log.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/io/kappa_file.hpp"
#include "ph3mpi/solvers/conductivity_problem.hpp"

namespace ph3mpi::solvers {

// mesh (D_diag), and for a generalized regular grid its grid_matrix, P and Q.
void describe_grid(const grid::BZGrid& bz_grid, io::KappaFileLayout& layout);

// The rows [first, first + count) of the ir grid points, with what every kappa file holds
// for them. Group velocities: group_velocities_of (phonopy's GroupVelocity with site
// symmetry, or the projected velocity-matrix diagonal of an inter-band run), heat capacities
// from the frequencies.
struct GridPointRows {
  std::size_t first = 0;
  std::size_t count = 0;
  NdArray<double> frequency;         // (count, nb) THz
  NdArray<double> group_velocity;    // (count, nb, 3) THz Angstrom
  NdArray<double> heat_capacity;     // (T, count, nb) eV/K
  NdArray<double> qpoint;            // (count, 3)
  NdArray<std::int64_t> weight;      // (count)
  NdArray<std::int64_t> grid_point;  // (count) BZ indices
};
GridPointRows make_grid_point_rows(const ConductivityProblem& problem, std::size_t first, std::size_t count);

// phono3py's "Thermal conductivity (W/m-k) <title>" table, one row per temperature.
std::string kappa_table(const std::string& title, const std::vector<double>& temperatures,
                        const std::vector<double>& kappa);

}  // namespace ph3mpi::solvers
