// Collective operations on block-cyclic matrices: placing rows computed anywhere
// into the distributed matrix, gathering rows and small matrices back, products with
// small replicated blocks (X^T V, V Y), symmetrization and the symmetric eigensolver.
//
// "Collective" means: every rank of the matrix's grid calls the function with the
// same global arguments (sizes, options), in the same order relative to the other
// collective calls. On the serial grid everything runs locally with LAPACK/BLAS.
// Errors a single rank could detect (a bad row index) are agreed on first, so a
// collective either throws ph3mpi::Error on every rank or on none.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ph3mpi/parallel/block_cyclic_matrix.hpp"

namespace ph3mpi::parallel {

// ----------------------------------------------------------------- row placement

// Default cap on the bytes one rank sends in one exchange round of scatter_rows /
// gather_rows: keeps every message far below MPI's 2^31 element/byte limits.
inline constexpr std::int64_t kDefaultMaxMessageBytes = std::int64_t{1} << 30;

// Collective. Each rank passes the complete global rows it holds: global_rows[k] is
// the row index of rows[k * a.cols() ... (k + 1) * a.cols() - 1] (row-major,
// a.cols() doubles per row); the sets are arbitrary (any order, any rank may pass
// none) but disjoint across ranks. Every element goes straight from the caller's
// array into its owner's local block (MPI_Alltoallw with derived datatypes: no
// packing buffers), so a rank never holds more than its own rows plus its local
// block. Rows nobody passes keep their values. Larger transfers are split into
// rounds of at most max_message_bytes sent per rank.
// Throws ph3mpi::Error (on every rank) for an index outside [0, a.rows()) or a row
// passed twice.
void scatter_rows(BlockCyclicMatrix& a, const std::vector<std::int64_t>& global_rows, const double* rows,
                  std::int64_t max_message_bytes = kDefaultMaxMessageBytes);

// Collective. The inverse: each rank receives the complete global rows it asks for
// (any order, repeats allowed), row-major, global_rows.size() x a.cols().
std::vector<double> gather_rows(const BlockCyclicMatrix& a, const std::vector<std::int64_t>& global_rows,
                                std::int64_t max_message_bytes = kDefaultMaxMessageBytes);

// Collective. The whole matrix on every rank, column-major rows() x cols(): for
// small matrices (n x k blocks of vectors, results of products). Throws
// ph3mpi::Error for more than 2^31-1 elements.
std::vector<double> gather_replicated(const BlockCyclicMatrix& a);

// Local (no communication). A block-cyclic copy of a matrix every rank holds in
// full (column-major rows x cols): each rank keeps its own blocks.
BlockCyclicMatrix distribute_replicated(const BlacsGrid& grid, std::int64_t rows, std::int64_t cols,
                                        const double* column_major, int block_size = 0);

// ----------------------------------------------------------------- products

enum class Transpose { kNo, kYes };

// Collective. op(A) X for a small X that every rank holds in full (column-major,
// rows(op(A)) = cols_of_op x k, e.g. k = 3 or 6 for the Cartesian components); the
// result, rows(op(A)) x k column-major, is replicated on every rank. With A = V
// (eigenvectors) and Transpose::kYes this is V^T X (= (X^T V)^T); with kNo, V Y.
// pdgemm on the grid, dgemm on the serial grid.
std::vector<double> multiply_replicated(const BlockCyclicMatrix& a, Transpose trans, const double* x,
                                        std::int64_t k);

// Collective. op(A) x for a vector every rank holds (pdgemv / dgemv); the result is
// replicated.
std::vector<double> matvec_replicated(const BlockCyclicMatrix& a, Transpose trans, const double* x);

// Collective. (A P + A^T P) / 2 for a square A and a small P that every rank holds in
// full (column-major, rows() x k); the result, rows() x k column-major, is replicated.
// This is the product of the symmetrized matrix without forming it: each rank streams
// its local block once, adding the block's share of both products, and one sum over the
// ranks completes them (an iterative solver's matrix-vector product: the matrix is read
// once per call, nothing is packed or exchanged but the n x k result).
std::vector<double> symmetric_product_replicated(const BlockCyclicMatrix& a, const double* p, std::int64_t k);

// Collective. C := alpha op(A) op(B) + beta C for three matrices on one grid with one
// block size (pdgemm / dgemm).
void gemm(Transpose trans_a, Transpose trans_b, double alpha, const BlockCyclicMatrix& a,
          const BlockCyclicMatrix& b, double beta, BlockCyclicMatrix& c);

// ----------------------------------------------------------------- symmetric matrices

// Collective. A <- (A + A^T) / 2 for a square A. Each element becomes the correctly
// rounded mean of a_ij and a_ji, so the result is exactly symmetric and equal to the
// element-wise (a_ij + a_ji) / 2 of a whole-matrix implementation. On a BLACS grid:
// one pdtran (A := A/2 + T^T/2 with T a local copy of A), i.e. one extra local block
// while it runs.
void symmetrize(BlockCyclicMatrix& a);

enum class EigenSolver {
  kPdsyevd,  // divide and conquer (ScaLAPACK pdsyevd / LAPACK dsyevd): the default
  kPdsyevr,  // MRRR (pdsyevr / dsyevr)
};
// "pdsyevd" / "pdsyevr"; ph3mpi::Error for anything else.
EigenSolver eigen_solver_from_name(const std::string& name);
const char* eigen_solver_name(EigenSolver solver) noexcept;

// Which triangle of A the solver reads. kLower is the triangle phono3py's dsyev/dsyevd
// calls read (they pass the row-major C array as column-major with 'U').
enum class Triangle { kLower, kUpper };

struct SymmetricEigenSolution {
  std::vector<double> eigenvalues;  // ascending, replicated on every rank
  BlockCyclicMatrix eigenvectors;   // column l belongs to eigenvalues[l]; same layout as A
};

// Collective. All eigenvalues and eigenvectors of the symmetric A (only the given
// triangle is read). A is workspace: its contents are unspecified on return. The
// solver's work arrays come from a workspace query (lwork = liwork = -1), never
// smaller than the documented minimum, and are counted in workspace_memory().
// Throws ph3mpi::Error for a non-square A or a solver failure (info != 0).
SymmetricEigenSolution solve_symmetric_eigen(BlockCyclicMatrix& a, EigenSolver solver = EigenSolver::kPdsyevd,
                                             Triangle triangle = Triangle::kLower);

// Per-rank bytes of the eigen solution for an n x n matrix with block size nb on a
// grid of `shape` (the largest rank: process (0, 0)), from the documented minimum
// work array sizes; lapack = true for the serial grid (dsyevd/dsyevr). Pure
// arithmetic, no communication: for --dry-run and a memory limit check before any
// matrix exists.
struct EigenMemoryEstimate {
  std::int64_t matrix_bytes = 0;     // one local block (A; the eigenvectors are another)
  std::int64_t workspace_bytes = 0;  // WORK + IWORK
  std::int64_t total_bytes() const noexcept { return 2 * matrix_bytes + workspace_bytes; }
};
EigenMemoryEstimate estimate_eigen_memory(std::int64_t n, int block_size, GridShape shape, EigenSolver solver,
                                          bool lapack = false);

}  // namespace ph3mpi::parallel
