// Phonon kernels beyond phonons.hdf5: heat capacity and group velocities against phono3py's
// kappa files, full vs compact fc2, commensurate points, degenerate sets, range-wise solving
// and input errors.
#include <gtest/gtest.h>

#include <cstdio>
#include <set>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/phonon/commensurate_points.hpp"
#include "ph3mpi/phonon/degeneracy.hpp"
#include "ph3mpi/phonon/heat_capacity.hpp"
#include "ph3mpi/phonon/phonon_solver.hpp"
#include "phonon_case.hpp"

namespace ph3mpi::phonon {
namespace {

using testing::load_case;
using testing::read_vectors;

// ---------------------------------------------------------------- heat capacity

struct KappaFile {
  const char* case_name;
  const char* file;
  const char* method;
  double q_length;  // 0: analytic group velocity
};

class KappaReference : public ::testing::TestWithParam<KappaFile> {};

// heat_capacity (T, ir_gp, band) of phono3py's kappa file from its own `frequency`.
TEST_P(KappaReference, HeatCapacity) {
  const KappaFile p = GetParam();
  const io::Hdf5File h5(test::data_path(std::string(p.case_name) + "/reference/" + p.file));
  const auto freqs = h5.read_double("frequency");
  const auto cv_ref = h5.read_double("heat_capacity");
  const auto temps = h5.read_double("temperature");
  std::vector<double> cv(cv_ref.size());
  mode_heat_capacities(freqs.ptr(), freqs.size(), temps.data, 1e-4, cv.data());
  double worst = 0;
  std::size_t zeros = 0;
  for (std::size_t i = 0; i < cv.size(); ++i) {
    if (cv_ref[i] == 0) {
      ++zeros;
      EXPECT_EQ(cv[i], 0.0) << i;
    } else {
      const double rel = std::abs(cv[i] - cv_ref[i]) / cv_ref[i];
      worst = std::max(worst, rel);
      EXPECT_LE(rel, 1e-12) << i;
    }
  }
  EXPECT_GT(zeros, 0u);  // the acoustic modes at Gamma (and T = 0 where present)
  std::printf("[phonon-deviation] %s %s heat_capacity max_rel=%.3e\n", p.case_name, p.file, worst);
}

// group_velocity (ir_gp, band, 3) of the kappa file at its `qpoint`s: the velocities that
// enter phono3py's kappa.
TEST_P(KappaReference, GroupVelocity) {
  const KappaFile p = GetParam();
  const auto& c = load_case(p.case_name);
  std::unique_ptr<DynamicalMatrix> own;
  const DynamicalMatrix* dm = c.dm.get();
  if (std::string(p.method) == "wang") {
    own = c.make_dm("wang");
    dm = own.get();
  }
  const io::Hdf5File h5(test::data_path(std::string(p.case_name) + "/reference/" + p.file));
  const auto qpoints = read_vectors(h5, "qpoint");
  const auto gv_ref = h5.read_double("group_velocity");
  std::optional<double> q_length;
  if (p.q_length > 0) q_length = p.q_length;
  const GroupVelocity gv(*dm, c.symmetry.reciprocal_operations, testing::kSymprec, q_length);
  std::vector<double> v(gv_ref.size());
  gv.run(qpoints, v.data());
  double max_norm = 0;
  for (std::size_t i = 0; i < v.size() / 3; ++i)
    max_norm =
        std::max(max_norm, Eigen::Vector3d(gv_ref[3 * i], gv_ref[3 * i + 1], gv_ref[3 * i + 2]).norm());
  double worst = 0;
  for (std::size_t i = 0; i < v.size() / 3; ++i) {
    const Eigen::Vector3d r(gv_ref[3 * i], gv_ref[3 * i + 1], gv_ref[3 * i + 2]);
    const Eigen::Vector3d m(v[3 * i], v[3 * i + 1], v[3 * i + 2]);
    if (r.norm() > 1e-6 * max_norm) {
      worst = std::max(worst, (m - r).norm() / r.norm());
      EXPECT_LE((m - r).norm() / r.norm(), 1e-7) << i;
    } else {
      EXPECT_LE((m - r).norm(), 1e-9 * max_norm) << i;
    }
  }
  std::printf("[phonon-deviation] %s %s kappa group_velocity max_rel=%.3e\n", p.case_name, p.file, worst);
}

INSTANTIATE_TEST_SUITE_P(Kappa, KappaReference,
                         ::testing::Values(KappaFile{"si-pbesol", "kappa-rta-m999-T0-1000.hdf5", "gonze", 0},
                                           KappaFile{"nacl-pbe", "kappa-rta-m999.hdf5", "gonze", 0},
                                           KappaFile{"nacl-pbe", "kappa-rta-gvfd-m999.hdf5", "gonze", 1e-5},
                                           KappaFile{"nacl-pbe", "kappa-rta-wang-m999.hdf5", "wang", 0},
                                           KappaFile{"aln-lda", "kappa-rta-m775.hdf5", "gonze", 0},
                                           KappaFile{"mgo", "kappa-rta-m111111.hdf5", "gonze", 0}));

TEST(HeatCapacity, Limits) {
  EXPECT_EQ(mode_heat_capacity(5.0, 0.0), 0.0);     // T = 0
  EXPECT_EQ(mode_heat_capacity(1e-4, 300.0), 0.0);  // at the cutoff
  EXPECT_EQ(mode_heat_capacity(-2.0, 300.0), 0.0);  // imaginary mode
  EXPECT_EQ(mode_heat_capacity(1e4, 1.0), 0.0);     // exp overflow
  // Same quantity written as k_B (x/2)^2 / sinh^2(x/2).
  for (const double f : {0.5, 3.0, 20.0}) {
    for (const double t : {10.0, 300.0, 1000.0}) {
      const double x = f * units::kTHzToEv / (units::kKb * t);
      const double s = std::sinh(x / 2);
      const double expected = units::kKb * (x / 2) * (x / 2) / (s * s);
      EXPECT_NEAR(mode_heat_capacity(f, t), expected, 1e-12 * expected) << f << " THz, " << t << " K";
    }
  }
}

// ---------------------------------------------------------------- full vs compact fc2

TEST(FullForceConstants, SameAsCompact) {
  const auto& c = load_case("si-pbesol");
  const auto full = c.make_dm("gonze", "fc2-full.hdf5");
  ASSERT_FALSE(full->input().is_compact_fc());
  ASSERT_TRUE(c.dm->input().is_compact_fc());
  const io::Hdf5File h5(test::data_path("si-pbesol/reference/phonons.hdf5"));
  const auto qpoints = read_vectors(h5, "special/qpoints");
  const auto dm_ref = h5.read_complex("special/dynamical_matrix");
  const std::size_t nb = full->num_band();
  double worst = 0;
  for (std::size_t iq = 0; iq < qpoints.size(); ++iq) {
    const Eigen::MatrixXcd a = full->at(qpoints[iq]);
    const Eigen::MatrixXcd b = c.dm->at(qpoints[iq]);
    EXPECT_LE((a - b).cwiseAbs().maxCoeff(), 1e-14 * b.cwiseAbs().maxCoeff());
    for (std::size_t r = 0; r < nb; ++r)
      for (std::size_t k = 0; k < nb; ++k)
        worst =
            std::max(worst, std::abs(a(Eigen::Index(r), Eigen::Index(k)) - dm_ref[(iq * nb + r) * nb + k]));
    const auto da = full->derivative(qpoints[iq]);
    const auto db = c.dm->derivative(qpoints[iq]);
    for (int x = 0; x < 3; ++x) EXPECT_LE((da[x] - db[x]).cwiseAbs().maxCoeff(), 1e-12);
  }
  EXPECT_LE(worst, 1e-12);
}

// ---------------------------------------------------------------- pieces

TEST(DegenerateSets, PhonopyExample) {
  const double f[] = {1.5, 2.1, 2.1, 3.4, 8};
  const auto sets = degenerate_sets(f, 5);
  ASSERT_EQ(sets.size(), 4u);
  EXPECT_EQ(sets[0], (std::vector<std::size_t>{0}));
  EXPECT_EQ(sets[1], (std::vector<std::size_t>{1, 2}));
  EXPECT_EQ(sets[2], (std::vector<std::size_t>{3}));
  EXPECT_EQ(sets[3], (std::vector<std::size_t>{4}));
  const double g[] = {0.0, 0.00005, 0.0001, 1.0};  // chained within the cutoff
  EXPECT_EQ(degenerate_sets(g, 4).front(), (std::vector<std::size_t>{0, 1, 2}));
}

TEST(CommensuratePoints, FccConventionalSupercell) {
  // 2x2x2 conventional cell of an fcc primitive cell: M = P^-1 * 2.
  Eigen::Matrix3i m;
  m << -2, 2, 2, 2, -2, 2, 2, 2, -2;
  const auto q = commensurate_points(m);
  ASSERT_EQ(q.size(), 32u);
  std::set<std::array<long, 3>> distinct;
  for (const auto& p : q) {
    const Eigen::Vector3d mq = m.cast<double>().transpose() * p;
    for (int c = 0; c < 3; ++c) {
      EXPECT_NEAR(mq(c), std::nearbyint(mq(c)), 1e-12);
      EXPECT_GE(p(c), 0.0);
      EXPECT_LT(p(c), 1.0);
    }
    distinct.insert({std::lround(p(0) * 4), std::lround(p(1) * 4), std::lround(p(2) * 4)});
  }
  EXPECT_EQ(distinct.size(), 32u);
  EXPECT_THROW(commensurate_points(Eigen::Matrix3i::Zero()), Error);
}

TEST(ShortestQpointsInBz, SurfacePointsHaveAllImages) {
  const Eigen::Matrix3d rec = Eigen::Matrix3d::Identity() / 4.0;  // simple cubic, a = 4
  const auto pts = shortest_qpoints_in_bz(
      rec, {Eigen::Vector3d(0.5, 0, 0), Eigen::Vector3d(0.7, 0.1, 0), Eigen::Vector3d(0.5, 0.5, 0.5)});
  ASSERT_EQ(pts.size(), 3u);
  EXPECT_EQ(pts[0].size(), 2u);
  ASSERT_EQ(pts[1].size(), 1u);
  EXPECT_NEAR((pts[1][0] - Eigen::Vector3d(-0.3, 0.1, 0)).norm(), 0, 1e-14);
  EXPECT_EQ(pts[2].size(), 8u);
}

TEST(SolvePhonons, RangeWritesOnlyItsRows) {
  const auto& c = load_case("nacl-pbe");
  const io::Hdf5File h5(test::data_path("nacl-pbe/reference/phonons.hdf5"));
  const auto qpoints = read_vectors(h5, "grid/qpoints");
  const std::size_t nb = c.dm->num_band();
  const Phonons all = solve_phonons(*c.dm, qpoints);
  std::vector<double> f(qpoints.size() * nb, -7.0);
  std::vector<std::complex<double>> e(qpoints.size() * nb * nb, {-7.0, 0.0});
  solve_phonons(*c.dm, qpoints, 10, 20, f.data(), e.data());
  for (std::size_t iq = 0; iq < qpoints.size(); ++iq) {
    for (std::size_t b = 0; b < nb; ++b) {
      if (iq >= 10 && iq < 20) {
        EXPECT_EQ(f[iq * nb + b], all.frequencies[iq * nb + b]);
      } else {
        EXPECT_EQ(f[iq * nb + b], -7.0);
      }
    }
  }
  EXPECT_EQ(e[9 * nb * nb + 3], std::complex<double>(-7.0, 0.0));
  EXPECT_EQ(e[10 * nb * nb + 3], all.eigenvectors[10 * nb * nb + 3]);
}

// Gamma with a NAC direction through the grid solver (phono3py's run_phonon_solver_at_gamma
// with Interaction.nac_q_direction) gives the LO-TO split of the special point Gamma_qdir*.
TEST(SolvePhonons, GammaWithNacDirection) {
  for (const char* name : {"nacl-pbe", "aln-lda", "mgo"}) {
    const auto& c = load_case(name);
    const io::Hdf5File h5(test::data_path(std::string(name) + "/reference/phonons.hdf5"));
    const auto q_dirs = read_vectors(h5, "special/q_direction");
    const auto freq_ref = h5.read_double("special/frequencies");
    const std::size_t nb = c.dm->num_band();
    for (std::size_t iq = 0; iq < q_dirs.size(); ++iq) {
      if (q_dirs[iq].norm() == 0) continue;
      const Phonons ph = solve_phonons(*c.dm, {Eigen::Vector3d::Zero()}, q_dirs[iq]);
      for (std::size_t b = 0; b < nb; ++b)
        EXPECT_NEAR(ph.frequencies[b], freq_ref[iq * nb + b], b < 3 ? 1e-6 : 1e-8)
            << name << " " << iq << " " << b;
    }
  }
}

TEST(DynamicalMatrixErrors, BadInputsAreInputErrors) {
  const auto& c = load_case("nacl-pbe");
  // fc2 of the wrong supercell.
  NdArray<double> wrong({2, 32, 3, 3});
  EXPECT_THROW(make_dynamical_matrix_input(c.primitive, c.svecs, wrong), InputError);
  DynamicalMatrixInput in = make_dynamical_matrix_input(c.primitive, c.svecs, c.fc2.fc);
  NacParams nac = *c.yaml.nac;
  nac.method = "ewald";
  EXPECT_THROW(DynamicalMatrix(in, nac), InputError);
  nac.method = "gonze";
  nac.born.pop_back();
  try {
    DynamicalMatrix dm(in, nac);
    ADD_FAILURE() << "no error for one Born tensor on two atoms";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("Born"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ph3mpi::phonon
