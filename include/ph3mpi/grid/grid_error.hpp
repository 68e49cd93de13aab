// The error phono3py raises as "Grid symmetry is broken.": a mesh that the
// crystal's point group does not map onto itself. Phono3py._set_mesh_numbers
// catches it for a scalar (length) mesh and retries with a generalized regular
// grid; make_phono3py_bz_grid does the same.
#pragma once

#include <string>

#include "ph3mpi/common/error.hpp"

namespace ph3mpi::grid {

class GridSymmetryError : public SettingsError {
 public:
  explicit GridSymmetryError(const std::string& message) : SettingsError(message) {}
};

}  // namespace ph3mpi::grid
