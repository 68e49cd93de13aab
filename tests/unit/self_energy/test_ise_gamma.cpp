// Imaginary self energy Gamma against phono3py 4.4 (ise_gp<N>.hdf5) for all four
// reference crystals: the stored-interaction (full pp) path and the low-memory
// pp_collision path, tetrahedron and Gaussian sigma = 0.1 THz weights, normal/umklapp
// split, degeneracy averaging, thread-count independence.
#include <gtest/gtest.h>

#include <cstring>

#include "../interaction/test_interaction_fixture.hpp"
#include "ph3mpi/common/error.hpp"
#include "ph3mpi/interaction/interaction.hpp"
#include "ph3mpi/self_energy/imag_self_energy.hpp"
#include "ph3mpi/self_energy/pp_collision.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace ph3mpi::self_energy {
namespace {

using interaction::Interaction;
using interaction::testing::GridPointData;
using interaction::testing::load_case;
using interaction::testing::load_grid_point;
using interaction::testing::relative_deviation;

Interaction make_interaction(const interaction::testing::CaseData& c) {
  return Interaction(c.fc3.fc, c.nonzero_indices(), c.atoms, c.masses, c.bz_grid);
}

// Weights of one triplet copied out of the reference arrays (2, n, nb0, nb, nb).
TripletWeightsFunction reference_weights(const NdArray<double>& g, const std::vector<std::int8_t>& g_zero,
                                         std::size_t n_triplets) {
  const std::size_t per = g.size() / (2 * n_triplets);
  return [&g, &g_zero, per, n_triplets](std::size_t t, double* out, std::int8_t* out_zero) {
    std::copy(&g[t * per], &g[(t + 1) * per], out);
    std::copy(&g[(n_triplets + t) * per], &g[(n_triplets + t + 1) * per], out + per);
    std::copy(&g_zero[t * per], &g_zero[(t + 1) * per], out_zero);
  };
}

double check(const std::string& label, const NdArray<double>& got, const NdArray<double>& expected) {
  EXPECT_EQ(got.shape, expected.shape) << label;
  if (got.shape != expected.shape) return INFINITY;
  // Gamma at T = 0 is legitimately tiny for some bands; compare everything above 1e-12 of the max.
  const auto d = relative_deviation(got.ptr(), expected.ptr(), got.size());
  std::printf("%s: %zu values, max relative deviation %.3e\n", label.c_str(), d.compared, d.max_relative);
  EXPECT_LT(d.max_relative, 1e-8) << label;
  EXPECT_GT(d.compared, got.size() / 2) << label;
  return d.max_relative;
}

class Gamma : public ::testing::TestWithParam<std::string> {};

TEST_P(Gamma, FromReferenceInteractionStrength) {
  // Isolates the Gamma sum from the interaction: phono3py's own pp and weights.
  const auto& c = load_case(GetParam());
  std::vector<std::int64_t> bands(c.phonons().num_band);
  for (std::size_t i = 0; i < bands.size(); ++i) bands[i] = static_cast<std::int64_t>(i);
  for (const std::int64_t gp : interaction::testing::grid_points(GetParam())) {
    const GridPointData& ref = load_grid_point(GetParam(), gp);
    const std::string tag = "[" + GetParam() + " gp" + std::to_string(gp) + "]";
    const auto tet = imag_self_energy_with_g(
        gp, ref.pp_full.ptr(), ref.g_tetrahedron.ptr(), ref.g_zero_tetrahedron.data(), ref.triplets,
        ref.weights, c.phonons(), bands, ref.temperatures, ref.cutoff_frequency, c.bz_grid);
    check(tag + " ref pp, tetrahedron", tet.gamma, ref.gamma_tetrahedron);
    const auto sig =
        imag_self_energy_with_g(gp, ref.pp_full.ptr(), ref.g_sigma.ptr(), nullptr, ref.triplets, ref.weights,
                                c.phonons(), bands, ref.temperatures, ref.cutoff_frequency, c.bz_grid);
    check(tag + " ref pp, sigma 0.1", sig.gamma, ref.gamma_sigma);
  }
}

TEST_P(Gamma, FullPpPath) {
  // Our interaction strength (stored, then summed) with phono3py's weights.
  const auto& c = load_case(GetParam());
  const Interaction itr = make_interaction(c);
  for (const std::int64_t gp : interaction::testing::grid_points(GetParam())) {
    const GridPointData& ref = load_grid_point(GetParam(), gp);
    const std::string tag = "[" + GetParam() + " gp" + std::to_string(gp) + "]";
    const NdArray<double> pp = itr.run(c.phonons(), ref.triplets);
    const auto tet = imag_self_energy_with_g(
        gp, pp.ptr(), ref.g_tetrahedron.ptr(), ref.g_zero_tetrahedron.data(), ref.triplets, ref.weights,
        c.phonons(), itr.band_indices(), ref.temperatures, itr.cutoff_frequency(), c.bz_grid);
    check(tag + " full pp, tetrahedron", tet.gamma, ref.gamma_tetrahedron);
    const auto sig = imag_self_energy_with_g(gp, pp.ptr(), ref.g_sigma.ptr(), nullptr, ref.triplets,
                                             ref.weights, c.phonons(), itr.band_indices(), ref.temperatures,
                                             itr.cutoff_frequency(), c.bz_grid);
    check(tag + " full pp, sigma 0.1", sig.gamma, ref.gamma_sigma);
    // g_zero path: interaction only where the weights are nonzero.
    const NdArray<double> pp0 = itr.run(c.phonons(), ref.triplets, ref.g_zero_tetrahedron.data());
    const auto tet0 = imag_self_energy_with_g(
        gp, pp0.ptr(), ref.g_tetrahedron.ptr(), ref.g_zero_tetrahedron.data(), ref.triplets, ref.weights,
        c.phonons(), itr.band_indices(), ref.temperatures, itr.cutoff_frequency(), c.bz_grid);
    check(tag + " g_zero pp, tetrahedron", tet0.gamma, ref.gamma_tetrahedron_g_zero_path);
    // Skipped elements have zero weight: both paths give the same bits.
    EXPECT_EQ(std::memcmp(tet0.gamma.ptr(), tet.gamma.ptr(), tet.gamma.size() * sizeof(double)), 0);
  }
}

TEST_P(Gamma, LowMemoryPath) {
  const auto& c = load_case(GetParam());
  const Interaction itr = make_interaction(c);
  for (const std::int64_t gp : interaction::testing::grid_points(GetParam())) {
    const GridPointData& ref = load_grid_point(GetParam(), gp);
    const std::string tag = "[" + GetParam() + " gp" + std::to_string(gp) + "]";
    const std::size_t n = ref.triplets.size();
    const auto tet = pp_collision(itr, c.phonons(), gp, ref.triplets, ref.weights, ref.temperatures,
                                  reference_weights(ref.g_tetrahedron, ref.g_zero_tetrahedron, n), c.bz_grid);
    check(tag + " low memory, tetrahedron", tet.gamma, ref.gamma_tetrahedron);
    EXPECT_EQ(tet.gamma_N.size(), 0u);
    const auto sig = pp_collision(itr, c.phonons(), gp, ref.triplets, ref.weights, ref.temperatures,
                                  reference_weights(ref.g_sigma, ref.g_zero_sigma, n), c.bz_grid);
    check(tag + " low memory, sigma 0.1", sig.gamma, ref.gamma_sigma);
  }
}

INSTANTIATE_TEST_SUITE_P(AllCases, Gamma, ::testing::ValuesIn(interaction::testing::case_names()),
                         [](const auto& param_info) {
                           std::string s = param_info.param;
                           for (char& ch : s) ch = ch == '-' ? '_' : ch;
                           return s;
                         });

TEST(GammaNU, NormalUmklappSplitSiPbesol) {
  const auto& c = load_case("si-pbesol");
  const Interaction itr = make_interaction(c);
  for (const std::int64_t gp : {105, 2}) {
    const GridPointData& ref = load_grid_point("si-pbesol", gp);
    const std::string tag = "[si-pbesol gp" + std::to_string(gp) + "]";
    ASSERT_GT(ref.gamma_N_tetrahedron.size(), 0u);
    const auto low = pp_collision(
        itr, c.phonons(), gp, ref.triplets, ref.weights, ref.temperatures,
        reference_weights(ref.g_tetrahedron, ref.g_zero_tetrahedron, ref.triplets.size()), c.bz_grid, true);
    check(tag + " low memory N", low.gamma_N, ref.gamma_N_tetrahedron);
    check(tag + " low memory U", low.gamma_U, ref.gamma_U_tetrahedron);
    check(tag + " low memory N+U", low.gamma, ref.gamma_tetrahedron);
    const NdArray<double> pp = itr.run(c.phonons(), ref.triplets);
    const auto full = imag_self_energy_with_g(
        gp, pp.ptr(), ref.g_tetrahedron.ptr(), ref.g_zero_tetrahedron.data(), ref.triplets, ref.weights,
        c.phonons(), itr.band_indices(), ref.temperatures, itr.cutoff_frequency(), c.bz_grid, true);
    check(tag + " full pp N", full.gamma_N, ref.gamma_N_tetrahedron);
    check(tag + " full pp U", full.gamma_U, ref.gamma_U_tetrahedron);
  }
}

TEST(GammaUnits, ConversionFactorIsPhono3pys) {
  const GridPointData& ref = load_grid_point("si-pbesol", 105);
  EXPECT_NEAR(unit_conversion_factor() / ref.ise_unit_conversion, 1.0, 1e-15);
  // k_B * 300 K / h in THz with phonopy's constants.
  EXPECT_NEAR(temperature_to_thz(300.0), 300 * 8.617338256808316e-05 / 0.00413566733, 1e-12);
}

TEST(GammaDegeneracy, AveragesDegenerateBandsOnly) {
  const double freqs[6] = {0.0, 0.0, 1.0, 5.0, 5.00005, 7.0};
  NdArray<double> v({2, 5});
  const std::vector<std::int64_t> bands = {0, 1, 3, 4, 5};
  for (std::size_t i = 0; i < 10; ++i) v[i] = static_cast<double>(i + 1);
  average_by_degeneracy(v, bands, freqs, 6);
  const std::vector<double> expected = {1.5, 1.5, 3.5, 3.5, 5, 6.5, 6.5, 8.5, 8.5, 10};
  EXPECT_EQ(v.data, expected);
  NdArray<double> wrong({3});
  EXPECT_THROW(average_by_degeneracy(wrong, bands, freqs, 6), Error);
}

#ifdef _OPENMP
TEST(GammaThreads, BitIdenticalForOneAndTwoThreads) {
  const auto& c = load_case("aln-lda");
  const Interaction itr = make_interaction(c);
  const GridPointData& ref = load_grid_point("aln-lda", 64);
  const auto w = reference_weights(ref.g_tetrahedron, ref.g_zero_tetrahedron, ref.triplets.size());
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto one =
      pp_collision(itr, c.phonons(), 64, ref.triplets, ref.weights, ref.temperatures, w, c.bz_grid, true);
  omp_set_num_threads(2);
  const auto two =
      pp_collision(itr, c.phonons(), 64, ref.triplets, ref.weights, ref.temperatures, w, c.bz_grid, true);
  omp_set_num_threads(saved);
  for (const auto& [a, b] : {std::pair{&one.gamma, &two.gamma}, std::pair{&one.gamma_N, &two.gamma_N},
                             std::pair{&one.gamma_U, &two.gamma_U}}) {
    ASSERT_EQ(a->size(), b->size());
    EXPECT_EQ(std::memcmp(a->ptr(), b->ptr(), a->size() * sizeof(double)), 0);
  }
}

TEST(GammaThreads, FewTripletsThreadsInsideSameBits) {
  // Three triplets with two threads: the threads work inside each triplet.
  const auto& c = load_case("si-pbesol");
  const Interaction itr = make_interaction(c);
  const GridPointData& ref = load_grid_point("si-pbesol", 105);
  const std::vector<interaction::Triplet> few(ref.triplets.begin() + 10, ref.triplets.begin() + 13);
  const std::vector<std::int64_t> w(ref.weights.begin() + 10, ref.weights.begin() + 13);
  const std::size_t n = ref.triplets.size();
  const auto all = reference_weights(ref.g_tetrahedron, ref.g_zero_tetrahedron, n);
  const TripletWeightsFunction shifted = [&all](std::size_t t, double* g, std::int8_t* gz) {
    all(t + 10, g, gz);
  };
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto one = pp_collision(itr, c.phonons(), 105, few, w, ref.temperatures, shifted, c.bz_grid);
  omp_set_num_threads(2);
  ASSERT_TRUE(Interaction::prefer_parallel_inside(few.size()));
  const auto two = pp_collision(itr, c.phonons(), 105, few, w, ref.temperatures, shifted, c.bz_grid);
  omp_set_num_threads(saved);
  EXPECT_EQ(std::memcmp(one.gamma.ptr(), two.gamma.ptr(), one.gamma.size() * sizeof(double)), 0);
  EXPECT_GT(*std::max_element(one.gamma.data.begin(), one.gamma.data.end()), 0.0);
}
#endif

TEST(GammaErrors, CallbackExceptionPropagates) {
  const auto& c = load_case("si-pbesol");
  const Interaction itr = make_interaction(c);
  const GridPointData& ref = load_grid_point("si-pbesol", 2);
  const TripletWeightsFunction failing = [](std::size_t t, double*, std::int8_t*) {
    if (t == 7) throw Error("weights failed");
  };
  EXPECT_THROW(
      pp_collision(itr, c.phonons(), 2, ref.triplets, ref.weights, ref.temperatures, failing, c.bz_grid),
      Error);
  const std::vector<std::int64_t> short_weights(3, 1);
  EXPECT_THROW(pp_collision(itr, c.phonons(), 2, ref.triplets, short_weights, ref.temperatures,
                            reference_weights(ref.g_tetrahedron, ref.g_zero_tetrahedron, ref.triplets.size()),
                            c.bz_grid),
               Error);
}

}  // namespace
}  // namespace ph3mpi::self_energy
