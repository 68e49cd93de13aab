// The driver's pre-flight (driver/preflight, driver/memory_model): the OpenMP thread-count
// check, the resolved-mesh bounds (numbers and lengths), the per-mode memory formulas, the
// budget (node memory / ranks on the node, tightened by memory_per_rank) and the refusals.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/driver/memory_model.hpp"
#include "ph3mpi/driver/preflight.hpp"
#include "ph3mpi/grid/ir_grid_points.hpp"
#include "ph3mpi/interaction/real_to_reciprocal.hpp"
#include "ph3mpi/interaction/triplets.hpp"
#include "ph3mpi/parallel/context.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using ph3mpi::config::Mode;
using ph3mpi::driver::LbteSolverKind;
using ph3mpi::driver::MemoryScope;
using ph3mpi::driver::MemorySizes;

double item(const ph3mpi::driver::MemoryModel& m, const std::string& name) {
  for (const auto& i : m.items)
    if (i.name == name) return i.bytes;
  return -1;
}

MemorySizes si_sizes(Mode mode, double n) {
  MemorySizes z;
  z.mode = mode;
  z.num_grid_points = n;
  z.num_bz_points = n + 100;
  z.num_ir_points = std::ceil(n / 48);
  z.max_triplets = n / 2;
  z.num_band = 6;
  z.num_band0 = 6;
  z.num_temperatures = 1;
  z.num_methods = 1;
  z.force_constant_bytes = 1e6;
  z.ranks = 1;
  z.threads = 2;
  return z;
}

TEST(MemoryModel, FormulasOfRtaAndTheirScopes) {
  const MemorySizes z = si_sizes(Mode::kRta, 1e9);
  const auto m = ph3mpi::driver::model_memory(z);
  EXPECT_DOUBLE_EQ(item(m, "phonon eigenvectors"), 16 * (1e9 + 100) * 36);
  EXPECT_DOUBLE_EQ(item(m, "force constants"), 1e6);
  EXPECT_DOUBLE_EQ(item(m, "interaction scratch"), 2 * 4 * 216 * 41);
  // The eigenvectors are shared by the ranks of a node, the rest is per rank.
  const double one = m.worst_rank_bytes(1), two = m.worst_rank_bytes(2);
  EXPECT_DOUBLE_EQ(one - two, (16 * (1e9 + 100) * 36 + 8 * (1e9 + 100) * 6) / 2);
  EXPECT_GT(one, 500.0 * (1ULL << 30));  // 1000^3 RTA: over half a TiB
}

TEST(MemoryModel, GridPointModesAndLbteSolvers) {
  // ise, rse, jdos, isotope: grid points on every rank, eigenvectors once per node, the
  // gathered results on rank 0 only.
  for (const Mode mode : {Mode::kIse, Mode::kRse, Mode::kJdos, Mode::kIsotope}) {
    const auto model = ph3mpi::driver::model_memory(si_sizes(mode, 1e6));
    std::map<std::string, MemoryScope> scopes;
    for (const auto& i : model.items) scopes[i.name] = i.scope;
    EXPECT_EQ(scopes.at("phonon eigenvectors"), MemoryScope::kPerNode);
    EXPECT_EQ(scopes.at("phonon frequencies"), MemoryScope::kEveryRank);
    EXPECT_EQ(scopes.at("results"), MemoryScope::kRootOnly);
    EXPECT_LT(model.worst_rank_bytes(4), model.worst_rank_bytes(1));
  }
  MemorySizes lbte = si_sizes(Mode::kLbte, 216000);  // Si 60^3
  lbte.num_ir_points = 4500;
  const auto direct = ph3mpi::driver::model_memory(lbte);
  EXPECT_DOUBLE_EQ(direct.lbte_matrix_size, 3 * 4500 * 6);
  lbte.lbte_solver = LbteSolverKind::kConjugateGradient;
  const auto cg = ph3mpi::driver::model_memory(lbte);
  const double n = 3 * 4500 * 6;
  EXPECT_DOUBLE_EQ(item(cg, "collision matrix block"), 8 * n * n);
  EXPECT_LT(item(cg, "collision matrix block") * 2.9,
            item(direct, "matrix block + symmetrized copy + eigenvectors"));
  EXPECT_LT(cg.worst_rank_bytes(1), direct.worst_rank_bytes(1));
  // Spread over 4 ranks on a 2 x 2 BLACS grid: the matrix block is a quarter.
  lbte.ranks = 4;
  lbte.nprow = lbte.npcol = 2;
  const auto cg4 = ph3mpi::driver::model_memory(lbte);
  EXPECT_NEAR(item(cg4, "collision matrix block"), 8 * n * n / 4, 8 * n * 64);
}

TEST(MemoryModel, BudgetIsTheNodeShareAndMemoryPerRankOnlyTightensIt) {
  ph3mpi::parallel::NodeMemory node;
  node.bytes = 24ULL << 30;
  node.source = "physical memory";
  const auto plain = ph3mpi::driver::memory_budget(node, 2, std::nullopt);
  EXPECT_DOUBLE_EQ(plain.bytes, 12.0 * (1ULL << 30));
  EXPECT_FALSE(plain.from_memory_per_rank);
  EXPECT_NE(plain.text.find("physical memory of this node / 2 ranks"), std::string::npos) << plain.text;
  const auto tighter = ph3mpi::driver::memory_budget(node, 2, 1ULL << 30);
  EXPECT_DOUBLE_EQ(tighter.bytes, 1.0 * (1ULL << 30));
  EXPECT_TRUE(tighter.from_memory_per_rank);
  const auto looser = ph3mpi::driver::memory_budget(node, 2, 100ULL << 30);
  EXPECT_DOUBLE_EQ(looser.bytes, 12.0 * (1ULL << 30));
  EXPECT_FALSE(looser.from_memory_per_rank);
}

class PreflightTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = ph3mpi::test::make_temp_dir("preflight"); }
  void TearDown() override { fs::remove_all(dir_); }

  ph3mpi::driver::Inputs inputs(const std::string& mode, const std::string& extra) {
    const std::string path = (fs::path(dir_) / "config.toml").string();
    std::ofstream(path) << "mode = \"" << mode << "\"\n"
                        << "phono3py_yaml = \"" << ph3mpi::test::data_path("si-pbesol/phono3py.yaml")
                        << "\"\n"
                        << "fc2 = \"" << ph3mpi::test::data_path("si-pbesol/fc2.hdf5") << "\"\n"
                        << "fc3 = \"" << ph3mpi::test::data_path("si-pbesol/fc3.hdf5") << "\"\n"
                        << "output_dir = \"" << dir_ << "/out\"\n"
                        << extra;
    return ph3mpi::driver::load_inputs(path);
  }

  std::string dir_;
};

std::string config_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const ph3mpi::ConfigError& e) {
    return e.key() + ": " + e.what();
  }
  return "";
}

TEST_F(PreflightTest, ResolvedMeshBounds) {
  const auto length = inputs("rta", "mesh = 1.0\n");
  EXPECT_EQ(ph3mpi::driver::resolved_mesh_numbers(length), (std::array<std::int64_t, 3>{1, 1, 1}));
  const std::string gamma_only = config_error(
      [&] { ph3mpi::driver::check_mesh_numbers(length, ph3mpi::driver::resolved_mesh_numbers(length)); });
  EXPECT_EQ(gamma_only.rfind("mesh: ", 0), 0u) << gamma_only;
  EXPECT_NE(gamma_only.find("mesh length 1 Angstrom gives the grid [1, 1, 1], the Gamma point only"),
            std::string::npos)
      << gamma_only;
  // mode isotope on a single point is allowed (its output is checked to be finite).
  const auto iso = inputs("isotope", "mesh = [1, 1, 1]\ngrid_points = [0]\n");
  EXPECT_NO_THROW(ph3mpi::driver::check_mesh_numbers(iso, {1, 1, 1}));
  const auto big = inputs("rta", "mesh = 90000.0\n");
  const std::string too_big = config_error(
      [&] { ph3mpi::driver::check_mesh_numbers(big, ph3mpi::driver::resolved_mesh_numbers(big)); });
  EXPECT_NE(too_big.find("mesh length 90000 Angstrom gives the grid"), std::string::npos) << too_big;
}

TEST_F(PreflightTest, MemoryRefusalNamesEstimateAndBudget) {
  const auto in = inputs("rta", "mesh = [1000, 1000, 1000]\n");
  const ph3mpi::driver::GridCounts counts{1e9, 1e9, 1e9 / 48, 5e8, false, {}};
  const auto model = ph3mpi::driver::model_memory(ph3mpi::driver::memory_sizes(in, counts, 1, 1));
  ph3mpi::parallel::NodeMemory node;
  node.bytes = 23ULL << 30;
  node.source = "physical memory";
  const std::string message = config_error([&] {
    ph3mpi::driver::check_memory(model, ph3mpi::driver::memory_budget(node, 1, std::nullopt), 1, in.settings);
  });
  EXPECT_EQ(message.rfind("mesh: ", 0), 0u) << message;
  EXPECT_NE(message.find("mode 'rta' needs about"), std::string::npos) << message;
  EXPECT_NE(message.find("phonon eigenvectors 16 N_bz nb^2 = 536.44 GiB"), std::string::npos) << message;
  EXPECT_NE(message.find("more than the 23.00 GiB per rank (23.00 GiB physical memory"), std::string::npos)
      << message;
  // Whole-run check on the serial context: the same refusal, before the grid is built.
  const ph3mpi::parallel::Context serial = ph3mpi::parallel::Context::serial();
  EXPECT_THROW(ph3mpi::driver::check_run_size(in, serial, true), ph3mpi::Error);
  const auto reported = ph3mpi::driver::check_run_size(in, serial, false);
  EXPECT_FALSE(reported.fits);
  EXPECT_FALSE(reported.grid_fits);
  ASSERT_TRUE(reported.model.has_value());
  EXPECT_NE(reported.model->title.find("the grid was not built"), std::string::npos);
  // A small mesh fits, with exact counts (Si 9^3: 729 points, 35 irreducible).
  const auto small = ph3mpi::driver::check_run_size(inputs("rta", "mesh = [9, 9, 9]\n"), serial, true);
  EXPECT_TRUE(small.fits);
  EXPECT_NE(small.model->title.find("counts of the built grid"), std::string::npos);
  // memory_per_rank tightens the budget and is the key named.
  const auto tight = inputs("lbte", "mesh = [9, 9, 9]\nmemory_per_rank = \"1MiB\"\n");
  std::string lbte;
  try {
    ph3mpi::driver::check_run_size(tight, serial, true);
  } catch (const ph3mpi::Error& e) {
    lbte = e.what();
  }
  EXPECT_NE(lbte.find("key 'memory_per_rank'"), std::string::npos) << lbte;
  EXPECT_NE(lbte.find("collision matrix 630 x 630"), std::string::npos) << lbte;
}

TEST(ThreadCount, AbsurdCountsAreRefusedWithTheVariable) {
  EXPECT_NO_THROW(ph3mpi::driver::check_thread_count(2, "2", 2));
  EXPECT_NO_THROW(ph3mpi::driver::check_thread_count(64, "64", 1));
  EXPECT_NO_THROW(ph3mpi::driver::check_thread_count(2048, nullptr, 128));
  try {
    ph3mpi::driver::check_thread_count(100000, "100000", 2);
    ADD_FAILURE();
  } catch (const ph3mpi::SettingsError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("OMP_NUM_THREADS=100000"), std::string::npos) << what;
    EXPECT_NE(what.find("more than 64"), std::string::npos) << what;
  }
}

// The real -> reciprocal items are the kernel's own sizes: the tables and W of the object
// the run builds, and partial sums no larger than any grid point's separable form holds.
TEST_F(PreflightTest, InteractionItemsAreTheKernelsSizes) {
  using ph3mpi::interaction::RealToReciprocal;
  const auto in = inputs("rta", "mesh = [11, 11, 11]\n");
  const ph3mpi::grid::BZGrid bz_grid = ph3mpi::driver::make_bz_grid(in);
  const double max_triplets = std::ceil(11.0 * 11 * 11 / 2) + 1;  // as the run bounds N_t
  const ph3mpi::driver::InteractionCounts counts =
      ph3mpi::driver::interaction_counts(in, bz_grid, max_triplets);
  ASSERT_TRUE(counts.known);
  const ph3mpi::interaction::Interaction itr = ph3mpi::driver::make_interaction(in, bz_grid, {});
  const RealToReciprocal& r2r = itr.real_to_reciprocal();
  EXPECT_EQ(counts.table_bytes, static_cast<double>(r2r.table_bytes()));
  EXPECT_EQ(counts.lattice_sums_bytes, 512.0 * static_cast<double>(r2r.num_rows()));
  const ph3mpi::grid::IrGridPoints ir = ph3mpi::grid::get_ir_grid_points(bz_grid);
  std::size_t separable = 0;
  for (const std::int64_t gp : ir.ir_grid_points_bz) {
    const auto triplets = ph3mpi::interaction::get_triplets_at_q(gp, bz_grid);
    ASSERT_LE(static_cast<double>(triplets.size()), max_triplets);
    for (const auto& q0 : r2r.prepare_q0s(triplets.triplets.data(), triplets.size())) {
      EXPECT_LE(static_cast<double>(q0.t2.size() * sizeof(double)), counts.separable_sums_bytes) << gp;
      if (q0.separable()) ++separable;
    }
  }
  EXPECT_GT(separable, 0u);  // the bound was checked against real partial sums

  ph3mpi::driver::GridCounts grid{static_cast<double>(bz_grid.num_gr_points()),
                                  static_cast<double>(bz_grid.num_bz_points()),
                                  static_cast<double>(ir.ir_grid_points.size()),
                                  max_triplets,
                                  true,
                                  counts};
  const auto model = ph3mpi::driver::model_memory(ph3mpi::driver::memory_sizes(in, grid, 1, 3));
  EXPECT_EQ(item(model, "fc3 tables (real -> reciprocal)"), counts.table_bytes);
  EXPECT_EQ(item(model, "lattice-vector sums W of a grid point"), counts.lattice_sums_bytes);
  EXPECT_EQ(item(model, "separable sums of a grid point (largest)"), counts.separable_sums_bytes);
  EXPECT_EQ(item(model, "batched fc3 products (per thread)"),
            3.0 * static_cast<double>(RealToReciprocal::products_bytes_per_thread(6, r2r.batch_size())));

  // A rank that did not read fc3's values (node-shared fc3) cannot size the tables.
  grid.interaction = {};
  const auto unknown = ph3mpi::driver::model_memory(ph3mpi::driver::memory_sizes(in, grid, 1, 3));
  EXPECT_EQ(item(unknown, "fc3 tables (real -> reciprocal)"), -1);
  EXPECT_GT(item(unknown, "batched fc3 products (per thread)"), 0);
}

}  // namespace
