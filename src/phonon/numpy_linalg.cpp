// numpy's small dense linear algebra through the same BLAS/LAPACK calls numpy makes.
#include "ph3mpi/phonon/numpy_linalg.hpp"

#include <cmath>
#include <string>

#include "ph3mpi/common/error.hpp"

extern "C" {
// Fortran LAPACK.
void dgesv_(const int* n, const int* nrhs, double* a, const int* lda, int* ipiv, double* b, const int* ldb,
            int* info);
void dgetrf_(const int* m, const int* n, double* a, const int* lda, int* ipiv, int* info);
// CBLAS (enums passed as int, their C ABI): order 101 = row major, trans 111 = no, 112 = yes.
void cblas_dgemm(int order, int trans_a, int trans_b, int m, int n, int k, double alpha, const double* a,
                 int lda, const double* b, int ldb, double beta, double* c, int ldc);
void cblas_dgemv(int order, int trans, int m, int n, double alpha, const double* a, int lda, const double* x,
                 int incx, double beta, double* y, int incy);
}

namespace ph3mpi::phonon::numpy_linalg {

namespace {
constexpr int kRowMajor = 101;
constexpr int kNoTrans = 111;
constexpr int kTrans = 112;

using RowMajor3d = Eigen::Matrix<double, 3, 3, Eigen::RowMajor>;
}  // namespace

Eigen::Matrix3d inv(const Eigen::Matrix3d& m) {
  Eigen::Matrix3d a = m;  // column-major, as numpy hands it to LAPACK
  Eigen::Matrix3d b = Eigen::Matrix3d::Identity();
  const int n = 3;
  int ipiv[3];
  int info = 0;
  dgesv_(&n, &n, a.data(), &n, ipiv, b.data(), &n, &info);
  if (info != 0) throw Error("numpy_linalg::inv: singular matrix (dgesv info " + std::to_string(info) + ")");
  return b;
}

double det(const Eigen::Matrix3d& m) {
  Eigen::Matrix3d a = m;
  const int n = 3;
  int ipiv[3];
  int info = 0;
  dgetrf_(&n, &n, a.data(), &n, ipiv, &info);
  if (info > 0) return 0.0;  // exactly singular: numpy's sign is 0
  if (info < 0) throw Error("numpy_linalg::det: dgetrf info " + std::to_string(info));
  double sign = 1.0;
  double logdet = 0.0;
  for (int i = 0; i < 3; ++i) {
    const double d = a(i, i);
    if (ipiv[i] != i + 1) sign = -sign;
    if (d < 0) sign = -sign;
    logdet += std::log(std::abs(d));
  }
  return sign * std::exp(logdet);
}

std::vector<Eigen::Vector3d> dot_rows(const std::vector<Eigen::Vector3d>& a, const Eigen::Matrix3d& b,
                                      bool b_transposed) {
  const int n = int(a.size());
  std::vector<Eigen::Vector3d> c(a.size());
  if (n == 0) return c;
  const RowMajor3d br = b;  // numpy's C-ordered b; b.T is the same buffer read transposed
  if (n == 1) {
    // numpy: row vector times matrix goes to dgemv with the matrix in its own layout.
    cblas_dgemv(kRowMajor, b_transposed ? kNoTrans : kTrans, 3, 3, 1.0, br.data(), 3, a[0].data(), 1, 0.0,
                c[0].data(), 1);
    return c;
  }
  // std::vector<Eigen::Vector3d> is a C-ordered (n, 3) buffer.
  cblas_dgemm(kRowMajor, kNoTrans, b_transposed ? kTrans : kNoTrans, n, 3, 3, 1.0, a[0].data(), 3, br.data(),
              3, 0.0, c[0].data(), 3);
  return c;
}

Eigen::Vector3d dot_vector_mt(const Eigen::Vector3d& v, const Eigen::Matrix3d& m) {
  const RowMajor3d mr = m;
  Eigen::Vector3d y;
  cblas_dgemv(kRowMajor, kNoTrans, 3, 3, 1.0, mr.data(), 3, v.data(), 1, 0.0, y.data(), 1);
  return y;
}

}  // namespace ph3mpi::phonon::numpy_linalg
