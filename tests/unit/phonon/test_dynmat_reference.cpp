// D(q) (with Gonze-Lee NAC where the case has it) against phonopy 4.4
// (tests/data/<case>/reference/phonons.hdf5 special/dynamical_matrix), and the eigenvectors on
// every grid point against phono3py's (grid/eigenvectors) in the only form that does not depend
// on the machine: the projector onto each degenerate subspace. Inside a degenerate subspace
// LAPACK may return any orthonormal basis, and which one depends on the CPU and BLAS kernels
// (docs/validation.md), so the eigenvectors themselves are not compared. D's last bits follow
// the BLAS kernels too (its Gonze-Lee sums are matrix products), hence 1e-14 of its scale.
#include <gtest/gtest.h>

#include <cstdio>

#include "ph3mpi/phonon/degeneracy.hpp"
#include "ph3mpi/phonon/phonon_solver.hpp"
#include "phonon_case.hpp"

namespace ph3mpi::phonon {
namespace {

using testing::load_case;
using testing::read_vectors;

struct Param {
  const char* case_name;
};

class DynmatReference : public ::testing::TestWithParam<Param> {};

TEST_P(DynmatReference, SpecialDynamicalMatricesMatchPhonopy) {
  const auto& c = load_case(GetParam().case_name);
  io::Hdf5File h5(test::data_path(std::string(GetParam().case_name) + "/reference/phonons.hdf5"),
                  io::Hdf5File::Mode::kReadOnly);
  const auto qpoints = read_vectors(h5, "special/qpoints");
  const auto q_dirs = read_vectors(h5, "special/q_direction");
  const auto names = h5.read_strings("special/names");
  const auto dm_ref = h5.read_complex("special/dynamical_matrix");
  const std::size_t nb = c.dm->num_band();
  for (std::size_t iq = 0; iq < qpoints.size(); ++iq) {
    std::optional<Eigen::Vector3d> q_dir;
    if (q_dirs[iq].norm() > 0) q_dir = q_dirs[iq];
    const Eigen::MatrixXcd d = c.dm->at(qpoints[iq], q_dir);
    double scale = 0;
    double max_diff = 0;
    for (std::size_t r = 0; r < nb; ++r) {
      for (std::size_t col = 0; col < nb; ++col) {
        const auto ref = dm_ref[(iq * nb + r) * nb + col];
        scale = std::max(scale, std::abs(ref));
        max_diff = std::max(max_diff, std::abs(ref - d(Eigen::Index(r), Eigen::Index(col))));
      }
    }
    std::printf("[dynmat] %s %s max |D - D_phonopy| / max |D| = %.2e\n", GetParam().case_name,
                names[iq].c_str(), max_diff / scale);
    EXPECT_LE(max_diff, 1e-14 * scale) << names[iq];
  }
}

// Sum over the bands of a degenerate set of e e^dagger (row-major nb x nb).
Eigen::MatrixXcd projector(const std::complex<double>* eigenvectors, std::size_t nb,
                           const std::vector<std::size_t>& set) {
  Eigen::MatrixXcd p = Eigen::MatrixXcd::Zero(Eigen::Index(nb), Eigen::Index(nb));
  for (const std::size_t j : set) {
    Eigen::VectorXcd e = Eigen::VectorXcd::Zero(Eigen::Index(nb));
    for (std::size_t c = 0; c < nb; ++c) e(Eigen::Index(c)) = eigenvectors[c * nb + j];
    p += e * e.adjoint();
  }
  return p;
}

TEST_P(DynmatReference, GridEigenvectorsSpanPhono3pySubspaces) {
  const auto& c = load_case(GetParam().case_name);
  io::Hdf5File h5(test::data_path(std::string(GetParam().case_name) + "/reference/phonons.hdf5"),
                  io::Hdf5File::Mode::kReadOnly);
  const auto grid_q = read_vectors(h5, "grid/qpoints");
  const auto vec_ref = h5.read_complex("grid/eigenvectors");
  const auto freq_ref = h5.read_double("grid/frequencies");
  const std::size_t nb = c.dm->num_band();
  const Phonons ph = solve_phonons(*c.dm, grid_q);
  double worst = 0;
  std::size_t num_degenerate = 0;
  for (std::size_t iq = 0; iq < grid_q.size(); ++iq) {
    // Sets from phono3py's frequencies; the same sets from ours (frequencies agree to ~1e-12).
    const auto sets = degenerate_sets(&freq_ref[iq * nb], nb);
    ASSERT_EQ(sets, degenerate_sets(&ph.frequencies[iq * nb], nb)) << "grid point " << iq;
    for (const auto& set : sets) {
      // Acoustic modes at Gamma: a 3-fold zero set whose split is eigenvalue noise.
      if (grid_q[iq].norm() == 0 && freq_ref[iq * nb + set.front()] < 1e-3) continue;
      if (set.size() > 1) ++num_degenerate;
      const Eigen::MatrixXcd diff =
          projector(&ph.eigenvectors[iq * nb * nb], nb, set) - projector(&vec_ref[iq * nb * nb], nb, set);
      worst = std::max(worst, diff.cwiseAbs().maxCoeff());
    }
  }
  std::printf("[dynmat] %s %zu grid points, %zu degenerate sets: max |P_ours - P_phono3py| = %.2e\n",
              GetParam().case_name, grid_q.size(), num_degenerate, worst);
  EXPECT_LE(worst, 1e-9);
}

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
  std::string s = info.param.case_name;
  for (char& ch : s)
    if (ch == '-') ch = '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(Cases, DynmatReference,
                         ::testing::Values(Param{"si-pbesol"}, Param{"aln-lda"}, Param{"nacl-pbe"},
                                           Param{"mgo"}),
                         param_name);

}  // namespace
}  // namespace ph3mpi::phonon
