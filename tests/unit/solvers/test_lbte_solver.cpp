// The LBTE solver layer on one rank (the serial case of the distributed code: a 1 x 1 BLACS
// grid, LAPACK): phono3py's LBTE runs of tests/data/*/runs, fed the phonons they used, are
// reproduced by the direct solver (kappa, kappa_RTA, mode_kappa_RTA, f_vector, collision
// eigenvalues), and the conjugate-gradient solver gives the direct solver's numbers.
// The same checks at 2 and 4 ranks: tests/mpi/mpi_lbte_solver.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <sstream>

#include "lbte_fixture.hpp"
#include "ph3mpi/common/error.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/parallel/blacs_grid.hpp"
#include "ph3mpi/solvers/lbte_solver.hpp"
#include "test_support.hpp"

namespace ph3mpi::solvers {
namespace {

using test::scaled_deviation;

struct Case {
  const char* label;
  test::LbteFixtureSpec spec;
  const char* run;  // folder under tests/data with kappa-m*.hdf5 and coleigs-m*.hdf5
  const char* tag;  // m999
};

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"si_m999",
       {"si-pbesol", "[9, 9, 9]", "si-pbesol/runs/si-lbte-m999/phonon-m999.hdf5", "[300, 0, 700]"},
       "si-pbesol/runs/si-lbte-m999",
       "m999"},
      {"si_reducible_m555",
       {"si-pbesol", "[5, 5, 5]", "si-pbesol/runs/si-lbte-reducible-m555/phonon-m555.hdf5", "[300]", true},
       "si-pbesol/runs/si-lbte-reducible-m555",
       "m555"},
      {"aln_m775",
       {"aln-lda", "[7, 7, 5]", "aln-lda/runs/aln-lbte-m775/phonon-m775.hdf5"},
       "aln-lda/runs/aln-lbte-m775",
       "m775"},
  };
  return all;
}

struct Solved {
  std::unique_ptr<test::LbteFixture> fixture;
  std::unique_ptr<LbteSystem> system;
  std::vector<LbteTemperatureResult> direct, cg;
};

const Solved& solved(const Case& c) {
  static std::map<std::string, std::unique_ptr<Solved>> cache;
  if (auto it = cache.find(c.label); it != cache.end()) return *it->second;
  static const parallel::Context context = parallel::Context::serial();
  static const parallel::BlacsGrid blacs(context);
  auto out = std::make_unique<Solved>();
  out->fixture = test::make_lbte_fixture(context, c.spec);
  out->system = std::make_unique<LbteSystem>(context, out->fixture->problem, out->fixture->results,
                                             out->fixture->layout);
  std::ostringstream log;
  LbteOptions options;
  options.block_size = 16;
  out->direct = solve_lbte(blacs, *out->system, options, common::TraceSink(), log);
  options.method = LbteMethod::kConjugateGradient;
  out->cg = solve_lbte(blacs, *out->system, options, common::TraceSink(), log);
  std::printf("[%s]\n%s", c.label, log.str().c_str());
  return *(cache[c.label] = std::move(out));
}

class LbteSolverRuns : public ::testing::TestWithParam<Case> {};

// kappa (T, 6): the diagonal relative, the off-diagonal (~1e-15 noise) on the tensor's scale.
double kappa_deviation(const std::array<double, 6>& got, const double* ref) {
  double dev = 0;
  for (std::size_t k = 0; k < 3; ++k) dev = std::max(dev, std::abs(got[k] - ref[k]) / std::abs(ref[k]));
  for (std::size_t k = 3; k < 6; ++k) dev = std::max(dev, std::abs(got[k] - ref[k]) / std::abs(ref[0]));
  return dev;
}

TEST_P(LbteSolverRuns, DirectSolverReproducesPhono3py) {
  const Case& c = GetParam();
  const Solved& s = solved(c);
  const io::Hdf5File k(test::data_path(std::string(c.run) + "/kappa-" + c.tag + ".hdf5"));
  const io::Hdf5File e(test::data_path(std::string(c.run) + "/coleigs-" + c.tag + ".hdf5"));
  const LbteTemperatureResult& r = s.direct.front();  // 300 K
  const double dk = kappa_deviation(r.kappa, k.read_double("kappa").ptr());
  const double dk_rta = kappa_deviation(r.kappa_RTA, k.read_double("kappa_RTA").ptr());
  const NdArray<double> mk = k.read_double("mode_kappa_RTA"), fv = k.read_double("f_vector");
  const NdArray<double> ev = e.read_double("collision_eigenvalues");
  const double dmk = scaled_deviation(r.mode_kappa_RTA.ptr(), mk.ptr(), r.mode_kappa_RTA.size());
  const double dfv = scaled_deviation(r.f_vector.ptr(), fv.ptr(), r.f_vector.size());
  ASSERT_EQ(r.solution.eigenvalues.size(), ev.size());
  const double dev = scaled_deviation(r.solution.eigenvalues.data(), ev.ptr(), ev.size());
  std::printf(
      "[%s] kappa xx %.9f: kappa %.2e, kappa_RTA %.2e, mode_kappa_RTA %.2e, f_vector %.2e, eigenvalues "
      "%.2e\n",
      c.label, r.kappa[0], dk, dk_rta, dmk, dfv, dev);
  EXPECT_LE(dk, 1e-10);
  EXPECT_LE(dk_rta, 1e-10);
  EXPECT_LE(dmk, 1e-10);
  EXPECT_LE(dfv, 1e-10);
  EXPECT_LE(dev, 1e-10);
  // The eigenspace the cutoff drops is the structural null space CG projects out
  // (lbte_linear_solvers.hpp): the projected X has no part there.
  std::printf("[%s] part of X dropped by the pinv cutoff %.2e, of the projected X %.2e\n", c.label,
              r.solution.rhs_fraction_dropped, r.solution.projected_rhs_fraction_dropped);
  EXPECT_LE(r.solution.projected_rhs_fraction_dropped, 1e-12);
}

TEST_P(LbteSolverRuns, ConjugateGradientEqualsDirect) {
  const Case& c = GetParam();
  const Solved& s = solved(c);
  ASSERT_EQ(s.cg.size(), s.direct.size());
  for (std::size_t it = 0; it < s.cg.size(); ++it) {
    const LbteTemperatureResult& a = s.cg[it];
    const LbteTemperatureResult& b = s.direct[it];
    if (!b.solved) {
      EXPECT_FALSE(a.solved);
      continue;
    }
    const double dk = scaled_deviation(a.kappa.data(), b.kappa.data(), 6);
    const double dfv = scaled_deviation(a.f_vector.ptr(), b.f_vector.ptr(), a.f_vector.size());
    std::printf("[%s] T index %zu: CG %d iterations, residual %.2e; kappa vs direct %.2e, f_vector %.2e\n",
                c.label, it, a.solution.iterations, a.solution.relative_residual, dk, dfv);
    EXPECT_LE(dk, 1e-10);
    EXPECT_LE(dfv, 1e-9);
    EXPECT_EQ(a.kappa_RTA, b.kappa_RTA);  // the RTA by-product does not involve the solver
    EXPECT_TRUE(a.solution.eigenvalues.empty());
    EXPECT_GT(a.solution.iterations, 0);
    EXPECT_LE(a.solution.relative_residual, 1e-11);
  }
}

INSTANTIATE_TEST_SUITE_P(Runs, LbteSolverRuns, ::testing::ValuesIn(cases()),
                         [](const auto& param_info) { return std::string(param_info.param.label); });

// Si 9x9x9 at 0 K (skipped as phono3py does: zeros) and 700 K, where LBTE's kappa_RTA must be
// the RTA run's kappa (same Gamma, velocities, heat capacities).
TEST(LbteSolverTemperatures, ZeroKelvinAndRtaByProduct) {
  const Solved& s = solved(cases()[0]);
  ASSERT_EQ(s.direct.size(), 3u);
  EXPECT_FALSE(s.direct[1].solved);
  for (const double k : s.direct[1].kappa) EXPECT_EQ(k, 0.0);
  const io::Hdf5File rta(test::data_path("si-pbesol/runs/si-rta-nu-T0-1000-m999/kappa-m999.hdf5"));
  const NdArray<double> kappa = rta.read_double("kappa");  // (11, 6): 0, 100, ..., 1000 K
  const double dk = kappa_deviation(s.direct[2].kappa_RTA, kappa.ptr() + 7 * 6);
  std::printf("[si_m999] 700 K kappa_RTA %.9f vs RTA run %.9f: %.2e; LBTE %.9f\n", s.direct[2].kappa_RTA[0],
              kappa[7 * 6], dk, s.direct[2].kappa[0]);
  EXPECT_LE(dk, 1e-10);
  EXPECT_LT(s.direct[2].kappa[0], s.direct[0].kappa[0]);
}

// pinv_cutoff and pinv_method change nothing here (no eigenvalue the cutoff keeps is tiny);
// an unknown method is refused.
TEST(LbteSolverPseudoInverse, CutoffAndMethod) {
  const Solved& s = solved(cases()[0]);
  static const parallel::Context context = parallel::Context::serial();
  const parallel::BlacsGrid blacs(context);
  std::ostringstream log;
  for (const auto& [cutoff, method] : std::vector<std::pair<double, int>>{{1e-10, 0}, {1e-6, 0}, {1e-8, 1}}) {
    LbteOptions o;
    o.direct.pinv_cutoff = cutoff;
    o.direct.pinv_method = method;
    const std::vector<LbteTemperatureResult> r = solve_lbte(blacs, *s.system, o, common::TraceSink(), log);
    const double d = scaled_deviation(r[0].kappa.data(), s.direct[0].kappa.data(), 6);
    std::printf("[si_m999] pinv_cutoff %.0e, pinv_method %d: kappa change %.2e\n", cutoff, method, d);
    EXPECT_LE(d, 1e-10);
  }
  LbteOptions bad;
  bad.direct.pinv_method = 2;
  EXPECT_THROW(solve_lbte(blacs, *s.system, bad, common::TraceSink(), log), Error);
}

// A CG that cannot converge within its iteration budget says so.
TEST(LbteSolverCg, IterationLimitIsAnError) {
  const Solved& s = solved(cases()[2]);
  static const parallel::Context context = parallel::Context::serial();
  const parallel::BlacsGrid blacs(context);
  std::ostringstream log;
  LbteOptions o;
  o.method = LbteMethod::kConjugateGradient;
  o.cg.max_iterations = 3;
  try {
    solve_lbte(blacs, *s.system, o, common::TraceSink(), log);
    FAIL() << "CG with 3 iterations converged";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("lbte_cg_max_iterations = 3"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ph3mpi::solvers
