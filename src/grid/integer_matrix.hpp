// Small exact helpers on 3x3 integer matrices shared by the grid sources (internal).
#pragma once

#include <sstream>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/grid/bz_grid.hpp"

namespace ph3mpi::grid::detail {

inline std::string matrix_text(const Matrix3l& m) {
  std::ostringstream s;
  s << "[[" << m(0, 0) << ", " << m(0, 1) << ", " << m(0, 2) << "], [" << m(1, 0) << ", " << m(1, 1) << ", "
    << m(1, 2) << "], [" << m(2, 0) << ", " << m(2, 1) << ", " << m(2, 2) << "]]";
  return s.str();
}

inline std::int64_t determinant(const Matrix3l& a) {
  return a(0, 0) * (a(1, 1) * a(2, 2) - a(1, 2) * a(2, 1)) +
         a(0, 1) * (a(1, 2) * a(2, 0) - a(1, 0) * a(2, 2)) +
         a(0, 2) * (a(1, 0) * a(2, 1) - a(1, 1) * a(2, 0));
}

// Exact inverse of a unimodular integer matrix (adjugate times det, det = +-1).
// Throws SettingsError naming `what` otherwise.
inline Matrix3l inverse_unimodular(const Matrix3l& a, const char* what) {
  const std::int64_t det = determinant(a);
  if (det != 1 && det != -1) {
    throw SettingsError(std::string(what) + " " + matrix_text(a) +
                        " is not unimodular (det = " + std::to_string(det) + ")");
  }
  Matrix3l c;
  c(0, 0) = a(1, 1) * a(2, 2) - a(1, 2) * a(2, 1);
  c(1, 0) = a(1, 2) * a(2, 0) - a(1, 0) * a(2, 2);
  c(2, 0) = a(1, 0) * a(2, 1) - a(1, 1) * a(2, 0);
  c(0, 1) = a(2, 1) * a(0, 2) - a(2, 2) * a(0, 1);
  c(1, 1) = a(2, 2) * a(0, 0) - a(2, 0) * a(0, 2);
  c(2, 1) = a(2, 0) * a(0, 1) - a(2, 1) * a(0, 0);
  c(0, 2) = a(0, 1) * a(1, 2) - a(0, 2) * a(1, 1);
  c(1, 2) = a(0, 2) * a(1, 0) - a(0, 0) * a(1, 2);
  c(2, 2) = a(0, 0) * a(1, 1) - a(0, 1) * a(1, 0);
  return c * det;
}

}  // namespace ph3mpi::grid::detail
