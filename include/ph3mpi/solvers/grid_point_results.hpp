// Where the solvers read what the scattering stage stored per irreducible grid point:
//   gamma          (methods, temperatures, nband) THz  (RTA), (temperatures, nband) (LBTE)
//   gamma_N/gamma_U (methods, temperatures, nband)      with is_N_U (RTA)
//   gamma_isotope  (methods, nband) (RTA) / (nband) (LBTE) THz, with isotope
//   collision      (temperatures, collision-row block) THz  (LBTE)
// In a run these are the checkpoint shards (every result is durable there before it
// counts done; ph-ph and isotope results in stages of their own, CombinedResults), or
// phono3py's gamma files (read_gamma, solvers/gamma_files.hpp); tests keep them in memory.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ph3mpi/common/named_arrays.hpp"
#include "ph3mpi/io/checkpoint.hpp"

namespace ph3mpi::solvers {

class GridPointResults {
 public:
  virtual ~GridPointResults() = default;
  // The stored result of `grid_point` (a BZ index); throws when there is none.
  virtual NamedArrays read(std::int64_t grid_point) const = 0;
};

// The shards of a checkpoint.
class CheckpointResults final : public GridPointResults {
 public:
  explicit CheckpointResults(const io::Checkpoint& checkpoint) : checkpoint_(checkpoint) {}
  NamedArrays read(std::int64_t grid_point) const override { return checkpoint_.read(grid_point); }

 private:
  const io::Checkpoint& checkpoint_;
};

// Results held in memory (tests, and runs that keep them).
class MemoryResults final : public GridPointResults {
 public:
  void store(std::int64_t grid_point, NamedArrays result) { results_[grid_point] = std::move(result); }
  NamedArrays read(std::int64_t grid_point) const override;

 private:
  std::map<std::int64_t, NamedArrays> results_;
};

// Several sources merged (the checkpoint stages of a run: ph-ph results, isotope Gamma):
// read(gp) holds the arrays of every source; a name in two sources is an io::CheckpointError.
class CombinedResults final : public GridPointResults {
 public:
  explicit CombinedResults(std::vector<const GridPointResults*> sources) : sources_(std::move(sources)) {}
  NamedArrays read(std::int64_t grid_point) const override;

 private:
  std::vector<const GridPointResults*> sources_;
};

// Array `name` of the result of grid point gp; io::CheckpointError naming both if absent.
const NdArray<double>& result_array(const NamedArrays& result, const std::string& name, std::int64_t gp);

}  // namespace ph3mpi::solvers
