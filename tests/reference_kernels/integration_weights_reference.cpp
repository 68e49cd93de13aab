// The tetrahedron weights of commit 734e1dd (see the header).
#include "integration_weights_reference.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/grid/tetrahedron_grid.hpp"
#include "ph3mpi/interaction/tetrahedron_method.hpp"

namespace ph3mpi::interaction {

namespace {

std::int64_t positive_modulo(std::int64_t a, std::int64_t d) {
  const std::int64_t r = a % d;
  return r < 0 ? r + d : r;
}

// BZ-grid index of the image of address's GR point whose BZ address is exactly address,
// else the first image (dense gp_map).
std::int64_t bz_index_of_address(const grid::Vector3l& address, const grid::BZGrid& bz_grid) {
  const grid::Vector3l& D = bz_grid.D_diag;
  const std::int64_t gr =
      positive_modulo(address(0), D(0)) +
      D(0) * (positive_modulo(address(1), D(1)) + D(1) * positive_modulo(address(2), D(2)));
  const std::int64_t first = bz_grid.gp_map[gr];
  const std::int64_t end = bz_grid.gp_map[gr + 1];
  if (end - first > 1) {
    for (std::int64_t i = first; i < end; ++i) {
      if (bz_grid.addresses[i] == address) return i;
    }
  }
  return first;
}

}  // namespace

void set_triplets_integration_weights_tetrahedron_reference(double* g, std::int8_t* g_zero, int num_g,
                                                            const std::vector<double>& frequency_points,
                                                            const std::vector<Triplet>& triplets,
                                                            const NdArray<double>& frequencies,
                                                            const grid::BZGrid& bz_grid) {
  if (num_g != 2 && num_g != 3) throw Error("num_g must be 2 or 3");
  const std::size_t num_band = frequencies.shape[1];
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
  constexpr int kNv = 96;  // 24 tetrahedra x 4 vertices
  std::vector<grid::Vector3l> offsets;
  std::array<std::uint8_t, kNv> vertex{};  // [4 t + v] -> index into offsets
  for (int t = 0; t < 24; ++t) {
    for (int v = 0; v < 4; ++v) {
      const grid::Vector3l a =
          bz_grid.P * microzone[static_cast<std::size_t>(t)][static_cast<std::size_t>(v)];
      auto it = std::find(offsets.begin(), offsets.end(), a);
      if (it == offsets.end()) it = offsets.insert(offsets.end(), a);
      vertex[static_cast<std::size_t>(4 * t + v)] = static_cast<std::uint8_t>(it - offsets.begin());
    }
  }
  const std::size_t nu = offsets.size();  // 15
  if (nu > 16) throw Error("tetrahedra with more than 16 distinct vertices");

  const std::size_t nbb = num_band * num_band;
  const std::size_t per_triplet = num_fp * nbb;
  const std::size_t channel_stride = static_cast<std::size_t>(num_triplets) * per_triplet;
  const double* freq = frequencies.ptr();
  std::vector<double> ascending(frequency_points);
  std::sort(ascending.begin(), ascending.end());
  // Is some frequency point inside the closed interval [lo, hi]?
  const auto any_point_in = [&ascending](double lo, double hi) {
    const auto first = std::lower_bound(ascending.begin(), ascending.end(), lo);
    return first != ascending.end() && *first <= hi;
  };

  // Per-thread scratch: vertex frequencies of q1 (side 0) and q2 (side 1) at the distinct
  // vertices, band-major, negative (imaginary) ones counted as zero, their per-band
  // range, and one channel's tetrahedra.
  struct Scratch {
    std::vector<double> vertex_freq[2], band_min[2], band_max[2];
    alignas(64) double values[4][24];
    SortedTetrahedraSoA sorted[3];
  };
  const auto make_scratch = [&] {
    auto sc = std::make_unique<Scratch>();
    for (int side = 0; side < 2; ++side) {
      sc->vertex_freq[side].resize(num_band * nu);
      sc->band_min[side].resize(num_band);
      sc->band_max[side].resize(num_band);
    }
    return sc;
  };

  const auto weights_of_triplet = [&](Scratch& sc, std::int64_t it) {
    const Triplet& tp = triplets[static_cast<std::size_t>(it)];
    // Grid points of the tetrahedra around q1 and of the mirrored ones around q2.
    for (int side = 0; side < 2; ++side) {
      const grid::Vector3l& centre =
          bz_grid.addresses[static_cast<std::size_t>(tp[static_cast<std::size_t>(side + 1)])];
      double* vf = sc.vertex_freq[side].data();
      for (std::size_t k = 0; k < nu; ++k) {
        const grid::Vector3l address =
            side == 0 ? grid::Vector3l(centre + offsets[k]) : grid::Vector3l(centre - offsets[k]);
        const double* row = freq + bz_index_of_address(address, bz_grid) * num_band;
        for (std::size_t b = 0; b < num_band; ++b) vf[b * nu + k] = row[b] < 0 ? 0.0 : row[b];
      }
      for (std::size_t b = 0; b < num_band; ++b) {
        const double* x = vf + b * nu;
        double lo = x[0], hi = x[0];
        for (std::size_t k = 1; k < nu; ++k) {
          lo = std::min(lo, x[k]);
          hi = std::max(hi, x[k]);
        }
        sc.band_min[side][b] = lo;
        sc.band_max[side][b] = hi;
      }
    }
    const std::size_t base = static_cast<std::size_t>(it) * per_triplet;

    for (std::size_t b1 = 0; b1 < num_band; ++b1) {
      const double* f1 = sc.vertex_freq[0].data() + b1 * nu;
      for (std::size_t b2 = 0; b2 < num_band; ++b2) {
        const double* f2 = sc.vertex_freq[1].data() + b2 * nu;
        // Per-band ranges bound the channel values from outside (rounding is
        // monotonic): a channel whose bound holds no frequency point has all weights
        // exactly zero, and when that is so for all three channels the band pair is done.
        const double lo02 = sc.band_min[1][b2] - sc.band_max[0][b1];
        const double hi02 = sc.band_max[1][b2] - sc.band_min[0][b1];
        const double lo2 = sc.band_min[0][b1] + sc.band_min[1][b2];
        const double hi2 = sc.band_max[0][b1] + sc.band_max[1][b2];
        bool needed[3] = {any_point_in(lo02, hi02), any_point_in(-hi02, -lo02), any_point_in(lo2, hi2)};
        if (!needed[0] && !needed[1] && !needed[2]) {
          for (std::size_t j = 0; j < num_fp; ++j) {
            const std::size_t adrs = base + j * nbb + b1 * num_band + b2;
            g[adrs] = 0;
            g[channel_stride + adrs] = 0;
            if (num_g == 3) g[2 * channel_stride + adrs] = 0;
            g_zero[adrs] = 1;
          }
          continue;
        }

        // Vertex values of the three channels -w1 + w2, w1 - w2, w1 + w2 and their
        // exact ranges (over the distinct vertices: the same values as over all 96);
        // outside its range a delta weight vanishes.
        double lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};
        for (int c = 0; c < 3; ++c) {
          if (!needed[c]) continue;
          double x[16] = {};
          for (std::size_t k = 0; k < nu; ++k) {
            x[k] = c == 0 ? -f1[k] + f2[k] : c == 1 ? f1[k] - f2[k] : f1[k] + f2[k];
          }
          lo[c] = hi[c] = x[0];
          for (std::size_t k = 1; k < nu; ++k) {
            lo[c] = std::min(lo[c], x[k]);
            hi[c] = std::max(hi[c], x[k]);
          }
          // Only tetrahedra spanning one of the frequency points inside the channel's
          // range can contribute.
          const auto first = std::lower_bound(ascending.begin(), ascending.end(), lo[c]);
          const auto last = std::upper_bound(first, ascending.end(), hi[c]);
          needed[c] = first != last;
          if (!needed[c]) continue;
          for (int t = 0; t < 24; ++t) {
            for (int v = 0; v < 4; ++v) sc.values[v][t] = x[vertex[static_cast<std::size_t>(4 * t + v)]];
          }
          sort_tetrahedra_soa(sc.values, &*first, static_cast<std::size_t>(last - first), sc.sorted[c]);
        }

        for (std::size_t j = 0; j < num_fp; ++j) {
          const double f0 = frequency_points[j];
          double w[3];
          std::int8_t zero = 1;
          for (int c = 0; c < 3; ++c) {
            if (needed[c] && lo[c] <= f0 && f0 <= hi[c]) {
              w[c] = tetrahedra_delta_weight(f0, sc.sorted[c]);
              zero = 0;
            } else {
              w[c] = 0;
            }
          }
          const std::size_t adrs = base + j * nbb + b1 * num_band + b2;
          g[adrs] = w[2];
          g[channel_stride + adrs] = w[0] - w[1];
          if (num_g == 3) g[2 * channel_stride + adrs] = w[0] + w[1] + w[2];
          g_zero[adrs] = zero;
        }
      }
    }
  };

  if (num_triplets == 1) {
    // The driver's per-triplet calls, often from inside a parallel region: no team.
    const auto sc = make_scratch();
    weights_of_triplet(*sc, 0);
    return;
  }
#pragma omp parallel
  {
    const auto sc = make_scratch();
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t it = 0; it < num_triplets; ++it) weights_of_triplet(*sc, it);
  }
}

}  // namespace ph3mpi::interaction
