#include "ph3mpi/solvers/grid_point_results.hpp"

namespace ph3mpi::solvers {

NamedArrays MemoryResults::read(std::int64_t grid_point) const {
  const auto it = results_.find(grid_point);
  if (it == results_.end()) {
    throw io::CheckpointError("no stored result of grid point " + std::to_string(grid_point));
  }
  return it->second;
}

NamedArrays CombinedResults::read(std::int64_t grid_point) const {
  NamedArrays out;
  for (const GridPointResults* source : sources_) {
    NamedArrays part = source->read(grid_point);
    for (auto& [name, array] : part.reals) {
      if (!out.reals.emplace(name, std::move(array)).second)
        throw io::CheckpointError("grid point " + std::to_string(grid_point) + ": '" + name +
                                  "' stored twice");
    }
    for (auto& [name, array] : part.ints) {
      if (!out.ints.emplace(name, std::move(array)).second)
        throw io::CheckpointError("grid point " + std::to_string(grid_point) + ": '" + name +
                                  "' stored twice");
    }
  }
  return out;
}

const NdArray<double>& result_array(const NamedArrays& result, const std::string& name, std::int64_t gp) {
  const auto it = result.reals.find(name);
  if (it == result.reals.end()) {
    throw io::CheckpointError("stored result of grid point " + std::to_string(gp) + " lacks '" + name + "'");
  }
  return it->second;
}

}  // namespace ph3mpi::solvers
