// D(q) (with Gonze-Lee NAC where the case has it) bit for bit as phonopy 4.4
// (tests/data/<case>/reference/phonons.hdf5 special/dynamical_matrix), and the eigenvectors at
// Gamma and at every grid point bit for bit as phono3py's (grid/eigenvectors). Bit identity matters where
// bands are degenerate: LAPACK's basis of a degenerate subspace, and with it phono3py's per-band Gamma there,
// follows the last bits of D.
#include <gtest/gtest.h>

#include <cstdio>

#include "ph3mpi/phonon/phonon_solver.hpp"
#include "phonon_case.hpp"

namespace ph3mpi::phonon {
namespace {

using testing::load_case;
using testing::read_vectors;

struct Param {
  const char* case_name;
};

class DynmatBitwise : public ::testing::TestWithParam<Param> {};

TEST_P(DynmatBitwise, SpecialDynamicalMatrixAndGammaEigenvectors) {
  const auto& c = load_case(GetParam().case_name);
  io::Hdf5File h5(test::data_path(std::string(GetParam().case_name) + "/reference/phonons.hdf5"),
                  io::Hdf5File::Mode::kReadOnly);
  const auto qpoints = read_vectors(h5, "special/qpoints");
  const auto q_dirs = read_vectors(h5, "special/q_direction");
  const auto names = h5.read_strings("special/names");
  const auto dm_ref = h5.read_complex("special/dynamical_matrix");
  const std::size_t nb = c.dm->num_band();
  int total = 0;
  for (std::size_t iq = 0; iq < qpoints.size(); ++iq) {
    std::optional<Eigen::Vector3d> q_dir;
    if (q_dirs[iq].norm() > 0) q_dir = q_dirs[iq];
    const Eigen::MatrixXcd d = c.dm->at(qpoints[iq], q_dir);
    int n_diff = 0;
    double max_diff = 0;
    for (std::size_t r = 0; r < nb; ++r) {
      for (std::size_t col = 0; col < nb; ++col) {
        const auto ref = dm_ref[(iq * nb + r) * nb + col];
        const auto mine = d(Eigen::Index(r), Eigen::Index(col));
        if (ref != mine) {
          ++n_diff;
          max_diff = std::max(max_diff, std::abs(ref - mine));
        }
      }
    }
    std::printf("[dynmat-bitwise] %s %s differing_elements=%d/%zu max_abs=%.2e\n", GetParam().case_name,
                names[iq].c_str(), n_diff, nb * nb, max_diff);
    total += n_diff;
  }
  EXPECT_EQ(total, 0);

  // Grid point 0 of grid/qpoints is Gamma; phono3py solves it with the Gonze-Lee form.
  const auto grid_q = read_vectors(h5, "grid/qpoints");
  const auto vec_ref = h5.read_complex("grid/eigenvectors");
  ASSERT_EQ(grid_q[0].norm(), 0.0);
  const Phonons ph = solve_phonons(*c.dm, grid_q);
  int gamma_diff = 0;
  double gamma_max = 0;
  for (std::size_t k = 0; k < nb * nb; ++k) {
    if (ph.eigenvectors[k] != vec_ref[k]) {
      ++gamma_diff;
      gamma_max = std::max(gamma_max, std::abs(ph.eigenvectors[k] - vec_ref[k]));
    }
  }
  std::size_t equal_points = 0;
  for (std::size_t iq = 0; iq < grid_q.size(); ++iq) {
    bool same = true;
    for (std::size_t k = 0; k < nb * nb && same; ++k)
      same = ph.eigenvectors[iq * nb * nb + k] == vec_ref[iq * nb * nb + k];
    equal_points += same ? 1 : 0;
  }
  std::printf(
      "[dynmat-bitwise] %s Gamma eigenvectors differing_elements=%d/%zu max_abs=%.2e; grid points with "
      "bit-identical eigenvectors %zu/%zu\n",
      GetParam().case_name, gamma_diff, nb * nb, gamma_max, equal_points, grid_q.size());
  EXPECT_EQ(gamma_diff, 0);
  EXPECT_EQ(equal_points, grid_q.size());
}

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
  std::string s = info.param.case_name;
  for (char& ch : s)
    if (ch == '-') ch = '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(Cases, DynmatBitwise,
                         ::testing::Values(Param{"si-pbesol"}, Param{"aln-lda"}, Param{"nacl-pbe"},
                                           Param{"mgo"}),
                         param_name);

}  // namespace
}  // namespace ph3mpi::phonon
