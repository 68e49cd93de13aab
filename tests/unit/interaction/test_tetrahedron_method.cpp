#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "ph3mpi/interaction/tetrahedron_method.hpp"

namespace ia = ph3mpi::interaction;

TEST(TetrahedronMethod, DeltaWeightIntegratesToOne) {
  // Each tetrahedron contributes 1/4 of its unit density of states to its
  // central vertex, so the weight integrates to 24 * (1/4) / 6 = 1 over omega,
  // whatever the vertex energies (checked with a fine midpoint rule).
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> energy(0.0, 10.0);
  for (int trial = 0; trial < 3; ++trial) {
    double omegas[24][4];
    for (auto& t : omegas) {
      for (auto& e : t) e = energy(rng);
    }
    // A degenerate tetrahedron (two equal energies) must be handled as well,
    // and half of the tetrahedra lie far above the others.
    omegas[5][2] = omegas[5][0];
    for (int t = 12; t < 24; ++t) {
      for (auto& e : omegas[t]) e += 20;
    }
    ia::SortedTetrahedra sorted;
    ia::sort_tetrahedra(omegas, sorted);
    ASSERT_EQ(sorted.count, 24);
    double e_min = omegas[0][0], e_max = omegas[0][0];
    for (const auto& t : omegas) {
      for (const double e : t) {
        e_min = std::min(e_min, e);
        e_max = std::max(e_max, e);
      }
    }
    const int n = 200000;
    const double lo = e_min - 0.1, hi = e_max + 0.1, h = (hi - lo) / n;
    double integral = 0;
    for (int i = 0; i < n; ++i) integral += ia::tetrahedra_delta_weight(lo + (i + 0.5) * h, sorted) * h;
    EXPECT_NEAR(integral, 1.0, 1e-4) << "trial " << trial;
    // Outside the range of vertex energies the weight is zero.
    EXPECT_EQ(ia::tetrahedra_delta_weight(e_min - 1e-9, sorted), 0.0);
    EXPECT_EQ(ia::tetrahedra_delta_weight(e_max + 1e-9, sorted), 0.0);
    // Keeping only the tetrahedra that span given omegas changes no weight there.
    std::vector<double> points = {e_min + 0.3, 2.0, 5.0, omegas[3][1], 9.5};
    std::sort(points.begin(), points.end());
    ia::SortedTetrahedra subset;
    const int kept = ia::sort_tetrahedra(&omegas[0][0], points.data(), points.size(), subset);
    EXPECT_LE(kept, 12);
    EXPECT_GT(kept, 0);
    for (const double p : points) {
      EXPECT_EQ(ia::tetrahedra_delta_weight(p, subset), ia::tetrahedra_delta_weight(p, sorted)) << p;
    }
  }
}

TEST(TetrahedronMethod, SortingKeepsTrackOfTheCentre) {
  // All 24 orderings of four distinct energies: the sorted values ascend and
  // `centre` points at the input vertex 0. With ties the centre lands on one
  // of the equal values.
  std::vector<double> base = {0.5, 1.5, 2.5, 3.5};
  std::sort(base.begin(), base.end());
  do {
    double omegas[24][4];
    for (auto& t : omegas) {
      for (int v = 0; v < 4; ++v) t[v] = base[static_cast<std::size_t>(v)];
    }
    ia::SortedTetrahedra s;
    ia::sort_tetrahedra(omegas, s);
    EXPECT_TRUE(s.omegas[0][0] < s.omegas[0][1] && s.omegas[0][1] < s.omegas[0][2] &&
                s.omegas[0][2] < s.omegas[0][3]);
    EXPECT_EQ(s.omegas[0][s.centre[0]], base[0]);
  } while (std::next_permutation(base.begin(), base.end()));
  double tied[24][4];
  for (auto& t : tied) {
    t[0] = 1.0;
    t[1] = 1.0;
    t[2] = 0.0;
    t[3] = 1.0;
  }
  ia::SortedTetrahedra s;
  ia::sort_tetrahedra(tied, s);
  EXPECT_EQ(s.omegas[0][s.centre[0]], 1.0);
  EXPECT_EQ(s.omegas[0][0], 0.0);
}

// The vectorized (structure-of-arrays) sort and weight give the bits of the scalar ones,
// also with ties, values within the 1e-10 epsilon of each other and omegas on vertex
// values: every branch of the weight formula, in every lane position.
TEST(TetrahedronMethod, StructureOfArraysGivesTheSameBits) {
  std::mt19937_64 rng(13);
  // Few distinct levels (ties), each with a jitter far below or near the epsilon.
  std::uniform_int_distribution<int> level(0, 5), kind(0, 3);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::size_t compared = 0, nonzero = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    double flat[96];
    for (double& x : flat) {
      const int k = kind(rng);
      const double jitter = k == 0 ? 0.0 : k == 1 ? 3e-11 * unit(rng) : k == 2 ? 1e-3 * unit(rng) : unit(rng);
      x = level(rng) + jitter;
    }
    std::vector<double> omegas = {0.5 + 5 * unit(rng), static_cast<double>(level(rng)), 2.5, flat[5],
                                  flat[17] + 1e-12};
    std::sort(omegas.begin(), omegas.end());
    ia::SortedTetrahedra aos;
    ia::sort_tetrahedra(flat, omegas.data(), omegas.size(), aos);
    double by_vertex[4][24];
    for (int t = 0; t < 24; ++t) {
      for (int v = 0; v < 4; ++v) by_vertex[v][t] = flat[4 * t + v];
    }
    ia::SortedTetrahedraSoA soa;
    ASSERT_EQ(ia::sort_tetrahedra_soa(by_vertex, omegas.data(), omegas.size(), soa), aos.count);
    for (int t = 0; t < aos.count; ++t) {
      for (int k = 0; k < 4; ++k) ASSERT_EQ(soa.e[k][t], aos.omegas[t][k]);
      ASSERT_EQ(soa.centre[t], static_cast<double>(aos.centre[t]));
    }
    for (const double w : omegas) {
      const double a = ia::tetrahedra_delta_weight(w, aos), b = ia::tetrahedra_delta_weight(w, soa);
      ASSERT_EQ(std::memcmp(&a, &b, sizeof a), 0)
          << "trial " << trial << " omega " << w << ": " << a << " " << b;
      ++compared;
      nonzero += a != 0.0;
    }
  }
  EXPECT_GT(nonzero, compared / 4);
}
