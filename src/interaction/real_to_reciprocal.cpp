// fc3 real -> reciprocal space as a lattice Fourier sum (header has the formula).
//
// Derivation (phono3py real_to_reciprocal_r0_average). For the block of primitive atoms
// (i, j, k), element (l, m, n), with F_a(J, K) the fc3 block of anchor a and supercell
// atoms J, K, S_a(J, K) the all_shortest flag, G = q0 + q1 + q2 (a reciprocal lattice
// vector) and e_a = e^{2 pi i G.d_a} (phono3py's pre-phase of atom a):
//
//   3 Phi = e_i sum_{J in j, K in k} (1 + 2 S_i) P1(i,J) P2(i,K) F_i(J,K)[l m n]   (leg 1)
//         + e_j sum_{I in i, K in k} (1 - S_j) P0(j,I) P2(j,K) F_j(I,K)[m l n]   (leg 2)
//         + e_k sum_{J in j, I in i} (1 - S_k) P1(k,J) P0(k,I) F_k(J,I)[n m l]   (leg 3)
//
// where P_x(a, J) = (1/m) sum_s e^{2 pi i q_x.s} over the m shortest vectors s from a to
// J. A shortest vector from a to an image of atom j is s = L_s + d_j - d_a with L_s an
// integer (lattice) vector. With q2 = G - q0 - q1 and G.L_s an integer,
//   e^{2 pi i q2.s'} = e^{2 pi i G.(d_k - d_a)} e^{-2 pi i q0.s'} e^{-2 pi i q1.(L_s' + d_k - d_a)}
// for s' from a to an image of k, and e_a e^{2 pi i G.(d_k - d_a)} = e_k, so every leg
// carries the same triplet factor f = e_k e^{2 pi i q1.(d_j - d_k)}:
//   leg 1: e_i P1(i,J) P2(i,K) = f sum_{s,s'} e^{2 pi i q1.(L_s - L_s')} e^{-2 pi i q0.s'} / (m m')
//   leg 2: e_j P2(j,K)         = f sum_{s'} e^{2 pi i q1.(-L_s')} e^{-2 pi i q0.s'} / m'
//   leg 3: e_k P1(k,J)         = f sum_{s} e^{2 pi i q1.L_s} / m
// Collecting the terms by their lattice vector L:
//
//   3 Phi = e_k e^{2 pi i q1.(d_j - d_k)} sum_L e^{2 pi i q1.L} W_ijk(L)[l m n],
//   W_ijk(L) = sum_{J, K, s, s': L_s - L_s' = L} (1 + 2 S_i) e^{-2 pi i q0.s'} / (m m') F_i(J,K)[l m n]
//            + sum_{I, K, s': -L_s' = L} (1 - S_j) P0(j,I) e^{-2 pi i q0.s'} / m' F_j(I,K)[m l n]
//            + sum_{J, I, s: L_s = L} (1 - S_k) P0(k,I) / m F_k(J,I)[n m l].
//
// W depends on q0 only (prepare_q0, O(N^2) once per grid point). Per triplet the sum
// over the distinct L of each block remains; over a batch of triplets t it is the
// matrix product X_ijk[t][lmn] = sum_L E[t][L] W_ijk[L][lmn], E[t][L] = e^{2 pi i q1_t.L}.
// q1.L = sum_l a_l (Q^T L)_l / D_l for the BZ address a of q1, so E comes from integer
// arithmetic and a table of D_l-th roots of unity. Without make_r0_average only leg 1
// is used, with weight 1 and without the factor 1/3 (phono3py's legacy path).
#include "ph3mpi/interaction/real_to_reciprocal.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/units.hpp"

namespace ph3mpi::interaction {

namespace {

using Complex = std::complex<double>;
constexpr std::size_t kNumElem = 27;  // elements of a 3x3x3 fc3 block
// Rows of W and of the products hold kStride real parts, then kStride imaginary parts
// (27 used): whole SIMD registers in the product kernels below.
constexpr std::size_t kStride = 32;
// W rows per pass over the triplets of a batch (16 rows = 8 KB stay in L1).
constexpr std::size_t kRowChunk = 16;

// The hot loops are compiled for several instruction sets and picked once per machine
// at load time (GCC function multiversioning); the clones with FMA contract a*b + c, so
// the last bits depend on the machine, not on threads or batching.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define PH3MPI_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define PH3MPI_SIMD_CLONES
#endif

// The batch's complex matrix product X[t][e] += sum_r E[t][r] W[r][e] over a chunk of n
// rows of W, for two triplets (phases ea, eb as real and imaginary planes) or one.
// Every element is the same sequence of operations in both kernels and for any chunking
// of the rows (partial sums pass through memory unchanged), so a triplet's result does
// not depend on the batch around it. This is a ZGEMM of shape 27 x batch x rows; the
// linked BLAS is not called for it because OpenBLAS (pthreads build, Debian's default)
// runs complex products above m n k = 32768 on its own threads: the last bits then
// depend on the batch (measured: tests failed with OPENBLAS_NUM_THREADS=2), and inside
// our OpenMP threads the cores are oversubscribed (measured 2-4x slower at 2 threads).
// bench/bench_interaction prints this kernel's rate next to OpenBLAS ZGEMM's.
PH3MPI_SIMD_CLONES
void product_two(const double* __restrict w, std::size_t n, const double* __restrict ear,
                 const double* __restrict eai, const double* __restrict ebr, const double* __restrict ebi,
                 double* __restrict xa, double* __restrict xb) {
  double ar[kStride], ai[kStride], br[kStride], bi[kStride];
  for (std::size_t e = 0; e < kStride; ++e) {
    ar[e] = xa[e];
    ai[e] = xa[kStride + e];
    br[e] = xb[e];
    bi[e] = xb[kStride + e];
  }
  for (std::size_t r = 0; r < n; ++r) {
    const double* wr = w + r * 2 * kStride;
    const double* wi = wr + kStride;
    const double pr = ear[r], pi = eai[r], qr = ebr[r], qi = ebi[r];
    for (std::size_t e = 0; e < kStride; ++e) {
      ar[e] += pr * wr[e];
      ar[e] -= pi * wi[e];
      ai[e] += pr * wi[e];
      ai[e] += pi * wr[e];
      br[e] += qr * wr[e];
      br[e] -= qi * wi[e];
      bi[e] += qr * wi[e];
      bi[e] += qi * wr[e];
    }
  }
  for (std::size_t e = 0; e < kStride; ++e) {
    xa[e] = ar[e];
    xa[kStride + e] = ai[e];
    xb[e] = br[e];
    xb[kStride + e] = bi[e];
  }
}

PH3MPI_SIMD_CLONES
void product_one(const double* __restrict w, std::size_t n, const double* __restrict ear,
                 const double* __restrict eai, double* __restrict xa) {
  double ar[kStride], ai[kStride];
  for (std::size_t e = 0; e < kStride; ++e) {
    ar[e] = xa[e];
    ai[e] = xa[kStride + e];
  }
  for (std::size_t r = 0; r < n; ++r) {
    const double* wr = w + r * 2 * kStride;
    const double* wi = wr + kStride;
    const double pr = ear[r], pi = eai[r];
    for (std::size_t e = 0; e < kStride; ++e) {
      ar[e] += pr * wr[e];
      ar[e] -= pi * wi[e];
      ai[e] += pr * wi[e];
      ai[e] += pi * wr[e];
    }
  }
  for (std::size_t e = 0; e < kStride; ++e) {
    xa[e] = ar[e];
    xa[kStride + e] = ai[e];
  }
}

// Segmented products for the separable sums: x_t[k] = sum_{r in segment k} e_t[r] w[r]
// for consecutive segments of rows (segment k: rows start[k] - start[0] .. start[k + 1] -
// start[0] of w and e), results to x_t + k * 2 kStride, for two t (planar phases ea, eb)
// or one. The same operation sequence per element as product_two/product_one from zero.
PH3MPI_SIMD_CLONES
void segmented_two(const double* __restrict w, const std::size_t* start, std::size_t segments,
                   const double* __restrict ear, const double* __restrict eai, const double* __restrict ebr,
                   const double* __restrict ebi, double* __restrict xa, double* __restrict xb) {
  const std::size_t base = start[0];
  for (std::size_t k = 0; k < segments; ++k) {
    double ar[kStride] = {}, ai[kStride] = {}, br[kStride] = {}, bi[kStride] = {};
    for (std::size_t r = start[k] - base; r < start[k + 1] - base; ++r) {
      const double* wr = w + r * 2 * kStride;
      const double* wi = wr + kStride;
      const double pr = ear[r], pi = eai[r], qr = ebr[r], qi = ebi[r];
      for (std::size_t e = 0; e < kStride; ++e) {
        ar[e] += pr * wr[e];
        ar[e] -= pi * wi[e];
        ai[e] += pr * wi[e];
        ai[e] += pi * wr[e];
        br[e] += qr * wr[e];
        br[e] -= qi * wi[e];
        bi[e] += qr * wi[e];
        bi[e] += qi * wr[e];
      }
    }
    double* ya = xa + k * 2 * kStride;
    double* yb = xb + k * 2 * kStride;
    for (std::size_t e = 0; e < kStride; ++e) {
      ya[e] = ar[e];
      ya[kStride + e] = ai[e];
      yb[e] = br[e];
      yb[kStride + e] = bi[e];
    }
  }
}

PH3MPI_SIMD_CLONES
void segmented_one(const double* __restrict w, const std::size_t* start, std::size_t segments,
                   const double* __restrict ear, const double* __restrict eai, double* __restrict xa) {
  const std::size_t base = start[0];
  for (std::size_t k = 0; k < segments; ++k) {
    double ar[kStride] = {}, ai[kStride] = {};
    for (std::size_t r = start[k] - base; r < start[k + 1] - base; ++r) {
      const double* wr = w + r * 2 * kStride;
      const double* wi = wr + kStride;
      const double pr = ear[r], pi = eai[r];
      for (std::size_t e = 0; e < kStride; ++e) {
        ar[e] += pr * wr[e];
        ar[e] -= pi * wi[e];
        ai[e] += pr * wi[e];
        ai[e] += pi * wr[e];
      }
    }
    double* ya = xa + k * 2 * kStride;
    for (std::size_t e = 0; e < kStride; ++e) {
      ya[e] = ar[e];
      ya[kStride + e] = ai[e];
    }
  }
}

// Plain complex product (std::complex's operator* checks for infinities and NaNs).
inline Complex mul(const Complex& a, const Complex& b) {
  return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}

inline Complex unit_phase(double turns) {
  const double phase = 2 * units::kPi * turns;
  return {std::cos(phase), std::sin(phase)};
}

// dst += coef * f for a row dst of W (kStride real parts, then kStride imaginary parts)
// and a padded fc3 block f.
inline void add_block(const double* __restrict f, Complex coef, double* __restrict dst) {
  const double cr = coef.real(), ci = coef.imag();
  for (std::size_t e = 0; e < kStride; ++e) {
    dst[e] += cr * f[e];
    dst[kStride + e] += ci * f[e];
  }
}

// Everything prepare_q0 needs to build the rows of W of one block (i, j, k).
// Everything prepare_q0 needs to build the rows of W of one block (i, j, k).
struct BlockInput {
  std::size_t n_p, n_s, n_c, i, j, k;
  bool r0_average;
  const std::size_t* pair_index;  // RealToReciprocal::pair_index_
  const detail::AtomPair* pairs;
  const std::array<std::int64_t, 2>* multi;  // [a][u] {count, first shortest vector}
  const double* inv_multi;                   // [a][u] 1 / count
  const double* fc3;                         // [pair][kStride]
  const Complex* phi_m;                      // [shortest vector] e^{-2 pi i q0.s} / m
  const Complex* p0;                         // [a][u] P0
  const std::uint32_t* rows;                 // row of each term of the block, in order
  double* w;                                 // the block's rows of W
};

// The element maps of legs 2 and 3: W[l m n] takes F[m l n] and F[n m l].
constexpr std::array<std::uint8_t, kNumElem> leg_map(int leg) {
  std::array<std::uint8_t, kNumElem> p{};
  for (std::size_t e = 0; e < kNumElem; ++e) {
    const std::size_t l = e / 9, m = (e / 3) % 3, n = e % 3;
    p[e] = static_cast<std::uint8_t>(leg == 2 ? m * 9 + l * 3 + n : n * 9 + m * 3 + l);
  }
  return p;
}
constexpr std::array<std::uint8_t, kNumElem> kLeg2 = leg_map(2), kLeg3 = leg_map(3);

// row += coef * F for a row of W (kStride real parts, then kStride imaginary parts) and a
// padded fc3 block F held in the vectors f[]. GCC's vector extension keeps the block in
// registers across the terms of its atom pair (as a plain loop GCC vectorized it across
// the terms instead). A macro: functions with vector arguments change the ABI between
// the clones.
using Lanes = double __attribute__((vector_size(64)));
constexpr std::size_t kLanes = 8, kVectors = kStride / kLanes;
#define PH3MPI_ADD_TERM(row, coef)                                 \
  {                                                                \
    double* dst_ = (row);                                          \
    const double cr_ = (coef).real(), ci_ = (coef).imag();         \
    for (std::size_t v_ = 0; v_ < kVectors; ++v_) {                \
      Lanes xr_, xi_;                                              \
      std::memcpy(&xr_, dst_ + kLanes * v_, sizeof xr_);           \
      std::memcpy(&xi_, dst_ + kStride + kLanes * v_, sizeof xi_); \
      xr_ += cr_ * f[v_];                                          \
      xi_ += ci_ * f[v_];                                          \
      std::memcpy(dst_ + kLanes * v_, &xr_, sizeof xr_);           \
      std::memcpy(dst_ + kStride + kLanes * v_, &xi_, sizeof xi_); \
    }                                                              \
  }
#define PH3MPI_LOAD_BLOCK(p)                                               \
  Lanes f[kVectors];                                                       \
  for (std::size_t v_ = 0; v_ < kVectors; ++v_) {                          \
    std::memcpy(&f[v_], in.fc3 + (p)*kStride + kLanes * v_, sizeof f[v_]); \
  }
// The same with the elements permuted by map (legs 2 and 3: W[l m n] takes F[map]).
#define PH3MPI_LOAD_BLOCK_PERMUTED(p, map)                                  \
  Lanes f[kVectors];                                                        \
  {                                                                         \
    double g_[kStride] = {};                                                \
    const double* src_ = in.fc3 + (p)*kStride;                              \
    for (std::size_t e_ = 0; e_ < kNumElem; ++e_) g_[e_] = src_[(map)[e_]]; \
    std::memcpy(f, g_, sizeof g_);                                          \
  }

// The terms of W_ijk (derivation above), in the order of RealToReciprocal::for_each_term,
// each fc3 block read once: leg 1 anchor i, J in j, K in k, every (s, s'),
// (1 + 2 S_i) / m e^{-2 pi i q0.s'} / m' F_i(J, K); leg 2 anchor j, I in i, K in k, every
// s', P0(j, I) e^{-2 pi i q0.s'} / m' F_j(I, K); leg 3 anchor k, J in j, I in i, every s,
// P0(k, I) / m F_k(J, I), legs 2 and 3 with F's elements permuted ([m l n], [n m l]).
PH3MPI_SIMD_CLONES
void accumulate_block(const BlockInput& in) {
  const std::size_t n_p = in.n_p, n_s = in.n_s, n_c = in.n_c, i = in.i, j = in.j, k = in.k;
  const std::size_t row_len = 2 * kStride;
  const std::uint32_t* row = in.rows;
  const auto first = [&](std::size_t a, std::size_t u, std::size_t t) {
    return in.pair_index[(a * n_s + u) * n_p + t];
  };
  for (std::size_t u = j * n_c; u < (j + 1) * n_c; ++u) {
    const auto mu = in.multi[i * n_s + u];
    for (std::size_t p = first(i, u, k); p < first(i, u, k + 1); ++p) {
      PH3MPI_LOAD_BLOCK(p)
      const double weight = (in.pairs[p].shortest ? 3.0 : 1.0) * in.inv_multi[i * n_s + u];
      const auto mv = in.multi[i * n_s + in.pairs[p].v];
      for (std::int64_t s = 0; s < mu[0]; ++s) {
        for (std::int64_t t = mv[1]; t < mv[1] + mv[0]; ++t) {
          PH3MPI_ADD_TERM(in.w + *row++ * row_len, in.phi_m[t] * weight)
        }
      }
    }
  }
  if (!in.r0_average) return;
  for (std::size_t u = i * n_c; u < (i + 1) * n_c; ++u) {
    const Complex p0_u = in.p0[j * n_s + u];
    for (std::size_t p = first(j, u, k); p < first(j, u, k + 1); ++p) {
      if (in.pairs[p].shortest) continue;
      PH3MPI_LOAD_BLOCK_PERMUTED(p, kLeg2)
      const auto mv = in.multi[j * n_s + in.pairs[p].v];
      for (std::int64_t t = mv[1]; t < mv[1] + mv[0]; ++t) {
        PH3MPI_ADD_TERM(in.w + *row++ * row_len, mul(p0_u, in.phi_m[t]))
      }
    }
  }
  for (std::size_t u = j * n_c; u < (j + 1) * n_c; ++u) {
    const auto mu = in.multi[k * n_s + u];
    const double inv_m = in.inv_multi[k * n_s + u];
    for (std::size_t p = first(k, u, i); p < first(k, u, i + 1); ++p) {
      if (in.pairs[p].shortest) continue;
      PH3MPI_LOAD_BLOCK_PERMUTED(p, kLeg3)
      const Complex coef = in.p0[k * n_s + in.pairs[p].v] * inv_m;
      for (std::int64_t s = 0; s < mu[0]; ++s) PH3MPI_ADD_TERM(in.w + *row++ * row_len, coef)
    }
  }
}
#undef PH3MPI_LOAD_BLOCK_PERMUTED
#undef PH3MPI_LOAD_BLOCK
#undef PH3MPI_ADD_TERM

std::int64_t positive_mod(std::int64_t x, std::int64_t d) {
  const std::int64_t r = x % d;
  return r < 0 ? r + d : r;
}

}  // namespace

namespace detail {

UninitializedDoubles BufferPool::take(std::size_t size) {
  UninitializedDoubles buffer;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    // The smallest spare that holds size, else the largest (it grows).
    auto best = spare_.end();
    for (auto it = spare_.begin(); it != spare_.end(); ++it) {
      const bool fits = it->capacity() >= size;
      if (best == spare_.end() || (fits && (best->capacity() < size || it->capacity() < best->capacity())) ||
          (!fits && best->capacity() < size && it->capacity() > best->capacity())) {
        best = it;
      }
    }
    if (best != spare_.end()) {
      buffer = std::move(*best);
      spare_.erase(best);
    }
  }
  buffer.resize(size);
  return buffer;
}

void BufferPool::give(UninitializedDoubles&& buffer) {
  const std::lock_guard<std::mutex> lock(mutex_);
  // A few per pool: a grid point holds one W or T2 per BZ image of q0, rarely two.
  constexpr std::size_t kMaxSpare = 4;
  if (spare_.size() < kMaxSpare) {
    spare_.push_back(std::move(buffer));
    return;
  }
  auto smallest = std::min_element(spare_.begin(), spare_.end(),
                                   [](const auto& a, const auto& b) { return a.capacity() < b.capacity(); });
  if (smallest->capacity() < buffer.capacity()) *smallest = std::move(buffer);
}

}  // namespace detail

namespace {

// Supercell atoms grouped by the primitive atom they map onto (u = type n_c + r) and the
// shortest vectors from each primitive atom to them: what the tables and the phase code
// index by.
struct AtomOrder {
  std::size_t n_p = 0, n_s = 0, n_c = 0;
  std::vector<std::size_t> sorted_atoms;                  // [u] supercell atom
  std::vector<std::array<std::int64_t, 2>> multi_sorted;  // [a][u] {count, first shortest vector}
  std::vector<double> inv_multi;                          // [a][u] 1 / count
  std::vector<Eigen::Vector3d> pre_svecs;                 // [a] d_a
};

// need_all_shortest: the tables are built (the all_shortest flags enter them).
AtomOrder order_atoms(const AtomTriplets& atoms, bool make_r0_average, bool need_all_shortest) {
  AtomOrder o;
  const std::size_t n_p = o.n_p = atoms.n_patom;
  const std::size_t n_s = o.n_s = atoms.n_satom;
  std::ostringstream problem;
  if (n_p == 0 || n_s == 0 || n_s % n_p != 0) {
    problem << n_s << " supercell atoms for " << n_p << " primitive atoms";
  } else if (atoms.multi.size() != n_s * n_p || atoms.p2s_map.size() != n_p || atoms.s2p_map.size() != n_s ||
             (need_all_shortest && make_r0_average && atoms.all_shortest.size() != n_p * n_s * n_s)) {
    problem << "atom triplet arrays do not match " << n_s << " supercell and " << n_p << " primitive atoms";
  }
  if (!problem.str().empty()) throw Error("real_to_reciprocal: " + problem.str());
  const std::size_t n_c = o.n_c = n_s / n_p;
  std::vector<std::size_t> type_of(n_s, n_p);
  for (std::size_t s = 0; s < n_s; ++s) {
    for (std::size_t p = 0; p < n_p; ++p) {
      if (atoms.p2s_map[p] == atoms.s2p_map[s]) type_of[s] = p;
    }
    if (type_of[s] == n_p) {
      throw Error("real_to_reciprocal: supercell atom " + std::to_string(s + 1) +
                  " maps onto no primitive atom (s2p_map/p2s_map inconsistent)");
    }
  }
  for (std::size_t p = 0; p < n_p; ++p) {
    for (std::size_t s = 0; s < n_s; ++s) {
      if (type_of[s] == p) o.sorted_atoms.push_back(s);
    }
    if (o.sorted_atoms.size() != (p + 1) * n_c) {
      throw Error("real_to_reciprocal: primitive atom " + std::to_string(p + 1) + " has " +
                  std::to_string(o.sorted_atoms.size() - p * n_c) + " images in the supercell, expected " +
                  std::to_string(n_c));
    }
  }
  const auto in_range = [&](const std::array<std::int64_t, 2>& m) {
    return m[0] >= 1 && m[1] >= 0 && static_cast<std::size_t>(m[1] + m[0]) <= atoms.svecs.size();
  };
  o.multi_sorted.resize(n_p * n_s);
  o.pre_svecs.resize(n_p);
  for (std::size_t a = 0; a < n_p; ++a) {
    for (std::size_t u = 0; u < n_s; ++u)
      o.multi_sorted[a * n_s + u] = atoms.multi[o.sorted_atoms[u] * n_p + a];
    // phono3py get_pre_phase_factor: first shortest vector from primitive atom 0 to atom a.
    const auto self = atoms.multi[static_cast<std::size_t>(atoms.p2s_map[a]) * n_p];
    if (!in_range(self)) throw Error("real_to_reciprocal: shortest-vector multiplicity out of range");
    o.pre_svecs[a] = atoms.svecs[static_cast<std::size_t>(self[1])];
  }
  for (const auto& m : o.multi_sorted) {
    if (!in_range(m)) throw Error("real_to_reciprocal: shortest-vector multiplicity out of range");
    o.inv_multi.push_back(1.0 / static_cast<double>(m[0]));
  }
  return o;
}

void check_fc3(const Fc3View& fc3, std::size_t n_p, std::size_t n_s) {
  if (fc3.values == nullptr || fc3.num_satom != n_s || (fc3.num_rows != n_p && fc3.num_rows != n_s)) {
    std::ostringstream problem;
    problem << "fc3 of shape (" << fc3.num_rows << ", " << fc3.num_satom << ", " << fc3.num_satom
            << ", 3, 3, 3) is neither (" << n_p << ", " << n_s << ", " << n_s << ", 3, 3, 3) nor (" << n_s
            << ", " << n_s << ", " << n_s << ", 3, 3, 3)" << (fc3.values == nullptr ? " (no values)" : "");
    throw Error("real_to_reciprocal: " + problem.str());
  }
}

void check_grid(const grid::BZGrid& bz_grid) {
  if (bz_grid.addresses.empty()) throw Error("real_to_reciprocal: empty BZ grid");
  if ((bz_grid.D_diag.array() <= 0).any())
    throw Error("real_to_reciprocal: BZ grid with non-positive D_diag");
}

// q.s = sum_l a_l (Q^T s)_l / D_l for q = Q (a / D) in reduced coordinates.
std::array<double, 3> turns_per_address(const grid::Matrix3l& Q, const grid::Vector3l& D,
                                        const Eigen::Vector3d& x) {
  std::array<double, 3> y{};
  for (int l = 0; l < 3; ++l) {
    double c = 0.0;
    for (int k = 0; k < 3; ++k) c += static_cast<double>(Q(k, l)) * x(k);
    y[static_cast<std::size_t>(l)] = c / static_cast<double>(D(l));
  }
  return y;
}

// One array of the tables while it is built: in the caller's storage (a fixed number of
// elements, every one written), in a private vector (sizing: later steps read it), or
// counted only.
template <typename T>
class Column {
 public:
  static Column storing(unsigned char* at, std::size_t capacity) {
    Column c;
    c.stored_ = reinterpret_cast<T*>(at);
    c.capacity_ = capacity;
    return c;
  }
  static Column keeping() {
    Column c;
    c.keep_ = true;
    return c;
  }
  static Column counting() { return Column(); }

  std::size_t size() const noexcept { return size_; }
  T* data() noexcept { return stored_ != nullptr ? stored_ : kept_.data(); }
  T& operator[](std::size_t i) noexcept { return data()[i]; }
  T& back() noexcept { return data()[size_ - 1]; }
  void push_back(const T& value) { append(&value, 1); }
  void append(const T* values, std::size_t n) {
    if (stored_ != nullptr) {
      grow(n);
      // Byte copies: a struct's padding goes in as the source's (zero-initialized) bytes.
      std::memcpy(static_cast<void*>(stored_ + size_ - n), values, n * sizeof(T));
    } else {
      if (keep_) kept_.insert(kept_.end(), values, values + n);
      size_ += n;
    }
  }
  void resize(std::size_t n, const T& value) {  // grows only
    while (size_ < n) push_back(value);
  }
  void assign(std::size_t n, const T& value) {
    size_ = 0;
    kept_.clear();
    resize(n, value);
  }
  // Every element of the storage written.
  void check_full(const char* name) const {
    if (stored_ != nullptr && size_ != capacity_) {
      throw Error(std::string("real_to_reciprocal: tables sized for other inputs (") + name + ": " +
                  std::to_string(size_) + " elements, sized " + std::to_string(capacity_) + ")");
    }
  }

 private:
  void grow(std::size_t n) {
    if (size_ + n > capacity_) {
      throw Error("real_to_reciprocal: tables sized for other inputs (more elements than sized)");
    }
    size_ += n;
  }
  T* stored_ = nullptr;
  std::size_t capacity_ = 0;
  bool keep_ = false;
  std::vector<T> kept_;
  std::size_t size_ = 0;
};

// The header at the start of the tables' storage.
struct TableHeader {
  char magic[8];
  std::uint64_t bytes;
  std::uint64_t n_patom, n_satom, make_r0_average;
  std::uint64_t pairs, terms, rows, lines, groups, lattice_vectors;
  std::int64_t D_diag[3];
  std::int64_t Q[9];
  std::int64_t c_min[3];
  std::uint64_t c_len[3];
  std::uint64_t max_block_rows;
};
constexpr char kTableMagic[8] = {'p', 'h', '3', 'r', '2', 'r', 't', '1'};

// Byte offsets of the arrays in the storage, each aligned to 64 bytes.
struct TableLayout {
  std::size_t pair_start, pairs, fc3, pair_index, term_row, block_term_start, block_start, row_lattice,
      line_row_start, group_line_start, block_line_start, block_group_start, line_c1, group_c2, lattice_c;
  std::size_t total;
};

TableLayout table_layout(const RealToReciprocal::TableSizes& z) {
  const std::size_t n_p = z.n_patom, n_s = z.n_satom, n_blocks = n_p * n_p * n_p;
  std::size_t at = 0;
  const auto take = [&at](std::size_t bytes) {
    at = (at + 63) / 64 * 64;
    const std::size_t start = at;
    at += bytes;
    return start;
  };
  TableLayout l{};
  take(sizeof(TableHeader));
  const std::size_t word = sizeof(std::size_t), u32 = sizeof(std::uint32_t);
  l.pair_start = take((n_p + 1) * word);
  l.pairs = take(z.pairs * sizeof(detail::AtomPair));
  l.fc3 = take(z.pairs * kStride * sizeof(double));
  l.pair_index = take((n_p * n_s * n_p + 1) * word);
  l.term_row = take(z.terms * u32);
  l.block_term_start = take((n_blocks + 1) * word);
  l.block_start = take((n_blocks + 1) * word);
  l.row_lattice = take(z.rows * u32);
  l.line_row_start = take((z.lines + 1) * word);
  l.group_line_start = take((z.groups + 1) * word);
  l.block_line_start = take((n_blocks + 1) * word);
  l.block_group_start = take((n_blocks + 1) * word);
  l.line_c1 = take(z.lines * u32);
  l.group_c2 = take(z.groups * u32);
  l.lattice_c = take(z.lattice_vectors * sizeof(std::array<std::uint32_t, 3>));
  l.total = take(0);
  return l;
}

template <typename T>
Column<T> make_column(unsigned char* storage, std::size_t offset, std::size_t count, bool keep_when_sizing) {
  if (storage != nullptr) return Column<T>::storing(storage + offset, count);
  return keep_when_sizing ? Column<T>::keeping() : Column<T>::counting();
}

// Calls term(leg, anchor, pair, s, s') for every term of W_ijk, b = (i n_p + j) n_p + k
// (derivation above) in prepare_q0's order: leg 1 anchor i, J in j, K in k, every (s, s');
// leg 2 anchor j, I in i, K in k, every s'; leg 3 anchor k, J in j, I in i, every s (s or
// s' = -1 where unused). Legs 2 and 3 skip all_shortest triples, and exist only with the
// r0 average.
template <typename F>
void for_each_term(std::size_t b, const AtomOrder& o, bool r0_average, const std::size_t* pair_index,
                   const detail::AtomPair* pairs, F&& term) {
  const std::size_t n_p = o.n_p, n_s = o.n_s, n_c = o.n_c;
  const std::size_t i = b / (n_p * n_p), j = (b / n_p) % n_p, k = b % n_p;
  const auto first = [&](std::size_t a, std::size_t u, std::size_t t) {
    return pair_index[(a * n_s + u) * n_p + t];
  };
  for (std::size_t u = j * n_c; u < (j + 1) * n_c; ++u) {
    const auto mu = o.multi_sorted[i * n_s + u];
    for (std::size_t p = first(i, u, k); p < first(i, u, k + 1); ++p) {
      const auto mv = o.multi_sorted[i * n_s + pairs[p].v];
      for (std::int64_t s = mu[1]; s < mu[1] + mu[0]; ++s) {
        for (std::int64_t t = mv[1]; t < mv[1] + mv[0]; ++t) term(1, i, p, s, t);
      }
    }
  }
  if (!r0_average) return;
  for (std::size_t u = i * n_c; u < (i + 1) * n_c; ++u) {
    for (std::size_t p = first(j, u, k); p < first(j, u, k + 1); ++p) {
      if (pairs[p].shortest) continue;
      const auto mv = o.multi_sorted[j * n_s + pairs[p].v];
      for (std::int64_t t = mv[1]; t < mv[1] + mv[0]; ++t) term(2, j, p, std::int64_t{-1}, t);
    }
  }
  for (std::size_t u = j * n_c; u < (j + 1) * n_c; ++u) {
    const auto mu = o.multi_sorted[k * n_s + u];
    for (std::size_t p = first(k, u, i); p < first(k, u, i + 1); ++p) {
      if (pairs[p].shortest) continue;
      for (std::int64_t s = mu[1]; s < mu[1] + mu[0]; ++s) term(3, k, p, s, std::int64_t{-1});
    }
  }
}

// Builds the tables into `storage` laid out for *sizes (which must then be their exact
// sizes), or, with storage == nullptr, only sizes them (bz_grid nullptr: lines and groups
// bounded by the rows). One code path for both, so the sizes are the tables'.
RealToReciprocal::TableSizes make_tables(const Fc3View& fc3, const AtomTriplets& atoms,
                                         const grid::BZGrid* bz_grid, bool r0_average,
                                         const RealToReciprocal::TableSizes* sizes, unsigned char* storage) {
  const AtomOrder o = order_atoms(atoms, r0_average, true);
  const std::size_t n_p = o.n_p, n_s = o.n_s, n_c = o.n_c;
  check_fc3(fc3, n_p, n_s);
  if (bz_grid != nullptr) check_grid(*bz_grid);
  const bool write = storage != nullptr;
  TableLayout lay{};
  if (write) {
    if (sizes == nullptr || bz_grid == nullptr || !sizes->exact) {
      throw Error("real_to_reciprocal: build_tables needs the exact sizes (table_sizes with the BZ grid)");
    }
    if (reinterpret_cast<std::uintptr_t>(storage) % alignof(std::size_t) != 0) {
      throw Error("real_to_reciprocal: table storage not aligned to 8 bytes");
    }
    // The arrays whose lengths follow from the atoms alone are sized by them: other atoms
    // would write past the storage.
    if (sizes->n_patom != n_p || sizes->n_satom != n_s || sizes->make_r0_average != r0_average) {
      throw Error("real_to_reciprocal: tables sized for other inputs (" + std::to_string(sizes->n_patom) +
                  " and " + std::to_string(sizes->n_satom) + " atoms, not " + std::to_string(n_p) + " and " +
                  std::to_string(n_s) + ", or another make_r0_average)");
    }
    lay = table_layout(*sizes);
    std::memset(storage, 0, lay.total);
  }
  const std::size_t n_blocks = n_p * n_p * n_p;
  const auto count = [&](std::size_t RealToReciprocal::TableSizes::*field) {
    return write ? sizes->*field : 0;
  };
  auto pair_start = make_column<std::size_t>(storage, lay.pair_start, n_p + 1, true);
  auto pairs =
      make_column<detail::AtomPair>(storage, lay.pairs, count(&RealToReciprocal::TableSizes::pairs), true);
  auto fc3_padded =
      make_column<double>(storage, lay.fc3, count(&RealToReciprocal::TableSizes::pairs) * kStride, false);
  auto pair_index = make_column<std::size_t>(storage, lay.pair_index, n_p * n_s * n_p + 1, true);
  auto term_row =
      make_column<std::uint32_t>(storage, lay.term_row, count(&RealToReciprocal::TableSizes::terms), false);
  auto block_term_start = make_column<std::size_t>(storage, lay.block_term_start, n_blocks + 1, true);
  auto block_start = make_column<std::size_t>(storage, lay.block_start, n_blocks + 1, true);
  auto row_lattice =
      make_column<std::uint32_t>(storage, lay.row_lattice, count(&RealToReciprocal::TableSizes::rows), true);
  auto line_row_start = make_column<std::size_t>(storage, lay.line_row_start,
                                                 count(&RealToReciprocal::TableSizes::lines) + 1, true);
  auto group_line_start = make_column<std::size_t>(storage, lay.group_line_start,
                                                   count(&RealToReciprocal::TableSizes::groups) + 1, true);
  auto block_line_start = make_column<std::size_t>(storage, lay.block_line_start, n_blocks + 1, true);
  auto block_group_start = make_column<std::size_t>(storage, lay.block_group_start, n_blocks + 1, true);
  auto line_c1 =
      make_column<std::uint32_t>(storage, lay.line_c1, count(&RealToReciprocal::TableSizes::lines), true);
  auto group_c2 =
      make_column<std::uint32_t>(storage, lay.group_c2, count(&RealToReciprocal::TableSizes::groups), true);
  auto lattice_c_out = make_column<std::array<std::uint32_t, 3>>(
      storage, lay.lattice_c, count(&RealToReciprocal::TableSizes::lattice_vectors), true);

  // Lattice part L_s = s - d_j + d_a of every shortest vector, as an index into the box
  // [-span, span] per axis that holds all L_s, -L_s and L_s - L_s'.
  std::vector<Eigen::Matrix<std::int64_t, 3, 1>> lattice_of(atoms.svecs.size());
  Eigen::Matrix<std::int64_t, 3, 1> span = Eigen::Matrix<std::int64_t, 3, 1>::Zero();
  for (std::size_t a = 0; a < n_p; ++a) {
    for (std::size_t u = 0; u < n_s; ++u) {
      const auto m = o.multi_sorted[a * n_s + u];
      for (std::int64_t s = m[1]; s < m[1] + m[0]; ++s) {
        const Eigen::Vector3d x =
            atoms.svecs[static_cast<std::size_t>(s)] - o.pre_svecs[u / n_c] + o.pre_svecs[a];
        for (int l = 0; l < 3; ++l) {
          const double rounded = std::round(x(l));
          if (std::fabs(x(l) - rounded) > 1e-4) {
            throw Error("real_to_reciprocal: shortest vector from primitive atom " + std::to_string(a + 1) +
                        " to supercell atom " + std::to_string(o.sorted_atoms[u] + 1) +
                        " is not a lattice translate of the primitive-atom offset");
          }
          lattice_of[static_cast<std::size_t>(s)](l) = static_cast<std::int64_t>(rounded);
          span(l) = std::max(span(l), std::abs(static_cast<std::int64_t>(rounded)));
        }
      }
    }
  }
  const Eigen::Matrix<std::int64_t, 3, 1> box = 4 * span + Eigen::Matrix<std::int64_t, 3, 1>::Ones();
  const auto box_index = [&](const Eigen::Matrix<std::int64_t, 3, 1>& L) {
    const Eigen::Matrix<std::int64_t, 3, 1> x = L + 2 * span;
    return (x(2) * box(1) + x(1)) * box(0) + x(0);
  };

  // Nonzero fc3 blocks by anchor (legs 2 and 3 skip the all_shortest ones), each padded
  // to kStride elements.
  const bool is_compact = fc3.num_rows != fc3.num_satom;
  const auto nonzero = [](const double* f) {
    return std::any_of(f, f + kNumElem, [](double x) { return x != 0.0; });
  };
  const std::array<double, kStride - kNumElem> padding{};
  pair_start.assign(n_p + 1, 0);
  for (std::size_t a = 0; a < n_p; ++a) {
    const std::size_t row = is_compact ? a : static_cast<std::size_t>(atoms.p2s_map[a]);
    for (std::size_t u = 0; u < n_s; ++u) {
      const std::size_t J = o.sorted_atoms[u];
      for (std::size_t v = 0; v < n_s; ++v) {
        const std::size_t K = o.sorted_atoms[v];
        const std::size_t block = (row * n_s + J) * n_s + K;
        if (fc3.nonzero_indices != nullptr && fc3.nonzero_indices[block] == 0) continue;
        const double* src = fc3.values + block * kNumElem;
        if (!nonzero(src)) continue;
        detail::AtomPair pair{};
        pair.u = static_cast<std::uint32_t>(u);
        pair.v = static_cast<std::uint32_t>(v);
        pair.shortest = r0_average && atoms.all_shortest[(a * n_s + J) * n_s + K] != 0;
        pairs.push_back(pair);
        fc3_padded.append(src, kNumElem);
        fc3_padded.append(padding.data(), padding.size());
      }
    }
    pair_start[a + 1] = pairs.size();
  }

  // Pairs of anchor a, atom u and atoms v of type t: pair_index[(a n_s + u) n_p + t] on.
  pair_index.assign(n_p * n_s * n_p + 1, 0);
  {
    std::size_t p = 0;
    for (std::size_t aut = 0; aut < n_p * n_s * n_p; ++aut) {
      const std::size_t a = aut / (n_s * n_p), u = (aut / n_p) % n_s, t = aut % n_p;
      p = std::max(p, pair_start[a]);
      while (p < pair_start[a + 1] && (pairs[p].u < u || (pairs[p].u == u && pairs[p].v / n_c < t))) ++p;
      pair_index[aut] = p;
    }
    pair_index.back() = pairs.size();
  }

  // The lattice vector of every term of W, block by block in prepare_q0's order.
  const auto term_lattice = [&](int leg, std::int64_t s,
                                std::int64_t t) -> Eigen::Matrix<std::int64_t, 3, 1> {
    if (leg == 1) return lattice_of[static_cast<std::size_t>(s)] - lattice_of[static_cast<std::size_t>(t)];
    if (leg == 2) return -lattice_of[static_cast<std::size_t>(t)];
    return lattice_of[static_cast<std::size_t>(s)];
  };
  std::vector<std::vector<std::int64_t>> block_keys(n_blocks);
  std::vector<std::size_t> block_terms(n_blocks);
  for (std::size_t b = 0; b < n_blocks; ++b) {
    auto& keys = block_keys[b];
    for_each_term(b, o, r0_average, pair_index.data(), pairs.data(),
                  [&](int leg, std::size_t, std::size_t, std::int64_t s, std::int64_t t) {
                    keys.push_back(box_index(term_lattice(leg, s, t)));
                  });
    block_terms[b] = keys.size();
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  }
  // Distinct lattice vectors of all blocks (ascending box index), and each block's rows.
  std::vector<std::int64_t> all_keys;
  for (const auto& keys : block_keys) all_keys.insert(all_keys.end(), keys.begin(), keys.end());
  std::sort(all_keys.begin(), all_keys.end());
  all_keys.erase(std::unique(all_keys.begin(), all_keys.end()), all_keys.end());

  RealToReciprocal::TableSizes out;
  out.n_patom = n_p;
  out.n_satom = n_s;
  out.make_r0_average = r0_average;
  out.pairs = pairs.size();
  for (const std::size_t t : block_terms) out.terms += t;
  out.lattice_vectors = all_keys.size();
  if (bz_grid == nullptr) {
    // Without the grid's Q the lines and groups are not known: at most one per row.
    for (const auto& keys : block_keys) out.rows += keys.size();
    out.lines = out.groups = out.rows;
    out.exact = false;
    return out;
  }

  const grid::Matrix3l& Q = bz_grid->Q;
  std::vector<std::array<std::int64_t, 3>> lattice_c;
  for (const std::int64_t key : all_keys) {
    Eigen::Matrix<std::int64_t, 3, 1> L;
    L(0) = key % box(0) - 2 * span(0);
    L(1) = (key / box(0)) % box(1) - 2 * span(1);
    L(2) = key / (box(0) * box(1)) - 2 * span(2);
    std::array<std::int64_t, 3> c{};
    for (int l = 0; l < 3; ++l) {
      for (int k = 0; k < 3; ++k) c[static_cast<std::size_t>(l)] += Q(k, l) * L(k);
    }
    lattice_c.push_back(c);
  }
  // (Q^T L)_l as offsets into per-axis ranges [c_min_l, c_min_l + c_len_l).
  std::array<std::int64_t, 3> c_min{};
  std::array<std::size_t, 3> c_len{};
  for (std::size_t l = 0; l < 3; ++l) {
    std::int64_t lo = 0, hi = 0;
    for (const auto& c : lattice_c) {
      lo = std::min(lo, c[l]);
      hi = std::max(hi, c[l]);
    }
    c_min[l] = lo;
    c_len[l] = static_cast<std::size_t>(hi - lo + 1);
  }
  for (const auto& c : lattice_c) {
    lattice_c_out.push_back({static_cast<std::uint32_t>(c[0] - c_min[0]),
                             static_cast<std::uint32_t>(c[1] - c_min[1]),
                             static_cast<std::uint32_t>(c[2] - c_min[2])});
  }
  // Rows of a block ordered by c = Q^T L (c2, then c1, then c0): runs of equal (c1, c2)
  // are the lines and runs of equal c2 the groups of the separable sum (prepare_q0s).
  const auto c_key = [&](std::size_t x) {
    const auto& c = lattice_c_out[x];
    return (std::size_t{c[2]} * c_len[1] + c[1]) * c_len[0] + c[0];
  };
  block_start.assign(n_blocks + 1, 0);
  block_line_start.assign(n_blocks + 1, 0);
  block_group_start.assign(n_blocks + 1, 0);
  std::size_t max_block_rows = 0;
  for (std::size_t b = 0; b < n_blocks; ++b) {
    std::vector<std::uint32_t> rows;  // indices into all_keys
    for (const std::int64_t key : block_keys[b]) {
      rows.push_back(static_cast<std::uint32_t>(std::lower_bound(all_keys.begin(), all_keys.end(), key) -
                                                all_keys.begin()));
    }
    std::sort(rows.begin(), rows.end(),
              [&](std::uint32_t x, std::uint32_t y) { return c_key(x) < c_key(y); });
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const auto c = lattice_c_out[rows[r]];
      const bool new_group = r == 0 || lattice_c_out[rows[r - 1]][2] != c[2];
      const bool new_line = new_group || lattice_c_out[rows[r - 1]][1] != c[1];
      if (new_group) {
        group_line_start.push_back(line_row_start.size());
        group_c2.push_back(c[2]);
      }
      if (new_line) {
        line_row_start.push_back(row_lattice.size());
        line_c1.push_back(c[1]);
      }
      row_lattice.push_back(rows[r]);
    }
    // The block's keys in row order, for the term rows below.
    std::vector<std::int64_t> sorted;
    for (const std::uint32_t x : rows) sorted.push_back(all_keys[x]);
    block_keys[b] = std::move(sorted);
    block_start[b + 1] = row_lattice.size();
    block_line_start[b + 1] = line_row_start.size();
    block_group_start[b + 1] = group_line_start.size();
    max_block_rows = std::max(max_block_rows, rows.size());
  }
  line_row_start.push_back(row_lattice.size());
  group_line_start.push_back(line_row_start.size() - 1);
  // The row of every term, block by block in prepare_q0's order (for_each_term).
  block_term_start.assign(n_blocks + 1, 0);
  for (std::size_t b = 0; b < n_blocks; ++b) {
    if (!write) {
      block_term_start[b + 1] = block_term_start[b] + block_terms[b];
      continue;
    }
    const auto& keys = block_keys[b];  // in row order
    std::vector<std::pair<std::int64_t, std::uint32_t>> lookup;
    for (std::size_t r = 0; r < keys.size(); ++r) lookup.emplace_back(keys[r], static_cast<std::uint32_t>(r));
    std::sort(lookup.begin(), lookup.end());
    for_each_term(b, o, r0_average, pair_index.data(), pairs.data(),
                  [&](int leg, std::size_t, std::size_t, std::int64_t s, std::int64_t t) {
                    const std::int64_t key = box_index(term_lattice(leg, s, t));
                    const auto it =
                        std::lower_bound(lookup.begin(), lookup.end(), std::make_pair(key, std::uint32_t{0}));
                    term_row.push_back(it->second);
                  });
    block_term_start[b + 1] = term_row.size();
  }

  out.rows = row_lattice.size();
  out.lines = line_c1.size();
  out.groups = group_c2.size();
  out.exact = true;
  if (!write) return out;

  const bool same = out.pairs == sizes->pairs && out.terms == sizes->terms && out.rows == sizes->rows &&
                    out.lines == sizes->lines && out.groups == sizes->groups &&
                    out.lattice_vectors == sizes->lattice_vectors && sizes->n_patom == n_p &&
                    sizes->n_satom == n_s && sizes->make_r0_average == r0_average;
  if (!same)
    throw Error(
        "real_to_reciprocal: tables sized for other inputs (table_sizes of another fc3, atoms or grid)");
  pair_start.check_full("pair_start");
  pairs.check_full("pairs");
  fc3_padded.check_full("fc3");
  pair_index.check_full("pair_index");
  term_row.check_full("term_row");
  block_term_start.check_full("block_term_start");
  block_start.check_full("block_start");
  row_lattice.check_full("row_lattice");
  line_row_start.check_full("line_row_start");
  group_line_start.check_full("group_line_start");
  block_line_start.check_full("block_line_start");
  block_group_start.check_full("block_group_start");
  line_c1.check_full("line_c1");
  group_c2.check_full("group_c2");
  lattice_c_out.check_full("lattice_c");

  TableHeader h{};
  std::memcpy(h.magic, kTableMagic, sizeof h.magic);
  h.bytes = lay.total;
  h.n_patom = n_p;
  h.n_satom = n_s;
  h.make_r0_average = r0_average ? 1 : 0;
  h.pairs = out.pairs;
  h.terms = out.terms;
  h.rows = out.rows;
  h.lines = out.lines;
  h.groups = out.groups;
  h.lattice_vectors = out.lattice_vectors;
  for (int l = 0; l < 3; ++l) {
    h.D_diag[l] = bz_grid->D_diag(l);
    h.c_min[l] = c_min[static_cast<std::size_t>(l)];
    h.c_len[l] = c_len[static_cast<std::size_t>(l)];
    for (int k = 0; k < 3; ++k) h.Q[3 * k + l] = Q(k, l);
  }
  h.max_block_rows = max_block_rows;
  std::memcpy(storage, &h, sizeof h);
  return out;
}

// Private tables of one object (the constructors that take fc3).
std::pair<std::shared_ptr<const void>, std::size_t> private_tables(const Fc3View& fc3,
                                                                   const AtomTriplets& atoms,
                                                                   const grid::BZGrid& bz_grid,
                                                                   bool r0_average) {
  const RealToReciprocal::TableSizes sizes = RealToReciprocal::table_sizes(fc3, atoms, &bz_grid, r0_average);
  const std::size_t bytes = sizes.bytes();
  std::shared_ptr<std::uint64_t> storage(new std::uint64_t[(bytes + 7) / 8],
                                         std::default_delete<std::uint64_t[]>());
  RealToReciprocal::build_tables(fc3, atoms, bz_grid, sizes, storage.get(), r0_average);
  return {std::shared_ptr<const void>(storage, storage.get()), bytes};
}

// fc3 of `fc3_array` as a view, its shape checked against the atoms.
Fc3View view_of(const NdArray<double>& fc3, const std::int8_t* nonzero_indices, const AtomTriplets& atoms) {
  const std::size_t n_p = atoms.n_patom, n_s = atoms.n_satom;
  if (fc3.rank() != 6 || fc3.shape[1] != n_s || fc3.shape[2] != n_s || fc3.shape[3] != 3 ||
      fc3.shape[4] != 3 || fc3.shape[5] != 3 || (fc3.shape[0] != n_p && fc3.shape[0] != n_s)) {
    std::ostringstream problem;
    problem << "fc3 of shape " << fc3.shape_string() << " is neither (" << n_p << ", " << n_s << ", " << n_s
            << ", 3, 3, 3) nor (" << n_s << ", " << n_s << ", " << n_s << ", 3, 3, 3)";
    throw Error("real_to_reciprocal: " + problem.str());
  }
  Fc3View view;
  view.values = fc3.ptr();
  view.num_rows = fc3.shape[0];
  view.num_satom = fc3.shape[1];
  view.nonzero_indices = nonzero_indices;
  return view;
}

}  // namespace

std::size_t RealToReciprocal::TableSizes::bytes() const { return table_layout(*this).total; }

RealToReciprocal::TableSizes RealToReciprocal::table_sizes(const Fc3View& fc3, const AtomTriplets& atoms,
                                                           const grid::BZGrid* bz_grid,
                                                           bool make_r0_average) {
  return make_tables(fc3, atoms, bz_grid, make_r0_average, nullptr, nullptr);
}

void RealToReciprocal::build_tables(const Fc3View& fc3, const AtomTriplets& atoms,
                                    const grid::BZGrid& bz_grid, const TableSizes& sizes, void* storage,
                                    bool make_r0_average) {
  if (storage == nullptr) throw Error("real_to_reciprocal: no storage for the tables");
  make_tables(fc3, atoms, &bz_grid, make_r0_average, &sizes, static_cast<unsigned char*>(storage));
}

RealToReciprocal::RealToReciprocal(const NdArray<double>& fc3, const std::int8_t* fc3_nonzero_indices,
                                   const AtomTriplets& atoms, const grid::BZGrid& bz_grid,
                                   bool make_r0_average, std::size_t batch_size)
    : RealToReciprocal(view_of(fc3, fc3_nonzero_indices, atoms), atoms, bz_grid, make_r0_average,
                       batch_size) {}

RealToReciprocal::RealToReciprocal(const Fc3View& fc3, const AtomTriplets& atoms, const grid::BZGrid& bz_grid,
                                   bool make_r0_average, std::size_t batch_size)
    : RealToReciprocal(private_tables(fc3, atoms, bz_grid, make_r0_average), atoms, bz_grid, batch_size) {}

RealToReciprocal::RealToReciprocal(std::pair<std::shared_ptr<const void>, std::size_t> tables,
                                   const AtomTriplets& atoms, const grid::BZGrid& bz_grid,
                                   std::size_t batch_size)
    : RealToReciprocal(std::move(tables.first), tables.second, atoms, bz_grid, batch_size) {}

RealToReciprocal::RealToReciprocal(std::shared_ptr<const void> tables, std::size_t bytes,
                                   const AtomTriplets& atoms, const grid::BZGrid& bz_grid,
                                   std::size_t batch_size)
    : tables_(std::move(tables)), table_bytes_(bytes) {
  const auto* base = static_cast<const unsigned char*>(tables_.get());
  if (base == nullptr || bytes < sizeof(TableHeader) ||
      reinterpret_cast<std::uintptr_t>(base) % alignof(std::size_t) != 0) {
    throw Error("real_to_reciprocal: no tables (null, shorter than their header, or not 8-byte aligned)");
  }
  TableHeader h;
  std::memcpy(&h, base, sizeof h);
  if (std::memcmp(h.magic, kTableMagic, sizeof h.magic) != 0) {
    throw Error("real_to_reciprocal: the memory given does not hold RealToReciprocal tables");
  }
  TableSizes z;
  z.n_patom = h.n_patom;
  z.n_satom = h.n_satom;
  z.make_r0_average = h.make_r0_average != 0;
  z.pairs = h.pairs;
  z.terms = h.terms;
  z.rows = h.rows;
  z.lines = h.lines;
  z.groups = h.groups;
  z.lattice_vectors = h.lattice_vectors;
  z.exact = true;
  const TableLayout lay = table_layout(z);
  if (h.bytes != bytes || lay.total != bytes) {
    throw Error("real_to_reciprocal: tables of " + std::to_string(lay.total) + " bytes given as " +
                std::to_string(bytes) + " bytes");
  }
  if (z.n_patom != atoms.n_patom || z.n_satom != atoms.n_satom) {
    throw Error("real_to_reciprocal: tables of " + std::to_string(z.n_patom) + " primitive and " +
                std::to_string(z.n_satom) + " supercell atoms for a crystal of " +
                std::to_string(atoms.n_patom) + " and " + std::to_string(atoms.n_satom));
  }
  for (int l = 0; l < 3; ++l) {
    bool same = h.D_diag[l] == bz_grid.D_diag(l);
    for (int k = 0; k < 3; ++k) same = same && h.Q[3 * k + l] == bz_grid.Q(k, l);
    if (!same) throw Error("real_to_reciprocal: tables built for another BZ grid (D_diag or Q differ)");
  }
  make_r0_average_ = z.make_r0_average;
  n_patom_ = atoms.n_patom;
  n_satom_ = atoms.n_satom;
  check_grid(bz_grid);
  AtomOrder o = order_atoms(atoms, make_r0_average_, false);
  n_cell_ = o.n_c;
  sorted_atoms_ = std::move(o.sorted_atoms);
  multi_sorted_ = std::move(o.multi_sorted);
  inv_multi_ = std::move(o.inv_multi);
  pre_svecs_ = std::move(o.pre_svecs);
  svecs_ = atoms.svecs;
  addresses_ = bz_grid.addresses;
  D_diag_ = bz_grid.D_diag;
  Q_ = bz_grid.Q;
  svec_y_.resize(svecs_.size());
  for (std::size_t s = 0; s < svecs_.size(); ++s) svec_y_[s] = turns_per_address(Q_, D_diag_, svecs_[s]);

  const std::size_t n_p = n_patom_, n_s = n_satom_, n_blocks = n_p * n_p * n_p;
  const auto span_of = [base](std::size_t offset, auto* type, std::size_t n) {
    using T = std::remove_pointer_t<decltype(type)>;
    return detail::ConstSpan<T>(reinterpret_cast<const T*>(base + offset), n);
  };
  pair_start_ = span_of(lay.pair_start, static_cast<std::size_t*>(nullptr), n_p + 1);
  pairs_ = span_of(lay.pairs, static_cast<detail::AtomPair*>(nullptr), z.pairs);
  fc3_ = span_of(lay.fc3, static_cast<double*>(nullptr), z.pairs * kStride);
  pair_index_ = span_of(lay.pair_index, static_cast<std::size_t*>(nullptr), n_p * n_s * n_p + 1);
  term_row_ = span_of(lay.term_row, static_cast<std::uint32_t*>(nullptr), z.terms);
  block_term_start_ = span_of(lay.block_term_start, static_cast<std::size_t*>(nullptr), n_blocks + 1);
  block_start_ = span_of(lay.block_start, static_cast<std::size_t*>(nullptr), n_blocks + 1);
  row_lattice_ = span_of(lay.row_lattice, static_cast<std::uint32_t*>(nullptr), z.rows);
  line_row_start_ = span_of(lay.line_row_start, static_cast<std::size_t*>(nullptr), z.lines + 1);
  group_line_start_ = span_of(lay.group_line_start, static_cast<std::size_t*>(nullptr), z.groups + 1);
  block_line_start_ = span_of(lay.block_line_start, static_cast<std::size_t*>(nullptr), n_blocks + 1);
  block_group_start_ = span_of(lay.block_group_start, static_cast<std::size_t*>(nullptr), n_blocks + 1);
  line_c1_ = span_of(lay.line_c1, static_cast<std::uint32_t*>(nullptr), z.lines);
  group_c2_ = span_of(lay.group_c2, static_cast<std::uint32_t*>(nullptr), z.groups);
  lattice_c_ = span_of(lay.lattice_c, static_cast<std::array<std::uint32_t, 3>*>(nullptr), z.lattice_vectors);
  max_block_rows_ = h.max_block_rows;
  for (int l = 0; l < 3; ++l) {
    c_min_[static_cast<std::size_t>(l)] = h.c_min[l];
    c_len_[static_cast<std::size_t>(l)] = h.c_len[l];
  }

  // Roots of unity per axis and the per-(j, k) offsets d_j - d_k in turns per address.
  for (int l = 0; l < 3; ++l) {
    const std::int64_t d = D_diag_(l);
    auto& r = roots_[static_cast<std::size_t>(l)];
    r.resize(static_cast<std::size_t>(d));
    for (std::int64_t n = 0; n < d; ++n) {
      r[static_cast<std::size_t>(n)] = unit_phase(static_cast<double>(n) / static_cast<double>(d));
    }
  }
  offset_y_.resize(n_p * n_p);
  for (std::size_t j = 0; j < n_p; ++j) {
    for (std::size_t k = 0; k < n_p; ++k)
      offset_y_[j * n_p + k] = turns_per_address(Q_, D_diag_, pre_svecs_[j] - pre_svecs_[k]);
  }

  // Batch: by default 32 triplets, fewer when the products of a batch (batch x
  // num_band^3 complex) would exceed 8 MB. W streams through the cache once per batch;
  // beyond ~32 triplets the gain is small (bench/bench_interaction --batch).
  batch_size_ = batch_size > 0 ? batch_size : automatic_batch_size(num_band());
}

std::size_t RealToReciprocal::automatic_batch_size(std::size_t num_band) {
  const std::size_t nb3 = std::max<std::size_t>(1, num_band * num_band * num_band);
  return std::clamp<std::size_t>((std::size_t{8} << 20) / (nb3 * 16), 1, 32);
}

std::size_t RealToReciprocal::lattice_sums_bytes(const TableSizes& sizes) {
  return sizes.rows * 2 * kStride * sizeof(double);
}

std::size_t RealToReciprocal::separable_sums_bytes(const TableSizes& sizes, std::size_t num_pairs) {
  const double bytes = static_cast<double>(num_pairs) * static_cast<double>(sizes.groups) * 2 * kStride *
                       static_cast<double>(sizeof(double));
  return bytes <= static_cast<double>(kMaxSeparableBytes) ? static_cast<std::size_t>(bytes)
                                                          : kMaxSeparableBytes;
}

std::size_t RealToReciprocal::products_bytes_per_thread(std::size_t num_band, std::size_t batch_size) {
  const std::size_t n_p = num_band / 3;
  return n_p * n_p * n_p * batch_size * 2 * kStride * sizeof(double);
}

std::vector<Complex> RealToReciprocal::svec_phases(std::int64_t grid_point) const {
  if (grid_point < 0 || static_cast<std::size_t>(grid_point) >= addresses_.size()) {
    throw Error("real_to_reciprocal: grid point " + std::to_string(grid_point) + " outside the BZ grid of " +
                std::to_string(addresses_.size()) + " points");
  }
  const grid::Vector3l& adr = addresses_[static_cast<std::size_t>(grid_point)];
  std::vector<Complex> out(svecs_.size());
  for (std::size_t s = 0; s < svecs_.size(); ++s) {
    const auto& y = svec_y_[s];
    out[s] = unit_phase(static_cast<double>(adr(0)) * y[0] + static_cast<double>(adr(1)) * y[1] +
                        static_cast<double>(adr(2)) * y[2]);
  }
  return out;
}

std::vector<Complex> RealToReciprocal::phase_factors(std::int64_t grid_point) const {
  const std::vector<Complex> phi = svec_phases(grid_point);
  std::vector<Complex> out(n_patom_ * n_satom_);
  for (std::size_t a = 0; a < n_patom_; ++a) {
    for (std::size_t u = 0; u < n_satom_; ++u) {
      const auto m = multi_sorted_[a * n_satom_ + u];
      Complex sum = 0.0;
      for (std::int64_t s = m[1]; s < m[1] + m[0]; ++s) sum += phi[static_cast<std::size_t>(s)];
      out[a * n_satom_ + sorted_atoms_[u]] = sum / static_cast<double>(m[0]);
    }
  }
  return out;
}

Complex RealToReciprocal::pre_phase(std::size_t a, const Triplet& triplet) const {
  // phono3py: q_j = Q (address_j / D) per vertex, phase = 2 pi s . (q0 + q1 + q2).
  double q[3][3];
  for (int j = 0; j < 3; ++j) {
    const grid::Vector3l& adr = addresses_[static_cast<std::size_t>(triplet[static_cast<std::size_t>(j)])];
    double r[3];
    for (int l = 0; l < 3; ++l) r[l] = static_cast<double>(adr(l)) / static_cast<double>(D_diag_(l));
    for (int k = 0; k < 3; ++k) {
      q[j][k] = static_cast<double>(Q_(k, 0)) * r[0] + static_cast<double>(Q_(k, 1)) * r[1] +
                static_cast<double>(Q_(k, 2)) * r[2];
    }
  }
  double turns = 0.0;
  for (int k = 0; k < 3; ++k) turns += pre_svecs_[a](k) * (q[0][k] + q[1][k] + q[2][k]);
  return unit_phase(turns);
}

RealToReciprocal::Q0Sums RealToReciprocal::prepare_q0(std::int64_t grid_point) const {
  const std::size_t n_p = n_patom_, n_s = n_satom_;
  const std::vector<Complex> phi = svec_phases(grid_point);
  // P0(a, u): phase sums at q0 (legs 2 and 3).
  std::vector<Complex> p0(n_p * n_s);
  for (std::size_t au = 0; au < n_p * n_s; ++au) {
    const auto m = multi_sorted_[au];
    Complex sum = 0.0;
    for (std::int64_t s = m[1]; s < m[1] + m[0]; ++s) sum += phi[static_cast<std::size_t>(s)];
    p0[au] = sum / static_cast<double>(m[0]);
  }
  // e^{-2 pi i q0.s} / m for every shortest vector s (m: its atom pair's multiplicity).
  std::vector<Complex> phi_m(phi.size());
  for (std::size_t au = 0; au < n_p * n_s; ++au) {
    const auto m = multi_sorted_[au];
    for (std::int64_t s = m[1]; s < m[1] + m[0]; ++s) {
      phi_m[static_cast<std::size_t>(s)] = std::conj(phi[static_cast<std::size_t>(s)]) * inv_multi_[au];
    }
  }
  Q0Sums q0;
  q0.grid_point = grid_point;
  q0.w = detail::PooledBuffer(pool_, num_rows() * 2 * kStride);
  double* w = q0.w.data();

  // Blocks are independent (each owns its rows) and run in parallel; every row adds its
  // terms in one fixed order.
  const auto n_blocks = static_cast<std::int64_t>(n_p * n_p * n_p);
#pragma omp parallel for schedule(dynamic)
  for (std::int64_t ib = 0; ib < n_blocks; ++ib) {
    const auto b = static_cast<std::size_t>(ib);
    double* w_block = w + block_start_[b] * 2 * kStride;
    std::fill(w_block, w + block_start_[b + 1] * 2 * kStride, 0.0);
    const BlockInput in{n_p,
                        n_s,
                        n_cell_,
                        b / (n_p * n_p),
                        (b / n_p) % n_p,
                        b % n_p,
                        make_r0_average_,
                        pair_index_.data(),
                        pairs_.data(),
                        multi_sorted_.data(),
                        inv_multi_.data(),
                        fc3_.data(),
                        phi_m.data(),
                        p0.data(),
                        &term_row_[block_term_start_[b]],
                        w_block};
    accumulate_block(in);
  }
  return q0;
}

std::size_t RealToReciprocal::pair01_key(const Triplet& triplet) const {
  const grid::Vector3l& a = addresses_[static_cast<std::size_t>(triplet[1])];
  return static_cast<std::size_t>(positive_mod(a(0), D_diag_(0)) * D_diag_(1) +
                                  positive_mod(a(1), D_diag_(1)));
}

std::vector<RealToReciprocal::Q0Sums> RealToReciprocal::prepare_q0s(const Triplet* triplets,
                                                                    std::size_t num_triplets) const {
  std::vector<Q0Sums> q0s;
  for (std::size_t t = 0; t < num_triplets; ++t) {
    const std::int64_t gp = triplets[t][0];
    if (std::any_of(q0s.begin(), q0s.end(), [gp](const Q0Sums& q) { return q.grid_point == gp; })) continue;
    q0s.push_back(prepare_q0(gp));
    // The (a_0, a_1) pairs of this q0's triplets, and the cost of either form in row
    // operations (a row: 27 complex multiply-adds): direct, M rows per triplet; separable,
    // |a_0| x rows + |(a_0, a_1)| x lines once, then M groups per triplet.
    std::vector<std::size_t> keys;
    std::size_t m = 0;
    for (std::size_t u = t; u < num_triplets; ++u) {
      if (triplets[u][0] != gp) continue;
      keys.push_back(pair01_key(triplets[u]));
      ++m;
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    std::vector<std::size_t> a0s;
    for (const std::size_t k : keys) a0s.push_back(k / static_cast<std::size_t>(D_diag_(1)));
    a0s.erase(std::unique(a0s.begin(), a0s.end()), a0s.end());
    const double direct = double(m) * double(num_rows());
    const double separable = double(a0s.size()) * double(num_rows()) +
                             double(keys.size()) * double(line_c1_.size()) +
                             double(m) * double(group_c2_.size());
    const double t2_bytes = double(keys.size()) * double(group_c2_.size()) * 2 * kStride * sizeof(double);
    if (2 * separable < direct && t2_bytes <= static_cast<double>(kMaxSeparableBytes)) {
      make_separable(q0s.back(), keys);
    }
  }
  return q0s;
}

void RealToReciprocal::make_separable(Q0Sums& q0, const std::vector<std::size_t>& keys) const {
  // keys: ascending a_0 D_1 + a_1 (residues). Distinct a_0 and, per a_0, its a_1 values.
  const auto d1 = static_cast<std::size_t>(D_diag_(1));
  std::vector<std::size_t> a0s, a0_first;  // a0_first[i]: first key of a0s[i]
  for (std::size_t x = 0; x < keys.size(); ++x) {
    if (x == 0 || keys[x] / d1 != keys[x - 1] / d1) {
      a0s.push_back(keys[x] / d1);
      a0_first.push_back(x);
    }
  }
  a0_first.push_back(keys.size());
  const std::size_t n_a0 = a0s.size(), n_pairs = keys.size();
  const std::size_t n_groups = group_c2_.size();
  const std::size_t row_len = 2 * kStride;
  q0.pair01.assign(static_cast<std::size_t>(D_diag_(0)) * d1, -1);
  for (std::size_t x = 0; x < n_pairs; ++x) q0.pair01[keys[x]] = static_cast<std::int32_t>(x);
  q0.t2 = detail::PooledBuffer(pool_, n_pairs * n_groups * row_len);
  // e^{2 pi i a c / D_l} over the c range of axis l, planar, for the given addresses.
  const auto axis_phases = [&](std::size_t l, const std::vector<std::size_t>& values) {
    const std::int64_t d = D_diag_(static_cast<Eigen::Index>(l));
    std::vector<double> out(2 * values.size() * c_len_[l]);
    for (std::size_t x = 0; x < values.size(); ++x) {
      for (std::size_t c = 0; c < c_len_[l]; ++c) {
        const auto n = static_cast<std::size_t>(positive_mod(
            static_cast<std::int64_t>(values[x]) * (c_min_[l] + static_cast<std::int64_t>(c)), d));
        out[(2 * x) * c_len_[l] + c] = roots_[l][n].real();
        out[(2 * x + 1) * c_len_[l] + c] = roots_[l][n].imag();
      }
    }
    return out;
  };
  const std::vector<double> e0 = axis_phases(0, a0s);
  std::vector<std::size_t> a1s(n_pairs);
  for (std::size_t x = 0; x < n_pairs; ++x) a1s[x] = keys[x] % d1;
  const std::vector<double> e1 = axis_phases(1, a1s);  // one row per pair
  const auto n_blocks = static_cast<std::int64_t>(n_patom_ * n_patom_ * n_patom_);
#pragma omp parallel
  {
    std::vector<double> t1, g0, g1;
#pragma omp for schedule(dynamic)
    for (std::int64_t ib = 0; ib < n_blocks; ++ib) {
      const auto b = static_cast<std::size_t>(ib);
      const std::size_t l0 = block_line_start_[b], lines = block_line_start_[b + 1] - l0;
      const std::size_t r0 = block_start_[b], rows = block_start_[b + 1] - r0;
      if (rows == 0) continue;
      // Stage 1: T1[a_0][line] = sum_{rows of the line} e^{2 pi i a_0 c_0 / D_0} W[row].
      g0.resize(2 * n_a0 * rows);
      for (std::size_t x = 0; x < n_a0; ++x) {
        for (std::size_t r = 0; r < rows; ++r) {
          const std::uint32_t c0 = lattice_c_[row_lattice_[r0 + r]][0];
          g0[(2 * x) * rows + r] = e0[(2 * x) * c_len_[0] + c0];
          g0[(2 * x + 1) * rows + r] = e0[(2 * x + 1) * c_len_[0] + c0];
        }
      }
      t1.resize(n_a0 * lines * row_len);
      const double* w = &q0.w[r0 * row_len];
      const std::size_t* line_start = &line_row_start_[l0];
      std::size_t k0 = 0;
      for (; k0 + 1 < n_a0; k0 += 2) {
        const double* ga = &g0[(2 * k0) * rows];
        const double* gb = &g0[(2 * k0 + 2) * rows];
        segmented_two(w, line_start, lines, ga, ga + rows, gb, gb + rows, &t1[k0 * lines * row_len],
                      &t1[(k0 + 1) * lines * row_len]);
      }
      if (k0 < n_a0) {
        const double* ga = &g0[(2 * k0) * rows];
        segmented_one(w, line_start, lines, ga, ga + rows, &t1[k0 * lines * row_len]);
      }
      // Stage 2: T2[(a_0, a_1)][group] = sum_{lines of the group} e^{2 pi i a_1 c_1 / D_1} T1[a_0][line].
      g1.resize(2 * n_pairs * lines);
      for (std::size_t x = 0; x < n_pairs; ++x) {
        for (std::size_t li = 0; li < lines; ++li) {
          const std::uint32_t c1 = line_c1_[l0 + li];
          g1[(2 * x) * lines + li] = e1[(2 * x) * c_len_[1] + c1];
          g1[(2 * x + 1) * lines + li] = e1[(2 * x + 1) * c_len_[1] + c1];
        }
      }
      const std::size_t g_first = block_group_start_[b], groups = block_group_start_[b + 1] - g_first;
      const std::size_t* group_start = &group_line_start_[g_first];
      for (std::size_t i0 = 0; i0 < n_a0; ++i0) {
        const double* rows_t1 = &t1[i0 * lines * row_len];
        std::size_t y = a0_first[i0];
        for (; y + 1 < a0_first[i0 + 1]; y += 2) {
          const double* ga = &g1[(2 * y) * lines];
          const double* gb = &g1[(2 * y + 2) * lines];
          segmented_two(rows_t1, group_start, groups, ga, ga + lines, gb, gb + lines,
                        &q0.t2[(y * n_groups + g_first) * row_len],
                        &q0.t2[((y + 1) * n_groups + g_first) * row_len]);
        }
        if (y < a0_first[i0 + 1]) {
          const double* ga = &g1[(2 * y) * lines];
          segmented_one(rows_t1, group_start, groups, ga, ga + lines,
                        &q0.t2[(y * n_groups + g_first) * row_len]);
        }
      }
    }
  }
  q0.w = detail::PooledBuffer();  // back to the pool
}

void RealToReciprocal::run(const std::vector<Q0Sums>& q0s, const Triplet* triplets, std::size_t num_triplets,
                           std::complex<double>* fc3_reciprocal, Workspace& ws, bool parallel_inside) const {
  const std::size_t nb = num_band();
  const std::size_t nb3 = nb * nb * nb;
  for (std::size_t t = 0; t < num_triplets; ++t) {
    for (const std::int64_t gp : triplets[t]) {
      if (gp < 0 || static_cast<std::size_t>(gp) >= addresses_.size()) {
        throw Error("real_to_reciprocal: grid point " + std::to_string(gp) + " outside the BZ grid of " +
                    std::to_string(addresses_.size()) + " points");
      }
    }
  }
  // Runs of consecutive triplets with the same q0, at most batch_size() at a time.
  std::size_t t = 0;
  while (t < num_triplets) {
    const Triplet& tp = triplets[t];
    const auto it =
        std::find_if(q0s.begin(), q0s.end(), [&tp](const Q0Sums& q) { return q.grid_point == tp[0]; });
    if (it == q0s.end()) {
      throw Error("real_to_reciprocal: no q0 sums prepared for grid point " + std::to_string(tp[0]) +
                  " of triplet (" + std::to_string(tp[0]) + ", " + std::to_string(tp[1]) + ", " +
                  std::to_string(tp[2]) + ")");
    }
    if (it->w.size() != num_rows() * 2 * kStride && it->t2.empty()) {
      throw Error("real_to_reciprocal: q0 sums of grid point " + std::to_string(tp[0]) +
                  " were prepared by another RealToReciprocal");
    }
    if (!it->t2.empty()) {
      for (std::size_t u = t; u < num_triplets && triplets[u][0] == tp[0]; ++u) {
        if (it->pair01[pair01_key(triplets[u])] < 0) {
          throw Error("real_to_reciprocal: triplet (" + std::to_string(triplets[u][0]) + ", " +
                      std::to_string(triplets[u][1]) + ", " + std::to_string(triplets[u][2]) +
                      ") was not among those its q0 sums were prepared for");
        }
      }
    }
    std::size_t end = t + 1;
    while (end < num_triplets && end - t < batch_size_ && triplets[end][0] == tp[0]) ++end;
    run_same_q0(*it, triplets + t, end - t, fc3_reciprocal + t * nb3, ws, parallel_inside);
    t = end;
  }
}

void RealToReciprocal::run_same_q0(const Q0Sums& q0, const Triplet* triplets, std::size_t nt, Complex* out,
                                   Workspace& ws, bool parallel_inside) const {
  const std::size_t n_p = n_patom_;
  const std::size_t nb = num_band();
  const std::size_t nb3 = nb * nb * nb;
  const std::size_t n_lat = lattice_c_.size();
  const std::size_t n_blocks = n_p * n_p * n_p;
  ws.phases.resize(nt * std::max(n_lat, c_len_[2]));
  ws.products.resize(n_blocks * nt * 2 * kStride);
  ws.factors.resize(nt * n_p * n_p);
  const double scale = make_r0_average_ ? 1.0 / 3.0 : 1.0;
  ws.axis_phases.resize(c_len_[0] + c_len_[1] + c_len_[2]);
  const bool separable = !q0.t2.empty();
  for (std::size_t t = 0; t < nt; ++t) {
    // E[t][L] = e^{2 pi i q1.L} = prod_l e^{2 pi i (a_l c_l mod D_l) / D_l}, c = Q^T L,
    // from per-axis tables over the range of c_l.
    const grid::Vector3l& a1 = addresses_[static_cast<std::size_t>(triplets[t][1])];
    Complex* axis[3] = {ws.axis_phases.data(), ws.axis_phases.data() + c_len_[0],
                        ws.axis_phases.data() + c_len_[0] + c_len_[1]};
    for (std::size_t l = 0; l < 3; ++l) {
      const std::int64_t d = D_diag_(static_cast<Eigen::Index>(l));
      const std::int64_t step = positive_mod(a1(static_cast<Eigen::Index>(l)), d);
      std::int64_t n = positive_mod(step * positive_mod(c_min_[l], d), d);
      for (std::size_t x = 0; x < c_len_[l]; ++x) {
        axis[l][x] = roots_[l][static_cast<std::size_t>(n)];
        n += step;
        if (n >= d) n -= d;
      }
    }
    if (separable) {
      // Only the last axis is left: keep e^{2 pi i a_2 c_2 / D_2} over the c_2 range.
      std::copy(axis[2], axis[2] + c_len_[2], &ws.phases[t * n_lat]);
    } else {
      Complex* e = &ws.phases[t * n_lat];
      for (std::size_t x = 0; x < n_lat; ++x) {
        const auto& c = lattice_c_[x];
        e[x] = mul(mul(axis[0][c[0]], axis[1][c[1]]), axis[2][c[2]]);
      }
    }
    // c e_k e^{2 pi i q1.(d_j - d_k)} per (j, k).
    for (std::size_t k = 0; k < n_p; ++k) {
      const Complex ek = pre_phase(k, triplets[t]) * scale;
      for (std::size_t j = 0; j < n_p; ++j) {
        const auto& y = offset_y_[j * n_p + k];
        const Complex offset =
            unit_phase(static_cast<double>(a1(0)) * y[0] + static_cast<double>(a1(1)) * y[1] +
                       static_cast<double>(a1(2)) * y[2]);
        ws.factors[(t * n_p + j) * n_p + k] = mul(ek, offset);
      }
    }
  }

  // X_b[t][lmn] = sum_rows E[t][L(row)] W_b[row][lmn]: for each block b the product of
  // the batch's phases on the block's rows (nt x rows) and W_b (rows x 27), in chunks of
  // rows that stay in cache while all triplets of the batch go over them.
  // Separable form: X_b[t] = sum_g e^{2 pi i a_2 c_2(g) / D_2} T2[(a_0, a_1)(t)][g] over the
  // block's groups g (T2 from prepare_q0s).
  const auto block_product_separable = [&](std::size_t b, std::vector<double>& gathered) {
    const std::size_t g0 = block_group_start_[b], groups = block_group_start_[b + 1] - g0;
    const std::size_t total_groups = group_c2_.size();
    double* x = &ws.products[b * nt * 2 * kStride];
    std::fill(x, x + nt * 2 * kStride, 0.0);
    if (groups == 0) return;
    gathered.resize(2 * groups);
    for (std::size_t t = 0; t < nt; ++t) {
      const Complex* e2 = &ws.phases[t * n_lat];
      for (std::size_t g = 0; g < groups; ++g) {
        gathered[g] = e2[group_c2_[g0 + g]].real();
        gathered[groups + g] = e2[group_c2_[g0 + g]].imag();
      }
      const std::size_t p01 = static_cast<std::size_t>(q0.pair01[pair01_key(triplets[t])]);
      product_one(&q0.t2[(p01 * total_groups + g0) * 2 * kStride], groups, gathered.data(),
                  gathered.data() + groups, x + t * 2 * kStride);
    }
  };
  const auto block_product = [&](std::size_t b, std::vector<double>& gathered) {
    if (separable) {
      block_product_separable(b, gathered);
      return;
    }
    const std::size_t first = block_start_[b];
    const std::size_t rows = block_start_[b + 1] - first;
    double* x = &ws.products[b * nt * 2 * kStride];
    std::fill(x, x + nt * 2 * kStride, 0.0);
    if (rows == 0) return;
    gathered.resize(2 * nt * rows);
    for (std::size_t t = 0; t < nt; ++t) {
      const Complex* e = &ws.phases[t * n_lat];
      double* gr = &gathered[2 * t * rows];
      double* gi = gr + rows;
      for (std::size_t r = 0; r < rows; ++r) {
        const Complex z = e[row_lattice_[first + r]];
        gr[r] = z.real();
        gi[r] = z.imag();
      }
    }
    const double* wb = &q0.w[first * 2 * kStride];
    for (std::size_t r0 = 0; r0 < rows; r0 += kRowChunk) {
      const std::size_t n = std::min(kRowChunk, rows - r0);
      const double* w = wb + r0 * 2 * kStride;
      std::size_t t = 0;
      for (; t + 1 < nt; t += 2) {
        const double* ga = &gathered[2 * t * rows + r0];
        const double* gb = &gathered[2 * (t + 1) * rows + r0];
        product_two(w, n, ga, ga + rows, gb, gb + rows, x + t * 2 * kStride, x + (t + 1) * 2 * kStride);
      }
      if (t < nt) {
        const double* ga = &gathered[2 * t * rows + r0];
        product_one(w, n, ga, ga + rows, x + t * 2 * kStride);
      }
    }
  };
  const auto n_blk = static_cast<std::int64_t>(n_blocks);
  if (parallel_inside) {
#pragma omp parallel
    {
      std::vector<double> gathered;
#pragma omp for schedule(dynamic)
      for (std::int64_t b = 0; b < n_blk; ++b) block_product(static_cast<std::size_t>(b), gathered);
    }
  } else {
    for (std::size_t b = 0; b < n_blocks; ++b) block_product(b, ws.gathered);
  }

  // Phi_t[(3i+l)][(3j+m)][(3k+n)] = factor_t(j, k) X_ijk[t][lmn].
  for (std::size_t t = 0; t < nt; ++t) {
    Complex* o = out + t * nb3;
    for (std::size_t i = 0; i < n_p; ++i) {
      for (std::size_t j = 0; j < n_p; ++j) {
        for (std::size_t k = 0; k < n_p; ++k) {
          const Complex f = ws.factors[(t * n_p + j) * n_p + k];
          const double* x = &ws.products[(((i * n_p + j) * n_p + k) * nt + t) * 2 * kStride];
          for (std::size_t l = 0; l < 3; ++l) {
            for (std::size_t m = 0; m < 3; ++m) {
              Complex* dst = o + ((3 * i + l) * nb + 3 * j + m) * nb + 3 * k;
              for (std::size_t n = 0; n < 3; ++n) {
                const std::size_t e = l * 9 + m * 3 + n;
                dst[n] = mul(f, Complex(x[e], x[kStride + e]));
              }
            }
          }
        }
      }
    }
  }
}

}  // namespace ph3mpi::interaction
