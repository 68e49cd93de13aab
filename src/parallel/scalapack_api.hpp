// Prototypes of the C BLACS, ScaLAPACK, PBLAS, LAPACK and BLAS routines the
// distributed linear algebra calls. Debian ships no header for ScaLAPACK/BLACS, so
// they are declared here (private to src/parallel; nothing outside calls them).
//
// Conventions: LP64 (32-bit Fortran INTEGER), every argument by pointer, matrices
// column-major. Fortran CHARACTER arguments carry a hidden length argument after
// the last regular one (gfortran >= 8: size_t); it is passed explicitly so the
// calls are ABI-correct for the Fortran routines (pdsyevd, pdsyevr, dsyevd, dsyevr)
// and harmless for the routines implemented in C (PBLAS, OpenBLAS interface).
#pragma once

#include <mpi.h>

#include <cstddef>

extern "C" {

// ---- C BLACS (the MPI BLACS bundled in libscalapack-openmpi)
int Csys2blacs_handle(MPI_Comm comm);
void Cfree_blacs_system_handle(int system_handle);
void Cblacs_gridinit(int* context, const char* order, int nprow, int npcol);
void Cblacs_gridinfo(int context, int* nprow, int* npcol, int* myrow, int* mycol);
void Cblacs_gridexit(int context);

// ---- ScaLAPACK tools
void descinit_(int* desc, const int* m, const int* n, const int* mb, const int* nb, const int* irsrc,
               const int* icsrc, const int* ictxt, const int* lld, int* info);

// ---- ScaLAPACK symmetric eigensolvers
void pdsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* ia, const int* ja,
              const int* desca, double* w, double* z, const int* iz, const int* jz, const int* descz,
              double* work, const int* lwork, int* iwork, const int* liwork, int* info, std::size_t jobz_len,
              std::size_t uplo_len);
void pdsyevr_(const char* jobz, const char* range, const char* uplo, const int* n, double* a, const int* ia,
              const int* ja, const int* desca, const double* vl, const double* vu, const int* il,
              const int* iu, int* m, int* nz, double* w, double* z, const int* iz, const int* jz,
              const int* descz, double* work, const int* lwork, int* iwork, const int* liwork, int* info,
              std::size_t jobz_len, std::size_t range_len, std::size_t uplo_len);

// ---- PBLAS
void pdgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
             const double* alpha, const double* a, const int* ia, const int* ja, const int* desca,
             const double* b, const int* ib, const int* jb, const int* descb, const double* beta, double* c,
             const int* ic, const int* jc, const int* descc, std::size_t transa_len, std::size_t transb_len);
void pdgemv_(const char* trans, const int* m, const int* n, const double* alpha, const double* a,
             const int* ia, const int* ja, const int* desca, const double* x, const int* ix, const int* jx,
             const int* descx, const int* incx, const double* beta, double* y, const int* iy, const int* jy,
             const int* descy, const int* incy, std::size_t trans_len);
// sub(C) := beta * sub(C) + alpha * sub(A)^T, A is m x n, C is n x m.
void pdtran_(const int* m, const int* n, const double* alpha, const double* a, const int* ia, const int* ja,
             const int* desca, const double* beta, double* c, const int* ic, const int* jc, const int* descc);

// ---- LAPACK / BLAS (the serial backend)
void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w,
             double* work, const int* lwork, int* iwork, const int* liwork, int* info, std::size_t jobz_len,
             std::size_t uplo_len);
void dsyevr_(const char* jobz, const char* range, const char* uplo, const int* n, double* a, const int* lda,
             const double* vl, const double* vu, const int* il, const int* iu, const double* abstol, int* m,
             double* w, double* z, const int* ldz, int* isuppz, double* work, const int* lwork, int* iwork,
             const int* liwork, int* info, std::size_t jobz_len, std::size_t range_len, std::size_t uplo_len);
void dgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
            const double* alpha, const double* a, const int* lda, const double* b, const int* ldb,
            const double* beta, double* c, const int* ldc, std::size_t transa_len, std::size_t transb_len);
void dgemv_(const char* trans, const int* m, const int* n, const double* alpha, const double* a,
            const int* lda, const double* x, const int* incx, const double* beta, double* y, const int* incy,
            std::size_t trans_len);
}
