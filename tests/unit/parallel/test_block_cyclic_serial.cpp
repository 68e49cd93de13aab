// The distributed linear algebra layer on the serial Context: a 1 x 1 grid backed
// by LAPACK/BLAS with the same API as the BLACS grid (no mpirun). Eigen's
// SelfAdjointEigenSolver is the independent reference for the eigensolvers.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/parallel/blacs_grid.hpp"
#include "ph3mpi/parallel/block_cyclic_matrix.hpp"
#include "ph3mpi/parallel/block_cyclic_ops.hpp"
#include "ph3mpi/parallel/context.hpp"

namespace {

using namespace ph3mpi::parallel;

std::vector<double> random_matrix(std::int64_t n, std::uint64_t seed, bool symmetric) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<double> a(static_cast<std::size_t>(n * n));
  for (double& v : a) v = dist(rng);
  if (symmetric) {
    for (std::int64_t j = 0; j < n; ++j) {
      for (std::int64_t i = j + 1; i < n; ++i) a[j + i * n] = a[i + j * n];
    }
  }
  return a;
}

std::vector<double> rows_major(const std::vector<double>& a, std::int64_t n,
                               const std::vector<std::int64_t>& rows) {
  std::vector<double> out;
  for (const std::int64_t i : rows) {
    for (std::int64_t j = 0; j < n; ++j) out.push_back(a[i + j * n]);
  }
  return out;
}

BlockCyclicMatrix from_full(const BlacsGrid& grid, const std::vector<double>& full, std::int64_t n, int nb) {
  std::vector<std::int64_t> rows;
  for (std::int64_t i = n - 1; i >= 0; --i) rows.push_back(i);
  BlockCyclicMatrix a(grid, n, n, nb);
  const auto data = rows_major(full, n, rows);
  scatter_rows(a, rows, data.data());
  return a;
}

TEST(SerialGrid, IsOneByOneLapack) {
  const BlacsGrid grid(Context::serial());
  EXPECT_FALSE(grid.uses_scalapack());
  EXPECT_EQ(grid.blacs_context(), -1);
  EXPECT_EQ(grid.nprow(), 1);
  EXPECT_EQ(grid.npcol(), 1);
  EXPECT_EQ(grid.myrow(), 0);
  EXPECT_EQ(grid.mycol(), 0);
  EXPECT_EQ(grid.rank_of(0, 0), 0);
  EXPECT_THROW(grid.rank_of(0, 1), ph3mpi::Error);
  EXPECT_EQ(grid.description(), "1 x 1 (serial LAPACK)");
  EXPECT_THROW(BlacsGrid(Context::serial(), GridShape{1, 2}), ph3mpi::Error);
}

TEST(GridShape, NearSquareAndBlockSizes) {
  EXPECT_EQ(near_square_grid_shape(1).npcol, 1);
  EXPECT_EQ(near_square_grid_shape(2).nprow, 1);
  EXPECT_EQ(near_square_grid_shape(2).npcol, 2);
  EXPECT_EQ(near_square_grid_shape(4).nprow, 2);
  EXPECT_EQ(near_square_grid_shape(6).nprow, 2);
  EXPECT_EQ(near_square_grid_shape(6).npcol, 3);
  EXPECT_EQ(near_square_grid_shape(13).nprow, 1);
  EXPECT_EQ(near_square_grid_shape(36).nprow, 6);
  EXPECT_EQ(near_square_grid_shape(48).nprow, 6);
  EXPECT_EQ(near_square_grid_shape(48).npcol, 8);
  // 64 for large matrices, about two blocks per process row/column for small ones, never below 8.
  EXPECT_EQ(BlockCyclicMatrix::default_block_size(100000, 100000, {4, 4}), 64);
  EXPECT_EQ(BlockCyclicMatrix::default_block_size(200, 200, {2, 2}), 50);
  EXPECT_EQ(BlockCyclicMatrix::default_block_size(10, 10, {1, 1}), 8);
  // NUMROC: 37 rows in blocks of 8 over 2 processes: blocks 0,2,4 (8+8+5) and 1,3 (8+8).
  EXPECT_EQ(numroc(37, 8, 0, 2), 21);
  EXPECT_EQ(numroc(37, 8, 1, 2), 16);
  EXPECT_EQ(numroc(37, 8, 0, 1), 37);
  EXPECT_EQ(numroc(130, 16, 0, 2), 66);
  EXPECT_EQ(numroc(130, 16, 1, 2), 64);
  EXPECT_EQ(numroc(5, 16, 1, 2), 0);
}

TEST(SerialMatrix, LayoutAndMemoryAccounting) {
  const BlacsGrid grid(Context::serial());
  const std::int64_t before = matrix_memory().current();
  {
    BlockCyclicMatrix a(grid, 37, 5, 8);
    EXPECT_EQ(a.local_rows(), 37);
    EXPECT_EQ(a.local_cols(), 5);
    EXPECT_EQ(a.local_leading_dim(), 37);
    EXPECT_EQ(a.local_bytes(), 37 * 5 * 8);
    EXPECT_EQ(a.global_bytes(), 37 * 5 * 8);
    EXPECT_EQ(matrix_memory().current() - before, 37 * 5 * 8);
    for (std::int64_t i = 0; i < 37; ++i) {
      EXPECT_EQ(a.local_row(i), i);
      EXPECT_EQ(a.owner_rank(i, 4), 0);
      EXPECT_TRUE(a.is_local(i, 4));
    }
    a.fill(2.0);
    BlockCyclicMatrix b = a.copy();
    EXPECT_EQ(matrix_memory().current() - before, 2 * 37 * 5 * 8);
    EXPECT_EQ(b.local(36, 4), 2.0);
    BlockCyclicMatrix moved = std::move(b);
    EXPECT_EQ(matrix_memory().current() - before, 2 * 37 * 5 * 8);
    EXPECT_EQ(moved.local(0, 0), 2.0);
    BlockCyclicMatrix zero(grid, 3, 3, 0);
    EXPECT_EQ(zero.block_size(), 8);
    EXPECT_EQ(zero.local(2, 2), 0.0);
    EXPECT_GE(matrix_memory().peak() - before, 2 * 37 * 5 * 8 + 9 * 8);
  }
  EXPECT_EQ(matrix_memory().current(), before);
  EXPECT_THROW(BlockCyclicMatrix(grid, -1, 3, 8), ph3mpi::Error);
  EXPECT_THROW(BlockCyclicMatrix(grid, 3, 3, -2), ph3mpi::Error);
  EXPECT_THROW(BlockCyclicMatrix(grid, std::int64_t{1} << 31, 1, 8), ph3mpi::Error);
  // A local array beyond 32-bit ScaLAPACK indexing is refused before allocating it.
  EXPECT_THROW(BlockCyclicMatrix(grid, 50000, 50000, 64), ph3mpi::Error);
}

TEST(SerialRowPlacement, ScatterAndGatherRoundtrip) {
  const BlacsGrid grid(Context::serial());
  const std::int64_t n = 37;
  const std::vector<double> full = random_matrix(n, 3, false);
  const std::vector<std::int64_t> some = {5, 36, 0, 17};
  BlockCyclicMatrix a(grid, n, n, 8);
  a.fill(-1.0);
  const auto data = rows_major(full, n, some);
  scatter_rows(a, some, data.data());
  EXPECT_EQ(gather_rows(a, some), data);
  EXPECT_EQ(gather_rows(a, {1}), std::vector<double>(static_cast<std::size_t>(n), -1.0));  // untouched row
  EXPECT_THROW(scatter_rows(a, {1, 1}, std::vector<double>(2 * n).data()), ph3mpi::Error);
  EXPECT_THROW(scatter_rows(a, {n}, std::vector<double>(n).data()), ph3mpi::Error);
  EXPECT_THROW(scatter_rows(a, {0}, nullptr), ph3mpi::Error);
  EXPECT_THROW(gather_rows(a, {-1}), ph3mpi::Error);
  const std::vector<double> x = random_matrix(6, 4, false);
  const BlockCyclicMatrix xd = distribute_replicated(grid, 6, 6, x.data(), 4);
  EXPECT_EQ(gather_replicated(xd), x);
}

TEST(SerialSymmetric, SymmetrizeIsTheExactMean) {
  const BlacsGrid grid(Context::serial());
  const std::int64_t n = 37;
  const std::vector<double> full = random_matrix(n, 5, false);
  BlockCyclicMatrix a = from_full(grid, full, n, 8);
  symmetrize(a);
  for (std::int64_t j = 0; j < n; ++j) {
    for (std::int64_t i = 0; i < n; ++i) EXPECT_EQ(a.local(i, j), (full[i + j * n] + full[j + i * n]) / 2);
  }
}

TEST(SerialSymmetric, EigensolversMatchEigen) {
  const BlacsGrid grid(Context::serial());
  for (const std::int64_t n : {1, 37, 130}) {
    const std::vector<double> full = random_matrix(n, 7 + static_cast<std::uint64_t>(n), true);
    const Eigen::Map<const Eigen::MatrixXd> m(full.data(), n, n);
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> ref(m);
    for (const EigenSolver solver : {EigenSolver::kPdsyevd, EigenSolver::kPdsyevr}) {
      BlockCyclicMatrix a = from_full(grid, full, n, 16);
      workspace_memory().reset_peak();
      const std::int64_t work_before = workspace_memory().current();
      const SymmetricEigenSolution eig = solve_symmetric_eigen(a, solver);
      EXPECT_GT(workspace_memory().peak(), work_before);     // the work arrays were counted...
      EXPECT_EQ(workspace_memory().current(), work_before);  // ... and released
      ASSERT_EQ(eig.eigenvalues.size(), static_cast<std::size_t>(n));
      const double norm = ref.eigenvalues().cwiseAbs().maxCoeff();
      for (std::int64_t l = 0; l < n; ++l) {
        EXPECT_NEAR(eig.eigenvalues[l], ref.eigenvalues()[l], 1e-12 * norm);
        if (l > 0) {
          EXPECT_LE(eig.eigenvalues[l - 1], eig.eigenvalues[l]);
        }
      }
      const Eigen::Map<const Eigen::MatrixXd> v(eig.eigenvectors.local_data(), n, n);
      const Eigen::VectorXd w = Eigen::Map<const Eigen::VectorXd>(eig.eigenvalues.data(), n);
      EXPECT_LE((m * v - v * w.asDiagonal()).cwiseAbs().maxCoeff(), 1e-10);
      EXPECT_LE((v.transpose() * v - Eigen::MatrixXd::Identity(n, n)).cwiseAbs().maxCoeff(), 1e-10);
    }
  }
  BlockCyclicMatrix rect(grid, 3, 4, 8);
  EXPECT_THROW(solve_symmetric_eigen(rect), ph3mpi::Error);
  BlockCyclicMatrix empty(grid, 0, 0, 8);
  EXPECT_TRUE(solve_symmetric_eigen(empty).eigenvalues.empty());
}

TEST(SerialProducts, MatchEigen) {
  const BlacsGrid grid(Context::serial());
  const std::int64_t n = 37;
  const std::int64_t k = 3;
  const std::vector<double> full = random_matrix(n, 9, false);
  const std::vector<double> other = random_matrix(n, 10, false);
  const std::vector<double> x = random_matrix(n, 11, false);  // first n * k entries used
  const Eigen::Map<const Eigen::MatrixXd> m(full.data(), n, n);
  const Eigen::Map<const Eigen::MatrixXd> o(other.data(), n, n);
  const Eigen::Map<const Eigen::MatrixXd> xm(x.data(), n, k);
  const BlockCyclicMatrix a = from_full(grid, full, n, 8);
  const BlockCyclicMatrix b = from_full(grid, other, n, 8);

  const std::vector<double> tx = multiply_replicated(a, Transpose::kYes, x.data(), k);
  EXPECT_LE((Eigen::Map<const Eigen::MatrixXd>(tx.data(), n, k) - m.transpose() * xm).cwiseAbs().maxCoeff(),
            1e-13);
  const std::vector<double> nx = multiply_replicated(a, Transpose::kNo, x.data(), k);
  EXPECT_LE((Eigen::Map<const Eigen::MatrixXd>(nx.data(), n, k) - m * xm).cwiseAbs().maxCoeff(), 1e-13);
  const std::vector<double> sx = symmetric_product_replicated(a, x.data(), k);  // (A + A^T) X / 2
  EXPECT_LE((Eigen::Map<const Eigen::MatrixXd>(sx.data(), n, k) - 0.5 * (m + m.transpose()) * xm)
                .cwiseAbs()
                .maxCoeff(),
            1e-13);
  EXPECT_THROW(symmetric_product_replicated(BlockCyclicMatrix(grid, n, n + 1, 8), x.data(), k),
               ph3mpi::Error);
  const std::vector<double> mv = matvec_replicated(a, Transpose::kYes, x.data());
  EXPECT_LE(
      (Eigen::Map<const Eigen::VectorXd>(mv.data(), n) - m.transpose() * xm.col(0)).cwiseAbs().maxCoeff(),
      1e-13);
  BlockCyclicMatrix c(grid, n, n, 8);
  c.fill(1.0);
  gemm(Transpose::kNo, Transpose::kYes, 2.0, a, b, 0.5, c);
  const Eigen::MatrixXd ref = 2.0 * m * o.transpose() + 0.5 * Eigen::MatrixXd::Ones(n, n);
  EXPECT_LE((Eigen::Map<const Eigen::MatrixXd>(c.local_data(), n, n) - ref).cwiseAbs().maxCoeff(), 1e-13);
  BlockCyclicMatrix wrong(grid, n, n + 1, 8);
  EXPECT_THROW(gemm(Transpose::kNo, Transpose::kNo, 1.0, a, b, 0.0, wrong), ph3mpi::Error);
}

TEST(SerialMemory, EstimateMatchesLayout) {
  // 130 x 130, nb 16 on 2 x 2: process (0, 0) owns 66 x 66.
  const EigenMemoryEstimate e = estimate_eigen_memory(130, 16, {2, 2}, EigenSolver::kPdsyevd);
  EXPECT_EQ(e.matrix_bytes, 66 * 66 * 8);
  // pdsyevd: LWORK = max(1 + 6n + 2 np nq, 3n + max(nb (np + 1), 3 nb)) + 2n, LIWORK = 7n + 8 npcol + 2.
  EXPECT_EQ(e.workspace_bytes, (1 + 6 * 130 + 2 * 66 * 66 + 2 * 130) * 8 + (7 * 130 + 8 * 2 + 2) * 4);
  EXPECT_EQ(e.total_bytes(), 2 * e.matrix_bytes + e.workspace_bytes);
  const EigenMemoryEstimate serial = estimate_eigen_memory(100, 0, {1, 1}, EigenSolver::kPdsyevd, true);
  EXPECT_EQ(serial.matrix_bytes, 100 * 100 * 8);
  // The estimate covers what the serial solver really allocates.
  const BlacsGrid grid(Context::serial());
  BlockCyclicMatrix a = from_full(grid, random_matrix(100, 1, true), 100, 0);
  workspace_memory().reset_peak();
  const std::int64_t before = workspace_memory().current();
  (void)solve_symmetric_eigen(a);
  EXPECT_LE(workspace_memory().peak() - before, serial.workspace_bytes);
}

}  // namespace
