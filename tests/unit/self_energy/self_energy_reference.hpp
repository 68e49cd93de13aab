// Shared by the isotope, joint-DOS and real-self-energy tests: phono3py's BZ grid
// (grid.hdf5) and phonons on all BZ grid points (phonons.hdf5 grid/) of a reference
// case, and helpers to compare against the reference numbers and to run a kernel
// with a given number of OpenMP threads.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "../interaction/reference_grid.hpp"
#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/interaction/phonon_view.hpp"
#include "ph3mpi/interaction/triplets.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "test_support.hpp"

namespace ph3mpi::self_energy::testing {

struct PhononCase {
  grid::BZGrid bz_grid;
  NdArray<double> frequencies;                 // (num_bz, nb) THz
  NdArray<std::complex<double>> eigenvectors;  // (num_bz, nb, nb)

  interaction::PhononView phonons() const {
    interaction::PhononView v;
    v.frequencies = frequencies.ptr();
    v.eigenvectors = eigenvectors.ptr();
    v.num_grid_points = frequencies.shape[0];
    v.num_band = frequencies.shape[1];
    return v;
  }
  double max_frequency() const { return *std::max_element(frequencies.data.begin(), frequencies.data.end()); }
};

inline const PhononCase& load_phonon_case(const std::string& name, const std::string& mesh = "m999") {
  static std::map<std::string, std::unique_ptr<PhononCase>> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return *it->second;
  auto c = std::make_unique<PhononCase>();
  c->bz_grid = test::load_reference_bz_grid(name, mesh, &c->bz_grid.grg_rotations);
  const io::Hdf5File f(test::data_path(name + "/reference/phonons.hdf5"));
  c->frequencies = f.read_double("grid/frequencies");
  c->eigenvectors = f.read_complex("grid/eigenvectors");
  const auto addresses = f.read_int("grid/addresses");
  EXPECT_EQ(addresses.shape[0], c->bz_grid.addresses.size());
  for (std::size_t i = 0; i < c->bz_grid.addresses.size(); ++i) {
    for (int k = 0; k < 3; ++k)
      EXPECT_EQ(addresses[3 * i + static_cast<std::size_t>(k)], c->bz_grid.addresses[i](k));
  }
  return *(cache[name] = std::move(c));
}

// Triplets and weights of phono3py's get_triplets_at_q stored with the interaction.
struct TripletData {
  std::vector<interaction::Triplet> triplets;
  std::vector<std::int64_t> weights;
};

inline TripletData load_triplets(const io::Hdf5File& f) {
  TripletData d;
  const auto tp = f.read_int("triplets_at_q");
  for (std::size_t i = 0; i < tp.shape[0]; ++i)
    d.triplets.push_back({tp[3 * i], tp[3 * i + 1], tp[3 * i + 2]});
  d.weights = f.read_int("weights").data;
  return d;
}

// Largest |a - b| / |b| over the entries with |b| > floor * max|b|; entries below that
// floor (e.g. far Gaussian tails of 1e-58) must agree to floor * max|b| absolutely.
// Prints the figure and fails above `tolerance`.
inline double expect_close(const std::string& label, const double* got, const double* expected, std::size_t n,
                           double tolerance = 1e-8, double floor = 1e-10) {
  double max_b = 0;
  for (std::size_t i = 0; i < n; ++i) max_b = std::max(max_b, std::abs(expected[i]));
  double max_rel = 0;
  double max_abs_small = 0;
  std::size_t compared = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double diff = std::abs(got[i] - expected[i]);
    if (!(std::isfinite(got[i]))) {
      max_rel = INFINITY;
      continue;
    }
    if (std::abs(expected[i]) <= floor * max_b) {
      max_abs_small = std::max(max_abs_small, diff);
      continue;
    }
    max_rel = std::max(max_rel, diff / std::abs(expected[i]));
    ++compared;
  }
  std::printf("%s: %zu of %zu values compared, max relative deviation %.3e (small entries: max abs %.3e)\n",
              label.c_str(), compared, n, max_rel, max_abs_small);
  EXPECT_LE(max_rel, tolerance) << label;
  EXPECT_LE(max_abs_small, floor * max_b * tolerance + 1e-300) << label;
  EXPECT_GT(compared, 0u) << label;
  return max_rel;
}

inline double expect_close(const std::string& label, const std::vector<double>& got,
                           const std::vector<double>& expected, double tolerance = 1e-8,
                           double floor = 1e-10) {
  EXPECT_EQ(got.size(), expected.size()) << label;
  if (got.size() != expected.size()) return INFINITY;
  return expect_close(label, got.data(), expected.data(), got.size(), tolerance, floor);
}

// Runs f with n OpenMP threads (when built with OpenMP), restoring the previous setting.
template <typename F>
auto with_threads(int n, F&& f) {
#ifdef _OPENMP
  const int before = omp_get_max_threads();
  omp_set_num_threads(n);
  auto result = f();
  omp_set_num_threads(before);
  return result;
#else
  (void)n;
  return f();
#endif
}

}  // namespace ph3mpi::self_energy::testing
