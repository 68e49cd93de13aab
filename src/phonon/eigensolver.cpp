// Hermitian eigensolver: LAPACK zheevd, lower triangle (see eigensolver.hpp for the choice).
#include "ph3mpi/phonon/eigensolver.hpp"

#include <string>
#include <vector>

#include "ph3mpi/common/error.hpp"

extern "C" {
// Fortran LAPACK (hidden string lengths at the end, gfortran convention).
void zheevd_(const char* jobz, const char* uplo, const int* n, std::complex<double>* a, const int* lda,
             double* w, std::complex<double>* work, const int* lwork, double* rwork, const int* lrwork,
             int* iwork, const int* liwork, int* info, std::size_t jobz_len, std::size_t uplo_len);
}

namespace ph3mpi::phonon {

namespace {

// Per-thread workspace sized by a LAPACK workspace query (as numpy.linalg.eigh does).
struct Workspace {
  int n = -1;
  std::vector<std::complex<double>> work;
  std::vector<double> rwork;
  std::vector<int> iwork;
};

}  // namespace

void hermitian_eigh(const Eigen::MatrixXcd& matrix, Eigen::VectorXd& eigenvalues,
                    Eigen::MatrixXcd& eigenvectors) {
  thread_local Workspace ws;
  const int n = static_cast<int>(matrix.rows());
  eigenvectors = matrix;  // column-major copy, overwritten by the eigenvectors
  eigenvalues.resize(n);
  if (n == 0) return;
  int info = 0;
  if (ws.n != n) {
    std::complex<double> work_query;
    double rwork_query = 0;
    int iwork_query = 0;
    const int query = -1;
    zheevd_("V", "L", &n, eigenvectors.data(), &n, eigenvalues.data(), &work_query, &query, &rwork_query,
            &query, &iwork_query, &query, &info, 1, 1);
    if (info != 0) throw Error("zheevd workspace query failed, info = " + std::to_string(info));
    ws.work.resize(static_cast<std::size_t>(work_query.real()));
    ws.rwork.resize(static_cast<std::size_t>(rwork_query));
    ws.iwork.resize(static_cast<std::size_t>(iwork_query));
    ws.n = n;
  }
  const int lwork = static_cast<int>(ws.work.size());
  const int lrwork = static_cast<int>(ws.rwork.size());
  const int liwork = static_cast<int>(ws.iwork.size());
  zheevd_("V", "L", &n, eigenvectors.data(), &n, eigenvalues.data(), ws.work.data(), &lwork, ws.rwork.data(),
          &lrwork, ws.iwork.data(), &liwork, &info, 1, 1);
  if (info != 0) {
    throw Error("zheevd failed to diagonalize a " + std::to_string(n) + "x" + std::to_string(n) +
                " dynamical matrix, info = " + std::to_string(info));
  }
}

}  // namespace ph3mpi::phonon
