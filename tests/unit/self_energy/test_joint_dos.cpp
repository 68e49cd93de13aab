// Joint DOS against phono3py 4.4 (si-pbesol/reference/jdos_gp105.hdf5:
// Phono3pyJointDos(..., sigmas=[None, 0.1], num_frequency_points=201, temperatures=None or
// [300]).run([105])), frequency sampling points, batching and thread-count independence.
#include <gtest/gtest.h>

#include <cstring>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/self_energy/frequency_points.hpp"
#include "ph3mpi/self_energy/joint_dos.hpp"
#include "self_energy_reference.hpp"

namespace ph3mpi::self_energy {
namespace {

using testing::expect_close;
using testing::load_phonon_case;

struct JdosReference {
  std::vector<double> frequency_points;
  std::vector<double> sigmas;   // -1 = tetrahedron
  NdArray<double> plain, t300;  // (sigma, 1, freq_point, 2)
  testing::TripletData triplets;
};

const JdosReference& reference() {
  static const JdosReference r = [] {
    JdosReference d;
    const io::Hdf5File f(test::data_path("si-pbesol/reference/jdos_gp105.hdf5"));
    d.frequency_points = f.read_double("frequency_points").data;
    d.sigmas = f.read_double("sigmas").data;
    d.plain = f.read_double("joint_dos_plain");
    d.t300 = f.read_double("joint_dos_T300");
    EXPECT_EQ(f.read_int_scalar("grid_point"), 105);
    d.triplets =
        testing::load_triplets(io::Hdf5File(test::data_path("si-pbesol/reference/triplets_gp105.hdf5")));
    return d;
  }();
  return r;
}

std::optional<double> sigma_of(double s) { return s < 0 ? std::nullopt : std::optional<double>(s); }

TEST(FrequencyPoints, AsPhono3py) {
  const auto& c = load_phonon_case("si-pbesol");
  const auto& r = reference();
  // Phono3pyJointDos: max over all BZ phonons, sigmas [None, 0.1], 201 points.
  const auto points = get_frequency_points(c.max_frequency(), {std::nullopt, 0.1}, std::nullopt, 201);
  expect_close("jdos frequency points", points, r.frequency_points, 1e-15);
  EXPECT_EQ(points.back(), r.frequency_points.back());
  // Default is 201 points; a step gives an arange below fmax; no sigma means fmax = 2.01 max.
  EXPECT_EQ(get_frequency_points(10.0, {std::nullopt}).size(), 201u);
  EXPECT_DOUBLE_EQ(get_frequency_points(10.0, {}).back(), 20.1);
  const auto stepped = get_frequency_points(10.0, {}, 0.5);
  EXPECT_EQ(stepped.size(), 41u);
  EXPECT_DOUBLE_EQ(stepped.back(), 20.0);
  EXPECT_THROW(get_frequency_points(10.0, {}, std::nullopt, 0), Error);
  EXPECT_THROW(get_frequency_points(10.0, {}, -1.0), Error);
}

TEST(JointDos, AgainstPhono3py) {
  const auto& c = load_phonon_case("si-pbesol");
  const auto& r = reference();
  const std::size_t nfp = r.frequency_points.size();
  for (std::size_t s = 0; s < r.sigmas.size(); ++s) {
    const auto sigma = sigma_of(r.sigmas[s]);
    const std::string tag = sigma ? "sigma 0.1" : "tetrahedron";
    const auto plain = joint_dos(r.frequency_points, r.triplets.triplets, r.triplets.weights, c.frequencies,
                                 c.bz_grid, sigma, std::nullopt);
    expect_close("jdos plain " + tag, plain.ptr(), &r.plain[s * nfp * 2], nfp * 2);
    const auto t300 = joint_dos(r.frequency_points, r.triplets.triplets, r.triplets.weights, c.frequencies,
                                c.bz_grid, sigma, 300.0);
    expect_close("jdos T=300 " + tag, t300.ptr(), &r.t300[s * nfp * 2], nfp * 2);
  }
}

TEST(JointDos, WithOwnTriplets) {
  // The whole chain as a run does it: ph3mpi's get_triplets_at_q on phono3py's grid.
  const auto& c = load_phonon_case("si-pbesol");
  const auto& r = reference();
  const auto tq = interaction::get_triplets_at_q(105, c.bz_grid);
  ASSERT_EQ(tq.triplets, r.triplets.triplets);
  const auto points = get_frequency_points(c.max_frequency(), {std::nullopt, 0.1}, std::nullopt, 201);
  const auto t300 = joint_dos(points, tq.triplets, tq.weights, c.frequencies, c.bz_grid, std::nullopt, 300.0);
  expect_close("jdos T=300 tetrahedron, own triplets", t300.ptr(), r.t300.ptr(), points.size() * 2);
}

TEST(JointDos, BatchAndThreadIndependent) {
  const auto& c = load_phonon_case("si-pbesol");
  const auto& r = reference();
  const std::vector<double> points(r.frequency_points.begin(), r.frequency_points.begin() + 30);
  for (const std::optional<double> temperature : {std::optional<double>(), std::optional<double>(300.0)}) {
    for (const std::optional<double> sigma : {std::optional<double>(), std::optional<double>(0.1)}) {
      auto run = [&](std::size_t batch) {
        return joint_dos(points, r.triplets.triplets, r.triplets.weights, c.frequencies, c.bz_grid, sigma,
                         temperature, 1e-4, std::nullopt, batch);
      };
      const auto one = testing::with_threads(1, [&] { return run(10); });
      const auto two = testing::with_threads(2, [&] { return run(10); });
      const auto whole = testing::with_threads(2, [&] { return run(points.size()); });
      ASSERT_EQ(one.shape, two.shape);
      EXPECT_EQ(0, std::memcmp(one.ptr(), two.ptr(), one.size() * sizeof(double))) << "thread dependence";
      EXPECT_EQ(0, std::memcmp(one.ptr(), whole.ptr(), one.size() * sizeof(double))) << "batch dependence";
    }
  }
}

TEST(JointDos, ZeroKelvinLimit) {
  // At T = 0 the occupations vanish: class [1] is sum w delta(omega - w1 - w2) over the
  // modes above the cutoff, class [0] is zero. The general formula at 1 mK (all
  // occupations underflow to 0 on this grid) must give the same.
  const auto& c = load_phonon_case("si-pbesol");
  const auto& r = reference();
  const std::vector<double> points(r.frequency_points.begin(), r.frequency_points.begin() + 40);
  const auto t0 =
      joint_dos(points, r.triplets.triplets, r.triplets.weights, c.frequencies, c.bz_grid, 0.1, 0.0);
  const auto cold =
      joint_dos(points, r.triplets.triplets, r.triplets.weights, c.frequencies, c.bz_grid, 0.1, 1e-3);
  double max_decay = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    EXPECT_EQ(t0[2 * i], 0.0);
    EXPECT_EQ(cold[2 * i], 0.0);
    EXPECT_EQ(t0[2 * i + 1], cold[2 * i + 1]);
    max_decay = std::max(max_decay, t0[2 * i + 1]);
  }
  EXPECT_GT(max_decay, 0.1);
}

TEST(JointDos, RejectsInconsistentInput) {
  const auto& c = load_phonon_case("si-pbesol");
  const auto& r = reference();
  auto weights = r.triplets.weights;
  weights.pop_back();
  EXPECT_THROW(joint_dos({1.0}, r.triplets.triplets, weights, c.frequencies, c.bz_grid, 0.1, std::nullopt),
               Error);
  NdArray<double> wrong({10, 6}, 1.0);
  EXPECT_THROW(joint_dos({1.0}, r.triplets.triplets, r.triplets.weights, wrong, c.bz_grid, 0.1, 300.0),
               Error);
}

}  // namespace
}  // namespace ph3mpi::self_energy
