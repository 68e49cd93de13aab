// Brillouin-zone relocation of GR-grid points (phonopy _relocate_BZ_grid_address,
// c/bzgrid.c get_bz_grid_addresses_type2, c/recgrid.c tolerance).
//
// For each GR point the reduced-basis coordinate q is brought near the origin,
// and its squared Cartesian length is evaluated for the 5x5x5 lattice
// translations {0, 1, 2, -2, -1}^3 of a Niggli-reduced reciprocal basis. All
// translations within a small tolerance of the shortest are kept, in search
// order: interior points get one image, BZ-surface points several. The
// floating-point expressions are evaluated in phonopy's order so that the choice
// within the tolerance is reproduced, not only its outcome up to ties.
#include "ph3mpi/grid/bz_grid_addresses.hpp"

#include <spglib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "integer_matrix.hpp"
#include "ph3mpi/common/error.hpp"
#include "ph3mpi/grid/grid_address.hpp"

namespace ph3mpi::grid {
namespace {

constexpr int kNumSearch = 125;

// The 125 lattice translations, first axis outermost, each axis in the order 0, 1, 2, -2, -1.
struct SearchSpace {
  std::array<std::array<std::int64_t, 3>, kNumSearch> n{};
  std::array<double, kNumSearch> x{}, y{}, z{};
  SearchSpace() {
    const std::int64_t order[5] = {0, 1, 2, -2, -1};
    int s = 0;
    for (std::int64_t a : order) {
      for (std::int64_t b : order) {
        for (std::int64_t c : order) {
          n[s] = {a, b, c};
          x[s] = static_cast<double>(a);
          y[s] = static_cast<double>(b);
          z[s] = static_cast<double>(c);
          ++s;
        }
      }
    }
  }
};

const SearchSpace& search_space() {
  static const SearchSpace space;
  return space;
}

// Round half away from zero (C's (int64_t)(a +- 0.5)).
std::int64_t nint(double a) {
  return a < 0.0 ? static_cast<std::int64_t>(a - 0.5) : static_cast<std::int64_t>(a + 0.5);
}

struct Kernel {
  Vector3l D_diag;
  Matrix3l Q_eff;
  Matrix3l Q_eff_inv;
  Vector3l PS;
  double rec[3][3];
  double tolerance;
  // Cartesian translation vectors g_s = rec * s, their squared lengths, and the
  // search indices sorted by |g_s| (for pruning only; never used for the decision).
  std::array<Eigen::Vector3d, kNumSearch> g;
  std::array<double, kNumSearch> g_norm{}, g_norm2{};
  std::array<int, kNumSearch> by_length{};

  void prepare() {
    const SearchSpace& space = search_space();
    for (int s = 0; s < kNumSearch; ++s) {
      for (int i = 0; i < 3; ++i)
        g[s](i) = rec[i][0] * space.x[s] + rec[i][1] * space.y[s] + rec[i][2] * space.z[s];
      g_norm2[s] = g[s].squaredNorm();
      g_norm[s] = std::sqrt(g_norm2[s]);
      by_length[s] = s;
    }
    std::stable_sort(by_length.begin(), by_length.end(),
                     [this](int l, int r) { return g_norm[l] < g_norm[r]; });
  }

  // Squared Cartesian length of q + s, evaluated exactly as phonopy's C code does.
  double distance(const double q[3], int s) const {
    const SearchSpace& space = search_space();
    const double v0 = q[0] + space.x[s];
    const double v1 = q[1] + space.y[s];
    const double v2 = q[2] + space.z[s];
    const double w0 = rec[0][0] * v0 + rec[0][1] * v1 + rec[0][2] * v2;
    const double w1 = rec[1][0] * v0 + rec[1][1] * v1 + rec[1][2] * v2;
    const double w2 = rec[2][0] * v0 + rec[2][1] * v1 + rec[2][2] * v2;
    return w0 * w0 + w1 * w1 + w2 * w2;
  }

  // Appends the BZ images of GR point `gp` to `out`; returns how many.
  //
  // phonopy evaluates all 125 distances d_s, keeps a running minimum m that
  // starts at d_0 and moves only when d_s < m - tol, then selects every s with
  // d_s < m + tol. Since m <= d_0 throughout, a translation with d_s >= d_0 + tol
  // can neither move m nor be selected. Such translations are skipped here: a
  // cheap, deliberately generous estimate discards only those that are clearly
  // beyond d_0 + tol, and the survivors are evaluated exactly and in phonopy's
  // order, so the outcome is identical to the full scan.
  std::int64_t images(std::int64_t gp, std::vector<Vector3l>& out) const {
    const SearchSpace& space = search_space();
    const Vector3l address = grid_address_from_index(gp, D_diag);
    const Vector3l dadrs = double_grid_address(address, PS);
    double qd[3];
    for (int i = 0; i < 3; ++i)
      qd[i] = static_cast<double>(dadrs(i)) / (2.0 * static_cast<double>(D_diag(i)));
    double q[3];
    std::int64_t n0[3];
    for (int i = 0; i < 3; ++i) {
      q[i] = static_cast<double>(Q_eff(i, 0)) * qd[0] + static_cast<double>(Q_eff(i, 1)) * qd[1] +
             static_cast<double>(Q_eff(i, 2)) * qd[2];
    }
    for (int i = 0; i < 3; ++i) {
      n0[i] = nint(q[i]);
      q[i] -= static_cast<double>(n0[i]);
    }

    const double d0 = distance(q, 0);
    const Eigen::Vector3d w(rec[0][0] * q[0] + rec[0][1] * q[1] + rec[0][2] * q[2],
                            rec[1][0] * q[0] + rec[1][1] * q[1] + rec[1][2] * q[2],
                            rec[2][0] * q[0] + rec[2][1] * q[1] + rec[2][2] * q[2]);
    // |w + g|^2 < d0 + tol needs |g| < |w| + sqrt(|w|^2 + tol) <= 2 sqrt(d0) + sqrt(tol) (+ round-off slack).
    const double radius = (2.0 * std::sqrt(d0) + std::sqrt(tolerance)) * (1.0 + 1e-8) + 1e-12;
    int kept[kNumSearch];
    int num_kept = 1;
    kept[0] = 0;  // s = 0 always matters (it is where the running minimum starts)
    for (int k = 1; k < kNumSearch; ++k) {
      const int s = by_length[k];
      if (g_norm[s] > radius) break;
      // d_s - d0 = 2 w.g + |g|^2 in exact arithmetic; the slack covers round-off generously.
      const double excess = 2.0 * w.dot(g[s]) + g_norm2[s];
      if (excess < tolerance + 1e-9 * (d0 + g_norm2[s] + tolerance)) {
        // Insert in ascending search order (phonopy's evaluation order); the list is short.
        int pos = num_kept++;
        while (pos > 1 && kept[pos - 1] > s) {
          kept[pos] = kept[pos - 1];
          --pos;
        }
        kept[pos] = s;
      }
    }
    double distances[kNumSearch];
    distances[0] = d0;
    for (int k = 1; k < num_kept; ++k) distances[k] = distance(q, kept[k]);
    // Running minimum that only moves for a clear improvement, so that the first
    // of nearly equal distances stays the reference (stable under round-off).
    double min_distance = distances[0];
    for (int k = 1; k < num_kept; ++k) {
      if (distances[k] < min_distance - tolerance) min_distance = distances[k];
    }
    std::int64_t count = 0;
    for (int k = 0; k < num_kept; ++k) {
      if (distances[k] < min_distance + tolerance) {
        const auto& n = space.n[static_cast<std::size_t>(kept[k])];
        Vector3l dG(n[0] - n0[0], n[1] - n0[1], n[2] - n0[2]);
        dG = (Q_eff_inv * dG).eval();
        out.push_back(address + dG.cwiseProduct(D_diag));
        ++count;
      }
    }
    return count;
  }
};

}  // namespace

ReducedReciprocalBasis reduced_reciprocal_basis(const Eigen::Matrix3d& reciprocal_lattice) {
  double lattice[3][3];  // spglib convention: columns are the basis vectors
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) lattice[i][j] = reciprocal_lattice(i, j);
  }
  if (!spg_niggli_reduce(lattice, 1e-5)) {
    throw SettingsError("Niggli reduction of the reciprocal lattice failed");
  }
  ReducedReciprocalBasis out;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) out.reduced(i, j) = lattice[i][j];
  }
  const Eigen::Matrix3d tmat_inv = out.reduced.inverse() * reciprocal_lattice;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      out.tmat_inv(i, j) = static_cast<std::int64_t>(std::nearbyint(tmat_inv(i, j)));
      if (!(std::abs(tmat_inv(i, j) - static_cast<double>(out.tmat_inv(i, j))) < 1e-5)) {
        throw SettingsError(
            "Niggli-reduced reciprocal basis is not an integer combination of the original one");
      }
    }
  }
  return out;
}

double bz_reduction_tolerance(const Eigen::Matrix3d& reduced_lattice, const Vector3l& D_diag) {
  double tolerance = 0.0;
  for (int i = 0; i < 3; ++i) {
    double length = 0.0;
    for (int j = 0; j < 3; ++j) length += reduced_lattice(j, i) * reduced_lattice(j, i);
    length /= static_cast<double>(D_diag(i) * D_diag(i));
    if (i == 0 || tolerance < length) tolerance = length;
  }
  return tolerance * 0.01;
}

BZGridAddresses bz_grid_addresses_on_basis(const Vector3l& D_diag, const Matrix3l& Q_eff, const Vector3l& PS,
                                           const Eigen::Matrix3d& reduced_lattice) {
  Kernel kernel;
  kernel.D_diag = D_diag;
  kernel.Q_eff = Q_eff;
  kernel.Q_eff_inv = detail::inverse_unimodular(Q_eff, "BZ grid transformation matrix");
  kernel.PS = PS;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) kernel.rec[i][j] = reduced_lattice(i, j);
  }
  kernel.tolerance = bz_reduction_tolerance(reduced_lattice, D_diag);
  kernel.prepare();

  const std::int64_t num_gr = D_diag.prod();
  BZGridAddresses out;
  out.gp_map.assign(static_cast<std::size_t>(num_gr) + 1, 0);

  // Each thread relocates a contiguous block of GR points into its own buffer;
  // blocks are concatenated in order, so the result does not depend on threads.
  int max_threads = 1;
#ifdef _OPENMP
  max_threads = omp_get_max_threads();
#endif
  std::vector<std::vector<Vector3l>> buffers(static_cast<std::size_t>(max_threads));
  std::vector<std::int64_t> block_begin(static_cast<std::size_t>(max_threads) + 1, num_gr);
  int used_threads = 1;
#ifdef _OPENMP
#pragma omp parallel num_threads(max_threads)
#endif
  {
    int tid = 0, nthreads = 1;
#ifdef _OPENMP
    tid = omp_get_thread_num();
    nthreads = omp_get_num_threads();
#endif
    const std::int64_t begin = num_gr * tid / nthreads;
    const std::int64_t end = num_gr * (tid + 1) / nthreads;
    block_begin[static_cast<std::size_t>(tid)] = begin;
    if (tid == 0) used_threads = nthreads;
    std::vector<Vector3l>& buffer = buffers[static_cast<std::size_t>(tid)];
    buffer.reserve(static_cast<std::size_t>(end - begin) + static_cast<std::size_t>(end - begin) / 4 + 8);
    for (std::int64_t gp = begin; gp < end; ++gp) {
      out.gp_map[static_cast<std::size_t>(gp) + 1] = kernel.images(gp, buffer);
    }
  }
  block_begin[static_cast<std::size_t>(used_threads)] = num_gr;

  for (std::int64_t gp = 0; gp < num_gr; ++gp) {
    out.gp_map[static_cast<std::size_t>(gp) + 1] += out.gp_map[static_cast<std::size_t>(gp)];
  }
  const std::int64_t num_bz = out.gp_map.back();
  out.addresses.resize(static_cast<std::size_t>(num_bz));
  out.bzg2grg.resize(static_cast<std::size_t>(num_bz));
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(used_threads)
#endif
  for (int t = 0; t < used_threads; ++t) {
    const std::int64_t begin = block_begin[static_cast<std::size_t>(t)];
    const std::int64_t end = block_begin[static_cast<std::size_t>(t) + 1];
    const std::vector<Vector3l>& buffer = buffers[static_cast<std::size_t>(t)];
    std::size_t k = 0;
    for (std::int64_t gp = begin; gp < end; ++gp) {
      for (std::int64_t i = out.gp_map[static_cast<std::size_t>(gp)];
           i < out.gp_map[static_cast<std::size_t>(gp) + 1]; ++i) {
        out.addresses[static_cast<std::size_t>(i)] = buffer[k++];
        out.bzg2grg[static_cast<std::size_t>(i)] = gp;
      }
    }
  }
  return out;
}

BZGridAddresses relocate_bz_grid_addresses(const Vector3l& D_diag, const Matrix3l& Q,
                                           const Eigen::Matrix3d& reciprocal_lattice, const Vector3l& PS) {
  const ReducedReciprocalBasis basis = reduced_reciprocal_basis(reciprocal_lattice);
  return bz_grid_addresses_on_basis(D_diag, basis.tmat_inv * Q, PS, basis.reduced);
}

}  // namespace ph3mpi::grid
