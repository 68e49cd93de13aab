#include "ph3mpi/common/named_arrays.hpp"

#include <cstring>

namespace ph3mpi {
namespace {

template <typename T>
bool same_arrays(const std::map<std::string, NdArray<T>>& a, const std::map<std::string, NdArray<T>>& b) {
  if (a.size() != b.size()) return false;
  for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
    if (ia->first != ib->first || ia->second.shape != ib->second.shape ||
        ia->second.data.size() != ib->second.data.size()) {
      return false;
    }
    if (!ia->second.data.empty() &&
        std::memcmp(ia->second.ptr(), ib->second.ptr(), ia->second.data.size() * sizeof(T)) != 0) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool bitwise_equal(const NamedArrays& a, const NamedArrays& b) {
  return same_arrays(a.reals, b.reals) && same_arrays(a.ints, b.ints);
}

}  // namespace ph3mpi
