// Triplet integration weights, tetrahedron method and Gaussian smearing (see
// integration_weights.hpp for the definitions and layouts).
//
// Tetrahedron method for triplets (phono3py c/triplet_iw.c): q1 runs over the
// 24 tetrahedra around triplet[1] while q2 = -q0 - q1 runs over the mirrored
// tetrahedra around triplet[2], so on each vertex the two-phonon energies
// w1 - w2 ... are linear interpolants and the delta functions of the three
// processes are integrated with the central-vertex weights of the linear
// tetrahedron method.
#include "ph3mpi/interaction/integration_weights.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#include <immintrin.h>
#endif

#include "gr_grid_index.hpp"
#include "ph3mpi/common/error.hpp"
#include "ph3mpi/grid/tetrahedron_grid.hpp"
#include "ph3mpi/interaction/tetrahedron_method.hpp"

namespace ph3mpi::interaction {

namespace {

bool cpu_has_avx512f() {
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
  return __builtin_cpu_supports("avx512f") != 0;
#else
  return false;
#endif
}

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define PH3MPI_IW_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define PH3MPI_IW_SIMD_CLONES
#endif

std::size_t check_frequencies(const NdArray<double>& frequencies, const std::vector<Triplet>& triplets) {
  if (frequencies.shape.size() != 2 || frequencies.shape[1] == 0) {
    throw Error("frequencies must have shape (grid points, bands), got " + frequencies.shape_string());
  }
  const auto num_points = static_cast<std::int64_t>(frequencies.shape[0]);
  for (const auto& tp : triplets) {
    for (const auto gp : tp) {
      if (gp < 0 || gp >= num_points) {
        throw Error("triplet grid point " + std::to_string(gp) + " outside the frequencies array " +
                    frequencies.shape_string());
      }
    }
  }
  return frequencies.shape[1];
}

void check_num_g(int num_g) {
  if (num_g != 2 && num_g != 3) throw Error("num_g must be 2 or 3, got " + std::to_string(num_g));
}

// ---- tetrahedron method
//
// Per triplet and band pair (b1, b2), each of the three channels -w1 + w2, w1 - w2 and
// w1 + w2 is a linear interpolant on the 24 tetrahedra around q1 (and the mirrored ones
// around q2). Its weight at a frequency point is the sum over the tetrahedra, in their
// order, of each one's contribution (tetrahedron_method.hpp), divided by 6. Only
// tetrahedra whose open range (lowest, highest vertex value) holds the point contribute
// anything but an exact zero, and adding an exact zero changes no sum, so the weights
// are collected as a list of (tetrahedron, point) entries -- only the contributing ones
// -- whose contributions are computed in SIMD lanes in one pass and then added up in
// list order: the bits of phono3py's sum over all 24 tetrahedra. (The list is collected 8
// tetrahedra at a time with AVX-512 where the CPU has it: collect_entries_avx512.)
// Which channels and points need any work follows from the exact range of each
// channel's vertex values over the 15 distinct vertices (the same values as over the 96
// tetrahedron corners), computed for all b2 of a b1 at once.

constexpr std::size_t kMaxVertices = 16;

// Everything the per-triplet kernel reads (set once per call).
struct TetrahedronTables {
  const double* frequencies;  // [BZ point][band]
  std::size_t num_band;
  const grid::BZGrid* bz_grid;
  const grid::Vector3l* offsets;  // [nu] vertex offsets around a grid point
  std::size_t nu;
  const std::int64_t* vertex;  // [v][t]: index into offsets of vertex v of tetrahedron t
  const double* points;        // distinct frequency points, ascending
  std::size_t num_points;
  // The frequency points j at distinct point u: js[js_start[u]] .. js[js_start[u + 1] - 1].
  const std::uint32_t* js_start;
  const std::uint32_t* js;
  std::size_t num_fp;
  int num_g;
  std::size_t channel_stride;  // elements of g per component (all triplets of the call)
  bool avx512;                 // the CPU has AVX-512F (entries collected 8 at a time)
};

// Entries and slots are computed and summed in passes of about these many (L1-sized).
constexpr std::size_t kFlushEntries = 1024;
constexpr std::size_t kFlushSlots = 256;

// Elements after the entries that a vector store may write.
constexpr std::size_t kSlack = 8;

// Per-thread scratch, reused over the triplets of a call: sized once for the call's
// number of frequency points (no allocation per band pair or per point).
struct TetrahedronScratch {
  explicit TetrahedronScratch(const TetrahedronTables& tb)
      : entry_capacity(kFlushEntries + 3 * 24 * tb.num_points),
        slot_capacity(kFlushSlots + 3 * tb.num_points),
        entries(new double[7 * (entry_capacity + kSlack)]),
        slot_end(new std::size_t[slot_capacity]),
        weight(new double[slot_capacity]),
        pairs(new Pair[slot_capacity]) {
    e0 = entries.get();
    e1 = e0 + entry_capacity + kSlack;
    e2 = e1 + entry_capacity + kSlack;
    e3 = e2 + entry_capacity + kSlack;
    centre = e3 + entry_capacity + kSlack;
    omega = centre + entry_capacity + kSlack;
    value = omega + entry_capacity + kSlack;
    for (auto& v : vertex_freq) v.resize(tb.nu * tb.num_band);
    range.resize(4 * tb.num_band);
  }
  // A band pair with work: its channels' point ranges [first, last) and first slots.
  struct Pair {
    std::uint32_t b1, b2;
    std::uint32_t first[3], last[3];
    std::size_t slot[3];
  };
  std::vector<double> vertex_freq[2];  // [k][band] at the vertices around q1 (side 0), q2 (side 1)
  std::vector<double> range;           // [4][b2]: min, max of channel 0 and of channel 2 over vertices
  // The entries: sorted tetrahedron e0..e3, centre, point, contribution; the slots
  // (one per channel and point of a pair), entries of slot s from slot_end[s - 1] (or
  // 0) to slot_end[s]; the pairs. A pass holds fewer than kFlushEntries entries and
  // kFlushSlots slots before its last pair, whose entries and slots are bounded by
  // 3 x 24 x (points) and 3 x (points).
  std::size_t entry_capacity, slot_capacity;
  std::unique_ptr<double[]> entries;
  std::unique_ptr<std::size_t[]> slot_end;
  std::unique_ptr<double[]> weight;  // per slot
  std::unique_ptr<Pair[]> pairs;
  double *e0, *e1, *e2, *e3, *centre, *omega, *value;
  std::size_t num_entries = 0, num_slots = 0, num_pairs = 0;
  alignas(64) double values[4][24];
  alignas(64) double sorted[4][24];
  alignas(64) double sorted_centre[24];
};

// Contributions of the collected entries, the weights per slot, and the g, g_zero
// elements of the collected pairs (base: the triplet's first element).
void flush_tetrahedron_entries(const TetrahedronTables& tb, TetrahedronScratch& sc, double* g,
                               std::int8_t* g_zero) {
  const std::size_t n = sc.num_entries;
  tetrahedron_contributions(sc.e0, sc.e1, sc.e2, sc.e3, sc.centre, sc.omega, n, sc.value);
  std::size_t begin = 0;
  for (std::size_t s = 0; s < sc.num_slots; ++s) {
    double sum = 0;
    for (std::size_t i = begin; i < sc.slot_end[s]; ++i) sum += sc.value[i];
    sc.weight[s] = sum / 6;
    begin = sc.slot_end[s];
  }
  const std::size_t nb = tb.num_band, nbb = nb * nb, cs = tb.channel_stride;
  for (std::size_t ip = 0; ip < sc.num_pairs; ++ip) {
    const TetrahedronScratch::Pair& p = sc.pairs[ip];
    // Only the points inside some channel's range [first, last); at the others every
    // element is left as preset (g 0, g_zero 1).
    std::uint32_t u_begin = ~std::uint32_t{0}, u_end = 0;
    for (int c = 0; c < 3; ++c) {
      if (p.first[c] < p.last[c]) {
        u_begin = std::min(u_begin, p.first[c]);
        u_end = std::max(u_end, p.last[c]);
      }
    }
    for (std::uint32_t u = u_begin; u < u_end; ++u) {
      double w[3] = {0, 0, 0};
      bool zero = true;
      for (int c = 0; c < 3; ++c) {
        if (p.first[c] <= u && u < p.last[c]) {
          w[c] = sc.weight[p.slot[c] + (u - p.first[c])];
          zero = false;
        }
      }
      if (zero) continue;
      for (std::uint32_t k = tb.js_start[u]; k < tb.js_start[u + 1]; ++k) {
        const std::size_t adrs = tb.js[k] * nbb + p.b1 * nb + p.b2;
        g[adrs] = w[2];
        g[cs + adrs] = w[0] - w[1];
        if (tb.num_g == 3) g[2 * cs + adrs] = w[0] + w[1] + w[2];
        g_zero[adrs] = 0;
      }
    }
  }
  sc.num_entries = sc.num_slots = sc.num_pairs = 0;
}

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define PH3MPI_IW_AVX512_ENTRIES 1
// The entries of the points [first, last) of sorted tetrahedra, as the plain loop in
// add_channel_entries collects them, 8 tetrahedra at a time with AVX-512: compressed into
// a register and stored whole (a compress to memory is slow on AMD Zen 4), so up to 8
// elements after the entries are written. Returns the new number of entries.
__attribute__((target("avx512f"))) std::size_t collect_entries_avx512(
    const double (*sorted)[24], const double* sorted_centre, const double* points, std::uint32_t first,
    std::uint32_t last, std::size_t n, double* e0, double* e1, double* e2, double* e3, double* ce, double* om,
    std::size_t* slot_end, std::size_t& num_slots) {
  for (std::uint32_t u = first; u < last; ++u) {
    const __m512d point = _mm512_set1_pd(points[u]);
    for (int t = 0; t < 24; t += 8) {
      const __m512d a0 = _mm512_loadu_pd(&sorted[0][t]);
      const __m512d a3 = _mm512_loadu_pd(&sorted[3][t]);
      const __mmask8 keep = static_cast<__mmask8>(_mm512_cmp_pd_mask(a0, point, _CMP_LT_OQ) &
                                                  _mm512_cmp_pd_mask(point, a3, _CMP_LT_OQ));
      _mm512_storeu_pd(e0 + n, _mm512_maskz_compress_pd(keep, a0));
      _mm512_storeu_pd(e1 + n, _mm512_maskz_compress_pd(keep, _mm512_loadu_pd(&sorted[1][t])));
      _mm512_storeu_pd(e2 + n, _mm512_maskz_compress_pd(keep, _mm512_loadu_pd(&sorted[2][t])));
      _mm512_storeu_pd(e3 + n, _mm512_maskz_compress_pd(keep, a3));
      _mm512_storeu_pd(ce + n, _mm512_maskz_compress_pd(keep, _mm512_loadu_pd(&sorted_centre[t])));
      _mm512_storeu_pd(om + n, point);
      n += static_cast<std::size_t>(__builtin_popcount(keep));
    }
    slot_end[num_slots++] = n;
  }
  return n;
}
#endif

// The entries of one channel of a band pair: its 24 tetrahedra sorted, then for each
// point in [first, last) the tetrahedra whose open range holds it, in their order.
PH3MPI_IW_SIMD_CLONES
void add_channel_entries(const TetrahedronTables& tb, const double* x, std::uint32_t first,
                         std::uint32_t last, TetrahedronScratch& sc) {
  // values[v][t] = x[vertex[v][t]], 8 at a time as a two-register table lookup
  // (x has kMaxVertices = 16 elements; one vpermt2pd per 8 with AVX-512).
  {
    using Doubles8 = double __attribute__((vector_size(64)));
    using Indices8 = std::int64_t __attribute__((vector_size(64)));
    static_assert(kMaxVertices == 16, "the lookup table is two vectors of 8");
    Doubles8 low, high;
    std::memcpy(&low, x, sizeof low);
    std::memcpy(&high, x + 8, sizeof high);
    double* out = &sc.values[0][0];
    for (int k = 0; k < 96; k += 8) {
      Indices8 index;
      std::memcpy(&index, tb.vertex + k, sizeof index);
      const Doubles8 picked = __builtin_shuffle(low, high, index);
      std::memcpy(out + k, &picked, sizeof picked);
    }
  }
  sort_tetrahedra_lanes(sc.values, sc.sorted, sc.sorted_centre);
#ifdef PH3MPI_IW_AVX512_ENTRIES
  if (tb.avx512) {
    sc.num_entries =
        collect_entries_avx512(sc.sorted, sc.sorted_centre, tb.points, first, last, sc.num_entries, sc.e0,
                               sc.e1, sc.e2, sc.e3, sc.centre, sc.omega, sc.slot_end.get(), sc.num_slots);
    return;
  }
#endif
  double* __restrict e0 = sc.e0;
  double* __restrict e1 = sc.e1;
  double* __restrict e2 = sc.e2;
  double* __restrict e3 = sc.e3;
  double* __restrict ce = sc.centre;
  double* __restrict om = sc.omega;
  std::size_t n = sc.num_entries;
  for (std::uint32_t u = first; u < last; ++u) {
    const double point = tb.points[u];
    for (int t = 0; t < 24; ++t) {
      e0[n] = sc.sorted[0][t];
      e1[n] = sc.sorted[1][t];
      e2[n] = sc.sorted[2][t];
      e3[n] = sc.sorted[3][t];
      ce[n] = sc.sorted_centre[t];
      om[n] = point;
      // (& rather than &&: no branch to mispredict)
      n += static_cast<std::size_t>((sc.sorted[0][t] < point) & (point < sc.sorted[3][t]));
    }
    sc.slot_end[sc.num_slots++] = n;
  }
  sc.num_entries = n;
}

// Exact ranges of channels 0 (-w1 + w2) and 2 (w1 + w2) over the vertices for band b1
// and every b2: range[0][b2] min and range[1][b2] max of channel 0, range[2], range[3]
// of channel 2 (channel 1 = -channel 0 exactly, its range is [-max, -min]).
PH3MPI_IW_SIMD_CLONES
void channel_ranges(const double* __restrict f1, const double* __restrict f2, std::size_t nu, std::size_t nb,
                    std::size_t b1, double* __restrict range) {
  double* lo0 = range;
  double* hi0 = range + nb;
  double* lo2 = range + 2 * nb;
  double* hi2 = range + 3 * nb;
  const double a0 = f1[b1];
  for (std::size_t b2 = 0; b2 < nb; ++b2) {
    lo0[b2] = hi0[b2] = -a0 + f2[b2];
    lo2[b2] = hi2[b2] = a0 + f2[b2];
  }
  for (std::size_t k = 1; k < nu; ++k) {
    const double a = f1[k * nb + b1];
    const double* y = f2 + k * nb;
    for (std::size_t b2 = 0; b2 < nb; ++b2) {
      const double x0 = -a + y[b2], x2 = a + y[b2];
      lo0[b2] = x0 < lo0[b2] ? x0 : lo0[b2];
      hi0[b2] = x0 > hi0[b2] ? x0 : hi0[b2];
      lo2[b2] = x2 < lo2[b2] ? x2 : lo2[b2];
      hi2[b2] = x2 > hi2[b2] ? x2 : hi2[b2];
    }
  }
}

void tetrahedron_weights_of_triplet(const TetrahedronTables& tb, const Triplet& tp, double* g,
                                    std::int8_t* g_zero, TetrahedronScratch& sc) {
  const std::size_t nb = tb.num_band, nu = tb.nu;
  const std::size_t per_triplet = tb.num_fp * nb * nb;
  // Vertex frequencies around q1 and around q2 (mirrored), negative (imaginary) ones as 0.
  for (int side = 0; side < 2; ++side) {
    const grid::Vector3l& centre =
        tb.bz_grid->addresses[static_cast<std::size_t>(tp[static_cast<std::size_t>(side + 1)])];
    double* vf = sc.vertex_freq[side].data();
    for (std::size_t k = 0; k < nu; ++k) {
      const grid::Vector3l address =
          side == 0 ? grid::Vector3l(centre + tb.offsets[k]) : grid::Vector3l(centre - tb.offsets[k]);
      const double* row = tb.frequencies + detail::bz_index_of_address(address, *tb.bz_grid) * nb;
      for (std::size_t b = 0; b < nb; ++b) vf[k * nb + b] = row[b] < 0 ? 0.0 : row[b];
    }
  }
  // Every element zero until a channel's range holds its point.
  for (int c = 0; c < tb.num_g; ++c)
    std::fill(g + c * tb.channel_stride, g + c * tb.channel_stride + per_triplet, 0.0);
  std::fill(g_zero, g_zero + per_triplet, std::int8_t{1});

  const double* f1 = sc.vertex_freq[0].data();
  const double* f2 = sc.vertex_freq[1].data();
  const double* points_end = tb.points + tb.num_points;
  const double p_min = tb.points[0], p_max = tb.points[tb.num_points - 1];
  double x[kMaxVertices] = {};
  for (std::size_t b1 = 0; b1 < nb; ++b1) {
    channel_ranges(f1, f2, nu, nb, b1, sc.range.data());
    for (std::size_t b2 = 0; b2 < nb; ++b2) {
      const double lo0 = sc.range[b2], hi0 = sc.range[nb + b2];
      const double lo[3] = {lo0, -hi0, sc.range[2 * nb + b2]};
      const double hi[3] = {hi0, -lo0, sc.range[3 * nb + b2]};
      TetrahedronScratch::Pair pair{
          static_cast<std::uint32_t>(b1), static_cast<std::uint32_t>(b2), {}, {}, {}};
      bool any = false;
      for (int c = 0; c < 3; ++c) {
        pair.slot[c] = sc.num_slots;
        // The points in [lo, hi]: none for most channels; else counted (few points) or
        // searched.
        if (hi[c] < p_min || lo[c] > p_max) continue;
        std::uint32_t first = 0, last = 0;
        if (tb.num_points <= 32) {
          for (std::size_t u = 0; u < tb.num_points; ++u) {
            first += static_cast<std::uint32_t>(tb.points[u] < lo[c]);
            last += static_cast<std::uint32_t>(tb.points[u] <= hi[c]);
          }
        } else {
          first = static_cast<std::uint32_t>(std::lower_bound(tb.points, points_end, lo[c]) - tb.points);
          last = static_cast<std::uint32_t>(std::upper_bound(tb.points, points_end, hi[c]) - tb.points);
        }
        pair.first[c] = first;
        pair.last[c] = last;
        if (first >= last) continue;
        any = true;
        // The channel's vertex values, as phono3py forms them.
        for (std::size_t k = 0; k < nu; ++k) {
          const double v1 = f1[k * nb + b1], v2 = f2[k * nb + b2];
          x[k] = c == 0 ? -v1 + v2 : c == 1 ? v1 - v2 : v1 + v2;
        }
        add_channel_entries(tb, x, pair.first[c], pair.last[c], sc);
      }
      if (!any) continue;
      sc.pairs[sc.num_pairs++] = pair;
      if (sc.num_entries >= kFlushEntries || sc.num_slots >= kFlushSlots) {
        flush_tetrahedron_entries(tb, sc, g, g_zero);
      }
    }
  }
  if (sc.num_pairs != 0) flush_tetrahedron_entries(tb, sc, g, g_zero);
}

}  // namespace

double gaussian(double x, double sigma) {
  // 1/sqrt(2 pi) as written in phono3py's funcs.c, and the same operation order.
  constexpr double kInvSqrt2Pi = 0.3989422804014327;
  return kInvSqrt2Pi / sigma * std::exp(-x * x / 2 / sigma / sigma);
}

void set_triplets_integration_weights_tetrahedron(double* g, std::int8_t* g_zero, int num_g,
                                                  const std::vector<double>& frequency_points,
                                                  const std::vector<Triplet>& triplets,
                                                  const NdArray<double>& frequencies,
                                                  const grid::BZGrid& bz_grid) {
  detail::set_triplets_integration_weights_tetrahedron(g, g_zero, num_g, frequency_points, triplets,
                                                       frequencies, bz_grid, true);
}

void detail::set_triplets_integration_weights_tetrahedron(double* g, std::int8_t* g_zero, int num_g,
                                                          const std::vector<double>& frequency_points,
                                                          const std::vector<Triplet>& triplets,
                                                          const NdArray<double>& frequencies,
                                                          const grid::BZGrid& bz_grid, bool allow_avx512) {
  check_num_g(num_g);
  const std::size_t num_band = check_frequencies(frequencies, triplets);
  if (static_cast<std::int64_t>(frequencies.shape[0]) != bz_grid.num_bz_points()) {
    throw Error("frequencies " + frequencies.shape_string() + " must cover all " +
                std::to_string(bz_grid.num_bz_points()) + " BZ grid points");
  }
  if (static_cast<std::int64_t>(bz_grid.gp_map.size()) != bz_grid.num_gr_points() + 1) {
    throw Error("BZGrid gp_map must be dense (size prod(D_diag)+1)");
  }
  const std::int64_t num_triplets = static_cast<std::int64_t>(triplets.size());
  const std::size_t num_fp = frequency_points.size();
  if (num_fp == 0 || num_triplets == 0) return;

  // The 96 tetrahedron vertices around a grid point are 15 distinct grid points (the
  // centre and 14 neighbours): look each up once per side and triplet. Offsets are in
  // the microzone basis (phonopy's table); P maps them onto the grid's SNF basis.
  const grid::TetrahedraRelativeAddresses& microzone =
      grid::tetrahedra_relative_grid_address_table(grid::shortest_main_diagonal(bz_grid.microzone_lattice));
  // The distinct vertex offsets in order of first appearance, found through a table of
  // the microzone addresses in {-1, 0, 1}^3 (P is invertible: distinct addresses stay
  // distinct), a search for any other (this runs once per call, i.e. per triplet in RTA).
  std::vector<grid::Vector3l> offsets;
  offsets.reserve(kMaxVertices);
  alignas(64) std::int64_t vertex[4][24];  // [v][t] -> index into offsets
  std::int64_t index_of_unit[27];
  std::fill(index_of_unit, index_of_unit + 27, std::int64_t{-1});
  for (int t = 0; t < 24; ++t) {
    for (int v = 0; v < 4; ++v) {
      const grid::Vector3l& m = microzone[static_cast<std::size_t>(t)][static_cast<std::size_t>(v)];
      const bool unit = m.cwiseAbs().maxCoeff() <= 1;
      const std::size_t key =
          unit ? static_cast<std::size_t>(9 * (m(0) + 1) + 3 * (m(1) + 1) + (m(2) + 1)) : 0;
      if (unit && index_of_unit[key] >= 0) {
        vertex[v][t] = index_of_unit[key];
        continue;
      }
      const grid::Vector3l a = bz_grid.P * m;
      auto it = unit ? offsets.end() : std::find(offsets.begin(), offsets.end(), a);
      if (it == offsets.end()) it = offsets.insert(offsets.end(), a);
      vertex[v][t] = static_cast<std::int64_t>(it - offsets.begin());
      if (unit) index_of_unit[key] = vertex[v][t];
    }
  }
  const std::size_t nu = offsets.size();  // 15
  if (nu > kMaxVertices) throw Error("tetrahedra with more than 16 distinct vertices");

  // The distinct frequency points in ascending order, and the one of each point.
  std::vector<double> points(frequency_points);
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());
  std::vector<std::uint32_t> js_start(points.size() + 1, 0), js(num_fp);
  std::vector<std::uint32_t> point_of(num_fp);
  for (std::size_t j = 0; j < num_fp; ++j) {
    point_of[j] = static_cast<std::uint32_t>(
        std::lower_bound(points.begin(), points.end(), frequency_points[j]) - points.begin());
    ++js_start[point_of[j] + 1];
  }
  for (std::size_t u = 0; u < points.size(); ++u) js_start[u + 1] += js_start[u];
  {
    std::vector<std::uint32_t> next(js_start.begin(), js_start.end() - 1);
    for (std::size_t j = 0; j < num_fp; ++j) js[next[point_of[j]]++] = static_cast<std::uint32_t>(j);
  }
  const TetrahedronTables tables{frequencies.ptr(),
                                 num_band,
                                 &bz_grid,
                                 offsets.data(),
                                 nu,
                                 &vertex[0][0],
                                 points.data(),
                                 points.size(),
                                 js_start.data(),
                                 js.data(),
                                 num_fp,
                                 num_g,
                                 static_cast<std::size_t>(num_triplets) * num_fp * num_band * num_band,
                                 allow_avx512 && cpu_has_avx512f()};

  if (num_triplets == 1) {
    // The driver's per-triplet calls, often from inside a parallel region: no team.
    TetrahedronScratch scratch(tables);
    tetrahedron_weights_of_triplet(tables, triplets[0], g, g_zero, scratch);
    return;
  }
  const std::size_t per_triplet = num_fp * num_band * num_band;
#pragma omp parallel
  {
    TetrahedronScratch scratch(tables);
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t it = 0; it < num_triplets; ++it) {
      const std::size_t base = static_cast<std::size_t>(it) * per_triplet;
      tetrahedron_weights_of_triplet(tables, triplets[static_cast<std::size_t>(it)], g + base, g_zero + base,
                                     scratch);
    }
  }
}

void set_triplets_integration_weights_sigma(double* g, std::int8_t* g_zero, int num_g,
                                            const std::vector<double>& frequency_points,
                                            const std::vector<Triplet>& triplets,
                                            const NdArray<double>& frequencies, double sigma,
                                            std::optional<double> sigma_cutoff) {
  check_num_g(num_g);
  if (!(sigma > 0)) throw Error("smearing width sigma must be positive, got " + std::to_string(sigma));
  const std::size_t num_band = check_frequencies(frequencies, triplets);
  // phono3py passes sigma_cutoff=None as -1, i.e. a negative cutoff that disables it.
  const double cutoff = sigma * (sigma_cutoff ? *sigma_cutoff : -1.0);

  const std::int64_t num_triplets = static_cast<std::int64_t>(triplets.size());
  const std::size_t num_fp = frequency_points.size();
  const std::size_t nbb = num_band * num_band;
  const std::size_t per_triplet = num_fp * nbb;
  const std::size_t channel_stride = static_cast<std::size_t>(num_triplets) * per_triplet;
  const double* freq = frequencies.ptr();

#pragma omp parallel for schedule(static)
  for (std::int64_t it = 0; it < num_triplets; ++it) {
    const Triplet& tp = triplets[it];
    const std::size_t base = static_cast<std::size_t>(it) * per_triplet;
    for (std::size_t b1 = 0; b1 < num_band; ++b1) {
      const double f1 = freq[tp[1] * num_band + b1];
      for (std::size_t b2 = 0; b2 < num_band; ++b2) {
        const double f2 = freq[tp[2] * num_band + b2];
        for (std::size_t j = 0; j < num_fp; ++j) {
          const double f0 = frequency_points[j];
          const std::size_t adrs = base + j * nbb + b1 * num_band + b2;
          double w0 = 0, w1 = 0, w2 = 0;  // delta(f0+f1-f2), delta(f0-f1+f2), delta(f0-f1-f2)
          std::int8_t zero = 1;
          if (!(cutoff > 0 && std::fabs(f0 + f1 - f2) > cutoff && std::fabs(f0 - f1 + f2) > cutoff &&
                std::fabs(f0 - f1 - f2) > cutoff)) {
            w0 = gaussian(f0 + f1 - f2, sigma);
            w1 = gaussian(f0 - f1 + f2, sigma);
            w2 = gaussian(f0 - f1 - f2, sigma);
            zero = 0;
          }
          g[adrs] = w2;
          g[channel_stride + adrs] = w0 - w1;
          if (num_g == 3) g[2 * channel_stride + adrs] = w0 + w1 + w2;
          g_zero[adrs] = zero;
        }
      }
    }
  }
}

TripletIntegrationWeights get_triplets_integration_weights(
    const std::vector<double>& frequency_points, const std::vector<Triplet>& triplets,
    const NdArray<double>& frequencies, const grid::BZGrid& bz_grid, std::optional<double> sigma,
    std::optional<double> sigma_cutoff, bool is_collision_matrix) {
  const int num_g = is_collision_matrix ? 3 : 2;
  const std::size_t num_band = frequencies.shape.size() == 2 ? frequencies.shape[1] : 0;
  TripletIntegrationWeights out;
  out.g = NdArray<double>(
      {static_cast<std::size_t>(num_g), triplets.size(), frequency_points.size(), num_band, num_band});
  out.g_zero = NdArray<std::int8_t>({triplets.size(), frequency_points.size(), num_band, num_band});
  if (sigma) {
    set_triplets_integration_weights_sigma(out.g.ptr(), out.g_zero.ptr(), num_g, frequency_points, triplets,
                                           frequencies, *sigma, sigma_cutoff);
  } else {
    set_triplets_integration_weights_tetrahedron(out.g.ptr(), out.g_zero.ptr(), num_g, frequency_points,
                                                 triplets, frequencies, bz_grid);
  }
  return out;
}

}  // namespace ph3mpi::interaction
