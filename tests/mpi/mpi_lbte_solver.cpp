// The LBTE solver layer on 2 and 4 ranks (ctest mpi_lbte_solver.mpirank{2,4}; mpirank1 is the
// serial case of tests/unit/solvers): every rank computes the rows of its own block of grid
// points, the collision matrix is assembled over a near-square BLACS grid of all ranks, and
// the direct and CG solutions must reproduce phono3py's runs (1e-10) and each other.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "lbte_fixture.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/parallel/blacs_grid.hpp"
#include "ph3mpi/solvers/lbte_solver.hpp"
#include "test_support.hpp"

namespace ph3mpi::solvers {
namespace {

struct Case {
  const char* label;
  test::LbteFixtureSpec spec;
  const char* kappa_file;
};

class LbteSolverRanks : public ::testing::TestWithParam<Case> {};

TEST_P(LbteSolverRanks, DirectAndCgReproducePhono3py) {
  const Case& c = GetParam();
  const parallel::Context context = parallel::Context::mpi_world();
  const parallel::BlacsGrid blacs(context);
  const std::unique_ptr<test::LbteFixture> f = test::make_lbte_fixture(context, c.spec);
  const LbteSystem system(context, f->problem, f->results, f->layout);
  std::ostringstream log;
  LbteOptions options;
  options.block_size = 16;  // several blocks per rank even on these small matrices
  const std::vector<LbteTemperatureResult> direct =
      solve_lbte(blacs, system, options, common::TraceSink(), log);
  options.method = LbteMethod::kConjugateGradient;
  const std::vector<LbteTemperatureResult> cg = solve_lbte(blacs, system, options, common::TraceSink(), log);

  const io::Hdf5File k(test::data_path(c.kappa_file));
  const NdArray<double> kappa = k.read_double("kappa"), f_vector = k.read_double("f_vector");
  const double d_direct = test::scaled_deviation(direct[0].kappa.data(), kappa.ptr(), 6);
  const double d_cg = test::scaled_deviation(cg[0].kappa.data(), kappa.ptr(), 6);
  const double d_fv = test::scaled_deviation(cg[0].f_vector.ptr(), f_vector.ptr(), f_vector.size());
  if (context.is_root()) {
    std::printf(
        "[%s, %d ranks, BLACS %d x %d] kappa vs phono3py: direct %.2e, cg %.2e (%d iterations); cg "
        "f_vector %.2e\n",
        c.label, context.size(), blacs.nprow(), blacs.npcol(), d_direct, d_cg, cg[0].solution.iterations,
        d_fv);
  }
  EXPECT_LE(d_direct, 1e-10);
  EXPECT_LE(d_cg, 1e-10);
  EXPECT_LE(d_fv, 1e-10);
  EXPECT_LE(test::scaled_deviation(cg[0].kappa.data(), direct[0].kappa.data(), 6), 1e-10);
}

INSTANTIATE_TEST_SUITE_P(
    Runs, LbteSolverRanks,
    ::testing::Values(Case{"si_m999",
                           {"si-pbesol", "[9, 9, 9]", "si-pbesol/runs/si-lbte-m999/phonon-m999.hdf5"},
                           "si-pbesol/runs/si-lbte-m999/kappa-m999.hdf5"},
                      Case{"si_reducible_m555",
                           {"si-pbesol", "[5, 5, 5]",
                            "si-pbesol/runs/si-lbte-reducible-m555/phonon-m555.hdf5", "[300]", true},
                           "si-pbesol/runs/si-lbte-reducible-m555/kappa-m555.hdf5"},
                      Case{"aln_m775",
                           {"aln-lda", "[7, 7, 5]", "aln-lda/runs/aln-lbte-m775/phonon-m775.hdf5"},
                           "aln-lda/runs/aln-lbte-m775/kappa-m775.hdf5"}),
    [](const auto& param_info) { return std::string(param_info.param.label); });

}  // namespace
}  // namespace ph3mpi::solvers
