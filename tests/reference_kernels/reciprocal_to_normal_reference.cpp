// reciprocal -> normal of commit 734e1dd (see the header).
#include "reciprocal_to_normal_reference.hpp"

#include <algorithm>
#include <cmath>
#include <string>

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

struct ReferenceWorkspace {
  std::vector<double> e0, e1, e2, t1, t2;
  std::vector<char> need_row, need_pair;
};

}  // namespace

void reciprocal_to_normal_reference(const std::complex<double>* fc3_reciprocal,
                                    const std::vector<double>& masses,
                                    const std::vector<std::int64_t>& band_indices_, double cutoff_frequency_,
                                    const PhononView& phonons, const Triplet& triplet,
                                    const std::int8_t* g_zero, double* out, bool parallel_inside) {
  ReferenceWorkspace ws;
  std::vector<double> inv_sqrt_masses_;
  for (const double m : masses) inv_sqrt_masses_.insert(inv_sqrt_masses_.end(), 3, 1.0 / std::sqrt(m));
  const std::size_t num_band_ = 3 * masses.size();
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
  // each step is one product C = A^T B with long rows:
  //   t1 (i0; b1 b2) = e0^T phi           -> x (b1; i0 b2)
  //   t2 (j1; i0 b2) = e1^T x             -> y (b2; j1 i0)
  //   v  (j2; j1 i0) = e2^T y
  // Each element is summed over b0, b1, b2 in increasing order, as phono3py does.
  const std::size_t nm = nb0 * nb2;  // size of t1, x, t2, y, v
  ws.e0.resize(2 * nb * nb0);
  ws.e1.resize(2 * nb2);
  ws.e2.resize(2 * nb2);
  ws.t1.resize(2 * (nb * nb2 + 2 * nm));
  ws.t2.resize(2 * nm);
  double* e0r = ws.e0.data();
  double* e0i = e0r + nb * nb0;
  double* e1r = ws.e1.data();
  double* e1i = e1r + nb2;
  double* e2r = ws.e2.data();
  double* e2i = e2r + nb2;
  double* phr = ws.t1.data();
  double* phi = phr + nb * nb2;
  double* ar = phi + nb * nb2;  // t1, then t2
  double* ai = ar + nm;
  double* br = ai + nm;  // x, then y
  double* bi = br + nm;
  double* vr = ws.t2.data();
  double* vi = vr + nm;

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
    for (std::size_t j = 0; j < nb; ++j) {
      e1r[b * nb + j] = ev1[b * nb + j].real() * w;
      e1i[b * nb + j] = ev1[b * nb + j].imag() * w;
      e2r[b * nb + j] = ev2[b * nb + j].real() * w;
      e2i[b * nb + j] = ev2[b * nb + j].imag() * w;
    }
  }
  for (std::size_t x = 0; x < nb * nb2; ++x) {
    phr[x] = fc3_reciprocal[x].real();
    phi[x] = fc3_reciprocal[x].imag();
  }

  // C = A^T B, rows m of C independent: with parallel_inside the rows go to threads.
  const char one = 1;
  const auto product = [&](const double* a_r, const double* a_i, std::size_t lda, const double* b_r,
                           const double* b_i, double* c_r, double* c_i, std::size_t K, std::size_t M,
                           std::size_t n, const char* mask) {
    if (parallel_inside) {
#pragma omp parallel for schedule(static)
      for (std::size_t m = 0; m < M; ++m) {
        at_b(a_r + m, a_i + m, lda, b_r, b_i, n, c_r + m * n, c_i + m * n, n, K, 1, n,
             mask != nullptr ? mask + m : &one);
      }
    } else {
      std::vector<char> all;
      if (mask == nullptr) all.assign(M, 1);
      at_b(a_r, a_i, lda, b_r, b_i, n, c_r, c_i, n, K, M, n, mask != nullptr ? mask : all.data());
    }
  };
  // t1 = e0^T phi (rows i0 that are needed).
  product(e0r, e0i, nb0, phr, phi, ar, ai, nb, nb0, nb2, ws.need_row.data());
  // x(b1; i0 b2) = t1(i0; b1 b2); rows i0 not needed are zero.
  for (std::size_t i0 = 0; i0 < nb0; ++i0) {
    for (std::size_t b1 = 0; b1 < nb; ++b1) {
      for (std::size_t b2 = 0; b2 < nb; ++b2) {
        const std::size_t from = (i0 * nb + b1) * nb + b2, to = (b1 * nb0 + i0) * nb + b2;
        br[to] = ws.need_row[i0] ? ar[from] : 0.0;
        bi[to] = ws.need_row[i0] ? ai[from] : 0.0;
      }
    }
  }
  // t2 = e1^T x, then y(b2; j1 i0) = t2(j1; i0 b2).
  product(e1r, e1i, nb, br, bi, ar, ai, nb, nb, nb0 * nb, nullptr);
  for (std::size_t j1 = 0; j1 < nb; ++j1) {
    for (std::size_t i0 = 0; i0 < nb0; ++i0) {
      for (std::size_t b2 = 0; b2 < nb; ++b2) {
        const std::size_t from = (j1 * nb0 + i0) * nb + b2, to = (b2 * nb + j1) * nb0 + i0;
        br[to] = ar[from];
        bi[to] = ai[from];
      }
    }
  }
  // v = e2^T y: v(j2; j1 i0) = Phi(i0, j1, j2).
  product(e2r, e2i, nb, br, bi, vr, vi, nb, nb, nb * nb0, nullptr);

  for (std::size_t i0 = 0; i0 < nb0; ++i0) {
    if (!ws.need_row[i0]) continue;
    const double freq0 = f0[band_indices_[i0]];
    for (std::size_t j1 = 0; j1 < nb; ++j1) {
      if (!ws.need_pair[i0 * nb + j1]) continue;
      const std::int8_t* gz = g_zero != nullptr ? g_zero + (i0 * nb + j1) * nb : nullptr;
      double* o = out + (i0 * nb + j1) * nb;
      const double f01 = freq0 * f1[j1];
      for (std::size_t j2 = 0; j2 < nb; ++j2) {
        if ((gz != nullptr && gz[j2] != 0) || !(f2[j2] > cut)) continue;
        const std::size_t x = (j2 * nb + j1) * nb0 + i0;
        o[j2] = (vr[x] * vr[x] + vi[x] * vi[x]) / (f01 * f2[j2]);
      }
    }
  }
}

}  // namespace ph3mpi::interaction
