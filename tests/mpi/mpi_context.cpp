// parallel::Context over MPI_COMM_WORLD (run with 1 and 2 ranks): every operation
// gives every rank the value the operation defines.
#include <gtest/gtest.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/parallel/context.hpp"

namespace {

using ph3mpi::parallel::Context;
using ph3mpi::parallel::ReduceOp;

TEST(MpiContext, RankAndSize) {
  const Context ctx = Context::mpi_world();
  EXPECT_EQ(std::string(ctx.backend_name()), "mpi");
  EXPECT_GE(ctx.rank(), 0);
  EXPECT_LT(ctx.rank(), ctx.size());
  EXPECT_EQ(ctx.is_root(), ctx.rank() == 0);
  EXPECT_NE(ctx.communicator(), nullptr);
  // Every rank has a distinct rank number: their sum is 0 + 1 + ... + (size-1).
  EXPECT_EQ(ctx.sum(ctx.rank()), ctx.size() * (ctx.size() - 1) / 2);
  ctx.barrier();
}

TEST(MpiContext, BroadcastStringFromEveryRoot) {
  const Context ctx = Context::mpi_world();
  for (int root = 0; root < ctx.size(); ++root) {
    // Non-root ranks start with a longer string: the broadcast must also fix the size.
    std::string value = ctx.rank() == root ? "from rank " + std::to_string(root) : std::string(100, 'x');
    ctx.broadcast(value, root);
    EXPECT_EQ(value, "from rank " + std::to_string(root));
  }
  std::string empty = ctx.is_root() ? std::string() : std::string("not empty");
  ctx.broadcast(empty);
  EXPECT_TRUE(empty.empty());
}

TEST(MpiContext, BroadcastBytesPodsAndVectors) {
  const Context ctx = Context::mpi_world();
  struct Pod {
    double x;
    std::int32_t n;
    char tag[4];
  };
  Pod pod{};
  if (ctx.is_root()) pod = Pod{2.5, -7, {'a', 'b', 'c', '\0'}};
  ctx.broadcast(pod);
  EXPECT_EQ(pod.x, 2.5);
  EXPECT_EQ(pod.n, -7);
  EXPECT_STREQ(pod.tag, "abc");

  std::vector<double> values;
  if (ctx.is_root()) values = {1.0, -0.0, 1e300, 3.25};
  ctx.broadcast(values);
  ASSERT_EQ(values.size(), 4u);
  EXPECT_EQ(values[2], 1e300);

  std::vector<char> bytes;
  if (ctx.is_root()) bytes.assign(1000, '\x7f');
  ctx.broadcast(bytes);
  EXPECT_EQ(bytes, std::vector<char>(1000, '\x7f'));
}

TEST(MpiContext, AllreduceDoublesAndIntegers) {
  const Context ctx = Context::mpi_world();
  const int n = ctx.size();
  const double mine = 1.5 * (ctx.rank() + 1);
  EXPECT_DOUBLE_EQ(ctx.allreduce(mine, ReduceOp::kSum), 1.5 * n * (n + 1) / 2);
  EXPECT_EQ(ctx.allreduce(mine, ReduceOp::kMax), 1.5 * n);
  EXPECT_EQ(ctx.allreduce(mine, ReduceOp::kMin), 1.5);
  const std::int64_t big = (std::int64_t{1} << 40) + ctx.rank();
  EXPECT_EQ(ctx.sum(big), n * (std::int64_t{1} << 40) + n * (n - 1) / 2);
  EXPECT_EQ(ctx.max(big), (std::int64_t{1} << 40) + n - 1);
  EXPECT_EQ(ctx.min(-ctx.rank()), -(n - 1));
}

TEST(MpiContext, GatherStringsInRankOrderOnRoot) {
  const Context ctx = Context::mpi_world();
  const int root = ctx.size() - 1;
  const auto all = ctx.gather_strings(std::string(static_cast<std::size_t>(ctx.rank()) + 1, 'r'), root);
  if (ctx.rank() == root) {
    ASSERT_EQ(all.size(), static_cast<std::size_t>(ctx.size()));
    for (int r = 0; r < ctx.size(); ++r) EXPECT_EQ(all[static_cast<std::size_t>(r)], std::string(r + 1, 'r'));
  } else {
    EXPECT_TRUE(all.empty());
  }
}

TEST(MpiContext, BadRootIsAnErrorOnEveryRank) {
  const Context ctx = Context::mpi_world();
  std::string s = "x";
  EXPECT_THROW(ctx.gather_strings(s, ctx.size()), ph3mpi::Error);
  EXPECT_THROW(ctx.gather_strings(s, -1), ph3mpi::Error);
}

TEST(Rank0Stream, PrintsOnlyOnRankZero) {
  const Context ctx = Context::mpi_world();
  std::ostringstream sink;
  ph3mpi::parallel::Rank0Stream out(sink, ctx);
  out << "rank " << ctx.rank() << std::endl;
  EXPECT_EQ(out.is_active(), ctx.is_root());
  EXPECT_EQ(sink.str(), ctx.is_root() ? "rank 0\n" : "");
}

TEST(SerialContext, IsOneRankWithoutMpiCalls) {
  const Context ctx = Context::serial();
  EXPECT_EQ(ctx.rank(), 0);
  EXPECT_EQ(ctx.size(), 1);
  EXPECT_EQ(std::string(ctx.backend_name()), "serial");
  EXPECT_EQ(ctx.communicator(), nullptr);
  std::string s = "same";
  ctx.broadcast(s);
  EXPECT_EQ(s, "same");
  EXPECT_EQ(ctx.sum(2.5), 2.5);
  EXPECT_EQ(ctx.max(std::int64_t{-4}), -4);
  EXPECT_EQ(ctx.gather_strings("only"), std::vector<std::string>{"only"});
  EXPECT_THROW(ctx.gather_strings("x", 1), ph3mpi::Error);
}

}  // namespace
