// RTA kernel against phono3py 4.4's own kappa files: fed with a file's frequency,
// group_velocity, heat_capacity, gamma (+ gamma_isotope), grid points and the grid's
// rotations, the kernel must give back the file's gv_by_gv, mode_kappa and kappa.
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>

#include "kappa_reference.hpp"
#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/units.hpp"
#include "ph3mpi/phonon/heat_capacity.hpp"
#include "ph3mpi/transport/rta_kappa.hpp"

namespace {

using ph3mpi::NdArray;
using namespace ph3mpi::transport;
using namespace ph3mpi::transport::testing;

std::string sci(double x) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3e", x);
  return b;
}

// gv_by_gv of every grid point of the reference file through the kernel.
NdArray<double> compute_gv_by_gv(const KappaReference& r) {
  NdArray<double> out({r.num_gp, r.num_band, 6});
  for (std::size_t i = 0; i < r.num_gp; ++i) {
    const std::int64_t multi = kappa_star_multiplicity(r.addresses[i], r.D_diag, r.grg_rotations);
    gv_by_gv_over_star(&r.group_velocity[i * r.num_band * 3], r.num_band, r.rotations_cartesian, multi,
                       &out[i * r.num_band * 6]);
  }
  return out;
}

// gamma (T, gp, nb) of a file as the kernel's (1 sigma, T, gp, nb); likewise gamma_isotope.
NdArray<double> with_sigma_axis(const NdArray<double>& a) {
  NdArray<double> out = a;
  out.shape.insert(out.shape.begin(), 1);
  return out;
}

class RtaReference : public ::testing::TestWithParam<KappaCase> {};

TEST_P(RtaReference, KappaUnitConversionFromPrimitiveVolume) {
  const KappaReference r = load_kappa_reference(GetParam());
  const double volume = r.primitive_lattice.determinant();
  EXPECT_NEAR(kappa_unit_conversion(volume), r.kappa_unit_conversion, 1e-15 * r.kappa_unit_conversion);
}

TEST_P(RtaReference, StarMultiplicityTimesWeightIsGroupOrder) {
  const KappaReference r = load_kappa_reference(GetParam());
  for (std::size_t i = 0; i < r.num_gp; ++i) {
    // The address reproduces the file's q-point (q = QDinv * address).
    const Eigen::Vector3d q = r.QDinv * r.addresses[i].cast<double>();
    for (int j = 0; j < 3; ++j) ASSERT_NEAR(q(j), r.qpoint[3 * i + static_cast<std::size_t>(j)], 1e-12);
    const std::int64_t multi = kappa_star_multiplicity(r.addresses[i], r.D_diag, r.grg_rotations);
    EXPECT_EQ(multi * r.weight[i], static_cast<std::int64_t>(r.grg_rotations.size())) << "grid point " << i;
  }
  // The BZGrid overload looks the address up by BZ index.
  ph3mpi::grid::BZGrid bz;
  bz.D_diag = r.D_diag;
  bz.grg_rotations = r.grg_rotations;
  for (std::size_t i = 0; i < r.num_gp; ++i) {
    const std::size_t gp = static_cast<std::size_t>(r.grid_point[i]);
    if (bz.addresses.size() <= gp) bz.addresses.resize(gp + 1, ph3mpi::grid::Vector3l::Zero());
    bz.addresses[gp] = r.addresses[i];
  }
  for (std::size_t i = 0; i < r.num_gp; ++i) {
    EXPECT_EQ(kappa_star_multiplicity(bz, r.grid_point[i]),
              kappa_star_multiplicity(r.addresses[i], r.D_diag, r.grg_rotations));
  }
  EXPECT_THROW(kappa_star_multiplicity(bz, bz.num_bz_points()), ph3mpi::Error);
}

TEST_P(RtaReference, GvByGvOverStar) {
  const KappaReference r = load_kappa_reference(GetParam());
  const NdArray<double> gvgv = compute_gv_by_gv(r);
  const double dev = max_rel_deviation(gvgv.data, r.gv_by_gv.data);
  RecordProperty("gv_by_gv_max_rel_dev", sci(dev));
  EXPECT_LE(dev, 1e-14);
  // Per mode, relative to the mode's largest component.
  for (std::size_t m = 0; m < gvgv.size() / 6; ++m) {
    double scale = 0.0;
    for (std::size_t k = 0; k < 6; ++k) scale = std::max(scale, std::abs(r.gv_by_gv[6 * m + k]));
    for (std::size_t k = 0; k < 6; ++k) {
      ASSERT_NEAR(gvgv[6 * m + k], r.gv_by_gv[6 * m + k], 1e-14 * scale) << "mode " << m << " k " << k;
    }
  }
  EXPECT_EQ(gvgv.data, r.gv_by_gv.data) << "gv_by_gv not bit-identical to phono3py's";
}

TEST_P(RtaReference, HeatCapacityFromFrequencies) {
  const KappaReference r = load_kappa_reference(GetParam());
  std::vector<double> temperatures(r.temperature.data);
  NdArray<double> cv({r.num_temp, r.num_gp, r.num_band});
  ph3mpi::phonon::mode_heat_capacities(r.frequency.ptr(), r.num_gp * r.num_band, temperatures, 1e-4,
                                       cv.ptr());
  double worst = 0.0;
  for (std::size_t i = 0; i < cv.size(); ++i) {
    const double ref = r.heat_capacity[i];
    ASSERT_NEAR(cv[i], ref, 1e-12 * std::abs(ref)) << "element " << i;
    if (ref != 0.0) worst = std::max(worst, std::abs(cv[i] - ref) / std::abs(ref));
  }
  RecordProperty("heat_capacity_max_rel_dev", sci(worst));
}

TEST_P(RtaReference, ModeKappaAndKappa) {
  const KappaCase& c = GetParam();
  const KappaReference r = load_kappa_reference(c);
  const NdArray<double> gvgv = compute_gv_by_gv(r);
  const NdArray<double> gamma = with_sigma_axis(r.gamma);
  const NdArray<double> gamma_iso = with_sigma_axis(r.gamma_isotope);
  const std::vector<std::int64_t> weights(r.weight.data);

  RtaInput in;
  in.frequencies = &r.frequency;
  in.group_velocities = &r.group_velocity;
  in.gv_by_gv = &gvgv;
  in.heat_capacities = &r.heat_capacity;
  in.gamma = &gamma;
  in.gamma_isotope = c.is_isotope ? &gamma_iso : nullptr;
  in.weights = &weights;
  RtaSettings settings;
  // The file's own factor: ours from Eigen's determinant can differ from numpy's
  // exp(log-det) in the last bit (checked separately above to 1e-15).
  settings.conversion_factor = r.kappa_unit_conversion;
  settings.num_mesh_points = r.D_diag.prod();
  const RtaKappa out = rta_kappa(in, settings);

  ASSERT_EQ(out.mode_kappa.shape, (std::vector<std::size_t>{1, r.num_temp, r.num_gp, r.num_band, 6}));
  ASSERT_EQ(out.kappa.shape, (std::vector<std::size_t>{1, r.num_temp, 6}));
  const double dev_mode = max_rel_deviation(out.mode_kappa.data, r.mode_kappa.data);
  // Each mode's six components against 1e-12 of that mode's largest one: off-diagonal
  // components that vanish by symmetry are rounding noise (~1e-16 of the diagonal) whose
  // last bits depend on the BLAS used for R v in phono3py.
  std::size_t exact = 0;
  for (std::size_t m = 0; m < out.mode_kappa.size() / 6; ++m) {
    double scale = 0.0;
    for (std::size_t k = 0; k < 6; ++k) scale = std::max(scale, std::abs(r.mode_kappa[6 * m + k]));
    for (std::size_t k = 0; k < 6; ++k) {
      ASSERT_NEAR(out.mode_kappa[6 * m + k], r.mode_kappa[6 * m + k], 1e-12 * scale)
          << "mode " << m << " k " << k;
      exact += out.mode_kappa[6 * m + k] == r.mode_kappa[6 * m + k];
    }
  }
  RecordProperty("mode_kappa_bit_identical_fraction",
                 std::to_string(double(exact) / double(out.mode_kappa.size())));
  // With the file's conversion factor the kernel repeats phono3py's arithmetic exactly.
  EXPECT_EQ(exact, out.mode_kappa.size()) << "mode_kappa not bit-identical to phono3py's";
  EXPECT_EQ(out.kappa.data, r.kappa.data) << "kappa not bit-identical to phono3py's";
  for (std::size_t t = 0; t < r.num_temp; ++t) {
    double scale = 0.0;
    for (std::size_t k = 0; k < 6; ++k) scale = std::max(scale, std::abs(r.kappa[t * 6 + k]));
    for (std::size_t k = 0; k < 6; ++k) {
      EXPECT_NEAR(out.kappa[t * 6 + k], r.kappa[t * 6 + k], 1e-12 * scale)
          << "T index " << t << " component " << k;
    }
  }
  RecordProperty("mode_kappa_max_rel_dev", [&] {
    char b[32];
    std::snprintf(b, sizeof b, "%.3e", dev_mode);
    return std::string(b);
  }());
  RecordProperty("kappa_max_rel_dev", sci(max_rel_deviation(out.kappa.data, r.kappa.data)));
  // The three acoustic modes at Gamma are below the cutoff and counted as ignored.
  for (std::size_t t = 0; t < r.num_temp; ++t) EXPECT_EQ(out.num_ignored_phonon_modes[t], 3);

  // The same with heat capacities computed here from the frequencies.
  NdArray<double> cv({r.num_temp, r.num_gp, r.num_band});
  ph3mpi::phonon::mode_heat_capacities(r.frequency.ptr(), r.num_gp * r.num_band, r.temperature.data, 1e-4,
                                       cv.ptr());
  in.heat_capacities = &cv;
  settings.conversion_factor = kappa_unit_conversion(r.primitive_lattice.determinant());
  const RtaKappa own = rta_kappa(in, settings);
  EXPECT_LE(max_rel_deviation(own.kappa.data, r.kappa.data), 1e-12);
  RecordProperty("kappa_own_cv_and_volume_max_rel_dev", sci(max_rel_deviation(own.kappa.data, r.kappa.data)));
}

TEST_P(RtaReference, BlocksOfGridPointsSumToTheSameKappa) {
  // An MPI rank computes mode_kappa for its block of grid points; the sum over blocks in
  // grid-point order must equal the one-shot result to the last bit.
  const KappaCase& c = GetParam();
  const KappaReference r = load_kappa_reference(c);
  const NdArray<double> gvgv = compute_gv_by_gv(r);
  const NdArray<double> gamma = with_sigma_axis(r.gamma);
  const NdArray<double> gamma_iso = with_sigma_axis(r.gamma_isotope);
  RtaSettings settings;
  settings.conversion_factor = r.kappa_unit_conversion;
  settings.num_mesh_points = r.D_diag.prod();
  RtaInput full;
  full.frequencies = &r.frequency;
  full.gv_by_gv = &gvgv;
  full.heat_capacities = &r.heat_capacity;
  full.gamma = &gamma;
  full.gamma_isotope = c.is_isotope ? &gamma_iso : nullptr;
  const RtaKappa reference = rta_kappa(full, settings);

  // Slices [g0, g1) of the grid-point axis of each input.
  auto slice = [](const NdArray<double>& a, std::size_t axis, std::size_t g0, std::size_t g1) {
    std::vector<std::size_t> shape = a.shape;
    std::size_t outer = 1, inner = 1;
    for (std::size_t i = 0; i < axis; ++i) outer *= shape[i];
    for (std::size_t i = axis + 1; i < shape.size(); ++i) inner *= shape[i];
    const std::size_t n = shape[axis];
    shape[axis] = g1 - g0;
    NdArray<double> out(shape);
    for (std::size_t o = 0; o < outer; ++o)
      for (std::size_t g = g0; g < g1; ++g)
        for (std::size_t k = 0; k < inner; ++k)
          out[(o * (g1 - g0) + g - g0) * inner + k] = a[(o * n + g) * inner + k];
    return out;
  };
  NdArray<double> kappa_sum({1, r.num_temp, 6});
  const std::size_t split = r.num_gp / 3;
  for (auto [g0, g1] : {std::pair<std::size_t, std::size_t>{0, split}, {split, r.num_gp}}) {
    const NdArray<double> f = slice(r.frequency, 0, g0, g1), vv = slice(gvgv, 0, g0, g1);
    const NdArray<double> cv = slice(r.heat_capacity, 1, g0, g1), gm = slice(gamma, 2, g0, g1);
    const NdArray<double> gi = c.is_isotope ? slice(gamma_iso, 1, g0, g1) : NdArray<double>();
    RtaInput block;
    block.frequencies = &f;
    block.gv_by_gv = &vv;
    block.heat_capacities = &cv;
    block.gamma = &gm;
    block.gamma_isotope = c.is_isotope ? &gi : nullptr;
    const RtaKappa part = rta_mode_kappa(block, settings);
    EXPECT_TRUE(part.kappa.data.empty());
    accumulate_mode_kappa(part.mode_kappa, kappa_sum);
  }
  finish_kappa(kappa_sum, settings.num_mesh_points);
  EXPECT_EQ(kappa_sum.data, reference.kappa.data);
}

INSTANTIATE_TEST_SUITE_P(PhonopyReference, RtaReference, ::testing::ValuesIn(rta_cases()),
                         [](const ::testing::TestParamInfo<KappaCase>& param_info) {
                           std::string name = param_info.param.case_name + "_" + param_info.param.kappa_file;
                           for (char& ch : name)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

// ---------------------------------------------------------------- synthetic cases

TEST(RtaKappa, UnitConversionValue) {
  // (1e12 * 1e-10)^2 / 1e-30 * 1.60217733e-19 / 1e12 / (2 pi) W/(m K) per Angstrom^3.
  EXPECT_NEAR(unit_to_WmK(), 1.60217733e-19 * 1e4 * 1e30 / 1e12 / (2 * ph3mpi::units::kPi),
              1e-13 * unit_to_WmK());
  EXPECT_THROW(kappa_unit_conversion(0.0), ph3mpi::Error);
}

TEST(RtaKappa, BoundaryScatteringLinewidth) {
  const double v[6] = {3.0, 4.0, 0.0, 0.0, 0.0, 0.0};
  double g[2];
  boundary_scattering_gamma(v, 2, 1.0, g);
  // |v| = 5 THz Angstrom = 5e-10 m/ps over L = 1 micrometre: 5e-4 / (4 pi) THz.
  EXPECT_NEAR(g[0], 5e-4 / (4 * ph3mpi::units::kPi), 1e-18);
  EXPECT_EQ(g[1], 0.0);
  EXPECT_THROW(boundary_scattering_gamma(v, 2, 0.0, g), ph3mpi::Error);
}

TEST(RtaKappa, GvByGvWithoutStarIsPlainOuterProduct) {
  const double v[3] = {1.0, 2.0, 3.0};
  double out[6];
  const std::vector<Eigen::Matrix3d> identity{Eigen::Matrix3d::Identity()};
  const std::vector<ph3mpi::grid::Matrix3l> identity_l{ph3mpi::grid::Matrix3l::Identity()};
  const std::int64_t multi =
      kappa_star_multiplicity(ph3mpi::grid::Vector3l(1, 2, 3), ph3mpi::grid::Vector3l(9, 9, 9), identity_l);
  EXPECT_EQ(multi, 1);
  gv_by_gv_over_star(v, 1, identity, multi, out);
  const double expected[6] = {1, 4, 9, 6, 3, 2};  // xx yy zz yz xz xy
  for (int k = 0; k < 6; ++k) EXPECT_EQ(out[k], expected[k]);
  EXPECT_THROW(gv_by_gv_over_star(v, 1, identity, 0, out), ph3mpi::Error);
}

TEST(RtaKappa, EdgeCasesFollowPhono3py) {
  // One grid point (weight 4), five bands at one temperature:
  //  0: f below cutoff               -> 0, counted as ignored
  //  1: Gamma = 0 and C = 0 (0/0)    -> 0
  //  2: Gamma = 0, C > 0, v != 0     -> numpy.nan_to_num(inf) = DBL_MAX (phono3py 4.4)
  //  3: negative Gamma               -> negative mode kappa, counted as ignored
  //  4: regular mode                 -> C vv / (2 Gamma) * factor
  NdArray<double> freqs({1, 5});
  freqs.data = {5e-5, 1.0, 2.0, 3.0, 4.0};
  NdArray<double> gvgv({1, 5, 6}, 2.0);
  NdArray<double> cv({1, 1, 5});
  cv.data = {1e-4, 0.0, 1e-4, 1e-4, 1e-4};
  NdArray<double> gamma({1, 1, 1, 5});
  gamma.data = {0.1, 0.0, 0.0, -0.5, 0.25};
  const std::vector<std::int64_t> weights{4};
  RtaInput in;
  in.frequencies = &freqs;
  in.gv_by_gv = &gvgv;
  in.heat_capacities = &cv;
  in.gamma = &gamma;
  in.weights = &weights;
  RtaSettings settings;
  settings.conversion_factor = 10.0;
  settings.num_mesh_points = 8;
  const RtaKappa out = rta_kappa(in, settings);
  EXPECT_EQ(out.mode_kappa[0 * 6], 0.0);
  EXPECT_EQ(out.mode_kappa[1 * 6], 0.0);
  EXPECT_EQ(out.mode_kappa[2 * 6], std::numeric_limits<double>::max());
  EXPECT_EQ(out.mode_kappa[3 * 6], 2.0 * 1e-4 / (-0.5 * 2) * 10.0);
  EXPECT_EQ(out.mode_kappa[4 * 6], 2.0 * 1e-4 / (0.25 * 2) * 10.0);
  EXPECT_EQ(out.num_ignored_phonon_modes[0], 8);

  // With boundary scattering the zero-Gamma modes get a finite lifetime.
  NdArray<double> gv({1, 5, 3}, 1.0);
  in.group_velocities = &gv;
  settings.boundary_mfp = 1.0;
  const RtaKappa bounded = rta_kappa(in, settings);
  const double gb = std::sqrt(3.0) * 1e-10 * 1e6 / (4 * ph3mpi::units::kPi);
  EXPECT_EQ(bounded.mode_kappa[1 * 6], 0.0);
  EXPECT_DOUBLE_EQ(bounded.mode_kappa[2 * 6], 2.0 * 1e-4 / (gb * 2) * 10.0);
  EXPECT_DOUBLE_EQ(bounded.mode_kappa[4 * 6], 2.0 * 1e-4 / ((0.25 + gb) * 2) * 10.0);
}

TEST(RtaKappa, ShapeErrorsAreReported) {
  NdArray<double> freqs({2, 3}), gvgv({2, 3, 6}), cv({1, 2, 3}), gamma({1, 1, 2, 4});
  RtaInput in;
  in.frequencies = &freqs;
  in.gv_by_gv = &gvgv;
  in.heat_capacities = &cv;
  in.gamma = &gamma;
  RtaSettings settings;
  settings.num_mesh_points = 1;
  try {
    rta_kappa(in, settings);
    FAIL();
  } catch (const ph3mpi::Error& e) {
    EXPECT_NE(std::string(e.what()).find("gamma has shape (1, 1, 2, 4), expected (1, 1, 2, 3)"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
