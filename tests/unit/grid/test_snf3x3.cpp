// Smith normal form: phono3py's P and Q on known cases, and the defining
// properties on many integer matrices.
#include <gtest/gtest.h>

#include <cstdint>

#include "ph3mpi/grid/snf3x3.hpp"

namespace ph3mpi::grid {
namespace {

std::int64_t det3(const Matrix3l& a) {
  return a(0, 0) * (a(1, 1) * a(2, 2) - a(1, 2) * a(2, 1)) +
         a(0, 1) * (a(1, 2) * a(2, 0) - a(1, 0) * a(2, 2)) +
         a(0, 2) * (a(1, 0) * a(2, 1) - a(1, 1) * a(2, 0));
}

Matrix3l mat(std::initializer_list<std::int64_t> v) {
  Matrix3l m;
  auto it = v.begin();
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) m(i, j) = *it++;
  }
  return m;
}

void expect_valid_snf(const Matrix3l& A, const SmithNormalForm& s) {
  EXPECT_EQ(s.P * A * s.Q, Matrix3l(s.D_diag.asDiagonal())) << "A =\n" << A;
  EXPECT_EQ(det3(s.P), 1) << "A =\n" << A;
  EXPECT_EQ(std::abs(det3(s.Q)), 1) << "A =\n" << A;
  EXPECT_GT(s.D_diag.minCoeff(), 0) << "A =\n" << A;
  EXPECT_EQ(s.D_diag.prod(), std::abs(det3(A))) << "A =\n" << A;
}

// Si conventional-cell GRG (phono3py grid.hdf5 grg_mesh30 and phonopy's NaCl test).
TEST(Snf3x3, FccGeneralizedRegularGrid) {
  const Matrix3l A = mat({-6, 6, 6, 6, -6, 6, 6, 6, -6});
  const auto s = snf3x3(A);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->D_diag, Vector3l(6, 12, 12));
  EXPECT_EQ(s->P, mat({0, 0, -1, 0, -1, -1, -1, -1, -2}));
  EXPECT_EQ(s->Q, mat({0, -1, 0, 0, 1, -1, 1, 0, -1}));
  expect_valid_snf(A, *s);

  const auto s9 = snf3x3(mat({-9, 9, 9, 9, -9, 9, 9, 9, -9}));
  ASSERT_TRUE(s9);
  EXPECT_EQ(s9->D_diag, Vector3l(9, 18, 18));  // phonopy test_GridMatrix_with_symmetry
}

// phonopy test/phonon/test_snf3x3.py FIXED_CASES (C and Rust agree on them).
TEST(Snf3x3, PhonopyFixedCasesAreValid) {
  for (const Matrix3l& A : {mat({0, 16, 16, 16, 0, 16, 6, 6, 0}), mat({0, 5, 5, 2, 0, 2, 3, 3, 0}),
                            mat({2, 0, 0, 0, 3, 0, 0, 0, 5}), mat({1, 0, 0, 0, 1, 0, 0, 0, 1}),
                            mat({6, 0, 0, 0, 10, 0, 0, 0, 15})}) {
    const auto s = snf3x3(A);
    ASSERT_TRUE(s) << A;
    expect_valid_snf(A, *s);
  }
  const auto identity = snf3x3(Matrix3l::Identity());
  ASSERT_TRUE(identity);
  EXPECT_EQ(identity->P, Matrix3l::Identity());
  EXPECT_EQ(identity->Q, Matrix3l::Identity());
  // A diagonal matrix whose entries are not a divisor chain becomes one.
  const auto s = snf3x3(mat({2, 0, 0, 0, 3, 0, 0, 0, 5}));
  EXPECT_EQ(s->D_diag, Vector3l(1, 1, 30));
}

TEST(Snf3x3, SingularMatrixIsRejected) {
  EXPECT_FALSE(snf3x3(mat({1, 2, 3, 2, 4, 6, 0, 0, 1})));
  EXPECT_FALSE(snf3x3(Matrix3l::Zero()));
}

TEST(Snf3x3, RandomMatricesGiveValidForms) {
  std::uint64_t state = 12345;
  auto next = [&state]() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::int64_t>((state >> 33) % 41) - 20;
  };
  int tested = 0;
  while (tested < 500) {
    Matrix3l A;
    for (int i = 0; i < 9; ++i) A(i / 3, i % 3) = next();
    if (det3(A) == 0) continue;
    const auto s = snf3x3(A);
    ASSERT_TRUE(s) << A;
    expect_valid_snf(A, *s);
    ++tested;
  }
}

}  // namespace
}  // namespace ph3mpi::grid
