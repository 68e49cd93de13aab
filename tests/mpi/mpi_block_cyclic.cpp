// The distributed linear algebra layer over MPI_COMM_WORLD (run with 1, 2 and 4
// ranks): BLACS grid shape, block-cyclic index maps, row placement (scatter_rows /
// gather_rows) exact in both directions, symmetrization exact, pdsyevd/pdsyevr
// against LAPACK dsyevd on the whole matrix, products with replicated blocks
// (pseudo-inverse applied to X, the symmetrized product), and per-rank allocation accounting showing that no
// rank allocates the whole matrix.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/parallel/blacs_grid.hpp"
#include "ph3mpi/parallel/block_cyclic_matrix.hpp"
#include "ph3mpi/parallel/block_cyclic_ops.hpp"
#include "ph3mpi/parallel/context.hpp"

extern "C" void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda,
                        double* w, double* work, const int* lwork, int* iwork, const int* liwork, int* info,
                        std::size_t, std::size_t);

namespace {

using namespace ph3mpi::parallel;

struct Case {
  std::int64_t n;
  int nb;
};
// Sizes that are not multiples of the block size (partial last blocks), and one
// block larger than the matrix or than the local block (pdsyevd workspace, see
// pdsyevd_lwork).
const std::vector<Case> kCases = {{37, 8}, {37, 16}, {130, 8}, {130, 16}, {37, 64}, {130, 64}};

// A fixed-seed random n x n matrix, column-major; symmetric on request.
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

// The rows a rank "computed": row i belongs to rank (7 i + 3) mod P, listed in
// descending order, and with `leave_last_empty` the last rank holds none (its rows go
// to rank 0), so that arbitrary, unordered and empty sets are all exercised.
std::vector<std::int64_t> rows_of_rank(std::int64_t n, int rank, int size, bool leave_last_empty) {
  std::vector<std::int64_t> rows;
  for (std::int64_t i = n - 1; i >= 0; --i) {
    int owner = static_cast<int>((7 * i + 3) % size);
    if (leave_last_empty && size > 1 && owner == size - 1) owner = 0;
    if (owner == rank) rows.push_back(i);
  }
  return rows;
}

// Row-major copy of the given rows of a column-major matrix.
std::vector<double> take_rows(const std::vector<double>& a, std::int64_t n,
                              const std::vector<std::int64_t>& rows) {
  std::vector<double> out;
  out.reserve(rows.size() * static_cast<std::size_t>(n));
  for (const std::int64_t i : rows) {
    for (std::int64_t j = 0; j < n; ++j) out.push_back(a[i + j * n]);
  }
  return out;
}

std::vector<std::int64_t> all_rows(std::int64_t n) {
  std::vector<std::int64_t> rows(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) rows[i] = i;
  return rows;
}

// LAPACK dsyevd on the whole matrix (the test's reference, on every rank).
void lapack_dsyevd(std::vector<double> a, std::int64_t n, std::vector<double>& w, std::vector<double>& v) {
  const int in = static_cast<int>(n);
  w.assign(static_cast<std::size_t>(n), 0.0);
  const int lwork = static_cast<int>(1 + 6 * n + 2 * n * n);
  const int liwork = static_cast<int>(3 + 5 * n);
  std::vector<double> work(static_cast<std::size_t>(lwork));
  std::vector<int> iwork(static_cast<std::size_t>(liwork));
  int info = 0;
  dsyevd_("V", "L", &in, a.data(), &in, w.data(), work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1);
  ASSERT_EQ(info, 0);
  v = std::move(a);
}

BlockCyclicMatrix scattered(const BlacsGrid& grid, const std::vector<double>& full, const Case& c) {
  const Context& ctx = grid.context();
  BlockCyclicMatrix a(grid, c.n, c.n, c.nb);
  const auto rows = rows_of_rank(c.n, ctx.rank(), ctx.size(), false);
  const auto data = take_rows(full, c.n, rows);
  scatter_rows(a, rows, data.data());
  return a;
}

TEST(BlacsGrid, NearSquareShapes) {
  const std::vector<std::pair<int, GridShape>> expected = {
      {1, {1, 1}}, {2, {1, 2}}, {3, {1, 3}},  {4, {2, 2}},  {6, {2, 3}},  {7, {1, 7}},
      {8, {2, 4}}, {9, {3, 3}}, {12, {3, 4}}, {16, {4, 4}}, {18, {3, 6}}, {64, {8, 8}}};
  for (const auto& [p, shape] : expected) {
    const GridShape got = near_square_grid_shape(p);
    EXPECT_EQ(got.nprow, shape.nprow) << p;
    EXPECT_EQ(got.npcol, shape.npcol) << p;
  }
  EXPECT_THROW(near_square_grid_shape(0), ph3mpi::Error);
}

TEST(BlacsGrid, CoversEveryRankOnce) {
  const Context ctx = Context::mpi_world();
  const BlacsGrid grid(ctx);
  EXPECT_TRUE(grid.uses_scalapack());
  EXPECT_GE(grid.blacs_context(), 0);
  EXPECT_EQ(grid.nprow() * grid.npcol(), ctx.size());
  EXPECT_LE(grid.nprow(), grid.npcol());
  EXPECT_EQ(grid.rank_of(grid.myrow(), grid.mycol()), ctx.rank());
  std::set<int> ranks;
  for (int pr = 0; pr < grid.nprow(); ++pr) {
    for (int pc = 0; pc < grid.npcol(); ++pc) ranks.insert(grid.rank_of(pr, pc));
  }
  EXPECT_EQ(static_cast<int>(ranks.size()), ctx.size());
  EXPECT_THROW(grid.rank_of(grid.nprow(), 0), ph3mpi::Error);
  EXPECT_THROW(BlacsGrid(ctx, GridShape{ctx.size() + 1, 1}), ph3mpi::Error);
  // A second grid on the same communicator, alive at the same time, and the explicit
  // transposed shape.
  const BlacsGrid column(ctx, GridShape{ctx.size(), 1});
  EXPECT_EQ(column.npcol(), 1);
  EXPECT_EQ(column.rank_of(column.myrow(), column.mycol()), ctx.rank());
  EXPECT_NE(column.blacs_context(), grid.blacs_context());
  if (ctx.is_root()) std::cout << "[ grid ] " << grid.description() << "\n";
}

TEST(BlockCyclicMatrix, IndexMapsPartitionTheMatrix) {
  const Context ctx = Context::mpi_world();
  const BlacsGrid grid(ctx);
  for (const Case& c : kCases) {
    BlockCyclicMatrix a(grid, c.n, c.n + 5, c.nb);  // rectangular on purpose
    EXPECT_EQ(a.local_rows(), numroc(c.n, c.nb, grid.myrow(), grid.nprow()));
    EXPECT_EQ(a.local_cols(), numroc(c.n + 5, c.nb, grid.mycol(), grid.npcol()));
    EXPECT_EQ(a.descriptor()[2], c.n);
    EXPECT_EQ(a.descriptor()[3], c.n + 5);
    EXPECT_EQ(a.descriptor()[4], c.nb);
    EXPECT_EQ(a.descriptor()[8], std::max<std::int64_t>(1, a.local_rows()));
    std::int64_t owned = 0;
    for (std::int64_t j = 0; j < a.cols(); ++j) {
      for (std::int64_t i = 0; i < a.rows(); ++i) {
        if (!a.is_local(i, j)) continue;
        ++owned;
        EXPECT_EQ(a.owner_rank(i, j), ctx.rank());
        EXPECT_EQ(a.global_row(a.local_row(i)), i);
        EXPECT_EQ(a.global_col(a.local_col(j)), j);
        ASSERT_LT(a.local_row(i), a.local_rows());
        ASSERT_LT(a.local_col(j), a.local_cols());
      }
    }
    EXPECT_EQ(owned, a.local_size());
    // Every element is owned exactly once over all ranks.
    EXPECT_EQ(ctx.sum(owned), c.n * (c.n + 5));
    std::int64_t visited = 0;
    a.for_each_local([&](std::int64_t i, std::int64_t j, double& v) {
      v = static_cast<double>(i * 1000 + j);
      ++visited;
    });
    EXPECT_EQ(visited, a.local_size());
    for (std::int64_t lj = 0; lj < a.local_cols(); ++lj) {
      for (std::int64_t li = 0; li < a.local_rows(); ++li) {
        EXPECT_EQ(a.local(li, lj), static_cast<double>(a.global_row(li) * 1000 + a.global_col(lj)));
      }
    }
  }
}

TEST(RowPlacement, ScatterRowsPlacesEveryElementExactly) {
  const Context ctx = Context::mpi_world();
  const BlacsGrid grid(ctx);
  for (const Case& c : kCases) {
    for (const bool leave_last_empty : {false, true}) {
      const std::vector<double> full = random_matrix(c.n, 11, false);
      const auto rows = rows_of_rank(c.n, ctx.rank(), ctx.size(), leave_last_empty);
      const auto data = take_rows(full, c.n, rows);
      BlockCyclicMatrix a(grid, c.n, c.n, c.nb);
      a.fill(-7.0);
      scatter_rows(a, rows, data.data());
      std::int64_t mismatches = 0;
      a.for_each_local(
          [&](std::int64_t i, std::int64_t j, double& v) { mismatches += v != full[i + j * c.n]; });
      EXPECT_EQ(ctx.sum(mismatches), 0) << "n " << c.n << " nb " << c.nb;
    }
  }
}

TEST(RowPlacement, RoundtripIsExactWithRoundsAndRepeats) {
  const Context ctx = Context::mpi_world();
  const BlacsGrid grid(ctx);
  for (const Case& c : kCases) {
    const std::vector<double> full = random_matrix(c.n, 12, false);
    const auto rows = rows_of_rank(c.n, ctx.rank(), ctx.size(), true);
    const auto data = take_rows(full, c.n, rows);
    // Rounds of at most 3 rows per rank: many exchange rounds.
    const std::int64_t three_rows = 3 * c.n * static_cast<std::int64_t>(sizeof(double));
    BlockCyclicMatrix a(grid, c.n, c.n, c.nb);
    scatter_rows(a, rows, data.data(), three_rows);
    // The same rows come back exactly...
    EXPECT_EQ(gather_rows(a, rows, three_rows), data);
    EXPECT_EQ(gather_rows(a, rows), data);
    // ... and any rank can ask for any rows, repeated and in any order.
    std::vector<std::int64_t> wanted = {c.n - 1, 0, c.n / 2, 0, static_cast<std::int64_t>(ctx.rank()) % c.n};
    EXPECT_EQ(gather_rows(a, wanted, 8), take_rows(full, c.n, wanted));
    EXPECT_EQ(gather_rows(a, all_rows(c.n)), take_rows(full, c.n, all_rows(c.n)));
    EXPECT_TRUE(gather_rows(a, {}).empty());
  }
}

TEST(RowPlacement, BadRowsFailOnEveryRank) {
  const Context ctx = Context::mpi_world();
  const BlacsGrid grid(ctx);
  const std::int64_t n = 37;
  BlockCyclicMatrix a(grid, n, n, 8);
  const std::vector<double> row(static_cast<std::size_t>(n), 1.0);
  // Only the last rank passes an index out of range: every rank must throw.
  std::vector<std::int64_t> rows;
  if (ctx.rank() == ctx.size() - 1) rows = {n};
  std::vector<double> data(rows.size() * static_cast<std::size_t>(n), 1.0);
  EXPECT_THROW(scatter_rows(a, rows, data.data()), ph3mpi::Error);
  // Every rank passes row 5 (a duplicate as soon as there are two ranks; on one rank
  // the rank passes it twice).
  const std::vector<std::int64_t> dup =
      ctx.size() > 1 ? std::vector<std::int64_t>{5} : std::vector<std::int64_t>{5, 5};
  std::vector<double> dup_data(dup.size() * static_cast<std::size_t>(n), 1.0);
  EXPECT_THROW(scatter_rows(a, dup, dup_data.data()), ph3mpi::Error);
  EXPECT_THROW(gather_rows(a, {ctx.is_root() ? -1 : 0}), ph3mpi::Error);
  // The matrix is still usable after the failed collectives.
  const auto mine = rows_of_rank(n, ctx.rank(), ctx.size(), false);
  std::vector<double> ones(mine.size() * static_cast<std::size_t>(n), 1.0);
  scatter_rows(a, mine, ones.data());
  EXPECT_EQ(gather_rows(a, mine), ones);
}

TEST(RowPlacement, ReplicatedSmallMatricesRoundtrip) {
  const Context ctx = Context::mpi_world();
  const BlacsGrid grid(ctx);
  for (const Case& c : kCases) {
    for (const std::int64_t k : {1, 3, 6}) {
      std::vector<double> x(static_cast<std::size_t>(c.n * k));
      for (std::size_t e = 0; e < x.size(); ++e) x[e] = std::sin(1.0 + static_cast<double>(e));
      const BlockCyclicMatrix xd = distribute_replicated(grid, c.n, k, x.data(), c.nb);
      EXPECT_EQ(gather_replicated(xd), x);
    }
  }
}

TEST(Symmetrize, ExactMeanOfTransposePairs) {
  const Context ctx = Context::mpi_world();
  const BlacsGrid grid(ctx);
  for (const Case& c : kCases) {
    const std::vector<double> full = random_matrix(c.n, 13, false);
    BlockCyclicMatrix a = scattered(grid, full, c);
    symmetrize(a);
    std::int64_t mismatches = 0;
    a.for_each_local([&](std::int64_t i, std::int64_t j, double& v) {
      mismatches += v != (full[i + j * c.n] + full[j + i * c.n]) / 2;
    });
    EXPECT_EQ(ctx.sum(mismatches), 0) << "n " << c.n << " nb " << c.nb;
  }
}

struct EigenDeviation {
  double eigenvalue = 0.0;  // max |w - w_ref| / max |w_ref|
  double residual = 0.0;    // max_l |A v_l - w_l v_l|_inf
  double orthonormality = 0.0;
};

EigenDeviation check_eigen(const BlacsGrid& grid, const Case& c, EigenSolver solver) {
  const std::vector<double> full = random_matrix(c.n, 21 + static_cast<std::uint64_t>(c.n), true);
  std::vector<double> w_ref;
  std::vector<double> v_ref;
  lapack_dsyevd(full, c.n, w_ref, v_ref);
  BlockCyclicMatrix a = scattered(grid, full, c);
  const SymmetricEigenSolution eig = solve_symmetric_eigen(a, solver);
  EigenDeviation dev;
  double norm = 0.0;
  for (const double w : w_ref) norm = std::max(norm, std::abs(w));
  for (std::int64_t l = 0; l < c.n; ++l)
    dev.eigenvalue = std::max(dev.eigenvalue, std::abs(eig.eigenvalues[l] - w_ref[l]));
  dev.eigenvalue /= norm;
  // Test only: all eigenvector rows on every rank (row-major: v[i * n + l] = V_il).
  const std::vector<double> v = gather_rows(eig.eigenvectors, all_rows(c.n));
  for (std::int64_t l = 0; l < c.n; ++l) {
    for (std::int64_t i = 0; i < c.n; ++i) {
      double av = 0.0;
      for (std::int64_t j = 0; j < c.n; ++j) av += full[i + j * c.n] * v[j * c.n + l];
      dev.residual = std::max(dev.residual, std::abs(av - eig.eigenvalues[l] * v[i * c.n + l]));
    }
    for (std::int64_t m = 0; m <= l; ++m) {
      double dot = 0.0;
      for (std::int64_t i = 0; i < c.n; ++i) dot += v[i * c.n + l] * v[i * c.n + m];
      dev.orthonormality = std::max(dev.orthonormality, std::abs(dot - (l == m ? 1.0 : 0.0)));
    }
  }
  return dev;
}

void run_eigen_cases(EigenSolver solver) {
  const Context ctx = Context::mpi_world();
  const BlacsGrid grid(ctx);
  for (const Case& c : kCases) {
    const EigenDeviation dev = check_eigen(grid, c, solver);
    EXPECT_LE(dev.eigenvalue, 1e-12) << "n " << c.n << " nb " << c.nb;
    EXPECT_LE(dev.residual, 1e-10) << "n " << c.n << " nb " << c.nb;
    EXPECT_LE(dev.orthonormality, 1e-10) << "n " << c.n << " nb " << c.nb;
    if (ctx.is_root()) {
      std::cout << "[ " << eigen_solver_name(solver) << " ] " << ctx.size() << " ranks n " << c.n << " nb "
                << c.nb << ": eigenvalues vs dsyevd " << dev.eigenvalue << " (rel. to max|w|), |Av-wv| "
                << dev.residual << ", |V^TV-1| " << dev.orthonormality << "\n";
    }
  }
}

TEST(SymmetricEigen, PdsyevdMatchesLapackDsyevd) { run_eigen_cases(EigenSolver::kPdsyevd); }
TEST(SymmetricEigen, PdsyevrMatchesLapackDsyevd) { run_eigen_cases(EigenSolver::kPdsyevr); }

TEST(SymmetricEigen, UpperTriangleAndSolverNames) {
  const Context ctx = Context::mpi_world();
  const BlacsGrid grid(ctx);
  const Case c{37, 8};
  const std::vector<double> full = random_matrix(c.n, 5, true);
  // Only the upper triangle holds the matrix: the lower one is garbage.
  std::vector<double> upper = full;
  for (std::int64_t j = 0; j < c.n; ++j) {
    for (std::int64_t i = j + 1; i < c.n; ++i) upper[i + j * c.n] = 1e3;
  }
  std::vector<double> w_ref;
  std::vector<double> v_ref;
  lapack_dsyevd(full, c.n, w_ref, v_ref);
  for (const EigenSolver solver : {EigenSolver::kPdsyevd, EigenSolver::kPdsyevr}) {
    BlockCyclicMatrix a = scattered(grid, upper, c);
    const auto eig = solve_symmetric_eigen(a, solver, Triangle::kUpper);
    for (std::int64_t l = 0; l < c.n; ++l)
      EXPECT_NEAR(eig.eigenvalues[l], w_ref[l], 1e-12 * std::abs(w_ref.back()));
  }
  EXPECT_EQ(eigen_solver_from_name("pdsyevr"), EigenSolver::kPdsyevr);
  EXPECT_EQ(eigen_solver_from_name("pdsyevd"), EigenSolver::kPdsyevd);
  EXPECT_THROW(eigen_solver_from_name("dsyev"), ph3mpi::Error);
  BlockCyclicMatrix rect(grid, 4, 5, 2);
  EXPECT_THROW(solve_symmetric_eigen(rect), ph3mpi::Error);
  EXPECT_THROW(symmetrize(rect), ph3mpi::Error);
}

// Y = V f(L) V^T X with f = 1/w for |w| > cutoff, 0 otherwise: the pseudo-inverse of
// a symmetric matrix applied to k = 3 replicated vectors, from two products with the
// distributed eigenvectors, against the same formula on LAPACK's whole-matrix
// eigenvectors.
TEST(Products, PseudoInverseAppliedToReplicatedBlock) {
  const Context ctx = Context::mpi_world();
  const BlacsGrid grid(ctx);
  double worst = 0.0;
  for (const Case& c : kCases) {
    const std::int64_t n = c.n;
    const std::int64_t k = 3;
    const std::vector<double> full = random_matrix(n, 31, true);
    std::vector<double> w_ref;
    std::vector<double> v_ref;
    lapack_dsyevd(full, n, w_ref, v_ref);
    // A cutoff in the widest gap of |w| among the smaller half, so that a few modes
    // are dropped and no eigenvalue sits near the cutoff.
    std::vector<double> abs_w(w_ref.size());
    for (std::size_t l = 0; l < w_ref.size(); ++l) abs_w[l] = std::abs(w_ref[l]);
    std::sort(abs_w.begin(), abs_w.end());
    std::size_t q = static_cast<std::size_t>(n / 8);
    for (std::size_t p = q; p < static_cast<std::size_t>(n / 2); ++p) {
      if (abs_w[p + 1] - abs_w[p] > abs_w[q + 1] - abs_w[q]) q = p;
    }
    const double cutoff = (abs_w[q] + abs_w[q + 1]) / 2;
    std::vector<double> x(static_cast<std::size_t>(n * k));
    for (std::size_t e = 0; e < x.size(); ++e) x[e] = std::cos(0.3 * static_cast<double>(e));
    auto f = [&](double w) { return std::abs(w) > cutoff ? 1.0 / w : 0.0; };

    std::vector<double> y_ref(static_cast<std::size_t>(n * k), 0.0);
    for (std::int64_t l = 0; l < n; ++l) {
      for (std::int64_t col = 0; col < k; ++col) {
        double proj = 0.0;
        for (std::int64_t i = 0; i < n; ++i) proj += v_ref[i + l * n] * x[i + col * n];
        for (std::int64_t i = 0; i < n; ++i) y_ref[i + col * n] += v_ref[i + l * n] * f(w_ref[l]) * proj;
      }
    }

    BlockCyclicMatrix a = scattered(grid, full, c);
    const auto eig = solve_symmetric_eigen(a);
    std::vector<double> proj = multiply_replicated(eig.eigenvectors, Transpose::kYes, x.data(), k);  // V^T X
    ASSERT_EQ(proj.size(), static_cast<std::size_t>(n * k));
    for (std::int64_t col = 0; col < k; ++col) {
      for (std::int64_t l = 0; l < n; ++l) proj[l + col * n] *= f(eig.eigenvalues[l]);
    }
    const std::vector<double> y = multiply_replicated(eig.eigenvectors, Transpose::kNo, proj.data(), k);
    double scale = 0.0;
    double diff = 0.0;
    for (std::size_t e = 0; e < y.size(); ++e) {
      scale = std::max(scale, std::abs(y_ref[e]));
      diff = std::max(diff, std::abs(y[e] - y_ref[e]));
    }
    EXPECT_LE(diff / scale, 1e-10) << "n " << n << " nb " << c.nb;
    worst = std::max(worst, diff / scale);
    // Every rank holds the same replicated result.
    EXPECT_EQ(ctx.max(y[0]), ctx.min(y[0]));
  }
  if (ctx.is_root())
    std::cout << "[ pinv ] " << ctx.size() << " ranks: max rel. deviation of Y " << worst << "\n";
}

TEST(Products, MatvecAndGemmMatchWholeMatrix) {
  const Context ctx = Context::mpi_world();
  const BlacsGrid grid(ctx);
  for (const Case& c : kCases) {
    const std::int64_t n = c.n;
    const std::vector<double> full = random_matrix(n, 41, false);
    const std::vector<double> other = random_matrix(n, 42, false);
    std::vector<double> x(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) x[i] = 1.0 / (1.0 + static_cast<double>(i));
    const BlockCyclicMatrix a = scattered(grid, full, c);
    const BlockCyclicMatrix b = scattered(grid, other, c);
    for (const Transpose t : {Transpose::kNo, Transpose::kYes}) {
      const std::vector<double> y = matvec_replicated(a, t, x.data());
      const std::vector<double> y3 = multiply_replicated(a, t, x.data(), 1);
      for (std::int64_t i = 0; i < n; ++i) {
        double ref = 0.0;
        for (std::int64_t j = 0; j < n; ++j)
          ref += (t == Transpose::kNo ? full[i + j * n] : full[j + i * n]) * x[j];
        EXPECT_NEAR(y[i], ref, 1e-13 * static_cast<double>(n));
        EXPECT_NEAR(y3[i], ref, 1e-13 * static_cast<double>(n));
      }
    }
    // The symmetrized product (A + A^T) P / 2 for three columns, replicated and equal
    // on every rank (the CG solver's matrix-vector product).
    const std::int64_t k = 3;
    const std::vector<double> p = random_matrix(n, 43, false);  // first n k entries used
    const std::vector<double> sp = symmetric_product_replicated(a, p.data(), k);
    ASSERT_EQ(sp.size(), static_cast<std::size_t>(n * k));
    double sym_diff = 0.0;
    for (std::int64_t col = 0; col < k; ++col) {
      for (std::int64_t i = 0; i < n; ++i) {
        double ref = 0.0;
        for (std::int64_t j = 0; j < n; ++j)
          ref += 0.5 * (full[i + j * n] + full[j + i * n]) * p[j + col * n];
        sym_diff = std::max(sym_diff, std::abs(sp[i + col * n] - ref));
      }
    }
    EXPECT_LE(sym_diff, 1e-13 * static_cast<double>(n));
    EXPECT_EQ(ctx.max(sp[0]), ctx.min(sp[0]));
    BlockCyclicMatrix cmat(grid, n, n, c.nb);
    cmat.fill(1.0);
    gemm(Transpose::kYes, Transpose::kNo, 2.0, a, b, 0.5, cmat);  // 2 A^T B + 0.5
    const std::vector<double> got = gather_replicated(cmat);
    double diff = 0.0;
    for (std::int64_t j = 0; j < n; ++j) {
      for (std::int64_t i = 0; i < n; ++i) {
        double ref = 0.5;
        for (std::int64_t l = 0; l < n; ++l) ref += 2.0 * full[l + i * n] * other[l + j * n];
        diff = std::max(diff, std::abs(got[i + j * n] - ref));
      }
    }
    EXPECT_LE(diff, 1e-13 * static_cast<double>(n));
  }
}

// No rank allocates the whole matrix: per-rank accounting of block-cyclic storage
// while rows are placed (rows come from a formula, the test never builds the whole
// matrix), then through symmetrization and the eigensolver.
TEST(Memory, NoRankAllocatesTheWholeMatrix) {
  const Context ctx = Context::mpi_world();
  const BlacsGrid grid(ctx);
  const int p = ctx.size();
  for (const Case& c : std::vector<Case>{{130, 16}, {600, 64}}) {
    const std::int64_t n = c.n;
    const std::int64_t total = n * n * static_cast<std::int64_t>(sizeof(double));
    // One extra block row and column per rank: the partial-block imbalance.
    const std::int64_t block_overhead = (2 * n * c.nb + std::int64_t{c.nb} * c.nb) * 8;
    auto element = [n](std::int64_t i, std::int64_t j) {
      return std::sin(0.001 * static_cast<double>(i * n + j)) +
             std::sin(0.001 * static_cast<double>(j * n + i));
    };
    const auto rows = rows_of_rank(n, ctx.rank(), p, false);
    std::vector<double> data;
    data.reserve(rows.size() * static_cast<std::size_t>(n));
    for (const std::int64_t i : rows) {
      for (std::int64_t j = 0; j < n; ++j) data.push_back(element(i, j));
    }

    ASSERT_EQ(matrix_memory().current(), 0) << "a block-cyclic matrix leaked from an earlier test";
    matrix_memory().reset_peak();
    const std::int64_t workspace_before = workspace_memory().current();
    workspace_memory().reset_peak();
    {
      BlockCyclicMatrix a(grid, n, n, c.nb);
      scatter_rows(a, rows, data.data());
      const std::int64_t placed_peak = matrix_memory().peak();
      const std::int64_t placed_workspace = workspace_memory().peak() - workspace_before;
      EXPECT_EQ(placed_peak, a.local_bytes());
      EXPECT_LE(placed_peak, total / p * 3 / 2 + block_overhead);
      if (p > 1) {
        EXPECT_LT(placed_peak, total);
      }
      // The only work array of the placement: the list of all row indices.
      EXPECT_LE(placed_workspace, n * 8);
      std::int64_t mismatches = 0;
      a.for_each_local([&](std::int64_t i, std::int64_t j, double& v) { mismatches += v != element(i, j); });
      EXPECT_EQ(ctx.sum(mismatches), 0);

      symmetrize(a);
      const std::int64_t symmetrize_peak = matrix_memory().peak();
      EXPECT_LE(symmetrize_peak, 2 * a.local_bytes());
      workspace_memory().reset_peak();
      const auto eig = solve_symmetric_eigen(a);
      const std::int64_t eigen_peak = matrix_memory().peak();
      const std::int64_t eigen_workspace = workspace_memory().peak() - workspace_before;
      EXPECT_EQ(eigen_peak, 2 * a.local_bytes());  // A + eigenvectors
      const EigenMemoryEstimate estimate =
          estimate_eigen_memory(n, c.nb, grid.shape(), EigenSolver::kPdsyevd);
      EXPECT_EQ(ctx.max(a.local_bytes()), estimate.matrix_bytes);
      const std::int64_t max_placed = ctx.max(placed_peak);
      const std::int64_t max_eigen = ctx.max(eigen_peak + eigen_workspace);
      const std::int64_t max_workspace = ctx.max(eigen_workspace);
      if (ctx.is_root()) {
        std::cout << "[ memory ] " << p << " ranks n " << n << " nb " << c.nb << ": whole matrix " << total
                  << " B; max per-rank block after placement " << max_placed << " B ("
                  << static_cast<double>(max_placed) / static_cast<double>(total)
                  << " of whole); eigensolve peak " << max_eigen << " B (matrices "
                  << 2 * estimate.matrix_bytes << " + work " << max_workspace << "), estimate "
                  << estimate.total_bytes() << " B\n";
      }
      // The workspace query may ask for more than the documented minimum the
      // estimate uses, but not for more than another local block.
      EXPECT_LE(max_workspace, estimate.workspace_bytes + estimate.matrix_bytes);
    }
    EXPECT_EQ(matrix_memory().current(), 0);
    EXPECT_EQ(workspace_memory().current(), workspace_before);
  }
}

// Grids over sub-communicators: the world split in two halves, each solving its own
// problem at the same time.
TEST(BlacsGrid, SubCommunicatorGrids) {
  const Context world = Context::mpi_world();
  const Context ctx = world.split(world.rank() < (world.size() + 1) / 2 ? 0 : 1, world.rank());
  const BlacsGrid grid(ctx);
  EXPECT_EQ(grid.size(), (world.rank() < (world.size() + 1) / 2 ? (world.size() + 1) / 2 : world.size() / 2));
  const Case c{37 + 3 * (world.rank() < (world.size() + 1) / 2 ? 0 : 1), 8};
  const EigenDeviation dev = check_eigen(grid, c, EigenSolver::kPdsyevd);
  EXPECT_LE(dev.eigenvalue, 1e-12);
  EXPECT_LE(dev.residual, 1e-10);
}

}  // namespace
