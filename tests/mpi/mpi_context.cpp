// parallel::Context over MPI_COMM_WORLD (run with 1 and 2 ranks): every operation
// gives every rank the value the operation defines, and MPI errors of Context's own
// calls come back as parallel::MpiError naming the call.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/parallel/context.hpp"
#include "ph3mpi/parallel/mpi_handle.hpp"

namespace {

using ph3mpi::parallel::Context;
using ph3mpi::parallel::MpiError;
using ph3mpi::parallel::PendingSend;
using ph3mpi::parallel::ReduceOp;

TEST(MpiContext, RankAndSize) {
  const Context ctx = Context::mpi_world();
  EXPECT_EQ(std::string(ctx.backend_name()), "mpi");
  EXPECT_GE(ctx.rank(), 0);
  EXPECT_LT(ctx.rank(), ctx.size());
  EXPECT_EQ(ctx.is_root(), ctx.rank() == 0);
  EXPECT_TRUE(ctx.is_mpi());
  int compare = MPI_UNEQUAL;
  ASSERT_EQ(MPI_Comm_compare(ph3mpi::parallel::native_communicator(ctx), MPI_COMM_WORLD, &compare),
            MPI_SUCCESS);
  EXPECT_EQ(compare, MPI_IDENT);  // libraries get MPI_COMM_WORLD itself
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
  EXPECT_FALSE(ctx.is_mpi());
  EXPECT_THROW(ph3mpi::parallel::native_communicator(ctx), ph3mpi::Error);
  std::string s = "same";
  ctx.broadcast(s);
  EXPECT_EQ(s, "same");
  EXPECT_EQ(ctx.sum(2.5), 2.5);
  EXPECT_EQ(ctx.max(std::int64_t{-4}), -4);
  EXPECT_EQ(ctx.gather_strings("only"), std::vector<std::string>{"only"});
  EXPECT_THROW(ctx.gather_strings("x", 1), ph3mpi::Error);
}

TEST(MpiContext, ElementWiseAllreduceOfVectors) {
  const Context ctx = Context::mpi_world();
  const int n = ctx.size();
  std::vector<double> values = {1.0 * ctx.rank(), 2.0, -0.5 * ctx.rank()};
  ctx.allreduce(values, ReduceOp::kSum);
  EXPECT_EQ(values, (std::vector<double>{n * (n - 1) / 2.0, 2.0 * n, -0.25 * n * (n - 1)}));
  std::vector<std::int64_t> big = {(std::int64_t{1} << 50) + ctx.rank(), -ctx.rank()};
  ctx.allreduce(big, ReduceOp::kMax);
  EXPECT_EQ(big, (std::vector<std::int64_t>{(std::int64_t{1} << 50) + n - 1, 0}));
  std::vector<double> empty;
  ctx.allreduce(empty, ReduceOp::kMin);
  EXPECT_TRUE(empty.empty());
}

TEST(MpiContext, AllgatherAndAllgathervInRankOrder) {
  const Context ctx = Context::mpi_world();
  const auto pairs = ctx.allgather(std::array<int, 2>{ctx.rank(), 10 * ctx.rank()});
  ASSERT_EQ(pairs.size(), static_cast<std::size_t>(ctx.size()));
  for (int r = 0; r < ctx.size(); ++r) EXPECT_EQ(pairs[r], (std::array<int, 2>{r, 10 * r}));

  // Rank r contributes r copies of r + 0.5: rank 0 an empty block.
  const std::vector<double> mine(static_cast<std::size_t>(ctx.rank()), ctx.rank() + 0.5);
  const std::vector<double> all = ctx.allgatherv(mine);
  std::vector<double> expected;
  for (int r = 0; r < ctx.size(); ++r) expected.insert(expected.end(), static_cast<std::size_t>(r), r + 0.5);
  EXPECT_EQ(all, expected);

  // Known counts into caller memory.
  std::vector<std::size_t> counts;
  for (int r = 0; r < ctx.size(); ++r) counts.push_back(static_cast<std::size_t>(r));
  std::vector<double> into(expected.size(), -1.0);
  ctx.allgatherv(mine.data(), mine.size(), into.data(), counts);
  EXPECT_EQ(into, expected);
  // Counts that disagree with this rank's block are an error before any message.
  EXPECT_THROW(ctx.allgatherv(mine.data(), mine.size() + 1, into.data(), counts), ph3mpi::Error);
}

TEST(MpiContext, PointToPointRingWithProbe) {
  const Context ctx = Context::mpi_world();
  const int next = (ctx.rank() + 1) % ctx.size();
  const int previous = (ctx.rank() + ctx.size() - 1) % ctx.size();
  constexpr int kTag = 5;
  PendingSend sending = ctx.isend_bytes(next, kTag, "from " + std::to_string(ctx.rank()));
  EXPECT_TRUE(sending.pending());
  const Context::MessageInfo info = ctx.probe(Context::kAnySource, kTag);
  EXPECT_EQ(info.source, previous);
  EXPECT_EQ(info.tag, kTag);
  EXPECT_EQ(ctx.receive_message(info), "from " + std::to_string(previous));
  sending.wait();
  EXPECT_FALSE(sending.pending());

  // Typed values, blocking, in both directions along the ring (isend to avoid relying on
  // MPI buffering for a send to oneself at one rank).
  const std::int64_t value = (std::int64_t{1} << 40) + ctx.rank();
  PendingSend typed =
      ctx.isend_bytes(previous, 6, std::string(reinterpret_cast<const char*>(&value), sizeof value));
  EXPECT_EQ(ctx.receive<std::int64_t>(next, 6), (std::int64_t{1} << 40) + next);
  typed.wait();
  ctx.barrier();
  EXPECT_FALSE(ctx.iprobe(Context::kAnySource, kTag).has_value());
}

TEST(MpiContext, DuplicateHasItsOwnMessages) {
  const Context ctx = Context::mpi_world();
  const Context dup = ctx.duplicate();
  EXPECT_EQ(dup.rank(), ctx.rank());
  EXPECT_EQ(dup.size(), ctx.size());
  PendingSend sending = ctx.isend_bytes(ctx.rank(), 11, "on ctx");
  const Context::MessageInfo info = ctx.probe(ctx.rank(), 11);    // it has arrived on ctx ...
  EXPECT_FALSE(dup.iprobe(Context::kAnySource, 11).has_value());  // ... and is invisible on dup
  EXPECT_EQ(ctx.receive_message(info), "on ctx");
  sending.wait();
}

TEST(MpiContext, SplitOrdersByKey) {
  const Context ctx = Context::mpi_world();
  const int color = ctx.rank() % 2;
  const Context sub = ctx.split(color, -ctx.rank());  // reversed order inside each color
  int members = 0;
  for (int r = 0; r < ctx.size(); ++r) members += r % 2 == color ? 1 : 0;
  EXPECT_EQ(sub.size(), members);
  int higher = 0;  // same color, larger world rank: they come first
  for (int r = ctx.rank() + 1; r < ctx.size(); ++r) higher += r % 2 == color ? 1 : 0;
  EXPECT_EQ(sub.rank(), higher);
  EXPECT_EQ(sub.sum(1), members);
  EXPECT_THROW(ctx.split(-1, 0), ph3mpi::Error);
}

TEST(MpiContext, SplitByNodeAndSharedMemory) {
  const Context ctx = Context::mpi_world();
  const ph3mpi::parallel::NodeSplit split = ctx.split_by_node();
  // Every rank is on exactly one node; the node leaders' sizes add up to the world.
  EXPECT_EQ(ctx.sum(split.node.rank() == 0 ? split.node.size() : 0), ctx.size());
  EXPECT_EQ(split.num_nodes, ctx.sum(split.node.rank() == 0 ? 1 : 0));
  EXPECT_GE(split.num_nodes, 1);

  const std::unique_ptr<ph3mpi::parallel::SharedMemory> memory =
      split.node.allocate_shared(static_cast<std::size_t>(split.node.size()) * sizeof(int));
  EXPECT_TRUE(memory->is_shared());
  auto* slots = static_cast<int*>(memory->data());
  slots[split.node.rank()] = 100 + split.node.rank();
  memory->fence();
  for (int r = 0; r < split.node.size(); ++r) EXPECT_EQ(slots[r], 100 + r);
  memory->fence();  // nobody frees (collectively) while another rank still reads
}

// The coordinator's rank 0 looks for reports with ONE iprobe between its own grid
// points. A message already in this rank's shared memory must be found by that one
// call: Open MPI's ob1 matches before it progresses, so a lone MPI_Iprobe returned
// false for it and the worker starved for a whole grid point of rank 0 (Si 19^3, 2x1:
// 1.36 s of 5.7 s waiting). Rank 1 sends (small: eager, complete once copied into
// rank 0's memory), then raises a flag in node-shared memory; rank 0 waits for the flag
// without any MPI call, so nothing has progressed the message before the iprobe.
TEST(MpiContext, OneIprobeFindsAMessageAlreadyDelivered) {
  const Context ctx = Context::mpi_world();
  const Context node = ctx.split_by_node().node;
  if (node.size() < 2) GTEST_SKIP() << "needs two ranks on one node";
  const Context messages = node.duplicate();
  const std::unique_ptr<ph3mpi::parallel::SharedMemory> memory = node.allocate_shared(sizeof(int));
  int* sent_flag = static_cast<int*>(memory->data());
  if (node.rank() == 0) *sent_flag = 0;
  memory->fence();
  constexpr int kTag = 21;
  if (node.rank() == 1) {
    messages.send_bytes(0, kTag, "report", 6);
    __atomic_store_n(sent_flag, 1, __ATOMIC_RELEASE);
  } else if (node.rank() == 0) {
    while (__atomic_load_n(sent_flag, __ATOMIC_ACQUIRE) == 0) {
    }
    const bool found_at_once = messages.iprobe(Context::kAnySource, Context::kAnyTag).has_value();
    EXPECT_TRUE(found_at_once);
    // Received in any case, so that a failure above does not leave rank 1 waiting.
    const Context::MessageInfo info = messages.probe(Context::kAnySource, Context::kAnyTag);
    EXPECT_EQ(info.source, 1);
    EXPECT_EQ(messages.receive_message(info), "report");
  }
  memory->fence();
}

TEST(MpiContext, MpiErrorsOfContextCallsAreExceptions) {
  const Context ctx = Context::mpi_world();
  // A rank outside the communicator: MPI returns MPI_ERR_RANK on Context's private
  // communicator (MPI_ERRORS_RETURN), and check_mpi names the call.
  char byte = 'x';
  try {
    ctx.send_bytes(ctx.size(), 0, &byte, 1);
    FAIL() << "send to rank " << ctx.size() << " did not fail";
  } catch (const MpiError& e) {
    EXPECT_NE(std::string(e.what()).find("MPI_Send failed: "), std::string::npos) << e.what();
    EXPECT_NE(e.code(), MPI_SUCCESS);
  }
  // A longer message than the receive expects: MPI_ERR_TRUNCATE from MPI_Recv.
  PendingSend sending = ctx.isend_bytes(ctx.rank(), 12, std::string(16, 'y'));
  double small = 0.0;
  try {
    ctx.receive_bytes(ctx.rank(), 12, &small, sizeof small);
    FAIL() << "a 16-byte message fitted into 8 bytes";
  } catch (const MpiError& e) {
    EXPECT_NE(std::string(e.what()).find("MPI_Recv failed: "), std::string::npos) << e.what();
  }
  sending.wait();
  // A shorter message than expected is a ph3mpi::Error naming both sizes.
  sending = ctx.isend_bytes(ctx.rank(), 13, std::string(4, 'z'));
  try {
    ctx.receive_bytes(ctx.rank(), 13, &small, sizeof small);
    FAIL() << "a 4-byte message was taken for 8 bytes";
  } catch (const ph3mpi::Error& e) {
    EXPECT_NE(std::string(e.what()).find("expected 8 bytes"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("got 4"), std::string::npos) << e.what();
  }
  sending.wait();
  ctx.barrier();
}

TEST(MpiContext, CheckMpiUsesMpisErrorText) {
  EXPECT_NO_THROW(ph3mpi::parallel::check_mpi(MPI_SUCCESS, "MPI_Barrier"));
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  ASSERT_EQ(MPI_Error_string(MPI_ERR_COMM, text, &length), MPI_SUCCESS);
  try {
    ph3mpi::parallel::check_mpi(MPI_ERR_COMM, "MPI_Barrier");
    FAIL() << "MPI_ERR_COMM did not throw";
  } catch (const MpiError& e) {
    EXPECT_EQ(e.code(), MPI_ERR_COMM);
    EXPECT_NE(std::string(e.what()).find("MPI_Barrier failed: " +
                                         std::string(text, static_cast<std::size_t>(length))),
              std::string::npos)
        << e.what();
  }
}

TEST(MpiContext, ContextOverAnotherCommunicator) {
  const Context self = ph3mpi::parallel::make_mpi_context(MPI_COMM_SELF);
  EXPECT_EQ(self.size(), 1);
  EXPECT_EQ(self.rank(), 0);
  EXPECT_EQ(self.sum(2.5), 2.5);
}

}  // namespace
