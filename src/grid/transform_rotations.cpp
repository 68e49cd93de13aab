// Rotations acting on GR-grid addresses (phonopy grg_transform_rotations).
//
// A GR address g corresponds to q = Q D^-1 g, so q' = R q becomes
// g' = D Q^-1 R Q D^-1 g. The product is evaluated exactly in integers (Q is
// unimodular); a non-integer result means the grid is not invariant under R.
#include "integer_matrix.hpp"
#include "ph3mpi/grid/grid_error.hpp"
#include "ph3mpi/grid/reciprocal_rotations.hpp"

namespace ph3mpi::grid {

std::vector<Matrix3l> transform_rotations(const std::vector<Matrix3l>& reciprocal_operations,
                                          const Vector3l& D_diag, const Matrix3l& Q) {
  const Matrix3l Q_inv = detail::inverse_unimodular(Q, "SNF matrix Q");
  std::vector<Matrix3l> out;
  out.reserve(reciprocal_operations.size());
  for (const auto& r : reciprocal_operations) {
    const Matrix3l m = Q_inv * r * Q;
    Matrix3l t;
    for (int j = 0; j < 3; ++j) {
      for (int k = 0; k < 3; ++k) {
        const std::int64_t scaled = m(j, k) * D_diag(j);
        if (scaled % D_diag(k) != 0) {
          throw GridSymmetryError("Grid symmetry is broken. Use generalized regular grid. (rotation " +
                                  detail::matrix_text(r) + " does not map the grid [" +
                                  std::to_string(D_diag(0)) + ", " + std::to_string(D_diag(1)) + ", " +
                                  std::to_string(D_diag(2)) + "] onto itself)");
        }
        t(j, k) = scaled / D_diag(k);
      }
    }
    out.push_back(t);
  }
  return out;
}

}  // namespace ph3mpi::grid
