// The three contractions of fc3 with the mode eigenvectors, one index at a time
// (j0, then j1, then j2), in the order phono3py's get_fc3_e0 / get_fc3_sum use, so
// every element is the same sum in the same order. Complex arrays are kept as separate
// real and imaginary planes so that the inner loops vectorize.
#include "ph3mpi/interaction/reciprocal_to_normal.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "ph3mpi/common/error.hpp"

namespace ph3mpi::interaction {

namespace {

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define PH3MPI_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define PH3MPI_SIMD_CLONES
#endif

// C[m][0..n) = sum_{k < K} A[k][m] B[k][0..n) for the rows m < M with mask[m] != 0
// (complex, real and imaginary planes; leading dimensions lda, ldb, ldc). Rows not in
// the mask are left untouched.
PH3MPI_SIMD_CLONES
void at_b(const double* __restrict ar, const double* __restrict ai, std::size_t lda,
          const double* __restrict br, const double* __restrict bi, std::size_t ldb, double* __restrict cr,
          double* __restrict ci, std::size_t ldc, std::size_t K, std::size_t M, std::size_t n,
          const char* __restrict mask) {
  for (std::size_t m = 0; m < M; ++m) {
    if (!mask[m]) continue;
    double* __restrict xr = cr + m * ldc;
    double* __restrict xi = ci + m * ldc;
    for (std::size_t y = 0; y < n; ++y) {
      xr[y] = 0.0;
      xi[y] = 0.0;
    }
    for (std::size_t k = 0; k < K; ++k) {
      const double a_r = ar[k * lda + m], a_i = ai[k * lda + m];
      const double* __restrict yr = br + k * ldb;
      const double* __restrict yi = bi + k * ldb;
      for (std::size_t y = 0; y < n; ++y) {
        xr[y] += yr[y] * a_r - yi[y] * a_i;
        xi[y] += yr[y] * a_i + yi[y] * a_r;
      }
    }
  }
}

// c[0..n) = sum_{k < K} y_k a[k][0..n) (complex; y_k = (yr[k], yi[k]), rows of a at
// a + k lda): the same operations per element as at_b with the roles of the scalar and
// the row exchanged (y_k times a, in that order), so the bits of at_b's element
// sum_k B[k][m] A[k][y] with B = y.
PH3MPI_SIMD_CLONES
void scaled_rows_sum(const double* __restrict yr, const double* __restrict yi, const double* __restrict ar,
                     const double* __restrict ai, std::size_t lda, std::size_t K, std::size_t n,
                     double* __restrict cr, double* __restrict ci) {
  for (std::size_t x = 0; x < n; ++x) {
    cr[x] = 0.0;
    ci[x] = 0.0;
  }
  for (std::size_t k = 0; k < K; ++k) {
    const double y_r = yr[k], y_i = yi[k];
    const double* __restrict a_r = ar + k * lda;
    const double* __restrict a_i = ai + k * lda;
    for (std::size_t x = 0; x < n; ++x) {
      cr[x] += y_r * a_r[x] - y_i * a_i[x];
      ci[x] += y_r * a_i[x] + y_i * a_r[x];
    }
  }
}

// scaled_rows_sum for n = 8, the sums kept in registers over k (explicit 4-lane
// vectors: left to itself GCC vectorizes this over k, with gathers).
using Lanes4 = double __attribute__((vector_size(32)));
#define PH3MPI_LOAD4(name, pointer) \
  Lanes4 name;                      \
  std::memcpy(&name, pointer, sizeof name)
PH3MPI_SIMD_CLONES
void scaled_rows_sum8(const double* __restrict yr, const double* __restrict yi, const double* __restrict ar,
                      const double* __restrict ai, std::size_t lda, std::size_t K, double* __restrict cr,
                      double* __restrict ci) {
  Lanes4 sr0 = {}, sr1 = {}, si0 = {}, si1 = {};
  for (std::size_t k = 0; k < K; ++k) {
    const Lanes4 zero = {};
    const Lanes4 y_r = yr[k] + zero, y_i = yi[k] + zero;
    PH3MPI_LOAD4(a_r0, ar + k * lda);
    PH3MPI_LOAD4(a_r1, ar + k * lda + 4);
    PH3MPI_LOAD4(a_i0, ai + k * lda);
    PH3MPI_LOAD4(a_i1, ai + k * lda + 4);
    sr0 += y_r * a_r0 - y_i * a_i0;
    si0 += y_r * a_i0 + y_i * a_r0;
    sr1 += y_r * a_r1 - y_i * a_i1;
    si1 += y_r * a_i1 + y_i * a_r1;
  }
  std::memcpy(cr, &sr0, sizeof sr0);
  std::memcpy(cr + 4, &sr1, sizeof sr1);
  std::memcpy(ci, &si0, sizeof si0);
  std::memcpy(ci + 4, &si1, sizeof si1);
}

// Real and imaginary planes of rows x cols complex z, row r scaled by scale[r]
// (nullptr: 1, not multiplied).
PH3MPI_SIMD_CLONES
void split_scaled(const std::complex<double>* __restrict z, const double* __restrict scale, std::size_t rows,
                  std::size_t cols, double* __restrict re, double* __restrict im) {
  const double* __restrict zd = reinterpret_cast<const double*>(z);
  for (std::size_t r = 0; r < rows; ++r) {
    const double* __restrict from = zd + 2 * r * cols;
    double* __restrict to_re = re + r * cols;
    double* __restrict to_im = im + r * cols;
    if (scale == nullptr) {
      for (std::size_t c = 0; c < cols; ++c) {
        to_re[c] = from[2 * c];
        to_im[c] = from[2 * c + 1];
      }
    } else {
      const double w = scale[r];
      for (std::size_t c = 0; c < cols; ++c) {
        to_re[c] = from[2 * c] * w;
        to_im[c] = from[2 * c + 1] * w;
      }
    }
  }
}

// Row r (len elements) of the planes (sr, si) to (dr, di) + r * stride.
PH3MPI_SIMD_CLONES
void scatter_rows(const double* __restrict sr, const double* __restrict si, std::size_t rows, std::size_t len,
                  std::size_t stride, double* __restrict dr, double* __restrict di) {
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < len; ++c) {
      dr[r * stride + c] = sr[r * len + c];
      di[r * stride + c] = si[r * len + c];
    }
  }
}

// The same for n = 4.
PH3MPI_SIMD_CLONES
void scaled_rows_sum4(const double* __restrict yr, const double* __restrict yi, const double* __restrict ar,
                      const double* __restrict ai, std::size_t lda, std::size_t K, double* __restrict cr,
                      double* __restrict ci) {
  Lanes4 sr = {}, si = {};
  for (std::size_t k = 0; k < K; ++k) {
    const Lanes4 zero = {};
    const Lanes4 y_r = yr[k] + zero, y_i = yi[k] + zero;
    PH3MPI_LOAD4(a_r, ar + k * lda);
    PH3MPI_LOAD4(a_i, ai + k * lda);
    sr += y_r * a_r - y_i * a_i;
    si += y_r * a_i + y_i * a_r;
  }
  std::memcpy(cr, &sr, sizeof sr);
  std::memcpy(ci, &si, sizeof si);
}

}  // namespace

ReciprocalToNormal::ReciprocalToNormal(const std::vector<double>& masses,
                                       std::vector<std::int64_t> band_indices, double cutoff_frequency)
    : num_band_(3 * masses.size()),
      band_indices_(std::move(band_indices)),
      cutoff_frequency_(cutoff_frequency) {
  inv_sqrt_masses_.resize(num_band_);
  for (std::size_t a = 0; a < masses.size(); ++a) {
    if (!(masses[a] > 0.0)) {
      throw Error("reciprocal_to_normal: mass of atom " + std::to_string(a + 1) + " is not positive");
    }
    for (std::size_t c = 0; c < 3; ++c) inv_sqrt_masses_[3 * a + c] = 1.0 / std::sqrt(masses[a]);
  }
  for (const std::int64_t b : band_indices_) {
    if (b < 0 || static_cast<std::size_t>(b) >= num_band_) {
      throw Error("reciprocal_to_normal: band index " + std::to_string(b) + " outside [0, " +
                  std::to_string(num_band_) + ")");
    }
  }
}

bool ReciprocalToNormal::any_needed(const PhononView& phonons, const Triplet& triplet,
                                    const std::int8_t* g_zero) const {
  const std::size_t nb = num_band_;
  const double* f0 = phonons.frequencies_at(static_cast<std::size_t>(triplet[0]));
  const double* f1 = phonons.frequencies_at(static_cast<std::size_t>(triplet[1]));
  const double* f2 = phonons.frequencies_at(static_cast<std::size_t>(triplet[2]));
  const double cut = cutoff_frequency_;
  for (std::size_t i0 = 0; i0 < band_indices_.size(); ++i0) {
    if (!(f0[band_indices_[i0]] > cut)) continue;
    for (std::size_t j1 = 0; j1 < nb; ++j1) {
      if (!(f1[j1] > cut)) continue;
      const std::int8_t* gz = g_zero != nullptr ? g_zero + (i0 * nb + j1) * nb : nullptr;
      for (std::size_t j2 = 0; j2 < nb; ++j2) {
        if ((gz == nullptr || gz[j2] == 0) && f2[j2] > cut) return true;
      }
    }
  }
  return false;
}

void ReciprocalToNormal::run(const std::complex<double>* fc3_reciprocal, const PhononView& phonons,
                             const Triplet& triplet, const std::int8_t* g_zero, double* out, Workspace& ws,
                             bool parallel_inside) const {
  const std::size_t nb = num_band_;
  const std::size_t nb0 = band_indices_.size();
  const std::size_t nb2 = nb * nb;
  if (phonons.num_band != nb) {
    throw Error("reciprocal_to_normal: phonons have " + std::to_string(phonons.num_band) + " bands, fc3 " +
                std::to_string(nb));
  }
  for (const std::int64_t gp : triplet) {
    if (gp < 0 || static_cast<std::size_t>(gp) >= phonons.num_grid_points) {
      throw Error("reciprocal_to_normal: grid point " + std::to_string(gp) + " outside the " +
                  std::to_string(phonons.num_grid_points) + " phonon grid points");
    }
  }
  const double* f0 = phonons.frequencies_at(static_cast<std::size_t>(triplet[0]));
  const double* f1 = phonons.frequencies_at(static_cast<std::size_t>(triplet[1]));
  const double* f2 = phonons.frequencies_at(static_cast<std::size_t>(triplet[2]));
  const double cut = cutoff_frequency_;

  // Which (j0, j1) pairs are needed at all: skip the contractions for the rest.
  ws.need_pair.assign(nb0 * nb, 0);
  ws.need_row.assign(nb0, 0);
  for (std::size_t i0 = 0; i0 < nb0; ++i0) {
    if (!(f0[band_indices_[i0]] > cut)) continue;
    for (std::size_t j1 = 0; j1 < nb; ++j1) {
      if (!(f1[j1] > cut)) continue;
      const std::int8_t* gz = g_zero != nullptr ? g_zero + (i0 * nb + j1) * nb : nullptr;
      for (std::size_t j2 = 0; j2 < nb; ++j2) {
        if ((gz == nullptr || gz[j2] == 0) && f2[j2] > cut) {
          ws.need_pair[i0 * nb + j1] = 1;
          ws.need_row[i0] = 1;
          break;
        }
      }
    }
  }
  std::fill(out, out + nb0 * nb2, 0.0);
  if (std::none_of(ws.need_row.begin(), ws.need_row.end(), [](char c) { return c != 0; })) return;

  // Planes (real, then imaginary at + size): phi (b0; b1 b2); e0 (b0; i0) selected
  // columns; e1 (b1; j1); e2 (b2; j2); then the partial contractions, laid out so that
  // each step is a product C = A^T B with long rows:
  //   t1 (i0; b1 b2) = e0^T phi           -> x (b1; i0 b2)
  //   t2 (j1; i0 b2) = e1^T x
  //   Phi(i0, j1, j2) = sum_b2 t2(j1; i0 b2) e2(b2, j2)
  // Each element is summed over b0, b1, b2 in increasing order, as phono3py does, with
  // the operations of one dense product per index (the bits of commit 734e1dd's three
  // full products), but only over the needed part: rows i0 of t1 that are needed; in
  // row j1 of t2 the needed blocks (i0, j1), runs of consecutive ones as one product;
  // per needed block the span of the needed j2 (first to last). In a tetrahedron RTA run
  // (AlN 13x13x9) about half of the (i0, j1) blocks and a tenth of the elements are
  // needed.
  const std::size_t nm = nb0 * nb2;  // size of t1, x, t2
  ws.e0.resize(2 * nb * nb0);
  ws.e1.resize(2 * nb2);
  ws.e2.resize(2 * nb2);
  ws.t1.resize(2 * (nb * nb2 + 2 * nm));
  ws.t2.resize(2 * nm + 2 * nb0 * nb);
  double* e0r = ws.e0.data();
  double* e0i = e0r + nb * nb0;
  double* e1r = ws.e1.data();
  double* e1i = e1r + nb2;
  double* e2r = ws.e2.data();
  double* e2i = e2r + nb2;
  double* phr = ws.t1.data();
  double* phi = phr + nb * nb2;
  double* t1r = phi + nb * nb2;
  double* t1i = t1r + nm;
  double* xr = t1i + nm;
  double* xi = xr + nm;
  double* t2r = ws.t2.data();
  double* t2i = t2r + nm;
  double* vr = t2i + nm;  // [i0][j2]: Phi(i0, j1, .) of one block per i0
  double* vi = vr + nb0 * nb;

  const std::complex<double>* ev0 = phonons.eigenvectors_at(static_cast<std::size_t>(triplet[0]));
  const std::complex<double>* ev1 = phonons.eigenvectors_at(static_cast<std::size_t>(triplet[1]));
  const std::complex<double>* ev2 = phonons.eigenvectors_at(static_cast<std::size_t>(triplet[2]));
  for (std::size_t b = 0; b < nb; ++b) {
    const double w = inv_sqrt_masses_[b];
    for (std::size_t i0 = 0; i0 < nb0; ++i0) {
      const std::complex<double> z = ev0[b * nb + static_cast<std::size_t>(band_indices_[i0])];
      e0r[b * nb0 + i0] = z.real() * w;
      e0i[b * nb0 + i0] = z.imag() * w;
    }
  }
  split_scaled(ev1, inv_sqrt_masses_.data(), nb, nb, e1r, e1i);
  split_scaled(ev2, inv_sqrt_masses_.data(), nb, nb, e2r, e2i);
  split_scaled(fc3_reciprocal, nullptr, nb, nb2, phr, phi);

  const char one = 1;
  // t1 row i0, and its part of x (b1; i0 b2).
  const auto first = [&](std::size_t i0) {
    if (!ws.need_row[i0]) return;
    double* cr = t1r + i0 * nb2;
    double* ci = t1i + i0 * nb2;
    at_b(e0r + i0, e0i + i0, nb0, phr, phi, nb2, cr, ci, nb2, nb, 1, nb2, &one);
    scatter_rows(cr, ci, nb, nb, nb0 * nb, xr + i0 * nb, xi + i0 * nb);
  };
  // Row j1 of t2: each run of consecutive needed blocks in one product.
  const auto second = [&](std::size_t j1) {
    for (std::size_t lo = 0; lo < nb0;) {
      if (!ws.need_pair[lo * nb + j1]) {
        ++lo;
        continue;
      }
      std::size_t hi = lo + 1;
      while (hi < nb0 && ws.need_pair[hi * nb + j1]) ++hi;
      const std::size_t from = (j1 * nb0 + lo) * nb;
      at_b(e1r + j1, e1i + j1, nb, xr + lo * nb, xi + lo * nb, nb0 * nb, t2r + from, t2i + from, nm, nb, 1,
           (hi - lo) * nb, &one);
      lo = hi;
    }
  };
  // Phi(i0, j1, j2) of the needed blocks of row i0 over the span of their needed j2, and out.
  const auto third = [&](std::size_t i0) {
    if (!ws.need_row[i0]) return;
    const double freq0 = f0[band_indices_[i0]];
    double* v_r = vr + i0 * nb;
    double* v_i = vi + i0 * nb;
    for (std::size_t j1 = 0; j1 < nb; ++j1) {
      if (!ws.need_pair[i0 * nb + j1]) continue;
      const std::int8_t* gz = g_zero != nullptr ? g_zero + (i0 * nb + j1) * nb : nullptr;
      std::size_t lo = nb, hi = 0;
      for (std::size_t j2 = 0; j2 < nb; ++j2) {
        if ((gz == nullptr || gz[j2] == 0) && f2[j2] > cut) {
          lo = std::min(lo, j2);
          hi = j2 + 1;
        }
      }
      if (lo >= hi) continue;
      const std::size_t block = (j1 * nb0 + i0) * nb;
      if (nb >= 4) {
        // Chunks of 8 or 4 j2, each moved back inside [0, nb) where it would pass the end
        // (elements formed twice are the same sums).
        for (std::size_t s = lo; s < hi;) {
          if (nb >= 8 && hi - s > 4) {
            const std::size_t c = std::min(s, nb - 8);
            scaled_rows_sum8(t2r + block, t2i + block, e2r + c, e2i + c, nb, nb, v_r + c, v_i + c);
            s = c + 8;
          } else {
            const std::size_t c = std::min(s, nb - 4);
            scaled_rows_sum4(t2r + block, t2i + block, e2r + c, e2i + c, nb, nb, v_r + c, v_i + c);
            s = c + 4;
          }
        }
      } else {
        scaled_rows_sum(t2r + block, t2i + block, e2r + lo, e2i + lo, nb, nb, hi - lo, v_r + lo, v_i + lo);
      }
      double* o = out + (i0 * nb + j1) * nb;
      const double f01 = freq0 * f1[j1];
      for (std::size_t j2 = lo; j2 < hi; ++j2) {
        if ((gz != nullptr && gz[j2] != 0) || !(f2[j2] > cut)) continue;
        o[j2] = (v_r[j2] * v_r[j2] + v_i[j2] * v_i[j2]) / (f01 * f2[j2]);
      }
    }
  };
  if (parallel_inside) {
#pragma omp parallel
    {
#pragma omp for schedule(static)
      for (std::size_t i0 = 0; i0 < nb0; ++i0) first(i0);
#pragma omp for schedule(static)
      for (std::size_t j1 = 0; j1 < nb; ++j1) second(j1);
#pragma omp for schedule(static)
      for (std::size_t i0 = 0; i0 < nb0; ++i0) third(i0);
    }
  } else {
    for (std::size_t i0 = 0; i0 < nb0; ++i0) first(i0);
    for (std::size_t j1 = 0; j1 < nb; ++j1) second(j1);
    for (std::size_t i0 = 0; i0 < nb0; ++i0) third(i0);
  }
}

}  // namespace ph3mpi::interaction
