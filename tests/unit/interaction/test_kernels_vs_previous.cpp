// The interaction kernels against their versions of commit 734e1dd (kept in
// tests/reference_kernels) on whole meshes of Si, AlN, NaCl, MgO and the 24-band Si
// conventional cell, beyond the few grid points phono3py's reference files hold:
// tetrahedron weights bit for bit (at the band frequencies of q0, as RTA uses them, and
// on a frequency scan, as JDOS and ISE do; with and without the AVX-512 path), reciprocal -> normal bit for
// bit too (it forms only the needed elements now, each with the same operations in the same order).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "integration_weights_reference.hpp"
#include "ph3mpi/interaction/integration_weights.hpp"
#include "ph3mpi/interaction/interaction.hpp"
#include "ph3mpi/interaction/triplets.hpp"
#include "reciprocal_to_normal_reference.hpp"
#include "solved_case.hpp"

namespace ia = ph3mpi::interaction;
namespace pt = ph3mpi::test;
using ph3mpi::grid::Vector3l;

namespace {

struct MeshCase {
  std::string name;
  Vector3l mesh;
  std::size_t gp_stride;  // every gp_stride-th ir grid point (and the last)
};

const std::vector<MeshCase>& mesh_cases() {
  static const std::vector<MeshCase> cases = {
      {"si-pbesol", {9, 9, 9}, 1}, {"si-pbesol", {8, 8, 8}, 1}, {"aln-lda", {7, 7, 5}, 1},
      {"nacl-pbe", {6, 6, 6}, 1},  {"mgo", {5, 5, 5}, 1},       {"si-conv8", {4, 4, 4}, 1},
      {"si-conv8", {6, 6, 6}, 4},
  };
  return cases;
}

std::string label(const MeshCase& c) {
  return c.name + " " + std::to_string(c.mesh(0)) + "x" + std::to_string(c.mesh(1)) + "x" +
         std::to_string(c.mesh(2));
}

const pt::SolvedCase& solved(const MeshCase& c) {
  static std::map<std::string, std::unique_ptr<pt::SolvedCase>> cache;
  auto& slot = cache[label(c)];
  if (!slot) slot = pt::solve_case(c.name, c.mesh);
  return *slot;
}

std::vector<std::int64_t> sample_grid_points(const MeshCase& c, const pt::SolvedCase& s) {
  std::vector<std::int64_t> gps;
  const auto& ir = s.ir.ir_grid_points_bz;
  for (std::size_t i = 0; i < ir.size(); i += c.gp_stride) gps.push_back(ir[i]);
  if (gps.back() != ir.back()) gps.push_back(ir.back());
  return gps;
}

// Frequency points of a scan over the band range, with the band frequencies of q0 and a
// vertex value mixed in (points on tetrahedron corners, duplicates), unsorted.
std::vector<double> scan_points(const std::vector<double>& f0, double f_max) {
  std::vector<double> points;
  for (int i = 0; i < 37; ++i) points.push_back(-0.5 + (2 * f_max + 1.0) * i / 36.0);
  points.insert(points.begin() + 5, f0.begin(), f0.end());
  points.push_back(f0.back());
  std::reverse(points.begin() + 10, points.end());
  return points;
}

TEST(KernelsVsPrevious, TetrahedronWeightsSameBits) {
  std::size_t triplets_compared = 0, nonzero = 0;
  for (const MeshCase& mc : mesh_cases()) {
    const pt::SolvedCase& s = solved(mc);
    const ph3mpi::NdArray<double>& freqs = s.phonons.frequencies;
    const double f_max = *std::max_element(freqs.data.begin(), freqs.data.end());
    for (const std::int64_t gp : sample_grid_points(mc, s)) {
      SCOPED_TRACE(label(mc) + " gp " + std::to_string(gp));
      const ia::TripletsAtQ tq = ia::get_triplets_at_q(gp, s.bz_grid);
      const std::vector<double> f0 = s.frequencies_at(gp);
      for (const bool scan : {false, true}) {
        const std::vector<double> points = scan ? scan_points(f0, f_max) : f0;
        const int num_g = scan ? 3 : 2;
        const std::size_t n = tq.triplets.size() * points.size() * f0.size() * f0.size();
        std::vector<double> g(num_g * n, -1.0), g_ref(num_g * n, -2.0);
        std::vector<std::int8_t> gz(n, 7), gz_ref(n, 9);
        ia::set_triplets_integration_weights_tetrahedron(g.data(), gz.data(), num_g, points, tq.triplets,
                                                         freqs, s.bz_grid);
        ia::set_triplets_integration_weights_tetrahedron_reference(g_ref.data(), gz_ref.data(), num_g, points,
                                                                   tq.triplets, freqs, s.bz_grid);
        ASSERT_EQ(std::memcmp(g.data(), g_ref.data(), g.size() * sizeof(double)), 0) << "scan " << scan;
        ASSERT_EQ(gz, gz_ref) << "scan " << scan;
        // The portable path (no AVX-512) too.
        std::fill(g.begin(), g.end(), -3.0);
        std::fill(gz.begin(), gz.end(), 5);
        ia::detail::set_triplets_integration_weights_tetrahedron(g.data(), gz.data(), num_g, points,
                                                                 tq.triplets, freqs, s.bz_grid, false);
        ASSERT_EQ(std::memcmp(g.data(), g_ref.data(), g.size() * sizeof(double)), 0)
            << "portable, scan " << scan;
        ASSERT_EQ(gz, gz_ref) << "portable, scan " << scan;
        // One triplet at a time (the driver's calls) gives the same bits.
        if (!scan) {
          const std::size_t per = points.size() * f0.size() * f0.size();
          std::vector<double> g1(num_g * per);
          std::vector<std::int8_t> gz1(per);
          for (std::size_t t = 0; t < tq.triplets.size(); t += 7) {
            ia::set_triplets_integration_weights_tetrahedron(g1.data(), gz1.data(), num_g, points,
                                                             {tq.triplets[t]}, freqs, s.bz_grid);
            for (int c = 0; c < num_g; ++c) {
              ASSERT_EQ(std::memcmp(&g1[c * per], &g_ref[c * n + t * per], per * sizeof(double)), 0);
            }
            ASSERT_TRUE(
                std::equal(gz1.begin(), gz1.end(), gz_ref.begin() + static_cast<std::ptrdiff_t>(t * per)));
          }
        }
        triplets_compared += tq.triplets.size();
        for (const double x : g) nonzero += x != 0.0;
      }
    }
  }
  EXPECT_GT(triplets_compared, 5000u);
  EXPECT_GT(nonzero, 100000u);
}

// Each triplet's elements the same bits (on failure: max |new - old| / max |old|); the
// masked ones zero.
void expect_same_per_triplet(const std::vector<double>& now, const std::vector<double>& before,
                             std::size_t per, const std::vector<std::int8_t>* g_zero) {
  ASSERT_EQ(now.size(), before.size());
  for (std::size_t t = 0; t < now.size() / per; ++t) {
    for (std::size_t i = t * per; i < (t + 1) * per; ++i) {
      if (g_zero != nullptr && (*g_zero)[i] != 0) {
        ASSERT_EQ(now[i], 0.0) << "masked element " << i;
      }
    }
    if (std::memcmp(&now[t * per], &before[t * per], per * sizeof(double)) != 0) {
      double scale = 0, worst = 0;
      for (std::size_t i = t * per; i < (t + 1) * per; ++i) scale = std::max(scale, std::abs(before[i]));
      for (std::size_t i = t * per; i < (t + 1) * per; ++i)
        worst = std::max(worst, std::abs(now[i] - before[i]));
      FAIL() << "triplet " << t << ": max |new - old| / max |old| = " << worst / scale;
    }
  }
}

TEST(KernelsVsPrevious, ReciprocalToNormalSameBits) {
  std::size_t compared = 0;
  for (const MeshCase& mc : mesh_cases()) {
    const pt::SolvedCase& s = solved(mc);
    const ia::PhononView phonons = s.phonon_view();
    const std::size_t nb = 3 * s.atoms.n_patom;
    // All bands, and a subset of j0 (phono3py's band_indices).
    const std::vector<std::vector<std::int64_t>> band_sets = {{}, {static_cast<std::int64_t>(nb - 1), 0, 2}};
    for (const auto& bands : band_sets) {
      const ia::Interaction itr(s.fc3.fc, s.nonzero_indices(), s.atoms, s.primitive.masses, s.bz_grid, bands);
      const ia::ReciprocalToNormal& r2n = itr.reciprocal_to_normal();
      const std::size_t nb0 = itr.num_band0(), per = nb0 * nb * nb, nb3 = nb * nb * nb;
      std::vector<std::int64_t> gps = sample_grid_points(mc, s);
      if (gps.size() > 6) gps.resize(6);
      for (const std::int64_t gp : gps) {
        SCOPED_TRACE(label(mc) + " gp " + std::to_string(gp) + " nb0 " + std::to_string(nb0));
        const ia::TripletsAtQ tq = ia::get_triplets_at_q(gp, s.bz_grid);
        const std::size_t n = std::min<std::size_t>(tq.triplets.size(), 40);
        const std::vector<ia::Triplet> triplets(tq.triplets.begin(),
                                                tq.triplets.begin() + static_cast<std::ptrdiff_t>(n));
        const auto& r2r = itr.real_to_reciprocal();
        const auto q0s = r2r.prepare_q0s(triplets.data(), n);
        std::vector<std::complex<double>> fc3_rec(n * nb3);
        ia::RealToReciprocal::Workspace r2r_ws;
        for (std::size_t t = 0; t < n; ++t) r2r.run(q0s, &triplets[t], 1, &fc3_rec[t * nb3], r2r_ws);
        // The mask of the tetrahedron weights at the band frequencies of q0 (of the j0).
        std::vector<double> points;
        for (const std::int64_t b : itr.band_indices()) points.push_back(s.frequencies_at(gp)[b]);
        std::vector<double> g(2 * n * per);
        std::vector<std::int8_t> g_zero(n * per);
        ia::set_triplets_integration_weights_tetrahedron(g.data(), g_zero.data(), 2, points, triplets,
                                                         s.phonons.frequencies, s.bz_grid);
        for (const bool masked : {false, true}) {
          for (const bool inside : {false, true}) {
            std::vector<double> now(n * per, -1.0), before(n * per, -2.0);
            ia::ReciprocalToNormal::Workspace ws;
            for (std::size_t t = 0; t < n; ++t) {
              const std::int8_t* gz = masked ? &g_zero[t * per] : nullptr;
              r2n.run(&fc3_rec[t * nb3], phonons, triplets[t], gz, &now[t * per], ws, inside);
              ia::reciprocal_to_normal_reference(&fc3_rec[t * nb3], s.primitive.masses, itr.band_indices(),
                                                 itr.cutoff_frequency(), phonons, triplets[t], gz,
                                                 &before[t * per]);
            }
            expect_same_per_triplet(now, before, per, masked ? &g_zero : nullptr);
            compared += n;
          }
        }
      }
    }
  }
  EXPECT_GT(compared, 1000u);
}

// Band counts no crystal of tests/data has (one atom: 3 bands, the generic kernel below
// 4 bands; 5 atoms: 15, the 8/4-wide kernels with a rest), on random phonons, fc3 and
// masks: the same bits as the 734e1dd kernel, masked or not, all or some j0.
TEST(KernelsVsPrevious, ReciprocalToNormalSameBitsAnyBandCount) {
  std::mt19937_64 rng(2026);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (const std::size_t n_atoms : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{5}}) {
    const std::size_t nb = 3 * n_atoms, nb3 = nb * nb * nb, num_gp = 3;
    std::vector<double> masses(n_atoms);
    for (double& m : masses) m = 10.0 + 50.0 * (u(rng) + 1.0);
    std::vector<double> freqs(num_gp * nb);
    for (double& f : freqs) f = 8.0 * (u(rng) + 1.0);
    freqs[0] = 0.001;  // below the cutoff: its elements are zero in both kernels
    std::vector<std::complex<double>> eigvecs(num_gp * nb * nb), fc3_rec(nb3);
    for (auto& e : eigvecs) e = {u(rng), u(rng)};
    for (auto& v : fc3_rec) v = {u(rng), u(rng)};
    ia::PhononView phonons;
    phonons.frequencies = freqs.data();
    phonons.eigenvectors = eigvecs.data();
    phonons.num_grid_points = num_gp;
    phonons.num_band = nb;
    const ia::Triplet triplet{0, 1, 2};
    std::vector<std::int64_t> all_bands(nb);
    for (std::size_t b = 0; b < nb; ++b) all_bands[b] = static_cast<std::int64_t>(b);
    const std::vector<std::vector<std::int64_t>> band_sets = {all_bands,
                                                              {static_cast<std::int64_t>(nb - 1), 0}};
    for (const auto& bands : band_sets) {
      const ia::ReciprocalToNormal r2n(masses, bands, 0.01);
      const std::size_t per = r2n.band_indices().size() * nb * nb;
      std::vector<std::int8_t> g_zero(per);
      for (auto& z : g_zero) z = u(rng) > 0.2 ? 1 : 0;  // ~40 % needed
      for (const bool masked : {false, true}) {
        SCOPED_TRACE("nb " + std::to_string(nb) + " nb0 " + std::to_string(per / (nb * nb)) + " masked " +
                     std::to_string(masked));
        const std::int8_t* gz = masked ? g_zero.data() : nullptr;
        std::vector<double> now(per, -1.0), before(per, -2.0);
        ia::ReciprocalToNormal::Workspace ws;
        r2n.run(fc3_rec.data(), phonons, triplet, gz, now.data(), ws);
        ia::reciprocal_to_normal_reference(fc3_rec.data(), masses, r2n.band_indices(), 0.01, phonons, triplet,
                                           gz, before.data());
        expect_same_per_triplet(now, before, per, masked ? &g_zero : nullptr);
        double largest = 0;
        for (const double x : before) largest = std::max(largest, std::abs(x));
        EXPECT_GT(largest, 0.0);
      }
    }
  }
}

}  // namespace
