#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/interaction/integration_weights.hpp"
#include "reference_grid.hpp"

using ph3mpi::NdArray;
namespace ia = ph3mpi::interaction;
namespace pt = ph3mpi::test;

namespace {

struct GridPointData {
  ph3mpi::grid::BZGrid bz;
  NdArray<double> frequencies;  // (N_bz, num_band)
  ia::TripletsAtQ triplets;
  std::vector<double> frequency_points;  // band frequencies of q0
};

GridPointData load(const pt::ReferenceCase& c, int gp) {
  GridPointData d;
  d.bz = pt::load_reference_bz_grid(c.name, c.mesh);
  ph3mpi::io::Hdf5File phonons(pt::data_path(c.name + "/reference/phonons.hdf5"));
  d.frequencies = phonons.read_double("grid/frequencies");
  d.triplets = ia::get_triplets_at_q(gp, d.bz);
  const std::size_t nb = d.frequencies.shape[1];
  for (std::size_t b = 0; b < nb; ++b) d.frequency_points.push_back(d.frequencies[gp * nb + b]);
  return d;
}

double max_abs_diff(const NdArray<double>& a, const NdArray<double>& b) {
  EXPECT_EQ(a.shape, b.shape);
  double m = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

std::size_t count_differences(const NdArray<std::int8_t>& a, const NdArray<std::int64_t>& b) {
  EXPECT_EQ(a.shape, b.shape);
  std::size_t n = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) n += a[i] != b[i];
  return n;
}

}  // namespace

TEST(IntegrationWeights, PhononFrequenciesAreIndexedLikeTheBZGrid) {
  for (const auto& c : pt::reference_cases()) {
    ph3mpi::io::Hdf5File phonons(pt::data_path(c.name + "/reference/phonons.hdf5"));
    ph3mpi::io::Hdf5File grid(pt::data_path(c.name + "/reference/grid.hdf5"));
    EXPECT_EQ(phonons.read_int("grid/addresses").data, grid.read_int(c.mesh + "/addresses").data) << c.name;
  }
}

TEST(IntegrationWeights, TetrahedronMatchesPhono3py) {
  double worst_g = 0, worst_collision = 0;
  for (const auto& c : pt::reference_cases()) {
    for (const int gp : c.gps) {
      SCOPED_TRACE(c.name + " gp" + std::to_string(gp));
      const auto d = load(c, gp);
      ph3mpi::io::Hdf5File ref(
          pt::data_path(c.name + "/reference/interaction_gp" + std::to_string(gp) + ".hdf5"));
      const auto fp_ref = ref.read_double("frequency_points_tetrahedron");
      ASSERT_EQ(d.frequency_points, fp_ref.data);

      const auto w = ia::get_triplets_integration_weights(d.frequency_points, d.triplets.triplets,
                                                          d.frequencies, d.bz, std::nullopt);
      // Bit for bit: the tetrahedron weights use only + - * / in phono3py's order.
      const double dg = max_abs_diff(w.g, ref.read_double("g_tetrahedron"));
      EXPECT_EQ(dg, 0.0);
      EXPECT_EQ(count_differences(w.g_zero, ref.read_int("g_zero_tetrahedron")), 0u);

      const auto wc = ia::get_triplets_integration_weights(
          d.frequency_points, d.triplets.triplets, d.frequencies, d.bz, std::nullopt, std::nullopt, true);
      const double dc = max_abs_diff(wc.g, ref.read_double("g_collision_tetrahedron"));
      EXPECT_EQ(dc, 0.0);
      EXPECT_EQ(count_differences(wc.g_zero, ref.read_int("g_zero_tetrahedron")), 0u);
      std::cout << "[ tetrahedron ] " << c.name << " gp" << gp << " triplets=" << d.triplets.size()
                << " max|dg|=" << dg << " max|dg_collision|=" << dc << "\n";
      worst_g = std::max(worst_g, dg);
      worst_collision = std::max(worst_collision, dc);
    }
  }
  std::cout << "[ tetrahedron ] worst max|dg|=" << worst_g << " collision=" << worst_collision << "\n";
}

TEST(IntegrationWeights, GaussianMatchesPhono3py) {
  double worst = 0;
  for (const auto& c : pt::reference_cases()) {
    for (const int gp : c.gps) {
      SCOPED_TRACE(c.name + " gp" + std::to_string(gp));
      const auto d = load(c, gp);
      ph3mpi::io::Hdf5File ref(
          pt::data_path(c.name + "/reference/interaction_gp" + std::to_string(gp) + ".hdf5"));
      const double sigma = ref.read_double_scalar("sigma");
      ASSERT_EQ(sigma, 0.1);
      // The reference was made without sigma_cutoff: g_zero is all zero.
      const auto w = ia::get_triplets_integration_weights(d.frequency_points, d.triplets.triplets,
                                                          d.frequencies, d.bz, sigma);
      const double dg = max_abs_diff(w.g, ref.read_double("g_sigma0.1"));
      EXPECT_LE(dg, 1e-10);
      EXPECT_EQ(count_differences(w.g_zero, ref.read_int("g_zero_sigma0.1")), 0u);
      std::cout << "[ sigma=0.1 ] " << c.name << " gp" << gp << " max|dg|=" << dg << "\n";
      worst = std::max(worst, dg);
    }
  }
  std::cout << "[ sigma=0.1 ] worst max|dg|=" << worst << "\n";
}

TEST(IntegrationWeights, SigmaCutoffOnlyDropsFarTails) {
  const auto d = load(pt::reference_cases()[0], 105);
  const double sigma = 0.1, cutoff = 3.0;
  const auto full = ia::get_triplets_integration_weights(d.frequency_points, d.triplets.triplets,
                                                         d.frequencies, d.bz, sigma, std::nullopt, true);
  const auto cut = ia::get_triplets_integration_weights(d.frequency_points, d.triplets.triplets,
                                                        d.frequencies, d.bz, sigma, cutoff, true);
  const std::size_t nt = d.triplets.size(), nf = d.frequency_points.size(), nb = d.frequencies.shape[1];
  const std::size_t block = nt * nf * nb * nb;
  std::size_t dropped = 0;
  for (std::size_t t = 0; t < nt; ++t) {
    for (std::size_t j = 0; j < nf; ++j) {
      for (std::size_t b1 = 0; b1 < nb; ++b1) {
        for (std::size_t b2 = 0; b2 < nb; ++b2) {
          const std::size_t i = ((t * nf + j) * nb + b1) * nb + b2;
          const double f0 = d.frequency_points[j];
          const double f1 = d.frequencies[d.triplets.triplets[t][1] * nb + b1];
          const double f2 = d.frequencies[d.triplets.triplets[t][2] * nb + b2];
          const bool far = std::abs(f0 + f1 - f2) > cutoff * sigma &&
                           std::abs(f0 - f1 + f2) > cutoff * sigma && std::abs(f0 - f1 - f2) > cutoff * sigma;
          ASSERT_EQ(cut.g_zero[i], far ? 1 : 0);
          for (std::size_t k = 0; k < 3; ++k) {
            if (far) {
              EXPECT_EQ(cut.g[k * block + i], 0.0);
              EXPECT_LT(std::abs(full.g[k * block + i]), 3 * ia::gaussian(cutoff * sigma, sigma));
            } else {
              EXPECT_EQ(cut.g[k * block + i], full.g[k * block + i]);
            }
          }
          dropped += cut.g_zero[i];
        }
      }
    }
  }
  EXPECT_GT(dropped, block / 2);
  // A non-positive cutoff disables it, as phono3py's sigma_cutoff=None.
  const auto disabled = ia::get_triplets_integration_weights(d.frequency_points, d.triplets.triplets,
                                                             d.frequencies, d.bz, sigma, -1.0, true);
  EXPECT_EQ(disabled.g.data, full.g.data);
}

TEST(IntegrationWeights, JointDosOnArbitraryFrequencyPoints) {
  // phono3py JointDos (no temperature): weights with is_collision_matrix=True on
  // 201 frequency points, JDOS[1] = sum_t w_t sum_j1j2 g[0], JDOS[0] = ... (g[2] - g[0]),
  // divided by prod(D_diag).
  const auto d = load(pt::reference_cases()[0], 105);
  ph3mpi::io::Hdf5File ref(pt::data_path("si-pbesol/reference/jdos_gp105.hdf5"));
  const auto points = ref.read_double("frequency_points").data;
  const auto sigmas = ref.read_double("sigmas");
  const auto jdos_ref = ref.read_double("joint_dos_plain");  // (sigma, 1, point, 2)
  const std::size_t nt = d.triplets.size(), nf = points.size(), nb = d.frequencies.shape[1];
  const std::size_t block = nt * nf * nb * nb;
  for (std::size_t s = 0; s < sigmas.size(); ++s) {
    std::optional<double> sigma;
    if (sigmas[s] > 0) sigma = sigmas[s];
    const auto w = ia::get_triplets_integration_weights(points, d.triplets.triplets, d.frequencies, d.bz,
                                                        sigma, std::nullopt, true);
    double worst = 0;
    for (std::size_t j = 0; j < nf; ++j) {
      double jdos[2] = {0, 0};
      for (std::size_t t = 0; t < nt; ++t) {
        double sum_g0 = 0, sum_rest = 0;
        for (std::size_t b = 0; b < nb * nb; ++b) {
          const std::size_t i = (t * nf + j) * nb * nb + b;
          sum_g0 += w.g[i];
          sum_rest += w.g[2 * block + i] - w.g[i];
        }
        jdos[1] += static_cast<double>(d.triplets.weights[t]) * sum_g0;
        jdos[0] += static_cast<double>(d.triplets.weights[t]) * sum_rest;
      }
      for (std::size_t k = 0; k < 2; ++k) {
        const double value = jdos[k] / static_cast<double>(d.bz.num_gr_points());
        const double expected = jdos_ref[(s * nf + j) * 2 + k];
        worst = std::max(worst, std::abs(value - expected));
        EXPECT_NEAR(value, expected, 1e-10 * std::max(1.0, std::abs(expected))) << "point " << j;
      }
    }
    std::cout << "[ jdos ] sigma=" << sigmas[s] << " max|djdos|=" << worst << "\n";
  }
}

TEST(IntegrationWeights, IndependentOfThreadCount) {
  const auto d = load(pt::reference_cases()[3], 64);
  const int saved = omp_get_max_threads();
  std::vector<NdArray<double>> g;
  std::vector<NdArray<std::int8_t>> gz;
  for (const int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    for (const bool tetra : {true, false}) {
      std::optional<double> sigma;
      if (!tetra) sigma = 0.1;
      auto w = ia::get_triplets_integration_weights(d.frequency_points, d.triplets.triplets, d.frequencies,
                                                    d.bz, sigma, std::nullopt, true);
      g.push_back(std::move(w.g));
      gz.push_back(std::move(w.g_zero));
    }
  }
  omp_set_num_threads(saved);
  for (std::size_t i = 2; i < g.size(); ++i) {
    EXPECT_EQ(g[i].data, g[i % 2].data);
    EXPECT_EQ(gz[i].data, gz[i % 2].data);
  }
}

TEST(IntegrationWeights, RejectsInconsistentInput) {
  const auto d = load(pt::reference_cases()[0], 2);
  NdArray<double> short_frequencies({10, 6});
  EXPECT_THROW(ia::get_triplets_integration_weights(d.frequency_points, d.triplets.triplets,
                                                    short_frequencies, d.bz, std::nullopt),
               ph3mpi::Error);
  EXPECT_THROW(ia::get_triplets_integration_weights(d.frequency_points, d.triplets.triplets, d.frequencies,
                                                    d.bz, -0.1),
               ph3mpi::Error);
}
