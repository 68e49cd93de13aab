// numpy's small dense linear algebra reproduced operation for operation (same BLAS/LAPACK
// calls, same operand layout), so that set-up quantities of phonopy's DynamicalMatrixGL
// (volume, Cartesian positions, G list, Brillouin-zone images of the commensurate points) come
// out bit for bit as in phonopy. Their rounding changes the summation results of the
// short-range force constants at the 1e-16 level, which decides the eigenvector basis that
// LAPACK returns inside degenerate subspaces and hence phono3py's per-band quantities there.
// All matrices are numpy-style: Eigen matrices hold the mathematical matrix; row-major
// buffers are made internally.
#pragma once

#include <Eigen/Dense>
#include <vector>

namespace ph3mpi::phonon::numpy_linalg {

// numpy.linalg.inv: LAPACK dgesv on the column-major copy of m with the identity on the right.
Eigen::Matrix3d inv(const Eigen::Matrix3d& m);

// numpy.linalg.det: LAPACK dgetrf on the column-major copy, then
// sign * exp(sum_i log|u_ii|) (numpy's slogdet route).
double det(const Eigen::Matrix3d& m);

// numpy.dot(a, b) for a of shape (n, 3) (rows of `a`) and a 3x3 b, or numpy.dot(a, b.T) when
// b_transposed: BLAS dgemm for n > 1 and dgemv for n == 1 (numpy's row-times-matrix case).
std::vector<Eigen::Vector3d> dot_rows(const std::vector<Eigen::Vector3d>& a, const Eigen::Matrix3d& b,
                                      bool b_transposed);

// numpy.dot(v, m.T) for a 1-D v (BLAS dgemv), i.e. m v.
Eigen::Vector3d dot_vector_mt(const Eigen::Vector3d& v, const Eigen::Matrix3d& m);

}  // namespace ph3mpi::phonon::numpy_linalg
