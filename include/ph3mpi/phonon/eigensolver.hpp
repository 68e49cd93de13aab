// Hermitian eigensolver for dynamical matrices and the eigenvalue -> frequency rule.
//
// Choice: LAPACK zheevd with UPLO = 'L' (the Debian liblapack / OpenBLAS the project links).
// That is the routine numpy.linalg.eigh calls, and phono3py 4.4 built without LAPACKE (the
// upstream default, which made the reference data) diagonalizes its grid dynamical matrices
// with numpy.linalg.eigh(dm, UPLO="L"); phonopy's GroupVelocity uses numpy.linalg.eigh as
// well. Using the same routine keeps eigenvalues within rounding of the reference and picks
// the same kind of basis inside degenerate subspaces.
#pragma once

#include <Eigen/Dense>
#include <cmath>
#include <complex>
#include <cstddef>

namespace ph3mpi::phonon {

// Eigenvalues ascending into `eigenvalues`, eigenvectors as columns of `eigenvectors`
// (eigenvectors.col(j) belongs to eigenvalues(j)). Only the lower triangle of `matrix` is
// read. Throws ph3mpi::Error when LAPACK reports failure.
void hermitian_eigh(const Eigen::MatrixXcd& matrix, Eigen::VectorXd& eigenvalues,
                    Eigen::MatrixXcd& eigenvectors);

// Eigenvalue of D (eV/Angstrom^2/AMU) -> frequency in THz: sign(lambda) sqrt(|lambda|) *
// factor; negative frequencies stand for imaginary modes (phonopy/phono3py convention).
inline double eigenvalue_to_frequency(double eigenvalue, double factor) {
  const double sign = static_cast<double>((eigenvalue > 0) - (eigenvalue < 0));
  return sign * std::sqrt(std::abs(eigenvalue)) * factor;
}

}  // namespace ph3mpi::phonon
