// Interaction strength |Phi|^2 against phono3py 4.4 (interaction_gp<N>.hdf5): the full
// array (is_full_pp) and the g_zero-skipping path, for all four reference crystals.
#include <gtest/gtest.h>

#include <cstring>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/interaction/interaction.hpp"
#include "test_interaction_fixture.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace ph3mpi::interaction {
namespace {

using testing::load_case;
using testing::load_grid_point;
using testing::relative_deviation;

Interaction make_interaction(const testing::CaseData& c, std::vector<std::int64_t> band_indices = {},
                             bool make_r0_average = true) {
  return Interaction(c.fc3.fc, c.nonzero_indices(), c.atoms, c.masses, c.bz_grid, std::move(band_indices),
                     make_r0_average, 1e-4);
}

class InteractionStrength : public ::testing::TestWithParam<std::string> {};

TEST_P(InteractionStrength, FullMatchesPhono3py) {
  const auto& c = load_case(GetParam());
  const Interaction itr = make_interaction(c);
  for (const std::int64_t gp : testing::grid_points(GetParam())) {
    const auto& ref = load_grid_point(GetParam(), gp);
    const NdArray<double> pp = itr.run(c.phonons(), ref.triplets);
    ASSERT_EQ(pp.shape, ref.pp_full.shape);
    const auto d = relative_deviation(pp.ptr(), ref.pp_full.ptr(), pp.size());
    const auto large = relative_deviation(pp.ptr(), ref.pp_full.ptr(), pp.size(), 1e-6);
    std::printf(
        "[%s gp%lld] full pp: %zu entries compared, max relative deviation %.3e (%.3e above 1e-6 of max)\n",
        GetParam().c_str(), static_cast<long long>(gp), d.compared, d.max_relative, large.max_relative);
    EXPECT_GT(d.compared, pp.size() / 4);
    EXPECT_LT(d.max_relative, 1e-8);
  }
}

TEST_P(InteractionStrength, GZeroPathMatchesPhono3py) {
  const auto& c = load_case(GetParam());
  const Interaction itr = make_interaction(c);
  for (const std::int64_t gp : testing::grid_points(GetParam())) {
    const auto& ref = load_grid_point(GetParam(), gp);
    const NdArray<double> pp = itr.run(c.phonons(), ref.triplets, ref.g_zero_tetrahedron.data());
    ASSERT_EQ(pp.shape, ref.pp_g_zero.shape);
    // Skipped elements must be exactly zero, the others agree.
    const auto d = relative_deviation(pp.ptr(), ref.pp_g_zero.ptr(), pp.size(), 1e-12, true);
    std::printf("[%s gp%lld] g_zero pp: %zu entries compared, max relative deviation %.3e\n",
                GetParam().c_str(), static_cast<long long>(gp), d.compared, d.max_relative);
    EXPECT_GT(d.compared, 0u);
    EXPECT_LT(d.max_relative, 1e-8);
    std::size_t skipped = 0;
    for (std::size_t i = 0; i < pp.size(); ++i) {
      if (ref.g_zero_tetrahedron[i]) {
        ++skipped;
        EXPECT_EQ(pp[i], 0.0);
      }
    }
    EXPECT_GT(skipped, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(AllCases, InteractionStrength, ::testing::ValuesIn(testing::case_names()),
                         [](const auto& param_info) {
                           std::string s = param_info.param;
                           for (char& ch : s) ch = ch == '-' ? '_' : ch;
                           return s;
                         });

TEST(InteractionStrength, BandIndicesSubset) {
  const auto& c = load_case("aln-lda");
  const std::vector<std::int64_t> bands = {0, 5, 11};
  const Interaction itr = make_interaction(c, bands);
  const auto& ref = load_grid_point("aln-lda", 64);
  const NdArray<double> pp = itr.run(c.phonons(), ref.triplets);
  const std::size_t nb = 12;
  ASSERT_EQ(pp.shape, (std::vector<std::size_t>{ref.triplets.size(), bands.size(), nb, nb}));
  std::vector<double> expected(pp.size());
  for (std::size_t t = 0; t < ref.triplets.size(); ++t) {
    for (std::size_t i = 0; i < bands.size(); ++i) {
      const double* src = &ref.pp_full[(t * nb + static_cast<std::size_t>(bands[i])) * nb * nb];
      std::copy(src, src + nb * nb, &expected[(t * bands.size() + i) * nb * nb]);
    }
  }
  EXPECT_LT(relative_deviation(pp.ptr(), expected.data(), pp.size()).max_relative, 1e-8);
}

TEST(InteractionStrength, FullFc3GivesSameAsCompact) {
  const auto& c = load_case("si-pbesol");
  const io::ForceConstants full =
      io::read_fc3(test::data_path("si-pbesol/fc3-full.hdf5"), c.supercell.num_atoms(), c.primitive.p2s_map);
  ASSERT_FALSE(full.is_compact);
  const Interaction itr(full.fc, nullptr, c.atoms, c.masses, c.bz_grid);
  const auto& ref = load_grid_point("si-pbesol", 105);
  const NdArray<double> pp = itr.run(c.phonons(), ref.triplets);
  const auto d = relative_deviation(pp.ptr(), ref.pp_full.ptr(), pp.size());
  std::printf("[si-pbesol gp105] full fc3: max relative deviation %.3e\n", d.max_relative);
  EXPECT_LT(d.max_relative, 1e-8);
}

// The reference data used make_r0_average=True: without it the numbers must differ
// (shows that the three-leg average and the all_shortest weights are exercised).
TEST(InteractionStrength, WithoutR0AverageDiffers) {
  const auto& c = load_case("si-pbesol");
  const Interaction itr = make_interaction(c, {}, false);
  const auto& ref = load_grid_point("si-pbesol", 105);
  const NdArray<double> pp = itr.run(c.phonons(), ref.triplets);
  EXPECT_GT(relative_deviation(pp.ptr(), ref.pp_full.ptr(), pp.size(), 1e-6).max_relative, 1e-6);
}

TEST(InteractionStrength, AllShortestIsUsed) {
  // Every case has atom triples of unique nearest images (else leg weighting is moot).
  for (const auto& name : testing::case_names()) {
    const auto& c = load_case(name);
    std::size_t count = 0;
    for (const auto f : c.atoms.all_shortest) count += f != 0;
    EXPECT_GT(count, 0u) << name;
    EXPECT_LT(count, c.atoms.all_shortest.size()) << name;
  }
}

TEST(InteractionStrength, PhaseTableMatchesDirectSum) {
  const auto& c = load_case("aln-lda");
  const Interaction itr = make_interaction(c);
  const std::size_t n_p = c.atoms.n_patom, n_s = c.atoms.n_satom;
  for (const std::int64_t gp : {0, 17, 64, 150, 274}) {
    const auto phases = itr.real_to_reciprocal().phase_factors(gp);
    const auto& adr = c.bz_grid.addresses[static_cast<std::size_t>(gp)];
    Eigen::Vector3d q;
    for (int k = 0; k < 3; ++k) {
      q(k) = 0;
      for (int l = 0; l < 3; ++l) {
        q(k) += static_cast<double>(c.bz_grid.Q(k, l)) * static_cast<double>(adr(l)) /
                static_cast<double>(c.bz_grid.D_diag(l));
      }
    }
    for (std::size_t p = 0; p < n_p; ++p) {
      for (std::size_t s = 0; s < n_s; ++s) {
        const auto m = c.atoms.multi[s * n_p + p];
        std::complex<double> sum = 0;
        for (std::int64_t i = 0; i < m[0]; ++i) {
          const double phase = 2 * M_PI * q.dot(c.atoms.svecs[static_cast<std::size_t>(m[1] + i)]);
          sum += std::complex<double>(std::cos(phase), std::sin(phase));
        }
        sum /= static_cast<double>(m[0]);
        EXPECT_LT(std::abs(phases[p * n_s + s] - sum), 1e-13);
      }
    }
  }
}

#ifdef _OPENMP
TEST(InteractionStrength, BitIdenticalForOneAndTwoThreads) {
  const auto& c = load_case("si-pbesol");
  const Interaction itr = make_interaction(c);
  const auto& ref = load_grid_point("si-pbesol", 105);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const NdArray<double> one = itr.run(c.phonons(), ref.triplets, ref.g_zero_tetrahedron.data());
  omp_set_num_threads(2);
  const NdArray<double> two = itr.run(c.phonons(), ref.triplets, ref.g_zero_tetrahedron.data());
  omp_set_num_threads(saved);
  ASSERT_EQ(one.size(), two.size());
  EXPECT_EQ(std::memcmp(one.ptr(), two.ptr(), one.size() * sizeof(double)), 0);
}

// Few triplets: the threads go inside each triplet instead (over atom blocks and j0).
TEST(InteractionStrength, ParallelInsideGivesSameBits) {
  const auto& c = load_case("aln-lda");
  const Interaction itr = make_interaction(c);
  const auto& ref = load_grid_point("aln-lda", 64);
  const std::vector<Triplet> few(ref.triplets.begin(), ref.triplets.begin() + 3);
  const auto q0s = itr.real_to_reciprocal().prepare_q0s(few.data(), few.size());
  const std::size_t per = 12 * 12 * 12;
  std::vector<double> outside(few.size() * per), inside(few.size() * per);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(2);
  EXPECT_TRUE(Interaction::prefer_parallel_inside(few.size()));
  Interaction::Workspace ws1, ws2;
  itr.run_raw(q0s, c.phonons(), few.data(), few.size(), nullptr, outside.data(), ws1, false);
  itr.run_raw(q0s, c.phonons(), few.data(), few.size(), nullptr, inside.data(), ws2, true);
  const NdArray<double> via_run = itr.run(c.phonons(), few);
  omp_set_num_threads(saved);
  EXPECT_EQ(std::memcmp(outside.data(), inside.data(), outside.size() * sizeof(double)), 0);
  std::vector<double> expected(ref.pp_full.ptr(), ref.pp_full.ptr() + few.size() * per);
  EXPECT_LT(relative_deviation(via_run.ptr(), expected.data(), expected.size()).max_relative, 1e-8);
}
#endif

TEST(InteractionStrength, RejectsBadInput) {
  const auto& c = load_case("si-pbesol");
  NdArray<double> wrong({2, 64, 63, 3, 3, 3});
  EXPECT_THROW(Interaction(wrong, nullptr, c.atoms, c.masses, c.bz_grid), Error);
  EXPECT_THROW(make_interaction(c, {6}), Error);
  const Interaction itr = make_interaction(c);
  const std::vector<Triplet> bad = {{105, 3, 100000}};
  EXPECT_THROW(itr.run(c.phonons(), bad), Error);
}

}  // namespace
}  // namespace ph3mpi::interaction
