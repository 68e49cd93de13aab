// Smith normal form of a non-singular integer 3x3 matrix, D = P A Q, computed by
// the same sequence of unimodular row/column operations as phonopy's
// c/snf3x3.c, so that P and Q (not only D) equal phonopy's.
#pragma once

#include <optional>

#include "ph3mpi/grid/bz_grid.hpp"

namespace ph3mpi::grid {

struct SmithNormalForm {
  Vector3l D_diag = Vector3l::Ones();  // 0 < D0 | D1 | D2 (divisibility chain)
  Matrix3l P = Matrix3l::Identity();   // left unimodular, det(P) = +1
  Matrix3l Q = Matrix3l::Identity();   // right unimodular
};

// nullopt when det(A) == 0 or the elimination does not converge (phonopy: "SNF3x3 failed.").
std::optional<SmithNormalForm> snf3x3(const Matrix3l& A);

}  // namespace ph3mpi::grid
