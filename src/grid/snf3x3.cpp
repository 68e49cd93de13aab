// Smith normal form D = P A Q of a 3x3 integer matrix by unimodular elimination.
//
// The operation sequence follows phonopy's c/snf3x3.c step for step because the
// unimodular factors of an SNF are not unique and phono3py's grid numbering
// depends on P and Q. Row operations on A are accumulated into P (P <- L P);
// column operations are done as row operations on A^T and accumulated into a
// matrix that is transposed into Q at the end.
#include "ph3mpi/grid/snf3x3.hpp"

#include <utility>

namespace ph3mpi::grid {
namespace {

struct Work {
  Matrix3l A;
  Matrix3l P = Matrix3l::Identity();
  Matrix3l Qt = Matrix3l::Identity();  // accumulated column operations, transposed
};

// Which side an elimination acts on: rows of A (accumulate into P) or rows of A^T
// (columns of A, accumulate into Qt).
enum class Side { kRows, kColumns };

void apply(Work& w, const Matrix3l& L, Side side) {
  if (side == Side::kRows) {
    w.A = (L * w.A).eval();
    w.P = (L * w.P).eval();
  } else {
    w.A = (w.A * L.transpose()).eval();  // (L A^T)^T
    w.Qt = (L * w.Qt).eval();
  }
}

// Element (i, j) of A as seen from `side` (A itself or A^T).
std::int64_t at(const Work& w, Side side, int i, int j) {
  return side == Side::kRows ? w.A(i, j) : w.A(j, i);
}

Matrix3l swap_matrix(int r1, int r2) {
  Matrix3l L = Matrix3l::Identity();
  L(r1, r1) = 0;
  L(r2, r2) = 0;
  L(r1, r2) = 1;
  L(r2, r1) = 1;
  return L;
}

// Extended Euclid with non-negative remainders: g = a s + b t.
struct Gcd {
  std::int64_t g, s, t;
};
Gcd extended_gcd(std::int64_t a, std::int64_t b) {
  std::int64_t r0 = a, r1 = b, s0 = 1, s1 = 0, t0 = 0, t1 = 1;
  for (int iter = 0; iter < 1000; ++iter) {
    std::int64_t q = r0 / r1;
    std::int64_t r2 = r0 % r1;
    if (r2 < 0) {
      if (r1 > 0) {
        r2 += r1;
        q -= 1;
      }
      if (r1 < 0) {
        r2 -= r1;
        q += 1;
      }
    }
    const std::int64_t s2 = s0 - q * s1;
    const std::int64_t t2 = t0 - q * t1;
    r0 = r1;
    r1 = r2;
    s0 = s1;
    s1 = s2;
    t0 = t1;
    t1 = t2;
    if (r1 == 0) break;
  }
  return {r0, s0, t0};
}

// Unimodular L that turns (a at row i, b at row j) of one column into (gcd, 0).
Matrix3l zeroing_matrix(int i, int j, std::int64_t a, std::int64_t b) {
  const Gcd e = extended_gcd(a, b);
  Matrix3l L = Matrix3l::Identity();
  L(i, i) = e.s;
  L(i, j) = e.t;
  L(j, i) = -b / e.g;
  L(j, j) = a / e.g;
  return L;
}

// Zero column 0 below the pivot (on the chosen side).
void clear_first_column(Work& w, Side side) {
  int pivot = -1;
  for (int i = 0; i < 3; ++i) {
    if (at(w, side, i, 0) != 0) {
      pivot = i;
      break;
    }
  }
  if (pivot < 0) return;
  if (pivot > 0) apply(w, swap_matrix(0, pivot), side);
  for (int j = 1; j < 3; ++j) {
    if (at(w, side, j, 0) != 0) apply(w, zeroing_matrix(0, j, at(w, side, 0, 0), at(w, side, j, 0)), side);
  }
}

// Zero element (2,1) using rows 1 and 2 (on the chosen side).
void clear_second_column(Work& w, Side side) {
  if (at(w, side, 1, 1) == 0 && at(w, side, 2, 1) != 0) apply(w, swap_matrix(1, 2), side);
  if (at(w, side, 2, 1) != 0) apply(w, zeroing_matrix(1, 2, at(w, side, 1, 1), at(w, side, 2, 1)), side);
}

// First row and column reduced to the pivot; true when done.
bool reduce_first(Work& w) {
  clear_first_column(w, Side::kRows);
  clear_first_column(w, Side::kColumns);
  if (w.A(1, 0) == 0 && w.A(2, 0) == 0) return true;
  if (w.A(1, 0) % w.A(0, 0) == 0 && w.A(2, 0) % w.A(0, 0) == 0) {
    Matrix3l L = Matrix3l::Identity();
    L(1, 0) = -w.A(1, 0) / w.A(0, 0);
    L(2, 0) = -w.A(2, 0) / w.A(0, 0);
    apply(w, L, Side::kRows);
    return true;
  }
  return false;
}

// Lower-right 2x2 block reduced to diagonal; true when done.
bool reduce_second(Work& w) {
  clear_second_column(w, Side::kRows);
  clear_second_column(w, Side::kColumns);
  if (w.A(2, 1) == 0) return true;
  if (w.A(2, 1) % w.A(1, 1) == 0) {
    Matrix3l L = Matrix3l::Identity();
    L(2, 1) = -w.A(2, 1) / w.A(1, 1);
    apply(w, L, Side::kRows);
    return true;
  }
  return false;
}

void swap_diagonal_elements(Work& w, int i, int j) {
  apply(w, swap_matrix(i, j), Side::kRows);
  apply(w, swap_matrix(i, j), Side::kColumns);
}

void sort_diagonal(Work& w) {
  if (w.A(0, 0) > w.A(1, 1)) swap_diagonal_elements(w, 0, 1);
  if (w.A(1, 1) > w.A(2, 2)) swap_diagonal_elements(w, 1, 2);
  if (w.A(0, 0) > w.A(1, 1)) swap_diagonal_elements(w, 0, 1);
}

// When D_i does not divide D_j, add column j to column i so that the next
// elimination pass produces gcd(D_i, D_j) on the diagonal.
void disturb(Work& w, int i, int j) {
  if (w.A(j, j) % w.A(i, i) != 0) {
    Matrix3l L = Matrix3l::Identity();
    L(i, j) = 1;
    apply(w, L, Side::kColumns);
  }
}

std::int64_t determinant(const Matrix3l& a) {
  return a(0, 0) * (a(1, 1) * a(2, 2) - a(1, 2) * a(2, 1)) +
         a(0, 1) * (a(1, 2) * a(2, 0) - a(1, 0) * a(2, 2)) +
         a(0, 2) * (a(1, 0) * a(2, 1) - a(1, 1) * a(2, 0));
}

void finalize(Work& w) {
  for (int i = 0; i < 3; ++i) {
    if (w.A(i, i) < 0) {
      Matrix3l L = Matrix3l::Identity();
      L(i, i) = -1;
      apply(w, L, Side::kRows);
    }
  }
  sort_diagonal(w);
  disturb(w, 0, 1);
  reduce_first(w);
  sort_diagonal(w);
  disturb(w, 1, 2);
  reduce_second(w);
  if (determinant(w.P) < 0) {
    w.P = -w.P;
    w.Qt = -w.Qt;
  }
}

}  // namespace

std::optional<SmithNormalForm> snf3x3(const Matrix3l& A) {
  if (determinant(A) == 0) return std::nullopt;
  Work w;
  w.A = A;
  for (int iter = 0; iter < 100; ++iter) {
    if (reduce_first(w) && reduce_second(w)) {
      finalize(w);
      SmithNormalForm snf;
      snf.D_diag = w.A.diagonal();
      snf.P = w.P;
      snf.Q = w.Qt.transpose();
      return snf;
    }
  }
  return std::nullopt;
}

}  // namespace ph3mpi::grid
