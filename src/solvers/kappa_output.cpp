#include "ph3mpi/solvers/kappa_output.hpp"

#include <iomanip>
#include <sstream>

#include "ph3mpi/grid/make_bz_grid.hpp"
#include "ph3mpi/phonon/heat_capacity.hpp"
#include "ph3mpi/solvers/interband_term.hpp"

namespace ph3mpi::solvers {

void describe_grid(const grid::BZGrid& bz_grid, io::KappaFileLayout& layout) {
  layout.mesh = {bz_grid.D_diag(0), bz_grid.D_diag(1), bz_grid.D_diag(2)};
  layout.is_generalized_grid = !bz_grid.is_regular_mesh;
  if (!layout.is_generalized_grid) return;
  for (int k = 0; k < 9; ++k) {
    layout.grid_matrix[static_cast<std::size_t>(k)] = bz_grid.grid_matrix(k / 3, k % 3);
    layout.P_matrix[static_cast<std::size_t>(k)] = bz_grid.P(k / 3, k % 3);
    layout.Q_matrix[static_cast<std::size_t>(k)] = bz_grid.Q(k / 3, k % 3);
  }
}

GridPointRows make_grid_point_rows(const ConductivityProblem& problem, std::size_t first, std::size_t count) {
  const std::size_t nb = problem.num_band;
  const std::size_t n_t = problem.num_temperatures();
  GridPointRows rows;
  rows.first = first;
  rows.count = count;
  rows.frequency = NdArray<double>({count, nb});
  rows.group_velocity = NdArray<double>({count, nb, 3});
  rows.heat_capacity = NdArray<double>({n_t, count, nb});
  rows.qpoint = NdArray<double>({count, 3});
  rows.weight = NdArray<std::int64_t>({count});
  rows.grid_point = NdArray<std::int64_t>({count});
  const std::vector<std::int64_t> gps(
      problem.grid_points.begin() + static_cast<std::ptrdiff_t>(first),
      problem.grid_points.begin() + static_cast<std::ptrdiff_t>(first + count));
  const std::vector<Eigen::Vector3d> qpoints = grid::qpoints_of_bz_points(*problem.bz_grid, gps);
  group_velocities_of(problem, gps, rows.group_velocity.ptr());
  std::vector<double> cv(n_t * nb);
  for (std::size_t i = 0; i < count; ++i) {
    const double* f = problem.frequencies + static_cast<std::size_t>(gps[i]) * nb;
    std::copy(f, f + nb, rows.frequency.data.begin() + static_cast<std::ptrdiff_t>(i * nb));
    phonon::mode_heat_capacities(f, nb, problem.temperatures, problem.cutoff_frequency, cv.data());
    for (std::size_t it = 0; it < n_t; ++it) {
      std::copy_n(cv.begin() + static_cast<std::ptrdiff_t>(it * nb), nb,
                  rows.heat_capacity.data.begin() + static_cast<std::ptrdiff_t>((it * count + i) * nb));
    }
    for (int k = 0; k < 3; ++k) rows.qpoint.data[i * 3 + static_cast<std::size_t>(k)] = qpoints[i](k);
    rows.weight.data[i] = problem.weights[first + i];
    rows.grid_point.data[i] = gps[i];
  }
  return rows;
}

std::string kappa_table(const std::string& title, const std::vector<double>& temperatures,
                        const std::vector<double>& kappa) {
  std::ostringstream s;
  s << "----------- Thermal conductivity (W/m-k) " << title << " -----------\n";
  s << "#  T(K)        xx         yy         zz         yz         xz         xy\n";
  for (std::size_t it = 0; it < temperatures.size(); ++it) {
    s << std::fixed << std::setprecision(1) << std::setw(7) << temperatures[it] << std::setprecision(3);
    for (std::size_t k = 0; k < 6; ++k) s << " " << std::setw(10) << kappa[it * 6 + k];
    s << "\n";
  }
  return s.str();
}

}  // namespace ph3mpi::solvers
