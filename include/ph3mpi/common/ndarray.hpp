// A dense row-major N-dimensional array: the plain container that crosses module
// boundaries (HDF5 datasets, force constants, per-grid-point results).
#pragma once

#include <cstddef>
#include <numeric>
#include <string>
#include <vector>

namespace ph3mpi {

template <typename T>
struct NdArray {
  std::vector<std::size_t> shape;
  std::vector<T> data;

  NdArray() = default;
  explicit NdArray(std::vector<std::size_t> shape_, T fill = T{})
      : shape(std::move(shape_)), data(element_count(shape), fill) {}

  static std::size_t element_count(const std::vector<std::size_t>& s) {
    return std::accumulate(s.begin(), s.end(), std::size_t{1}, std::multiplies<>());
  }
  std::size_t size() const noexcept { return data.size(); }
  std::size_t rank() const noexcept { return shape.size(); }
  T* ptr() noexcept { return data.data(); }
  const T* ptr() const noexcept { return data.data(); }
  T& operator[](std::size_t i) { return data[i]; }
  const T& operator[](std::size_t i) const { return data[i]; }

  // Shape as text, e.g. "(2, 64, 3, 3)", for error messages.
  std::string shape_string() const {
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
      s += (i ? ", " : "") + std::to_string(shape[i]);
    }
    return s + ")";
  }
};

}  // namespace ph3mpi
