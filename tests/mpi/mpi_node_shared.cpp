// Node-shared memory, rank-order sums and parallel-HDF5 kappa files (run with 1 and 2
// ranks; both ranks are on one node here, so the window really is shared).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/io/kappa_file.hpp"
#include "ph3mpi/parallel/context.hpp"
#include "ph3mpi/parallel/mpi_handle.hpp"
#include "ph3mpi/parallel/node_shared.hpp"
#include "ph3mpi/parallel/ordered_sum.hpp"

namespace {

using ph3mpi::parallel::Context;

TEST(NodeShared, RowRangesTileTheRows) {
  for (std::size_t rows : {0UL, 1UL, 7UL, 100UL}) {
    for (int size : {1, 2, 3, 8}) {
      std::size_t next = 0;
      for (int r = 0; r < size; ++r) {
        const auto range = ph3mpi::parallel::node_row_range(rows, r, size);
        EXPECT_EQ(range.begin, next);
        EXPECT_LE(range.end - range.begin, rows / static_cast<std::size_t>(size) + 1);
        next = range.end;
      }
      EXPECT_EQ(next, rows);
    }
  }
  EXPECT_THROW(ph3mpi::parallel::node_row_range(5, 2, 2), ph3mpi::Error);
}

TEST(NodeShared, EveryRankSeesEveryRanksRows) {
  const Context ctx = Context::mpi_world();
  const std::size_t n = 1001;
  ph3mpi::parallel::NodeSharedBuffer buffer(ctx, n * sizeof(double));
  EXPECT_EQ(buffer.node_size(), ctx.size());  // one node
  EXPECT_EQ(buffer.num_nodes(), 1);
  EXPECT_EQ(buffer.is_shared(), true);
  auto* data = static_cast<double*>(buffer.data());
  const auto mine = ph3mpi::parallel::node_row_range(n, buffer.node_rank(), buffer.node_size());
  for (std::size_t i = mine.begin; i < mine.end; ++i)
    data[i] = 0.5 * static_cast<double>(i) + buffer.node_rank();
  buffer.node_barrier();
  for (int r = 0; r < buffer.node_size(); ++r) {
    const auto theirs = ph3mpi::parallel::node_row_range(n, r, buffer.node_size());
    for (std::size_t i = theirs.begin; i < theirs.end; ++i)
      ASSERT_EQ(data[i], 0.5 * static_cast<double>(i) + r);
  }
  ctx.barrier();
}

TEST(NodeShared, SerialBackendIsPrivateMemory) {
  const Context ctx = Context::serial();
  ph3mpi::parallel::NodeSharedBuffer buffer(ctx, 64);
  EXPECT_FALSE(buffer.is_shared());
  EXPECT_EQ(buffer.node_size(), 1);
  static_cast<char*>(buffer.data())[63] = 'x';
  buffer.node_barrier();
}

// The chained sum equals a sequential loop over all items, bit for bit, at any rank count:
// values of wildly different magnitude make any other order visible.
TEST(OrderedSum, EqualsTheSequentialLoopBitForBit) {
  const Context ctx = Context::mpi_world();
  std::vector<double> items(997);
  for (std::size_t i = 0; i < items.size(); ++i) {
    items[i] = (i % 3 == 0 ? 1e16 : 1.0) * (i % 2 ? -1.0 : 1.0) + 0.1 * static_cast<double>(i);
  }
  double sequential = 0.0;
  for (const double v : items) sequential += v;
  const auto mine = ph3mpi::parallel::node_row_range(items.size(), ctx.rank(), ctx.size());
  const std::vector<double> total =
      ph3mpi::parallel::ordered_accumulate(ctx, {0.0}, [&](std::vector<double>& acc) {
        for (std::size_t i = mine.begin; i < mine.end; ++i) acc[0] += items[i];
      });
  ASSERT_EQ(total.size(), 1U);
  EXPECT_EQ(total[0], sequential);
}

// A kappa file written collectively (each rank its own rows, rank 0 the small datasets)
// holds exactly what a serial write of the same data holds.
TEST(ParallelHdf5, KappaRowsFromEveryRank) {
  const Context ctx = Context::mpi_world();
  std::string dir =
      ctx.is_root()
          ? (std::filesystem::temp_directory_path() / ("ph3mpi-phdf5-" + std::to_string(::getpid()))).string()
          : std::string();
  ctx.broadcast(dir);
  if (ctx.is_root()) std::filesystem::create_directories(dir);
  ctx.barrier();
  ph3mpi::io::KappaFileLayout layout;
  layout.temperatures = {100.0, 300.0};
  layout.mesh = {4, 4, 4};
  layout.num_grid_points = 9;
  layout.num_band = 6;
  layout.kappa_unit_conversion = 1.5;
  const std::size_t n_gp = layout.num_grid_points, nb = layout.num_band;
  const auto mine = ph3mpi::parallel::node_row_range(n_gp, ctx.rank(), ctx.size());
  const std::size_t n = mine.end - mine.begin;
  auto value = [](std::size_t t, std::size_t g, std::size_t b) {
    return 1000.0 * static_cast<double>(t) + 10.0 * static_cast<double>(g) + static_cast<double>(b) + 0.25;
  };
  {
    ph3mpi::io::KappaFile file(dir + "/kappa.hdf5", layout, ph3mpi::parallel::native_communicator(ctx));
    ph3mpi::NdArray<double> gamma({2, n, nb});
    for (std::size_t t = 0; t < 2; ++t)
      for (std::size_t g = 0; g < n; ++g)
        for (std::size_t b = 0; b < nb; ++b) gamma.data[(t * n + g) * nb + b] = value(t, mine.begin + g, b);
    file.write_rows("gamma", mine.begin, gamma);
    ph3mpi::NdArray<std::int64_t> gp({n});
    for (std::size_t g = 0; g < n; ++g) gp.data[g] = static_cast<std::int64_t>(mine.begin + g) * 10;
    file.write_rows("grid_point", mine.begin, gp);
    ph3mpi::NdArray<double> kappa({2, 6});
    kappa.data.assign(12, ctx.is_root() ? 7.0 : -1.0);  // only rank 0's values count
    file.write_whole("kappa", kappa);
  }
  ctx.barrier();
  if (ctx.is_root()) {
    ph3mpi::io::Hdf5File f(dir + "/kappa.hdf5");
    const auto gamma = f.read_double("gamma");
    ASSERT_EQ(gamma.shape, (std::vector<std::size_t>{2, n_gp, nb}));
    for (std::size_t t = 0; t < 2; ++t)
      for (std::size_t g = 0; g < n_gp; ++g)
        for (std::size_t b = 0; b < nb; ++b) EXPECT_EQ(gamma.data[(t * n_gp + g) * nb + b], value(t, g, b));
    const auto gp = f.read_int("grid_point");
    for (std::size_t g = 0; g < n_gp; ++g) EXPECT_EQ(gp.data[g], static_cast<std::int64_t>(g) * 10);
    for (const double k : f.read_double("kappa").data) EXPECT_EQ(k, 7.0);
    EXPECT_EQ(f.read_double_scalar("kappa_unit_conversion"), 1.5);
    EXPECT_EQ(f.read_double("temperature").data, (std::vector<double>{100.0, 300.0}));
    EXPECT_TRUE(f.dataset_info("gamma").gzip);
    std::filesystem::remove_all(dir);
  }
  ctx.barrier();
}

}  // namespace
