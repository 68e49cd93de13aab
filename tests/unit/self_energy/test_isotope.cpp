// Phonon-isotope scattering against phono3py 4.4 (si-pbesol/reference/isotope_gp105.hdf5:
// Phono3pyIsotope(mesh=9x9x9, primitive, mass_variances=None, sigmas=[None, 0.1]).run([105, 2])),
// phonopy's natural isotope table, and thread-count independence.
#include <gtest/gtest.h>

#include <cstring>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/isotope_data.hpp"
#include "ph3mpi/self_energy/isotope.hpp"
#include "self_energy_reference.hpp"

namespace ph3mpi::self_energy {
namespace {

using testing::expect_close;
using testing::load_phonon_case;

std::vector<std::int64_t> all_bands(std::size_t nb) {
  std::vector<std::int64_t> bands(nb);
  for (std::size_t i = 0; i < nb; ++i) bands[i] = static_cast<std::int64_t>(i);
  return bands;
}

TEST(IsotopeData, TableCoversPhonopysElements) {
  // phonopy lists H..U; Tc, Pm, Po, At, Rn, Fr, Ra, Ac without a composition.
  const std::vector<int> none = {43, 61, 84, 85, 86, 87, 88, 89};
  for (int z = 1; z <= 92; ++z) {
    const auto isotopes = common::natural_isotopes(z);
    const bool expect_none = std::find(none.begin(), none.end(), z) != none.end();
    ASSERT_EQ(isotopes.has_value(), !expect_none) << "Z=" << z;
    if (!isotopes) continue;
    ASSERT_FALSE(isotopes->empty()) << "Z=" << z;
    double total = 0;
    int previous_a = 0;
    for (const auto& iso : *isotopes) {
      total += iso.abundance;
      EXPECT_GT(iso.mass_number, previous_a) << "Z=" << z;  // ascending mass numbers
      EXPECT_NEAR(iso.mass, iso.mass_number, 0.15) << "Z=" << z << " A=" << iso.mass_number;
      previous_a = iso.mass_number;
    }
    EXPECT_NEAR(total, 1.0, 2e-3) << "Z=" << z;
  }
  EXPECT_FALSE(common::natural_isotopes(0));
  EXPECT_FALSE(common::natural_isotopes(93));
}

TEST(IsotopeData, MassVariances) {
  const io::Hdf5File f(test::data_path("si-pbesol/reference/isotope_gp105.hdf5"));
  const auto reference = f.read_double("mass_variances").data;
  const auto got = get_mass_variances({"Si", "Si"}, "phono3py.yaml");
  expect_close("si mass variances", got, reference, 1e-13);
  // A single isotope means no mass disorder.
  EXPECT_EQ(get_mass_variances({"Al", "F"}, "x"), (std::vector<double>{0.0, 0.0}));
  EXPECT_THROW(get_mass_variances({"Tc"}, "x"), InputError);
  EXPECT_THROW(get_mass_variances({"Np"}, "x"), InputError);
  EXPECT_THROW(get_mass_variances({"Xx"}, "x"), InputError);
  EXPECT_THROW(mass_variance({}), Error);
  // Two equally abundant isotopes of masses m(1 -+ d): variance d^2.
  EXPECT_NEAR(mass_variance({{1, 9.0, 0.5}, {2, 11.0, 0.5}}), 0.01, 1e-16);
}

TEST(Isotope, GammaAgainstPhono3py) {
  const auto& c = load_phonon_case("si-pbesol");
  const io::Hdf5File f(test::data_path("si-pbesol/reference/isotope_gp105.hdf5"));
  const auto gamma_ref = f.read_double("gamma");  // (sigma, gp, band)
  const auto sigmas = f.read_double("sigmas").data;
  const auto gps = f.read_int("grid_points").data;
  const auto mass_variances = f.read_double("mass_variances").data;
  const std::size_t nb = c.phonons().num_band;
  ASSERT_EQ(gamma_ref.shape, (std::vector<std::size_t>{sigmas.size(), gps.size(), nb}));
  for (std::size_t s = 0; s < sigmas.size(); ++s) {
    const std::optional<double> sigma = sigmas[s] < 0 ? std::nullopt : std::optional<double>(sigmas[s]);
    for (std::size_t g = 0; g < gps.size(); ++g) {
      const auto gamma =
          isotope_gamma(gps[g], all_bands(nb), mass_variances, c.phonons(), c.bz_grid, sigma, 0.0);
      const std::vector<double> ref(&gamma_ref[(s * gps.size() + g) * nb],
                                    &gamma_ref[(s * gps.size() + g + 1) * nb]);
      expect_close("isotope gamma gp" + std::to_string(gps[g]) + (sigma ? " sigma 0.1" : " tetrahedron"),
                   gamma, ref);
    }
  }
}

TEST(Isotope, AllIrGridPointsAsInConductivity) {
  // phono3py's RTA with is_isotope=True (kappa-rta-iso-m999.hdf5 gamma_isotope): the same
  // kernel at every irreducible grid point with the conductivity's cutoff_frequency 1e-4 THz,
  // which drops the near-zero acoustic modes at Gamma (visible at gp 2 against the 0 cutoff).
  const auto& c = load_phonon_case("si-pbesol");
  const io::Hdf5File f(test::data_path("si-pbesol/reference/kappa-rta-iso-m999.hdf5"));
  const auto gamma_ref = f.read_double("gamma_isotope");  // (gp, band)
  const auto gps = f.read_int("grid_point").data;
  const auto mv = get_mass_variances({"Si", "Si"}, "x");
  std::vector<double> got;
  for (const std::int64_t gp : gps) {
    const auto gamma = isotope_gamma(gp, all_bands(6), mv, c.phonons(), c.bz_grid, std::nullopt, 1e-4);
    got.insert(got.end(), gamma.begin(), gamma.end());
  }
  ASSERT_EQ(got.size(), gamma_ref.size());
  expect_close("isotope gamma, all ir grid points, cutoff 1e-4", got, gamma_ref.data);
}

TEST(Isotope, BandSubsetAndThreads) {
  const auto& c = load_phonon_case("si-pbesol");
  const auto mv = get_mass_variances({"Si", "Si"}, "x");
  for (const std::optional<double> sigma : {std::optional<double>(), std::optional<double>(0.1)}) {
    const auto one = testing::with_threads(
        1, [&] { return isotope_gamma(105, all_bands(6), mv, c.phonons(), c.bz_grid, sigma); });
    const auto two = testing::with_threads(
        2, [&] { return isotope_gamma(105, all_bands(6), mv, c.phonons(), c.bz_grid, sigma); });
    EXPECT_EQ(0, std::memcmp(one.data(), two.data(), one.size() * sizeof(double))) << "thread dependence";
    // A subset of bands gives the same numbers for those bands.
    const auto subset = isotope_gamma(105, {4, 1}, mv, c.phonons(), c.bz_grid, sigma);
    EXPECT_EQ(subset[0], one[4]);
    EXPECT_EQ(subset[1], one[1]);
  }
}

TEST(Isotope, TetrahedronWeightsOfBzSurfaceImages) {
  // Every BZ image of a GR point sees the same tetrahedra (up to a lattice translation), so
  // its weights equal those of the first image; weights vanish outside the range of the
  // band's vertex frequencies and are never negative.
  const auto& c = load_phonon_case("si-pbesol");
  const std::size_t nb = c.phonons().num_band;
  const std::vector<double> omegas = {0.5, 2.0, 4.37, 8.0, 12.5, 15.0, 16.0};
  std::vector<std::int64_t> all_points(c.bz_grid.addresses.size());
  for (std::size_t i = 0; i < all_points.size(); ++i) all_points[i] = static_cast<std::int64_t>(i);
  const auto iw = tetrahedron_integration_weights(omegas, c.frequencies.ptr(), nb, c.bz_grid, all_points);
  ASSERT_EQ(iw.shape, (std::vector<std::size_t>{all_points.size(), omegas.size(), nb}));
  double max_w = 0;
  for (const double w : iw.data) {
    EXPECT_GE(w, 0.0);
    max_w = std::max(max_w, w);
  }
  EXPECT_GT(max_w, 0.0);
  const std::size_t per = omegas.size() * nb;
  std::size_t images = 0;
  for (std::size_t gp = 0; gp < all_points.size(); ++gp) {
    const auto first =
        static_cast<std::size_t>(c.bz_grid.grg2bzg[static_cast<std::size_t>(c.bz_grid.bzg2grg[gp])]);
    if (first == gp) continue;
    ++images;
    for (std::size_t k = 0; k < per; ++k) EXPECT_NEAR(iw[gp * per + k], iw[first * per + k], 1e-9 * max_w);
  }
  EXPECT_GT(images, 0u);
  // 16 THz is above every Si frequency of this grid: no weight there.
  for (std::size_t gp = 0; gp < all_points.size(); ++gp) {
    for (std::size_t b = 0; b < nb; ++b) EXPECT_EQ(iw[gp * per + (omegas.size() - 1) * nb + b], 0.0);
  }
}

TEST(Isotope, RejectsInconsistentInput) {
  const auto& c = load_phonon_case("si-pbesol");
  EXPECT_THROW(isotope_gamma(105, {0}, {0.1}, c.phonons(), c.bz_grid, 0.1), Error);
  EXPECT_THROW(isotope_gamma(105, {6}, {0.1, 0.1}, c.phonons(), c.bz_grid, 0.1), Error);
  EXPECT_THROW(isotope_gamma(100000, {0}, {0.1, 0.1}, c.phonons(), c.bz_grid, 0.1), Error);
}

}  // namespace
}  // namespace ph3mpi::self_energy
