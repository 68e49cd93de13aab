// Harmonic phonons against phono3py 4.4 / phonopy 4.4 (tests/data/<case>/reference/
// phonons.hdf5 and nacl-pbe phonons-wang.hdf5): D(q), frequencies, eigenvectors and group
// velocities (analytic and finite difference) at the special q-points and at every BZ grid
// point of the 9x9x9 (AlN 7x7x5) grid.
#include <gtest/gtest.h>

#include <cstdio>
#include <tuple>

#include "ph3mpi/phonon/degeneracy.hpp"
#include "ph3mpi/phonon/eigensolver.hpp"
#include "ph3mpi/phonon/phonon_solver.hpp"
#include "phonon_case.hpp"

namespace ph3mpi::phonon {
namespace {

using testing::Case;
using testing::Deviation;
using testing::load_case;
using testing::projector_deviation;
using testing::read_vectors;

// Tolerances.
constexpr double kDynmatRel = 1e-10;        // |dD| / max|D|
constexpr double kFrequencyAbs = 1e-8;      // THz
constexpr double kAcousticGammaAbs = 1e-6;  // THz, the three acoustic modes at q = 0
constexpr double kProjectorAbs = 1e-8;      // eigenvector projectors of degenerate subspaces
constexpr double kGvRel = 1e-7;             // relative, vectors with |v| > kGvFloor * max|v|
constexpr double kGvFloor = 1e-6;
constexpr double kGvAbsOfMax = 1e-7 * 1e-6;  // absolute (times max|v|) for the small vectors
// The finite-difference velocities of vectors that vanish by symmetry are rounding noise of
// D(q+dq) - D(q-dq) amplified by 1/q_length = 1e5 (~1e-6 THz*Angstrom at zone-boundary points
// of mgo in phono3py itself); both codes agree to ~1e-10 there, so the bound is 1e-9 max|v|.
constexpr double kGvFdAbsOfMax = 1e-9;

struct Param {
  const char* case_name;
  const char* file;
  const char* method;
};

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
  std::string s = std::string(info.param.case_name) + "_" + info.param.method;
  for (char& ch : s)
    if (ch == '-') ch = '_';
  return s;
}

class PhononReference : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override {
    c_ = &load_case(GetParam().case_name);
    if (std::string(GetParam().method) == "wang") {
      own_ = c_->make_dm("wang");
      dm_ = own_.get();
    } else {
      dm_ = c_->dm.get();
    }
    h5_ = std::make_unique<io::Hdf5File>(
        test::data_path(std::string(GetParam().case_name) + "/reference/" + GetParam().file));
  }
  void report(const char* what, const Deviation& d) const {
    std::printf("[phonon-deviation] %s %s %s max_abs=%.3e max_rel=%.3e\n", GetParam().case_name,
                GetParam().method, what, d.max_abs, d.max_rel);
  }

  // Group velocities (n, nb, 3) against the reference, relative on the large vectors.
  void compare_gv(const NdArray<double>& ref, const std::vector<double>& mine, const char* what,
                  const std::vector<std::string>& labels, double abs_of_max) const {
    const std::size_t n_vec = ref.size() / 3;
    double max_norm = 0;
    for (std::size_t v = 0; v < n_vec; ++v)
      max_norm = std::max(max_norm, Eigen::Vector3d(ref[3 * v], ref[3 * v + 1], ref[3 * v + 2]).norm());
    Deviation dev;
    const std::size_t nb = dm_->num_band();
    for (std::size_t v = 0; v < n_vec; ++v) {
      const Eigen::Vector3d r(ref[3 * v], ref[3 * v + 1], ref[3 * v + 2]);
      const Eigen::Vector3d m(mine[3 * v], mine[3 * v + 1], mine[3 * v + 2]);
      const double d = (m - r).norm();
      if (r.norm() > kGvFloor * max_norm) {
        dev.rel(d / r.norm());
        EXPECT_LE(d / r.norm(), kGvRel) << what << " " << labels[v / nb] << " band " << v % nb << ": ref "
                                        << r.transpose() << " got " << m.transpose();
      } else {
        dev.abs(d);
        EXPECT_LE(d, abs_of_max * max_norm) << what << " " << labels[v / nb] << " band " << v % nb << ": ref "
                                            << r.transpose() << " got " << m.transpose();
      }
    }
    report(what, dev);
  }

  const Case* c_ = nullptr;
  const DynamicalMatrix* dm_ = nullptr;
  std::unique_ptr<DynamicalMatrix> own_;
  std::unique_ptr<io::Hdf5File> h5_;
};

TEST_P(PhononReference, SpecialPoints) {
  const auto qpoints = read_vectors(*h5_, "special/qpoints");
  const auto q_dirs = read_vectors(*h5_, "special/q_direction");
  const auto names = h5_->read_strings("special/names");
  const auto dm_ref = h5_->read_complex("special/dynamical_matrix");
  const auto freq_ref = h5_->read_double("special/frequencies");
  const auto vec_ref = h5_->read_complex("special/eigenvectors");
  const std::size_t nb = dm_->num_band();
  ASSERT_EQ(dm_ref.shape, (std::vector<std::size_t>{qpoints.size(), nb, nb}));

  Deviation d_dm, d_freq, d_freq_acoustic, d_vec;
  for (std::size_t iq = 0; iq < qpoints.size(); ++iq) {
    std::optional<Eigen::Vector3d> q_dir;
    if (q_dirs[iq].norm() > 0) q_dir = q_dirs[iq];
    const Eigen::MatrixXcd d = dm_->at(qpoints[iq], q_dir);
    double max_ref = 0, max_diff = 0;
    for (std::size_t r = 0; r < nb; ++r) {
      for (std::size_t col = 0; col < nb; ++col) {
        const auto ref = dm_ref[(iq * nb + r) * nb + col];
        max_ref = std::max(max_ref, std::abs(ref));
        max_diff = std::max(max_diff, std::abs(ref - d(Eigen::Index(r), Eigen::Index(col))));
      }
    }
    d_dm.rel(max_diff / max_ref);
    d_dm.abs(max_diff);
    EXPECT_LE(max_diff / max_ref, kDynmatRel) << names[iq];

    Eigen::VectorXd vals;
    Eigen::MatrixXcd vecs;
    hermitian_eigh(d, vals, vecs);
    std::vector<double> freqs(nb);
    std::vector<std::complex<double>> v(nb * nb);
    for (std::size_t b = 0; b < nb; ++b) {
      freqs[b] = eigenvalue_to_frequency(vals(Eigen::Index(b)), units::kDefaultToTHz);
      for (std::size_t r = 0; r < nb; ++r) v[r * nb + b] = vecs(Eigen::Index(r), Eigen::Index(b));
    }
    const bool gamma = qpoints[iq].norm() == 0;
    for (std::size_t b = 0; b < nb; ++b) {
      const double diff = std::abs(freqs[b] - freq_ref[iq * nb + b]);
      if (gamma && b < 3) {
        d_freq_acoustic.abs(diff);
        EXPECT_LE(diff, kAcousticGammaAbs) << names[iq] << " band " << b;
      } else {
        d_freq.abs(diff);
        EXPECT_LE(diff, kFrequencyAbs) << names[iq] << " band " << b;
      }
    }
    const auto groups = degenerate_sets(&freq_ref[iq * nb], nb);
    const double pd = projector_deviation(&vec_ref[iq * nb * nb], v.data(), nb, groups);
    d_vec.abs(pd);
    EXPECT_LE(pd, kProjectorAbs) << names[iq];
  }
  report("special/dynamical_matrix", d_dm);
  report("special/frequencies", d_freq);
  report("special/frequencies(acoustic@Gamma)", d_freq_acoustic);
  report("special/eigenvector_projectors", d_vec);

  const GroupVelocity gv(*dm_, c_->symmetry.reciprocal_operations, testing::kSymprec);
  const GroupVelocity gv_fd(*dm_, c_->symmetry.reciprocal_operations, testing::kSymprec, 1e-5);
  std::vector<double> v(qpoints.size() * nb * 3), v_fd(qpoints.size() * nb * 3);
  gv.run(qpoints, v.data());
  gv_fd.run(qpoints, v_fd.data());
  compare_gv(h5_->read_double("special/group_velocities"), v, "special/group_velocities", names, kGvAbsOfMax);
  compare_gv(h5_->read_double("special/group_velocities_fd"), v_fd, "special/group_velocities_fd", names,
             kGvFdAbsOfMax);
}

TEST_P(PhononReference, AllGridPoints) {
  const auto qpoints = read_vectors(*h5_, "grid/qpoints");
  const auto freq_ref = h5_->read_double("grid/frequencies");
  const auto vec_ref = h5_->read_complex("grid/eigenvectors");
  const std::size_t nb = dm_->num_band();
  const Phonons ph = solve_phonons(*dm_, qpoints);
  ASSERT_EQ(ph.frequencies.shape, freq_ref.shape);
  ASSERT_EQ(ph.eigenvectors.shape, vec_ref.shape);
  std::vector<std::string> labels;
  for (const auto& q : qpoints) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "q=(%.6g %.6g %.6g)", q(0), q(1), q(2));
    labels.emplace_back(buf);
  }

  Deviation d_freq, d_freq_acoustic, d_vec;
  for (std::size_t iq = 0; iq < qpoints.size(); ++iq) {
    const bool gamma = qpoints[iq].norm() == 0;
    for (std::size_t b = 0; b < nb; ++b) {
      const double diff = std::abs(ph.frequencies[iq * nb + b] - freq_ref[iq * nb + b]);
      if (gamma && b < 3) {
        d_freq_acoustic.abs(diff);
        EXPECT_LE(diff, kAcousticGammaAbs) << labels[iq] << " band " << b;
      } else {
        d_freq.abs(diff);
        EXPECT_LE(diff, kFrequencyAbs) << labels[iq] << " band " << b;
      }
    }
    const auto groups = degenerate_sets(&freq_ref[iq * nb], nb);
    const double pd = projector_deviation(&vec_ref[iq * nb * nb], &ph.eigenvectors[iq * nb * nb], nb, groups);
    d_vec.abs(pd);
    EXPECT_LE(pd, kProjectorAbs) << labels[iq];
  }
  report("grid/frequencies", d_freq);
  report("grid/frequencies(acoustic@Gamma)", d_freq_acoustic);
  report("grid/eigenvector_projectors", d_vec);

  const GroupVelocity gv(*dm_, c_->symmetry.reciprocal_operations, testing::kSymprec);
  const GroupVelocity gv_fd(*dm_, c_->symmetry.reciprocal_operations, testing::kSymprec, 1e-5);
  std::vector<double> v(qpoints.size() * nb * 3), v_fd(qpoints.size() * nb * 3);
  gv.run(qpoints, v.data());
  gv_fd.run(qpoints, v_fd.data());
  compare_gv(h5_->read_double("grid/group_velocities"), v, "grid/group_velocities", labels, kGvAbsOfMax);
  compare_gv(h5_->read_double("grid/group_velocities_fd"), v_fd, "grid/group_velocities_fd", labels,
             kGvFdAbsOfMax);
}

INSTANTIATE_TEST_SUITE_P(Cases, PhononReference,
                         ::testing::Values(Param{"si-pbesol", "phonons.hdf5", "none"},
                                           Param{"nacl-pbe", "phonons.hdf5", "gonze"},
                                           Param{"nacl-pbe", "phonons-wang.hdf5", "wang"},
                                           Param{"aln-lda", "phonons.hdf5", "gonze"},
                                           Param{"mgo", "phonons.hdf5", "gonze"}),
                         param_name);

}  // namespace
}  // namespace ph3mpi::phonon
