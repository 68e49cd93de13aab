// fc3 real -> reciprocal space atom pair by atom pair (the reference kernel; header has
// the formula).
//
// Derivation of the rearrangement (phono3py real_to_reciprocal_r0_average). For the
// block of primitive atoms (i, j, k), element (l, m, n), with F_a(J, K) the fc3 block of
// anchor a and supercell atoms J, K, S_a(J, K) the all_shortest flag:
//
//   3 Phi = e_i sum_{J in j, K in k} (1 + 2 S_i) P1(i,J) P2(i,K) F_i(J,K)[l m n]   (leg 1)
//         + e_j sum_{I in i, K in k} (1 - S_j) P0(j,I) P2(j,K) F_j(I,K)[m l n]   (leg 2)
//         + e_k sum_{J in j, I in i} (1 - S_k) P1(k,J) P0(k,I) F_k(J,I)[n m l]   (leg 3)
//
// with e_a = e^{2 pi i (q0+q1+q2).r_a} and P0, P1, P2 the phase sums at q0, q1, q2.
// q0 is the grid point itself, common to all its triplets (up to its BZ-surface
// images, each prepared separately), so
//   H_a(t, K) = sum_{I in t} P0(a,I) (1 - S_a(I,K)) F_a(I,K)   (leg 2),
//   C_a(t, J) = sum_{I in t} P0(a,I) (1 - S_a(J,I)) F_a(J,I)   (leg 3)
// are computed once per grid point (prepare_q0), and per triplet only
//   leg 2 = sum_{K in k} P2(j,K) H_j(i,K),  leg 3 = sum_{J in j} P1(k,J) C_k(i,J)
// remain, O(N) each, next to the O(N^2) leg 1. Without make_r0_average only leg 1 is
// used, with weight 1 and without the division by 3 (phono3py's legacy path).
#include "real_to_reciprocal_pairs.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/units.hpp"

namespace ph3mpi::interaction {

namespace {

// Arrays of 27 fc3 elements (3x3x3) are padded to 32 doubles so that the inner loops
// below map onto whole SIMD registers; complex blocks store 32 real parts, then 32
// imaginary parts.
constexpr std::size_t kStride = 32;
constexpr std::size_t kNumElem = 27;

// The hot loops are compiled for several instruction sets and picked once per
// machine at load time (GCC function multiversioning), so results do not depend on
// threads or batching. Without it (other compilers/architectures) the baseline is used.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define PH3MPI_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define PH3MPI_SIMD_CLONES
#endif

// Leg 1 for one anchor a, one supercell atom u and n fc3 rows f (atoms v of one
// primitive-atom block), for two triplets A and B at once (each row is loaded once
// for both):  r_X += x_X * sum_r p_X[r] f[r]  (complex r_X, x_X, p_X; real rows of 32).
// The p_X are contiguous here: blocks with zero rows are gathered by the caller first
// (indexed loads in this loop make GCC reorganize it badly).
PH3MPI_SIMD_CLONES
void leg1_two(const double* __restrict f, std::size_t n, const double* __restrict par,
              const double* __restrict pai, const double* __restrict pbr, const double* __restrict pbi,
              double xar, double xai, double xbr, double xbi, double* __restrict ra, double* __restrict rb) {
  double ar[kStride] = {}, ai[kStride] = {}, br[kStride] = {}, bi[kStride] = {};
  for (std::size_t r = 0; r < n; ++r) {
    const double* row = f + r * kStride;
    const double a_r = par[r], a_i = pai[r], b_r = pbr[r], b_i = pbi[r];
    for (std::size_t e = 0; e < kStride; ++e) {
      ar[e] += a_r * row[e];
      ai[e] += a_i * row[e];
      br[e] += b_r * row[e];
      bi[e] += b_i * row[e];
    }
  }
  for (std::size_t e = 0; e < kStride; ++e) {
    ra[e] += xar * ar[e] - xai * ai[e];
    ra[kStride + e] += xar * ai[e] + xai * ar[e];
    rb[e] += xbr * br[e] - xbi * bi[e];
    rb[kStride + e] += xbr * bi[e] + xbi * br[e];
  }
}

// The same for a single triplet.
PH3MPI_SIMD_CLONES
void leg1_one(const double* __restrict f, std::size_t n, const double* __restrict par,
              const double* __restrict pai, double xar, double xai, double* __restrict ra) {
  double ar[kStride] = {}, ai[kStride] = {};
  for (std::size_t r = 0; r < n; ++r) {
    const double* row = f + r * kStride;
    const double a_r = par[r], a_i = pai[r];
    for (std::size_t e = 0; e < kStride; ++e) {
      ar[e] += a_r * row[e];
      ai[e] += a_i * row[e];
    }
  }
  for (std::size_t e = 0; e < kStride; ++e) {
    ra[e] += xar * ar[e] - xai * ai[e];
    ra[kStride + e] += xar * ai[e] + xai * ar[e];
  }
}

// out = sum_{v < n} p[v] h[v] with complex p and complex rows h (32 re, 32 im): legs 2, 3.
PH3MPI_SIMD_CLONES
void complex_rows(const double* __restrict h, std::size_t n, const double* __restrict pr,
                  const double* __restrict pi, double* __restrict out) {
  double acc_r[kStride] = {}, acc_i[kStride] = {};
  for (std::size_t v = 0; v < n; ++v) {
    const double* hr = h + v * 2 * kStride;
    const double* hi = hr + kStride;
    const double x_r = pr[v], x_i = pi[v];
    for (std::size_t e = 0; e < kStride; ++e) {
      acc_r[e] += x_r * hr[e] - x_i * hi[e];
      acc_i[e] += x_r * hi[e] + x_i * hr[e];
    }
  }
  for (std::size_t e = 0; e < kStride; ++e) {
    out[e] = acc_r[e];
    out[kStride + e] = acc_i[e];
  }
}

// The same over the rows v = idx[0..n) only (mostly-zero blocks).
PH3MPI_SIMD_CLONES
void complex_rows_sparse(const double* __restrict h, const std::uint32_t* __restrict idx, std::size_t n,
                         const double* __restrict pr, const double* __restrict pi, double* __restrict out) {
  double acc_r[kStride] = {}, acc_i[kStride] = {};
  for (std::size_t r = 0; r < n; ++r) {
    const std::uint32_t v = idx[r];
    const double* hr = h + v * 2 * kStride;
    const double* hi = hr + kStride;
    const double x_r = pr[v], x_i = pi[v];
    for (std::size_t e = 0; e < kStride; ++e) {
      acc_r[e] += x_r * hr[e] - x_i * hi[e];
      acc_i[e] += x_r * hi[e] + x_i * hr[e];
    }
  }
  for (std::size_t e = 0; e < kStride; ++e) {
    out[e] = acc_r[e];
    out[kStride + e] = acc_i[e];
  }
}

// dst (32 re, 32 im) += p * f for complex p and the real row f (prepare_q0).
PH3MPI_SIMD_CLONES
void add_scaled_row(const double* __restrict f, double pr, double pi, double* __restrict dst) {
  for (std::size_t e = 0; e < kStride; ++e) {
    dst[e] += pr * f[e];
    dst[kStride + e] += pi * f[e];
  }
}

}  // namespace

RealToReciprocalPairs::RealToReciprocalPairs(const NdArray<double>& fc3,
                                             const std::int8_t* fc3_nonzero_indices,
                                             const AtomTriplets& atoms, const grid::BZGrid& bz_grid,
                                             bool make_r0_average)
    : n_patom_(atoms.n_patom), n_satom_(atoms.n_satom), make_r0_average_(make_r0_average) {
  const std::size_t n_p = n_patom_;
  const std::size_t n_s = n_satom_;
  std::ostringstream problem;
  if (n_p == 0 || n_s == 0 || n_s % n_p != 0) {
    problem << n_s << " supercell atoms for " << n_p << " primitive atoms";
  } else if (atoms.multi.size() != n_s * n_p || atoms.p2s_map.size() != n_p || atoms.s2p_map.size() != n_s ||
             (make_r0_average && atoms.all_shortest.size() != n_p * n_s * n_s)) {
    problem << "atom triplet arrays do not match " << n_s << " supercell and " << n_p << " primitive atoms";
  } else if (fc3.rank() != 6 || fc3.shape[1] != n_s || fc3.shape[2] != n_s || fc3.shape[3] != 3 ||
             fc3.shape[4] != 3 || fc3.shape[5] != 3 || (fc3.shape[0] != n_p && fc3.shape[0] != n_s)) {
    problem << "fc3 of shape " << fc3.shape_string() << " is neither (" << n_p << ", " << n_s << ", " << n_s
            << ", 3, 3, 3) nor (" << n_s << ", " << n_s << ", " << n_s << ", 3, 3, 3)";
  } else if (bz_grid.addresses.empty()) {
    problem << "empty BZ grid";
  }
  if (!problem.str().empty()) throw Error("real_to_reciprocal: " + problem.str());
  // phono3py's test (fc3.shape[0] != fc3.shape[1]): full when the first two agree.
  const bool is_compact = fc3.shape[0] != fc3.shape[1];
  n_cell_ = n_s / n_p;
  const std::size_t n_c = n_cell_;

  // Group supercell atoms by the primitive atom they map onto.
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
      if (type_of[s] == p) sorted_atoms_.push_back(s);
    }
    if (sorted_atoms_.size() != (p + 1) * n_cell_) {
      throw Error("real_to_reciprocal: primitive atom " + std::to_string(p + 1) + " has " +
                  std::to_string(sorted_atoms_.size() - p * n_cell_) + " images in the supercell, expected " +
                  std::to_string(n_cell_));
    }
  }

  svecs_ = atoms.svecs;
  multi_sorted_.resize(n_p * n_s);
  pre_svecs_.resize(n_p);
  for (std::size_t a = 0; a < n_p; ++a) {
    for (std::size_t u = 0; u < n_s; ++u)
      multi_sorted_[a * n_s + u] = atoms.multi[sorted_atoms_[u] * n_p + a];
    // phono3py get_pre_phase_factor: first shortest vector from primitive atom 0 to atom a.
    const auto self = atoms.multi[static_cast<std::size_t>(atoms.p2s_map[a]) * n_p];
    pre_svecs_[a] = svecs_[static_cast<std::size_t>(self[1])];
  }

  // Rearranged fc3 copies (see the derivation at the top), dense first.
  std::vector<double> f1(n_p * n_s * n_s * kStride, 0.0);
  if (make_r0_average_) f23_.assign(n_p * n_s * n_s * kStride, 0.0);
  for (std::size_t a = 0; a < n_p; ++a) {
    const std::size_t row = is_compact ? a : static_cast<std::size_t>(atoms.p2s_map[a]);
    for (std::size_t u = 0; u < n_s; ++u) {
      const std::size_t J = sorted_atoms_[u];
      for (std::size_t v = 0; v < n_s; ++v) {
        const std::size_t K = sorted_atoms_[v];
        const std::size_t block = (row * n_s + J) * n_s + K;
        if (fc3_nonzero_indices != nullptr && fc3_nonzero_indices[block] == 0) continue;
        const double* src = fc3.ptr() + block * kNumElem;
        const bool shortest = make_r0_average_ && atoms.all_shortest[(a * n_s + J) * n_s + K] != 0;
        double* dst1 = &f1[((a * n_s + u) * n_s + v) * kStride];
        for (std::size_t e = 0; e < kNumElem; ++e) dst1[e] = shortest ? 3.0 * src[e] : src[e];
        if (make_r0_average_ && !shortest) {
          std::copy(src, src + kNumElem, &f23_[((a * n_s + u) * n_s + v) * kStride]);
        }
      }
    }
  }

  // Keep only fc3 rows that are not entirely zero (fc3 with a cutoff, e.g. symfc's, is
  // mostly zero): exactly the same sums, fewer terms.
  auto nonzero_row = [](const double* row) {
    return std::any_of(row, row + kNumElem, [](double x) { return x != 0.0; });
  };
  f1_start_.assign(n_p * n_s * n_p + 1, 0);
  for (std::size_t a = 0; a < n_p; ++a) {
    for (std::size_t u = 0; u < n_s; ++u) {
      for (std::size_t k = 0; k < n_p; ++k) {
        for (std::size_t r = 0; r < n_c; ++r) {
          const double* row = &f1[((a * n_s + u) * n_s + k * n_c + r) * kStride];
          if (!nonzero_row(row)) continue;
          f1_.insert(f1_.end(), row, row + kStride);
          f1_index_.push_back(static_cast<std::uint32_t>(r));
        }
        f1_start_[(a * n_s + u) * n_p + k + 1] = f1_index_.size();
      }
    }
  }
  if (make_r0_average_) {
    // Nonzero rows of H_a(t, v) (some u in t has a nonzero F23_a(u, v)) and of C_a(t, u)
    // (some v in t has a nonzero F23_a(u, v)), listed per block of the other index.
    f23_nonzero_.assign(n_p * n_s * n_s, 0);
    std::vector<char> h_nonzero(n_p * n_p * n_s, 0), c_nonzero(n_p * n_p * n_s, 0);
    for (std::size_t a = 0; a < n_p; ++a) {
      for (std::size_t u = 0; u < n_s; ++u) {
        for (std::size_t v = 0; v < n_s; ++v) {
          if (!nonzero_row(&f23_[((a * n_s + u) * n_s + v) * kStride])) continue;
          f23_nonzero_[(a * n_s + u) * n_s + v] = 1;
          h_nonzero[(a * n_p + u / n_c) * n_s + v] = 1;
          c_nonzero[(a * n_p + v / n_c) * n_s + u] = 1;
        }
      }
    }
    for (auto* rows : {&h_rows_, &c_rows_}) {
      const std::vector<char>& mask = rows == &h_rows_ ? h_nonzero : c_nonzero;
      rows->start.assign(n_p * n_p * n_p + 1, 0);
      for (std::size_t at = 0; at < n_p * n_p; ++at) {
        for (std::size_t b = 0; b < n_p; ++b) {
          for (std::size_t r = 0; r < n_c; ++r) {
            if (mask[at * n_s + b * n_c + r]) rows->index.push_back(static_cast<std::uint32_t>(r));
          }
          rows->start[at * n_p + b + 1] = rows->index.size();
        }
      }
    }
  }

  // Phase table over the BZ addresses.
  addresses_ = bz_grid.addresses;
  D_diag_ = bz_grid.D_diag;
  Q_ = bz_grid.Q;
  for (int l = 0; l < 3; ++l) {
    std::int64_t lo = addresses_[0](l), hi = addresses_[0](l);
    for (const auto& adr : addresses_) {
      lo = std::min(lo, adr(l));
      hi = std::max(hi, adr(l));
    }
    amin_[l] = lo;
    alen_[l] = hi - lo + 1;
  }
  table_stride_ = static_cast<std::size_t>(alen_[0] + alen_[1] + alen_[2]);
  table_.resize(svecs_.size() * table_stride_ * 2);
  for (std::size_t s = 0; s < svecs_.size(); ++s) {
    std::size_t offset = 0;
    for (int l = 0; l < 3; ++l) {
      // q.s = sum_l a_l (Q^T s)_l / D_l with q = Q (a / D) in reduced coordinates.
      double c = 0.0;
      for (int k = 0; k < 3; ++k) c += static_cast<double>(Q_(k, l)) * svecs_[s](k);
      c /= static_cast<double>(D_diag_(l));
      for (std::int64_t n = 0; n < alen_[l]; ++n) {
        const double phase = 2 * units::kPi * (static_cast<double>(amin_[l] + n) * c);
        double* z = &table_[(s * table_stride_ + offset + static_cast<std::size_t>(n)) * 2];
        z[0] = std::cos(phase);
        z[1] = std::sin(phase);
      }
      offset += static_cast<std::size_t>(alen_[l]);
    }
  }

  // Batch so that the per-triplet leg-1 sums of a batch stay small (<= 2 MB).
  const std::size_t nb = num_band();
  const std::size_t per_triplet = nb * nb * nb * 16;
  batch_size_ = std::clamp<std::size_t>((std::size_t{2} << 20) / per_triplet, 1, 16);
}

void RealToReciprocalPairs::phase_sums(std::int64_t grid_point, double* re, double* im) const {
  if (grid_point < 0 || static_cast<std::size_t>(grid_point) >= addresses_.size()) {
    throw Error("real_to_reciprocal: grid point " + std::to_string(grid_point) + " outside the BZ grid of " +
                std::to_string(addresses_.size()) + " points");
  }
  const grid::Vector3l& adr = addresses_[static_cast<std::size_t>(grid_point)];
  const std::size_t i0 = static_cast<std::size_t>(adr(0) - amin_[0]);
  const std::size_t i1 = static_cast<std::size_t>(alen_[0] + adr(1) - amin_[1]);
  const std::size_t i2 = static_cast<std::size_t>(alen_[0] + alen_[1] + adr(2) - amin_[2]);
  for (std::size_t au = 0; au < n_patom_ * n_satom_; ++au) {
    const auto& m = multi_sorted_[au];
    double sr = 0.0, si = 0.0;
    for (std::int64_t n = 0; n < m[0]; ++n) {
      const double* t = &table_[static_cast<std::size_t>(m[1] + n) * table_stride_ * 2];
      const double* z0 = t + 2 * i0;
      const double* z1 = t + 2 * i1;
      const double* z2 = t + 2 * i2;
      const double xr = z0[0] * z1[0] - z0[1] * z1[1];
      const double xi = z0[0] * z1[1] + z0[1] * z1[0];
      sr += xr * z2[0] - xi * z2[1];
      si += xr * z2[1] + xi * z2[0];
    }
    re[au] = sr / static_cast<double>(m[0]);
    im[au] = si / static_cast<double>(m[0]);
  }
}

std::vector<std::complex<double>> RealToReciprocalPairs::phase_factors(std::int64_t grid_point) const {
  std::vector<double> re(n_patom_ * n_satom_), im(n_patom_ * n_satom_);
  phase_sums(grid_point, re.data(), im.data());
  std::vector<std::complex<double>> out(n_patom_ * n_satom_);
  for (std::size_t a = 0; a < n_patom_; ++a) {
    for (std::size_t u = 0; u < n_satom_; ++u) {
      out[a * n_satom_ + sorted_atoms_[u]] = {re[a * n_satom_ + u], im[a * n_satom_ + u]};
    }
  }
  return out;
}

std::complex<double> RealToReciprocalPairs::pre_phase(std::size_t a, const Triplet& triplet) const {
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
  double phase = 0.0;
  for (int k = 0; k < 3; ++k) phase += pre_svecs_[a](k) * (q[0][k] + q[1][k] + q[2][k]);
  phase *= 2 * units::kPi;
  return {std::cos(phase), std::sin(phase)};
}

RealToReciprocalPairs::Q0Sums RealToReciprocalPairs::prepare_q0(std::int64_t grid_point) const {
  const std::size_t n_p = n_patom_, n_s = n_satom_, n_c = n_cell_;
  std::vector<double> p0r(n_p * n_s), p0i(n_p * n_s);
  phase_sums(grid_point, p0r.data(), p0i.data());
  Q0Sums q0;
  q0.grid_point = grid_point;
  if (!make_r0_average_) return q0;
  const std::size_t blk = 2 * kStride;
  q0.h.assign(n_p * n_p * n_s * blk, 0.0);
  q0.c.assign(n_p * n_p * n_s * blk, 0.0);
  for (std::size_t a = 0; a < n_p; ++a) {
    for (std::size_t u = 0; u < n_s; ++u) {
      const double* f = &f23_[(a * n_s + u) * n_s * kStride];
      // H_a(t, v) += P0(a, u) F_a(u, v) for the type t of u, all v.
      const double pr = p0r[a * n_s + u], pi = p0i[a * n_s + u];
      double* h = &q0.h[(a * n_p + u / n_c) * n_s * blk];
      const char* nz = &f23_nonzero_[(a * n_s + u) * n_s];
      for (std::size_t v = 0; v < n_s; ++v) {
        if (nz[v]) add_scaled_row(f + v * kStride, pr, pi, h + v * blk);
      }
      // C_a(t, u) = sum_{v in t} P0(a, v) F_a(u, v).
      for (std::size_t t = 0; t < n_p; ++t) {
        double* c = &q0.c[((a * n_p + t) * n_s + u) * blk];
        for (std::size_t v = t * n_c; v < (t + 1) * n_c; ++v) {
          if (nz[v]) add_scaled_row(f + v * kStride, p0r[a * n_s + v], p0i[a * n_s + v], c);
        }
      }
    }
  }
  return q0;
}

std::vector<RealToReciprocalPairs::Q0Sums> RealToReciprocalPairs::prepare_q0s(
    const Triplet* triplets, std::size_t num_triplets) const {
  std::vector<Q0Sums> q0s;
  for (std::size_t t = 0; t < num_triplets; ++t) {
    const std::int64_t gp = triplets[t][0];
    if (std::none_of(q0s.begin(), q0s.end(), [gp](const Q0Sums& q) { return q.grid_point == gp; })) {
      q0s.push_back(prepare_q0(gp));
    }
  }
  return q0s;
}

void RealToReciprocalPairs::run(const std::vector<Q0Sums>& q0s, const Triplet* triplets,
                                std::size_t num_triplets, std::complex<double>* fc3_reciprocal, Workspace& ws,
                                bool parallel_inside) const {
  const std::size_t n_p = n_patom_, n_s = n_satom_, n_c = n_cell_;
  const std::size_t nb = num_band();
  const std::size_t B = batch_size_;
  const std::size_t n_au = n_p * n_s;
  const std::size_t blk = 2 * kStride;
  const std::size_t r1_len = n_p * n_p * n_p * blk;
  ws.p1.resize(B * n_au * 2);
  ws.p2.resize(B * n_au * 2);
  ws.pre.resize(B * n_p * 2);
  ws.r1.resize(B * r1_len);
  ws.r23.resize(2 * r1_len);
  ws.q0.resize(B);

  for (std::size_t start = 0; start < num_triplets; start += B) {
    const std::size_t nt = std::min(B, num_triplets - start);
    for (std::size_t t = 0; t < nt; ++t) {
      const Triplet& tp = triplets[start + t];
      const auto it =
          std::find_if(q0s.begin(), q0s.end(), [&tp](const Q0Sums& q) { return q.grid_point == tp[0]; });
      if (it == q0s.end()) {
        throw Error("real_to_reciprocal: no q0 sums prepared for grid point " + std::to_string(tp[0]) +
                    " of triplet (" + std::to_string(tp[0]) + ", " + std::to_string(tp[1]) + ", " +
                    std::to_string(tp[2]) + ")");
      }
      if (make_r0_average_ && (it->h.empty() || it->c.empty())) {
        throw Error("real_to_reciprocal: q0 sums were prepared without make_r0_average");
      }
      ws.q0[t] = &*it;
      double* p1 = &ws.p1[t * n_au * 2];
      double* p2 = &ws.p2[t * n_au * 2];
      phase_sums(tp[1], p1, p1 + n_au);
      phase_sums(tp[2], p2, p2 + n_au);
      for (std::size_t a = 0; a < n_p; ++a) {
        const std::complex<double> z = pre_phase(a, tp);
        ws.pre[(t * n_p + a) * 2] = z.real();
        ws.pre[(t * n_p + a) * 2 + 1] = z.imag();
      }
    }
    std::fill(ws.r1.begin(), ws.r1.begin() + static_cast<std::ptrdiff_t>(nt * r1_len), 0.0);

    // Leg 1: R1_t(a, j, k) = sum_{u in j} P1(a,u) sum_{v in k} P2(a,v) F1_a(u, v),
    // two triplets at a time so that every fc3 row is read once for both. Each (a, j)
    // owns its output blocks and runs u in increasing order, serially or as one task of
    // a parallel loop: the same sums either way.
    const auto leg1 = [&](std::size_t aj) {
      const std::size_t a = aj / n_p, j = aj % n_p;
      std::vector<double> gathered;  // phase sums of the nonzero rows of a sparse block
      for (std::size_t u = j * n_c; u < (j + 1) * n_c; ++u) {
        const std::size_t au = a * n_s + u;
        for (std::size_t k = 0; k < n_p; ++k) {
          const std::size_t first = f1_start_[au * n_p + k];
          const std::size_t rows = f1_start_[au * n_p + k + 1] - first;
          if (rows == 0) continue;
          const double* fb = &f1_[first * kStride];
          const std::uint32_t* idx = &f1_index_[first];
          const bool dense = rows == n_c;
          const std::size_t off = a * n_s + k * n_c;
          const std::size_t r_off = ((a * n_p + j) * n_p + k) * blk;
          // P2 of triplet t on the block's rows: re at [0], im at [1].
          const auto p2_rows = [&](std::size_t t, std::size_t slot) -> std::array<const double*, 2> {
            const double* p2 = &ws.p2[t * n_au * 2];
            if (dense) return {p2 + off, p2 + n_au + off};
            double* g = &gathered[slot * 2 * n_c];
            for (std::size_t r = 0; r < rows; ++r) {
              g[r] = p2[off + idx[r]];
              g[n_c + r] = p2[n_au + off + idx[r]];
            }
            return {g, g + n_c};
          };
          if (!dense) gathered.resize(4 * n_c);
          std::size_t t = 0;
          for (; t + 1 < nt; t += 2) {
            const double* pa1 = &ws.p1[t * n_au * 2];
            const double* pb1 = &ws.p1[(t + 1) * n_au * 2];
            const auto pa2 = p2_rows(t, 0);
            const auto pb2 = p2_rows(t + 1, 1);
            leg1_two(fb, rows, pa2[0], pa2[1], pb2[0], pb2[1], pa1[au], pa1[n_au + au], pb1[au],
                     pb1[n_au + au], &ws.r1[t * r1_len + r_off], &ws.r1[(t + 1) * r1_len + r_off]);
          }
          if (t < nt) {
            const double* pa1 = &ws.p1[t * n_au * 2];
            const auto pa2 = p2_rows(t, 0);
            leg1_one(fb, rows, pa2[0], pa2[1], pa1[au], pa1[n_au + au], &ws.r1[t * r1_len + r_off]);
          }
        }
      }
    };
    if (parallel_inside) {
#pragma omp parallel for schedule(dynamic)
      for (std::size_t aj = 0; aj < n_p * n_p; ++aj) leg1(aj);
    } else {
      for (std::size_t aj = 0; aj < n_p * n_p; ++aj) leg1(aj);
    }

    for (std::size_t t = 0; t < nt; ++t) {
      assemble(*ws.q0[t], &ws.p1[t * n_au * 2], &ws.p2[t * n_au * 2], &ws.pre[t * n_p * 2],
               &ws.r1[t * r1_len], ws.r23.data(), fc3_reciprocal + (start + t) * nb * nb * nb);
    }
  }
}

void RealToReciprocalPairs::assemble(const Q0Sums& q0, const double* p1, const double* p2, const double* pre,
                                     const double* r1, double* r23, std::complex<double>* out) const {
  const std::size_t n_p = n_patom_, n_s = n_satom_, n_c = n_cell_;
  const std::size_t nb = num_band();
  const std::size_t n_au = n_p * n_s;
  const std::size_t blk = 2 * kStride;
  double* r2 = r23;                          // [j][i][k] complex blocks
  double* r3 = r23 + n_p * n_p * n_p * blk;  // [k][i][j]
  if (make_r0_average_) {
    for (std::size_t a = 0; a < n_p; ++a) {
      for (std::size_t t = 0; t < n_p; ++t) {
        for (std::size_t b = 0; b < n_p; ++b) {
          // Leg 2: R2(a=j, t=i, b=k) = sum_{v in k} P2(j, v) H_j(i, v).
          const std::size_t x = (a * n_p + t) * n_p + b;
          const auto rows = [&](const RowList& list, const std::vector<double>& sums, const double* p,
                                double* dst) {
            const double* h = &sums[((a * n_p + t) * n_s + b * n_c) * blk];
            const double* pr = p + a * n_s + b * n_c;
            const double* pi = p + n_au + a * n_s + b * n_c;
            const std::size_t count = list.start[x + 1] - list.start[x];
            if (2 * count >= n_c) {
              // Zero rows add exact zeros: the dense loop gives the same sums, faster.
              complex_rows(h, n_c, pr, pi, dst);
            } else {
              complex_rows_sparse(h, &list.index[list.start[x]], count, pr, pi, dst);
            }
          };
          rows(h_rows_, q0.h, p2, r2 + x * blk);
          // Leg 3: R3(a=k, t=i, b=j) = sum_{u in j} P1(k, u) C_k(i, u).
          rows(c_rows_, q0.c, p1, r3 + x * blk);
        }
      }
    }
  }

  // phono3py: ((leg1 + leg2) + leg3) / 3, each leg times its pre-phase e_a.
  auto add = [](const double* x, std::size_t e, const double* z, double* acc) {
    const double xr = x[e], xi = x[kStride + e];
    acc[0] += xr * z[0] - xi * z[1];
    acc[1] += xr * z[1] + xi * z[0];
  };
  for (std::size_t i = 0; i < n_p; ++i) {
    for (std::size_t j = 0; j < n_p; ++j) {
      for (std::size_t k = 0; k < n_p; ++k) {
        const double* b1 = r1 + ((i * n_p + j) * n_p + k) * blk;
        const double* b2 = r2 + ((j * n_p + i) * n_p + k) * blk;
        const double* b3 = r3 + ((k * n_p + i) * n_p + j) * blk;
        for (std::size_t l = 0; l < 3; ++l) {
          for (std::size_t m = 0; m < 3; ++m) {
            for (std::size_t n = 0; n < 3; ++n) {
              double z[2] = {0.0, 0.0};
              add(b1, l * 9 + m * 3 + n, pre + 2 * i, z);
              if (make_r0_average_) {
                add(b2, m * 9 + l * 3 + n, pre + 2 * j, z);
                add(b3, n * 9 + m * 3 + l, pre + 2 * k, z);
                z[0] /= 3;
                z[1] /= 3;
              }
              out[((3 * i + l) * nb + 3 * j + m) * nb + 3 * k + n] = {z[0], z[1]};
            }
          }
        }
      }
    }
  }
}

}  // namespace ph3mpi::interaction
