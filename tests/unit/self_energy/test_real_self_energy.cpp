// Real self energy (frequency shift) against phono3py 4.4 (si-pbesol/reference/rse_gp105.hdf5:
// ph3.run_real_self_energy([105], [300], epsilons=[0.05, 0.1]) at the band frequencies and on
// 201 frequency points), with phono3py's interaction strength (interaction_gp105.hdf5), and
// thread-count independence.
#include <gtest/gtest.h>

#include <cstring>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/units.hpp"
#include "ph3mpi/self_energy/frequency_points.hpp"
#include "ph3mpi/self_energy/real_self_energy.hpp"
#include "self_energy_reference.hpp"

namespace ph3mpi::self_energy {
namespace {

using testing::expect_close;
using testing::load_phonon_case;

struct RseReference {
  testing::TripletData triplets;
  NdArray<double> pp;  // (triplets, band0, nb, nb) eV^2
  std::vector<std::int64_t> band_indices;
  double cutoff_frequency = 0;
  double ise_unit_conversion = 0;
  std::vector<double> epsilons, temperatures, frequency_points, frequencies;
  NdArray<double> delta_at_bands;             // (eps, 1, 1, band0)
  NdArray<double> delta_at_frequency_points;  // (eps, 1, 1, band0, fp)
};

const RseReference& reference() {
  static const RseReference r = [] {
    RseReference d;
    const io::Hdf5File f(test::data_path("si-pbesol/reference/interaction_gp105.hdf5"));
    d.triplets = testing::load_triplets(f);
    d.pp = f.read_double("interaction_strength_full");
    d.band_indices = f.read_int("band_indices").data;
    d.cutoff_frequency = f.read_double_scalar("cutoff_frequency");
    d.ise_unit_conversion = f.read_double_scalar("unit_conversion_factor");
    const io::Hdf5File rse(test::data_path("si-pbesol/reference/rse_gp105.hdf5"));
    EXPECT_EQ(rse.read_int_scalar("grid_point"), 105);
    d.epsilons = rse.read_double("epsilons").data;
    d.temperatures = rse.read_double("temperatures").data;
    d.frequency_points = rse.read_double("frequency_points").data;
    d.frequencies = rse.read_double("frequencies").data;
    d.delta_at_bands = rse.read_double("delta_at_bands");
    d.delta_at_frequency_points = rse.read_double("delta_at_frequency_points");
    return d;
  }();
  return r;
}

TEST(RealSelfEnergy, UnitConversion) {
  // phono3py's imaginary-part factor is the same expression times pi.
  const auto& r = reference();
  EXPECT_NEAR(real_self_energy_unit_conversion() * units::kPi / r.ise_unit_conversion, 1.0, 1e-14);
}

TEST(RealSelfEnergy, FrequencyPointsAsPhono3py) {
  // get_real_self_energy samples with the epsilons in place of sigmas.
  const auto& c = load_phonon_case("si-pbesol");
  const auto& r = reference();
  std::vector<std::optional<double>> eps(r.epsilons.begin(), r.epsilons.end());
  const auto points = get_frequency_points(c.max_frequency(), eps, std::nullopt, 201);
  expect_close("rse frequency points", points, r.frequency_points, 1e-15);
}

TEST(RealSelfEnergy, AgainstPhono3py) {
  const auto& c = load_phonon_case("si-pbesol");
  const auto& r = reference();
  const std::size_t nb0 = r.band_indices.size();
  const std::size_t nfp = r.frequency_points.size();
  const auto at_bands = real_self_energy(r.pp.ptr(), r.triplets.triplets, r.triplets.weights, c.phonons(),
                                         r.band_indices, r.temperatures, r.epsilons, {}, r.cutoff_frequency);
  ASSERT_EQ(at_bands.shape, (std::vector<std::size_t>{r.epsilons.size(), 1, nb0}));
  expect_close("delta at bands", at_bands.ptr(), r.delta_at_bands.ptr(), at_bands.size());
  const auto at_points =
      real_self_energy(r.pp.ptr(), r.triplets.triplets, r.triplets.weights, c.phonons(), r.band_indices,
                       r.temperatures, r.epsilons, r.frequency_points, r.cutoff_frequency);
  ASSERT_EQ(at_points.shape, (std::vector<std::size_t>{r.epsilons.size(), 1, nb0, nfp}));
  expect_close("delta at frequency points", at_points.ptr(), r.delta_at_frequency_points.ptr(),
               at_points.size());
  // The q0 frequencies phono3py stored are those of the phonon grid.
  for (std::size_t j = 0; j < nb0; ++j) EXPECT_EQ(r.frequencies[j], c.frequencies[105 * 6 + j]);
}

TEST(RealSelfEnergy, ThreadIndependent) {
  const auto& c = load_phonon_case("si-pbesol");
  const auto& r = reference();
  const std::vector<double> points(r.frequency_points.begin(), r.frequency_points.begin() + 50);
  for (const double temperature : {0.0, 300.0}) {
    auto bands = [&] {
      return real_self_energy_at_bands(r.pp.ptr(), r.triplets.triplets, r.triplets.weights, c.phonons(),
                                       r.band_indices, temperature, 0.05, r.cutoff_frequency);
    };
    auto scan = [&] {
      return real_self_energy_at_frequency_points(points, r.pp.ptr(), r.triplets.triplets, r.triplets.weights,
                                                  c.phonons(), r.band_indices, temperature, 0.05,
                                                  r.cutoff_frequency);
    };
    const auto b1 = testing::with_threads(1, bands);
    const auto b2 = testing::with_threads(2, bands);
    EXPECT_EQ(0, std::memcmp(b1.data(), b2.data(), b1.size() * sizeof(double)));
    const auto s1 = testing::with_threads(1, scan);
    const auto s2 = testing::with_threads(2, scan);
    EXPECT_EQ(0, std::memcmp(s1.ptr(), s2.ptr(), s1.size() * sizeof(double)));
  }
}

TEST(RealSelfEnergy, ZeroKelvinLimitAndFrequencyPointConsistency) {
  const auto& c = load_phonon_case("si-pbesol");
  const auto& r = reference();
  // T = 0 branch equals the general formula once all occupations underflow to zero.
  const auto zero = real_self_energy_at_bands(r.pp.ptr(), r.triplets.triplets, r.triplets.weights,
                                              c.phonons(), r.band_indices, 0.0, 0.1, r.cutoff_frequency);
  const auto cold = real_self_energy_at_bands(r.pp.ptr(), r.triplets.triplets, r.triplets.weights,
                                              c.phonons(), r.band_indices, 1e-3, 0.1, r.cutoff_frequency);
  expect_close("T=0 vs 1 mK", zero, cold, 1e-12);
  // Sampling exactly at the band frequencies reproduces the at-bands values (unaveraged).
  std::vector<double> band_freqs;
  for (const auto b : r.band_indices)
    band_freqs.push_back(c.frequencies[105 * 6 + static_cast<std::size_t>(b)]);
  const auto warm = real_self_energy_at_bands(r.pp.ptr(), r.triplets.triplets, r.triplets.weights,
                                              c.phonons(), r.band_indices, 300.0, 0.1, r.cutoff_frequency);
  const auto scan =
      real_self_energy_at_frequency_points(band_freqs, r.pp.ptr(), r.triplets.triplets, r.triplets.weights,
                                           c.phonons(), r.band_indices, 300.0, 0.1, r.cutoff_frequency);
  for (std::size_t j = 0; j < band_freqs.size(); ++j) EXPECT_EQ(scan[j * band_freqs.size() + j], warm[j]);
}

TEST(RealSelfEnergy, RejectsInconsistentInput) {
  const auto& c = load_phonon_case("si-pbesol");
  const auto& r = reference();
  auto weights = r.triplets.weights;
  weights.pop_back();
  EXPECT_THROW(real_self_energy_at_bands(r.pp.ptr(), r.triplets.triplets, weights, c.phonons(),
                                         r.band_indices, 300.0, 0.1, r.cutoff_frequency),
               Error);
  EXPECT_THROW(real_self_energy_at_bands(r.pp.ptr(), r.triplets.triplets, r.triplets.weights, c.phonons(),
                                         {7}, 300.0, 0.1, r.cutoff_frequency),
               Error);
}

}  // namespace
}  // namespace ph3mpi::self_energy
