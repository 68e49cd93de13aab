// The pure parts of driver/grid_point_modes (what the ise, rse, jdos and isotope modes
// share): the plan of settings.grid_points, the triplet cost estimate, the stacking of
// per-grid-point results into the file's arrays, and the band selection. The collective
// part (coordinator over ranks) is exercised end to end by cli.grid-point-modes.*.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/driver/grid_point_modes.hpp"
#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/driver/inputs.hpp"
#include "ph3mpi/interaction/triplets.hpp"
#include "test_support.hpp"

namespace ph3mpi::driver {
namespace {

namespace fs = std::filesystem;

NamedArrays with(const std::string& name, NdArray<double> array) {
  NamedArrays a;
  a.reals[name] = std::move(array);
  return a;
}

// (2, 3) with values first + 0..5.
NdArray<double> block(double first) {
  NdArray<double> a({2, 3});
  for (std::size_t i = 0; i < a.size(); ++i) a.data[i] = first + static_cast<double>(i);
  return a;
}

TEST(GridPointModes, PlanKeepsTheConfiguredOrderAndRepeatedPoints) {
  const std::vector<std::int64_t> grid_points = {105, 2, 30, 105};
  const std::vector<parallel::WorkItem> items =
      plan_grid_points(grid_points, [](std::int64_t gp) { return 10.0 * static_cast<double>(gp); });
  ASSERT_EQ(items.size(), 4u);
  for (std::size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(items[i].id, static_cast<std::int64_t>(i));  // position, so a repeated point is two items
    EXPECT_EQ(items[i].cost, 10.0 * static_cast<double>(grid_points[i]));
  }
  // The coordinator accepts them (it refuses repeated ids).
  EXPECT_EQ(parallel::make_schedule(items, 0).size(), 4u);
}

TEST(GridPointModes, StacksAlongTheGivenAxisInResultOrder) {
  const std::vector<NamedArrays> results = {with("x", block(0.0)), with("x", block(100.0))};
  // axis 0: (2, 2, 3), result after result.
  const NdArray<double> first = stack_grid_points(results, "x", 0);
  EXPECT_EQ(first.shape, (std::vector<std::size_t>{2, 2, 3}));
  EXPECT_EQ(first.data, (std::vector<double>{0, 1, 2, 3, 4, 5, 100, 101, 102, 103, 104, 105}));
  // axis 1: (2, 2, 3), the rows of each result interleaved.
  const NdArray<double> middle = stack_grid_points(results, "x", 1);
  EXPECT_EQ(middle.shape, (std::vector<std::size_t>{2, 2, 3}));
  EXPECT_EQ(middle.data, (std::vector<double>{0, 1, 2, 100, 101, 102, 3, 4, 5, 103, 104, 105}));
  // axis 2 (last): (2, 3, 2), element by element.
  const NdArray<double> last = stack_grid_points(results, "x", 2);
  EXPECT_EQ(last.shape, (std::vector<std::size_t>{2, 3, 2}));
  EXPECT_EQ(last.data, (std::vector<double>{0, 100, 1, 101, 2, 102, 3, 103, 4, 104, 5, 105}));
}

TEST(GridPointModes, StackRefusesMissingOrMismatchedArrays) {
  EXPECT_THROW(stack_grid_points({with("x", block(0.0)), with("y", block(0.0))}, "x", 0), Error);
  NdArray<double> other({3, 2});
  EXPECT_THROW(stack_grid_points({with("x", block(0.0)), with("x", other)}, "x", 0), Error);
  EXPECT_THROW(stack_grid_points({with("x", block(0.0))}, "x", 3), Error);
}

TEST(GridPointModes, BandIndicesOrAll) {
  config::Settings settings;
  EXPECT_EQ(band_indices_or_all(settings, 4), (std::vector<std::int64_t>{0, 1, 2, 3}));
  settings.band_indices = std::vector<std::int64_t>{2, 5};
  EXPECT_EQ(band_indices_or_all(settings, 6), (std::vector<std::int64_t>{2, 5}));
}

// The cost estimate N / m_q orders grid points as their reduced triplet counts do (Si 9x9x9:
// gp 105 has 365 triplets, gp 2 has 85, Gamma 35) and is of their size (within a factor 3:
// the q1 <-> q2 exchange and the fixed points of the little group are not in it).
TEST(GridPointModes, TripletsCostFollowsTheTripletCount) {
  const std::string dir = test::make_temp_dir("grid_point_modes");
  const std::string config = dir + "/config.toml";
  std::ofstream(config) << "mode = \"ise\"\n"
                        << "phono3py_yaml = \"" << test::data_path("si-pbesol/phono3py.yaml") << "\"\n"
                        << "fc2 = \"" << test::data_path("si-pbesol/fc2.hdf5") << "\"\n"
                        << "fc3 = \"" << test::data_path("si-pbesol/fc3.hdf5") << "\"\n"
                        << "mesh = [9, 9, 9]\ngrid_points = [105]\n";
  const Inputs inputs = load_inputs(config);
  fs::remove_all(dir);
  const grid::BZGrid bz_grid = make_bz_grid(inputs);
  double previous_cost = 1e300;
  for (const std::int64_t gp : {105, 2, 0}) {
    const double cost = triplets_cost(bz_grid, gp);
    const auto triplets = static_cast<double>(interaction::get_triplets_at_q(gp, bz_grid).triplets.size());
    EXPECT_LT(cost, previous_cost) << gp;
    EXPECT_GT(cost, triplets / 3) << gp;
    EXPECT_LT(cost, triplets * 3) << gp;
    previous_cost = cost;
  }
}

}  // namespace
}  // namespace ph3mpi::driver
