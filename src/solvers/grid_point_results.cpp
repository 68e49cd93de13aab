#include "ph3mpi/solvers/grid_point_results.hpp"

namespace ph3mpi::solvers {

NamedArrays MemoryResults::read(std::int64_t grid_point) const {
  const auto it = results_.find(grid_point);
  if (it == results_.end()) {
    throw io::CheckpointError("no stored result of grid point " + std::to_string(grid_point));
  }
  return it->second;
}

const NdArray<double>& result_array(const NamedArrays& result, const std::string& name, std::int64_t gp) {
  const auto it = result.reals.find(name);
  if (it == result.reals.end()) {
    throw io::CheckpointError("stored result of grid point " + std::to_string(gp) + " lacks '" + name + "'");
  }
  return it->second;
}

}  // namespace ph3mpi::solvers
