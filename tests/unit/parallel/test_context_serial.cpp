// The serial backend of parallel::Context: one rank, every collective is the identity
// and no MPI is involved (this test binary does not start MPI).
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/parallel/context.hpp"
#include "ph3mpi/parallel/node_resources.hpp"
#include "ph3mpi/parallel/node_shared.hpp"
#include "ph3mpi/parallel/ordered_sum.hpp"

namespace {

using ph3mpi::parallel::Context;
using ph3mpi::parallel::ReduceOp;

TEST(SerialContext, CollectivesAreTheIdentity) {
  const Context ctx = Context::serial();
  EXPECT_EQ(ctx.rank(), 0);
  EXPECT_EQ(ctx.size(), 1);
  EXPECT_FALSE(ctx.is_mpi());
  std::vector<double> values = {1.5, -2.0};
  ctx.allreduce(values, ReduceOp::kSum);
  EXPECT_EQ(values, (std::vector<double>{1.5, -2.0}));
  EXPECT_EQ(ctx.allgather(std::array<int, 2>{3, 4}), (std::vector<std::array<int, 2>>{{3, 4}}));
  EXPECT_EQ(ctx.allgatherv(std::vector<std::int64_t>{7, 8, 9}), (std::vector<std::int64_t>{7, 8, 9}));
  std::vector<double> into(2);
  ctx.allgatherv(values.data(), values.size(), into.data(), {2});
  EXPECT_EQ(into, values);
  EXPECT_THROW(ctx.allgatherv(values.data(), values.size(), into.data(), {1}), ph3mpi::Error);
  std::vector<std::string> gathered = ctx.gather_strings("only");
  EXPECT_EQ(gathered, std::vector<std::string>{"only"});
  std::string text = "kept";
  EXPECT_THROW(ctx.broadcast(text, 1), ph3mpi::Error);
  EXPECT_EQ(text, "kept");
}

TEST(SerialContext, SubContextsAreSerial) {
  const Context ctx = Context::serial();
  EXPECT_EQ(ctx.duplicate().size(), 1);
  EXPECT_EQ(ctx.split(3, 0).size(), 1);
  const ph3mpi::parallel::NodeSplit split = ctx.split_by_node();
  EXPECT_EQ(split.node.size(), 1);
  EXPECT_EQ(split.num_nodes, 1);
  EXPECT_FALSE(split.node.is_mpi());
  EXPECT_EQ(ph3mpi::parallel::ranks_on_this_node(ctx), 1);
}

TEST(SerialContext, SharedMemoryIsPrivateHeapMemory) {
  const Context ctx = Context::serial();
  const std::unique_ptr<ph3mpi::parallel::SharedMemory> memory = ctx.allocate_shared(3 * sizeof(double));
  EXPECT_FALSE(memory->is_shared());
  auto* data = static_cast<double*>(memory->data());
  data[2] = 4.25;
  memory->fence();
  EXPECT_EQ(data[2], 4.25);
  EXPECT_EQ(ctx.allocate_shared(0)->data(), nullptr);
}

TEST(SerialContext, PointToPointNeedsAnotherRank) {
  const Context ctx = Context::serial();
  char byte = 0;
  EXPECT_THROW(ctx.send_bytes(0, 1, &byte, 1), ph3mpi::Error);
  EXPECT_THROW(ctx.receive_bytes(0, 1, &byte, 1), ph3mpi::Error);
  EXPECT_THROW(ctx.probe(), ph3mpi::Error);
  EXPECT_THROW(ctx.isend_bytes(0, 1, "x"), ph3mpi::Error);
  EXPECT_FALSE(ctx.iprobe().has_value());
}

TEST(SerialContext, OrderedSumsAreTheLocalSums) {
  const Context ctx = Context::serial();
  const std::vector<double> total =
      ph3mpi::parallel::ordered_accumulate(ctx, {1.0, 2.0}, [](std::vector<double>& acc) { acc[1] += 0.5; });
  EXPECT_EQ(total, (std::vector<double>{1.0, 2.5}));
  EXPECT_EQ(ph3mpi::parallel::allgather_in_rank_order(ctx, {3.0}), std::vector<double>{3.0});
  EXPECT_EQ(ph3mpi::parallel::sum_over_ranks(ctx, {3.0, -1.0}), (std::vector<double>{3.0, -1.0}));
}

}  // namespace
