#include "ph3mpi/driver/shared_phonons.hpp"

#include <algorithm>
#include <numeric>
#include <vector>

#include "ph3mpi/grid/make_bz_grid.hpp"
#include "ph3mpi/phonon/phonon_solver.hpp"

namespace ph3mpi::driver {

SharedPhonons::SharedPhonons(const parallel::Context& context, const phonon::DynamicalMatrix& dm,
                             const grid::BZGrid& bz_grid)
    : num_band_(dm.num_band()),
      num_points_(static_cast<std::size_t>(bz_grid.num_bz_points())),
      eigenvectors_(context, num_points_ * num_band_ * num_band_ * sizeof(std::complex<double>)),
      shared_frequencies_(context, num_points_ * num_band_ * sizeof(double)),
      frequencies_({num_points_, num_band_}) {
  std::vector<std::int64_t> all(num_points_);
  std::iota(all.begin(), all.end(), std::int64_t{0});
  const std::vector<Eigen::Vector3d> qpoints = grid::qpoints_of_bz_points(bz_grid, all);
  const parallel::RowRange mine =
      parallel::node_row_range(num_points_, eigenvectors_.node_rank(), eigenvectors_.node_size());
  auto* frequencies = static_cast<double*>(shared_frequencies_.data());
  phonon::solve_phonons(dm, qpoints, mine.begin, mine.end, frequencies,
                        static_cast<std::complex<double>*>(eigenvectors_.data()));
  shared_frequencies_.node_barrier();
  eigenvectors_.node_barrier();
  std::copy(frequencies, frequencies + num_points_ * num_band_, frequencies_.data.begin());
}

interaction::PhononView SharedPhonons::view() const {
  interaction::PhononView v;
  v.frequencies = frequencies_.ptr();
  v.eigenvectors = static_cast<const std::complex<double>*>(eigenvectors_.data());
  v.num_grid_points = num_points_;
  v.num_band = num_band_;
  return v;
}

}  // namespace ph3mpi::driver
