// What the conductivity solvers (RTA, LBTE direct, LBTE CG) need besides the
// per-grid-point results of the scattering stage: the grid, the irreducible grid points
// with their weights, the phonon frequencies, group velocities (computed here: they do not
// depend on the eigenvector basis), temperatures and the few settings that enter kappa.
// The driver fills it from its inputs; tests fill it directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/interaction/phonon_view.hpp"
#include "ph3mpi/phonon/dynamical_matrix.hpp"
#include "ph3mpi/phonon/group_velocity.hpp"
#include "ph3mpi/transport/heat_capacity_matrix.hpp"

namespace ph3mpi::solvers {

struct ConductivityProblem {
  const grid::BZGrid* bz_grid = nullptr;
  std::vector<std::int64_t> grid_points;  // ir grid points (BZ indices) in kappa-file row order
  std::vector<std::int64_t> weights;      // their star sizes
  std::size_t num_band = 0;
  const double* frequencies = nullptr;                    // (num_bz_points, num_band) THz
  const phonon::GroupVelocity* group_velocity = nullptr;  // evaluated at the ir q-points
  std::vector<double> temperatures;                       // K
  double cutoff_frequency = 1e-4;                         // THz
  std::optional<double> boundary_mfp;                     // micrometre
  double kappa_unit_conversion = 0;                       // transport::kappa_unit_conversion(V)
  bool isotope = false;                                   // results carry gamma_isotope
  // false (phono3py's --noks): grid_points are every grid point with weight 1, and
  // gv_by_gv has no star rotations (identity only, multiplicity 1).
  bool is_kappa_star = true;
  // Inter-band (coherence) conductivity (config transport_type, solvers/interband_term.hpp):
  // the variant, and what the velocity matrices need: D(q) and the eigenvectors on the BZ grid.
  std::optional<transport::InterbandVariant> interband;
  const phonon::DynamicalMatrix* dynamical_matrix = nullptr;
  interaction::PhononView phonons;

  std::size_t num_grid_points() const noexcept { return grid_points.size(); }
  std::size_t num_temperatures() const noexcept { return temperatures.size(); }
};

}  // namespace ph3mpi::solvers
