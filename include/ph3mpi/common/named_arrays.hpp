// A bag of named arrays: the generic per-grid-point result that crosses module
// boundaries without knowing the physics (RTA: gamma per sigma, T and band, its N/U
// parts, isotope gamma; LBTE: collision-matrix rows). The checkpoint stores it as
// one shard file per grid point, the coordinator ships it between ranks.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "ph3mpi/common/ndarray.hpp"

namespace ph3mpi {

struct NamedArrays {
  std::map<std::string, NdArray<double>> reals;
  std::map<std::string, NdArray<std::int64_t>> ints;

  bool empty() const noexcept { return reals.empty() && ints.empty(); }
};

// Exact equality: same names, shapes and bit-identical values (NaN payloads included),
// the test for "a restored result is the one that was stored".
bool bitwise_equal(const NamedArrays& a, const NamedArrays& b);

}  // namespace ph3mpi
