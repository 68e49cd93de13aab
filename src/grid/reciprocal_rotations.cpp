// Reciprocal point group of the grid (phonopy grg_get_reciprocal_point_group with
// is_transpose=1): a direct rotation x' = R x acts on reduced q as q' = R^T q.
#include "ph3mpi/grid/reciprocal_rotations.hpp"

#include <algorithm>

#include "ph3mpi/common/error.hpp"

namespace ph3mpi::grid {

std::vector<Matrix3l> reciprocal_rotations(const std::vector<Eigen::Matrix3i>& direct_rotations,
                                           bool is_time_reversal) {
  std::vector<Matrix3l> unique;
  for (const auto& r : direct_rotations) {
    const Matrix3l rl = r.cast<std::int64_t>();
    if (std::find(unique.begin(), unique.end(), rl) != unique.end()) continue;
    if (unique.size() == 48) {
      throw SettingsError("more than 48 distinct rotations given for a point group");
    }
    unique.push_back(rl);
  }
  for (auto& r : unique) r.transposeInPlace();

  // Time reversal makes q and -q equivalent: add inversion unless already present.
  const Matrix3l inversion = -Matrix3l::Identity();
  if (is_time_reversal && std::find(unique.begin(), unique.end(), inversion) == unique.end()) {
    if (unique.size() > 24) {
      throw SettingsError("point group without inversion has more than 24 rotations");
    }
    const std::size_t n = unique.size();
    for (std::size_t i = 0; i < n; ++i) unique.push_back(-unique[i]);
  }
  return unique;
}

std::vector<Eigen::Matrix3d> rotations_cartesian(const std::vector<Matrix3l>& reciprocal_operations,
                                                 const Eigen::Matrix3d& reciprocal_lattice) {
  const Eigen::Matrix3d inv = reciprocal_lattice.inverse();
  std::vector<Eigen::Matrix3d> out;
  out.reserve(reciprocal_operations.size());
  for (const auto& r : reciprocal_operations) out.push_back(reciprocal_lattice * (r.cast<double>() * inv));
  return out;
}

}  // namespace ph3mpi::grid
