// Linear tetrahedron method: tetrahedra around a grid point and the weight of
// the central vertex for a delta function (see tetrahedron_method.hpp).
#include "ph3mpi/interaction/tetrahedron_method.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#if defined(__SSE2__) && !defined(PH3MPI_NO_SIMD)
#include <emmintrin.h>
#endif

#include "ph3mpi/common/error.hpp"

namespace ph3mpi::interaction {

namespace {

// Vertex energies closer than this count as equal in the interpolation
// fractions (phono3py builds its C code with THM_EPSILON=1e-10).
constexpr double kThmEpsilon = 1e-10;

// Fraction (omega - e_m) / (e_n - e_m) of the edge m -> n of a sorted tetrahedron.
inline double frac(const double* e, int n, int m, double omega) {
  const double delta = e[n] - e[m];
  if (std::fabs(delta) < kThmEpsilon) return 0;
  return (omega - e[m]) / delta;
}

// Contribution (weight of vertex `centre` times the tetrahedron's density of
// states at omega) of one sorted tetrahedron e[0] <= ... <= e[3], strictly
// inside one of the three intervals (e0,e1), (e1,e2), (e2,e3). Outside them
// (and exactly on a vertex energy) the contribution is zero.
inline double tetrahedron_contribution(const double* e, int centre, double omega) {
  if (omega < e[0]) return 0;
  if (e[0] < omega && omega < e[1]) {
    // Cross section is a triangle cut from the corner e0.
    const double f10 = frac(e, 1, 0, omega), f20 = frac(e, 2, 0, omega);
    const double dos = 3 * f10 * f20 / (e[3] - e[0]);
    double w;
    switch (centre) {
      case 0:
        w = (frac(e, 0, 1, omega) + frac(e, 0, 2, omega) + frac(e, 0, 3, omega)) / 3;
        break;
      case 1:
        w = f10 / 3;
        break;
      case 2:
        w = f20 / 3;
        break;
      default:
        w = frac(e, 3, 0, omega) / 3;
        break;
    }
    return w * dos;
  }
  if (e[1] < omega && omega < e[2]) {
    // Cross section is a quadrilateral, split into two triangles whose areas
    // are proportional to a = f12 f20 and b = f13 f21.
    const double f12 = frac(e, 1, 2, omega), f20 = frac(e, 2, 0, omega);
    const double f21 = frac(e, 2, 1, omega), f13 = frac(e, 1, 3, omega);
    const double a = f12 * f20, b = f13 * f21, s = a + b;
    double w = 0;
    if (!(s < kThmEpsilon)) {
      switch (centre) {
        case 0:
          w = (frac(e, 0, 3, omega) + frac(e, 0, 2, omega) * a / s) / 3;
          break;
        case 1:
          w = (f12 + f13 * b / s) / 3;
          break;
        case 2:
          w = (f21 + f20 * a / s) / 3;
          break;
        default:
          w = (frac(e, 3, 0, omega) + frac(e, 3, 1, omega) * b / s) / 3;
          break;
      }
    }
    const double dos = 3 / (e[3] - e[0]) * s;
    return w * dos;
  }
  if (e[2] < omega && omega < e[3]) {
    // Triangle cut from the corner e3.
    const double f13 = frac(e, 1, 3, omega), f23 = frac(e, 2, 3, omega);
    const double dos = 3 * f13 * f23 / (e[3] - e[0]);
    double w;
    switch (centre) {
      case 0:
        w = frac(e, 0, 3, omega) / 3;
        break;
      case 1:
        w = f13 / 3;
        break;
      case 2:
        w = f23 / 3;
        break;
      default:
        w = (frac(e, 3, 0, omega) + frac(e, 3, 1, omega) + frac(e, 3, 2, omega)) / 3;
        break;
    }
    return w * dos;
  }
  return 0;
}

}  // namespace

namespace {

// Sorting the four vertex values of a tetrahedron with a five-comparator
// network: order the pairs (0,1) and (2,3), take the global minimum and
// maximum from the pair ends, then order the middle. Each comparator keeps
// the first operand on ties, which is phonopy's rule, so the central vertex
// (input 0) lands in the same slot and the same formula branch is taken.
// The slot follows from the three comparisons: starting as the low (no swap01)
// or high (swap01) end of pair (0,1), the centre is e0, e3, or one of the two
// middle values, which the last comparator may exchange.
inline int centre_slot(bool swap01, bool low_from_b, bool high_from_a, bool swap_mid) {
  if (!swap01) return low_from_b ? (swap_mid ? 2 : 1) : 0;
  return high_from_a ? 3 : (swap_mid ? 1 : 2);
}

#if defined(__SSE2__) && !defined(PH3MPI_NO_SIMD)
// Two tetrahedra at a time. minpd(a, b) = a < b ? a : b and
// maxpd(a, b) = a > b ? a : b, so the operand order below reproduces the
// tie rule of the scalar network exactly.
void sort_all(const double* in, double (*e)[4], int* centre) {
  for (int t = 0; t < 24; t += 2) {
    const double* p = in + 4 * t;
    const __m128d v0 = _mm_loadh_pd(_mm_load_sd(p + 0), p + 4);
    const __m128d v1 = _mm_loadh_pd(_mm_load_sd(p + 1), p + 5);
    const __m128d v2 = _mm_loadh_pd(_mm_load_sd(p + 2), p + 6);
    const __m128d v3 = _mm_loadh_pd(_mm_load_sd(p + 3), p + 7);
    const int swap01 = _mm_movemask_pd(_mm_cmpgt_pd(v0, v1));
    const __m128d lo_a = _mm_min_pd(v1, v0);  // v0 unless v0 > v1
    const __m128d hi_a = _mm_max_pd(v0, v1);  // v1 unless v0 > v1
    const __m128d lo_b = _mm_min_pd(v3, v2);
    const __m128d hi_b = _mm_max_pd(v2, v3);
    const int low_from_b = _mm_movemask_pd(_mm_cmpgt_pd(lo_a, lo_b));
    const int high_from_a = _mm_movemask_pd(_mm_cmpgt_pd(hi_a, hi_b));
    const __m128d mid1 = _mm_max_pd(lo_a, lo_b);  // lo_a if lo_a > lo_b, else lo_b
    const __m128d mid2 = _mm_min_pd(hi_b, hi_a);  // hi_b if hi_a > hi_b, else hi_a
    const int swap_mid = _mm_movemask_pd(_mm_cmpgt_pd(mid1, mid2));
    const __m128d e0 = _mm_min_pd(lo_b, lo_a);
    const __m128d e1 = _mm_min_pd(mid2, mid1);
    const __m128d e2 = _mm_max_pd(mid1, mid2);
    const __m128d e3 = _mm_max_pd(hi_a, hi_b);
    for (int k = 0; k < 2; ++k) {
      _mm_store_sd(&e[t + k][0], k == 0 ? e0 : _mm_unpackhi_pd(e0, e0));
      _mm_store_sd(&e[t + k][1], k == 0 ? e1 : _mm_unpackhi_pd(e1, e1));
      _mm_store_sd(&e[t + k][2], k == 0 ? e2 : _mm_unpackhi_pd(e2, e2));
      _mm_store_sd(&e[t + k][3], k == 0 ? e3 : _mm_unpackhi_pd(e3, e3));
      centre[t + k] =
          centre_slot((swap01 >> k) & 1, (low_from_b >> k) & 1, (high_from_a >> k) & 1, (swap_mid >> k) & 1);
    }
  }
}
#else
void sort_all(const double* in, double (*e)[4], int* centre) {
  for (int t = 0; t < 24; ++t) {
    const double* v = in + 4 * t;
    const bool swap01 = v[0] > v[1];
    const double lo_a = swap01 ? v[1] : v[0];
    const double hi_a = swap01 ? v[0] : v[1];
    const double lo_b = v[2] > v[3] ? v[3] : v[2];
    const double hi_b = v[2] > v[3] ? v[2] : v[3];
    const bool low_from_b = lo_a > lo_b;
    const bool high_from_a = hi_a > hi_b;
    const double mid1 = low_from_b ? lo_a : lo_b;
    const double mid2 = high_from_a ? hi_b : hi_a;
    const bool swap_mid = mid1 > mid2;
    e[t][0] = low_from_b ? lo_b : lo_a;
    e[t][1] = swap_mid ? mid2 : mid1;
    e[t][2] = swap_mid ? mid1 : mid2;
    e[t][3] = high_from_a ? hi_a : hi_b;
    centre[t] = centre_slot(swap01, low_from_b, high_from_a, swap_mid);
  }
}
#endif

}  // namespace

void sort_tetrahedra(const double tetrahedra_omegas[24][4], SortedTetrahedra& sorted) {
  double flat[96];
  for (int t = 0; t < 24; ++t) {
    for (int v = 0; v < 4; ++v) flat[4 * t + v] = tetrahedra_omegas[t][v];
  }
  sort_tetrahedra(flat, sorted);
}

void sort_tetrahedra(const double* tetrahedra_omegas_flat, SortedTetrahedra& sorted) {
  sort_all(tetrahedra_omegas_flat, sorted.omegas, sorted.centre);
  sorted.count = 24;
}

int sort_tetrahedra(const double* tetrahedra_omegas_flat, const double* ascending_omegas,
                    std::size_t num_omegas, SortedTetrahedra& sorted) {
  sort_all(tetrahedra_omegas_flat, sorted.omegas, sorted.centre);
  const double* omegas_end = ascending_omegas + num_omegas;
  int n = 0;
  for (int t = 0; t < 24; ++t) {
    const double lowest = sorted.omegas[t][0], highest = sorted.omegas[t][3];
    // First omega above the lowest vertex value; kept if it is below the
    // highest. A few omegas (the usual band frequencies) are counted without
    // branches, many (frequency scans) are bisected.
    const double* above;
    if (num_omegas <= 16) {
      std::size_t below = 0;
      for (std::size_t i = 0; i < num_omegas; ++i)
        below += static_cast<std::size_t>(ascending_omegas[i] <= lowest);
      above = ascending_omegas + below;
    } else {
      above = std::upper_bound(ascending_omegas, omegas_end, lowest);
    }
    if (above == omegas_end || !(*above < highest)) continue;
    if (n != t) {
      for (int v = 0; v < 4; ++v) sorted.omegas[n][v] = sorted.omegas[t][v];
      sorted.centre[n] = sorted.centre[t];
    }
    ++n;
  }
  sorted.count = n;
  return n;
}

double tetrahedra_delta_weight(double omega, const SortedTetrahedra& sorted) {
  double sum = 0;
  for (int t = 0; t < sorted.count; ++t)
    sum += tetrahedron_contribution(sorted.omegas[t], sorted.centre[t], omega);
  return sum / 6;
}

double tetrahedra_delta_weight(double omega, const double tetrahedra_omegas[24][4]) {
  SortedTetrahedra sorted;
  sort_tetrahedra(tetrahedra_omegas, sorted);
  return tetrahedra_delta_weight(omega, sorted);
}

namespace {

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define PH3MPI_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define PH3MPI_SIMD_CLONES
#endif

// The network of sort_all on arrays (one tetrahedron per SIMD lane): the same
// comparisons and selections, so the same values and centre slots.
PH3MPI_SIMD_CLONES
void sort_lanes(const double (*v)[24], double (*e)[24], double* centre) {
  for (int t = 0; t < 24; ++t) {
    const double v0 = v[0][t], v1 = v[1][t], v2 = v[2][t], v3 = v[3][t];
    const bool swap01 = v0 > v1;
    const double lo_a = swap01 ? v1 : v0;
    const double hi_a = swap01 ? v0 : v1;
    const bool swap23 = v2 > v3;
    const double lo_b = swap23 ? v3 : v2;
    const double hi_b = swap23 ? v2 : v3;
    const bool low_from_b = lo_a > lo_b;
    const bool high_from_a = hi_a > hi_b;
    const double mid1 = low_from_b ? lo_a : lo_b;
    const double mid2 = high_from_a ? hi_b : hi_a;
    const bool swap_mid = mid1 > mid2;
    e[0][t] = low_from_b ? lo_b : lo_a;
    e[1][t] = swap_mid ? mid2 : mid1;
    e[2][t] = swap_mid ? mid1 : mid2;
    e[3][t] = high_from_a ? hi_a : hi_b;
    // centre_slot(swap01, low_from_b, high_from_a, swap_mid) as arithmetic on lanes.
    const double not_swapped = low_from_b ? (swap_mid ? 2.0 : 1.0) : 0.0;
    const double swapped = high_from_a ? 3.0 : (swap_mid ? 1.0 : 2.0);
    centre[t] = swap01 ? swapped : not_swapped;
  }
}

// Four tetrahedra at a time with GCC's vector extension (AVX2 registers in the v3/v4
// clones, pairs of SSE registers otherwise): every branch of tetrahedron_contribution
// is computed and the one that applies selected, so each lane holds the same expression
// as there, bit for bit. (Vector types because GCC does not vectorize the plain loop:
// it keeps possibly trapping divisions out of the branches. Four lanes because GCC 12
// compiles the target clones' 512-bit comparisons element by element.)
using Lanes = double __attribute__((vector_size(32)));
constexpr int kLanes = 4;

// (Macros, not lambdas: a function taking or returning a vector type would change the
// ABI between the clones.)
#define PH3MPI_LOAD_LANES(name, pointer) \
  Lanes name;                            \
  std::memcpy(&name, pointer, sizeof name)
// frac(e, n, m, omega) with delta = e_n - e_m (|delta| < eps: 0).
#define PH3MPI_FRAC_LANES(name, en, em)                       \
  Lanes name;                                                 \
  {                                                           \
    const Lanes delta_ = (en) - (em);                         \
    const Lanes minus_ = -delta_;                             \
    const Lanes quotient_ = (w - (em)) / delta_;              \
    const Lanes magnitude_ = delta_ < zero ? minus_ : delta_; \
    name = magnitude_ < eps ? zero : quotient_;               \
  }

// Lanes t < count (a multiple of kLanes) of the sorted tetrahedra e0[t] <= .. <= e3[t]
// with the central vertex at position centre[t], each at its own omega[t].
PH3MPI_SIMD_CLONES
void contributions(const double* __restrict e0s, const double* __restrict e1s, const double* __restrict e2s,
                   const double* __restrict e3s, const double* __restrict centre,
                   const double* __restrict omega, std::size_t count, double* __restrict out) {
  // (Every selection a single ?: on a direct comparison, conditions combined by
  // arithmetic: GCC lowers combined vector masks poorly in target clones.)
  const Lanes zero = {};
  const Lanes eps = kThmEpsilon - zero, one = 1.0 - zero, two = 2.0 - zero, three = 3.0 - zero,
              four = 4.0 - zero;
  for (std::size_t t = 0; t < count; t += kLanes) {
    PH3MPI_LOAD_LANES(e0, &e0s[t]);
    PH3MPI_LOAD_LANES(e1, &e1s[t]);
    PH3MPI_LOAD_LANES(e2, &e2s[t]);
    PH3MPI_LOAD_LANES(e3, &e3s[t]);
    PH3MPI_LOAD_LANES(c, &centre[t]);
    PH3MPI_LOAD_LANES(w, &omega[t]);
    // Interval of omega: k = 1 for (e0, e1), 2 for (e1, e2), 3 for (e2, e3), 0 elsewhere
    // (on a vertex value or outside): with the values ascending, omega is strictly inside
    // (e_{k-1}, e_k) when it is above k values and below the other 4 - k.
    const Lanes above =
        (e0 < w ? one : zero) + (e1 < w ? one : zero) + (e2 < w ? one : zero) + (e3 < w ? one : zero);
    const Lanes below =
        (w < e0 ? one : zero) + (w < e1 ? one : zero) + (w < e2 ? one : zero) + (w < e3 ? one : zero);
    const Lanes inside = above + below == four ? above : zero;
    const Lanes k = inside == four ? zero : inside;
    // The fractions frac(n, m) a lane needs, at most six, in slots:
    //   k = 1: S1 = f10 S2 = f20 S3 = f01 (centre 0) or f30  S4 = f02  S5 = f03
    //   k = 2: S1 = f12 S2 = f20 S3 = f13 S4 = f21 S5 = f03 or f30  S6 = f02 or f31
    //   k = 3: S1 = f13 S2 = f23 S3 = f03 or f30  S4 = f31  S5 = f32
    // as frac(n, m) = (omega - e_m) / (e_n - e_m) with (n, m) selected per lane.
    Lanes m1 = k == two ? e2 : e3;
    m1 = k == one ? e0 : m1;
    const Lanes m2 = k == three ? e3 : e0;
    const Lanes n3c = c == zero ? e0 : e3;  // k = 1, 3
    const Lanes n3 = k == two ? e1 : n3c;
    const Lanes m3c1 = c == zero ? e1 : e0, m3c3 = c == zero ? e3 : e0;
    Lanes m3 = k == one ? m3c1 : m3c3;
    m3 = k == two ? e3 : m3;
    Lanes n4 = k == two ? e2 : e3;
    n4 = k == one ? e0 : n4;
    const Lanes m4 = k == one ? e2 : e1;
    const Lanes n5b = c == three ? e3 : e0, m5b = c == three ? e0 : e3;
    Lanes n5 = k == two ? n5b : e0;
    n5 = k == three ? e3 : n5;
    Lanes m5 = k == two ? m5b : e3;
    m5 = k == three ? e2 : m5;
    const Lanes n6 = c == zero ? e0 : e3, m6 = c == zero ? e2 : e1;
    PH3MPI_FRAC_LANES(s1, e1, m1)
    PH3MPI_FRAC_LANES(s2, e2, m2)
    PH3MPI_FRAC_LANES(s3, n3, m3)
    PH3MPI_FRAC_LANES(s4, n4, m4)
    PH3MPI_FRAC_LANES(s5, n5, m5)
    PH3MPI_FRAC_LANES(s6, n6, m6)
    // Density of states times 6: 3 f10 f20 / (e3 - e0), 3 / (e3 - e0) s, 3 f13 f23 / (e3 - e0).
    const Lanes a = s1 * s2, b = s3 * s4, s = a + b;  // k = 2
    const Lanes s12 = 3 * s1 * s2;
    const Lanes numerator = k == two ? three : s12;
    const Lanes q = numerator / (e3 - e0);
    const Lanes qs = q * s;
    const Lanes dos = k == two ? qs : q;
    // Weight of the central vertex times 3, by centre position c.
    Lanes base = c == two ? s4 : s5;
    base = c == one ? s1 : base;
    Lanes x = c == two ? s2 : s6;
    x = c == one ? s3 : x;
    Lanes y = c == three ? b : a;
    y = c == one ? b : y;
    const Lanes sum_b = base + x * y / s;
    const Lanes sum_a = s3 + s4 + s5;
    Lanes num_a = c == two ? s2 : s3;
    num_a = c == one ? s1 : num_a;
    num_a = c == zero ? sum_a : num_a;
    Lanes num_c = c == two ? s2 : sum_a;
    num_c = c == one ? s1 : num_c;
    num_c = c == zero ? s3 : num_c;
    Lanes numerator_w = k == two ? sum_b : num_c;
    numerator_w = k == one ? num_a : numerator_w;
    const Lanes weight = numerator_w / 3;
    // k = 2 and s < eps: weight 0.
    const Lanes k_minus_two = k - two;
    const Lanes flag = s < eps ? k_minus_two : one;
    const Lanes w_case = flag == zero ? zero : weight;
    const Lanes product = w_case * dos;
    const Lanes value = k == zero ? zero : product;
    std::memcpy(&out[t], &value, sizeof value);
  }
}
#undef PH3MPI_FRAC_LANES
#undef PH3MPI_LOAD_LANES

}  // namespace

void sort_tetrahedra_lanes(const double (*vertex_values)[24], double (*e)[24], double* centre) {
  sort_lanes(vertex_values, e, centre);
}

void tetrahedron_contributions(const double* e0, const double* e1, const double* e2, const double* e3,
                               const double* centre, const double* omega, std::size_t count, double* out) {
  const std::size_t full = count / kLanes * kLanes;
  contributions(e0, e1, e2, e3, centre, omega, full, out);
  if (full == count) return;
  // The last lanes through a padded group (padding: a tetrahedron that does not contain
  // its omega, contribution 0, not returned).
  alignas(64) double pad[6][kLanes] = {};
  for (std::size_t t = full; t < count; ++t) {
    pad[0][t - full] = e0[t];
    pad[1][t - full] = e1[t];
    pad[2][t - full] = e2[t];
    pad[3][t - full] = e3[t];
    pad[4][t - full] = centre[t];
    pad[5][t - full] = omega[t];
  }
  alignas(64) double values[kLanes];
  contributions(pad[0], pad[1], pad[2], pad[3], pad[4], pad[5], kLanes, values);
  for (std::size_t t = full; t < count; ++t) out[t] = values[t - full];
}

int sort_tetrahedra_soa(const double (*vertex_values)[24], const double* ascending_omegas,
                        std::size_t num_omegas, SortedTetrahedraSoA& sorted) {
  alignas(64) double e[4][24];
  alignas(64) double centre[24];
  sort_lanes(vertex_values, e, centre);
  // Kept when some omega lies strictly between the lowest and highest vertex value (the
  // same test as the scalar sort_tetrahedra), then packed without branches.
  alignas(64) int keep[24] = {};
  for (std::size_t w = 0; w < num_omegas; ++w) {
    const double omega = ascending_omegas[w];
    for (int t = 0; t < 24; ++t)
      keep[t] |= static_cast<int>(e[0][t] < omega) & static_cast<int>(omega < e[3][t]);
  }
  int n = 0;
  for (int t = 0; t < 24; ++t) {
    for (int k = 0; k < 4; ++k) sorted.e[k][n] = e[k][t];
    sorted.centre[n] = centre[t];
    n += keep[t];
  }
  sorted.count = n;
  // Unused lanes of the last group: any finite values (they are not summed).
  for (int t = n; t < 24; ++t) {
    for (int k = 0; k < 4; ++k) sorted.e[k][t] = 0.0;
    sorted.centre[t] = 0.0;
  }
  return n;
}

double tetrahedra_delta_weight(double omega, const SortedTetrahedraSoA& sorted) {
  alignas(64) double values[24];
  alignas(64) double omegas[24];
  std::fill(omegas, omegas + 24, omega);
  const auto lanes = static_cast<std::size_t>((sorted.count + kLanes - 1) / kLanes * kLanes);
  contributions(sorted.e[0], sorted.e[1], sorted.e[2], sorted.e[3], sorted.centre, omegas, lanes, values);
  double sum = 0;
  for (int t = 0; t < sorted.count; ++t) sum += values[t];
  return sum / 6;
}

}  // namespace ph3mpi::interaction
