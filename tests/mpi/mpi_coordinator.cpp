// The grid-point coordinator under MPI (run with 1, 2 and 3 ranks): every item is
// computed exactly once, batches are the schedule's, each rank takes its batches in
// schedule order (largest cost first), rank 0 computes too, results are durable
// (on_done) on the computing rank, and the assembled results - and sums over them -
// are bit-identical to a one-rank run.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ph3mpi/common/named_arrays.hpp"
#include "ph3mpi/common/trace.hpp"
#include "ph3mpi/parallel/context.hpp"
#include "ph3mpi/parallel/coordinator.hpp"
#include "ph3mpi/parallel/progress.hpp"

namespace {

using namespace ph3mpi::parallel;
using ph3mpi::NamedArrays;
using ph3mpi::NdArray;

// Irregular costs with ties, ids not in cost order (like ir grid points).
std::vector<WorkItem> make_items(int n) {
  std::vector<WorkItem> items;
  for (int i = 0; i < n; ++i) {
    const std::int64_t id = (static_cast<std::int64_t>(i) * 37) % 101;
    items.push_back({id, static_cast<double>((i * 7) % 13 + 1)});
  }
  return items;
}

// A deterministic per-item result whose values span many magnitudes, so a sum taken
// in another order would differ in the last bits.
NamedArrays result_of(std::int64_t gp) {
  NamedArrays r;
  NdArray<double> gamma({3, 4});
  for (std::size_t k = 0; k < gamma.size(); ++k) {
    gamma[k] = std::pow(10.0, static_cast<double>((gp * 3 + static_cast<std::int64_t>(k)) % 17) - 8.0) /
               (1.0 + static_cast<double>(gp));
  }
  r.reals["gamma"] = gamma;
  r.ints["grid_point"] = NdArray<std::int64_t>({1}, gp);
  return r;
}

// What the compute function of one rank saw.
struct Log {
  std::vector<std::int64_t> items;    // computed, in order
  std::vector<std::int64_t> batches;  // batch indices, in order
  std::vector<std::int64_t> durable;  // passed to on_done, in order
};

CoordinatorRun<NamedArrays> run(const Context& context, const std::vector<WorkItem>& items,
                                std::int64_t batch_size, Delivery delivery, Log& log,
                                ProgressReporter* progress = nullptr) {
  CoordinatorOptions options;
  options.gp_batch_size = batch_size;
  options.delivery = delivery;
  options.progress = progress;
  const ComputeBatch<NamedArrays> compute = [&](const Batch& batch) {
    log.batches.push_back(batch.index);
    std::vector<NamedArrays> out;
    for (std::int64_t gp : batch.items) {
      log.items.push_back(gp);
      // Some real time per item so that all ranks take part.
      std::this_thread::sleep_for(std::chrono::microseconds(300));
      out.push_back(result_of(gp));
    }
    return out;
  };
  const OnBatchDone<NamedArrays> on_done = [&](const Batch& batch, const std::vector<NamedArrays>& results) {
    EXPECT_EQ(results.size(), batch.items.size());
    for (std::int64_t gp : batch.items) log.durable.push_back(gp);
  };
  return run_coordinated<NamedArrays>(context, items, options, compute, on_done);
}

std::string join(const std::vector<std::int64_t>& v) {
  std::ostringstream out;
  for (std::int64_t x : v) out << x << ' ';
  return out.str();
}

std::vector<std::int64_t> split(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::int64_t> v;
  std::int64_t x = 0;
  while (in >> x) v.push_back(x);
  return v;
}

// Sum of every gamma value, in result (grid point) order.
double ordered_sum(const std::map<std::int64_t, NamedArrays>& results) {
  double sum = 0.0;
  for (const auto& [gp, r] : results) {
    for (double v : r.reals.at("gamma").data) sum += v;
  }
  return sum;
}

class Coordinator : public ::testing::TestWithParam<std::int64_t> {};

TEST_P(Coordinator, EveryItemOnceInScheduleBatchesRankZeroComputesToo) {
  const Context context = Context::mpi_world();
  const std::vector<WorkItem> items = make_items(41);
  const std::int64_t batch_size = GetParam();
  Log log;
  const auto result = run(context, items, batch_size, Delivery::kToRoot, log);

  // Same schedule everywhere, and it is make_schedule's.
  const std::vector<Batch> expected_schedule = make_schedule(items, batch_size);
  // (No ASSERT before the collectives below: a rank leaving early would hang the others.)
  EXPECT_EQ(result.schedule.size(), expected_schedule.size());
  for (std::size_t i = 0; i < std::min(expected_schedule.size(), result.schedule.size()); ++i) {
    EXPECT_EQ(result.schedule[i].items, expected_schedule[i].items);
  }

  // Each rank takes batches in schedule order (largest first) and computes their items in order.
  EXPECT_EQ(log.batches, result.stats.local_batches);
  for (std::size_t i = 1; i < log.batches.size(); ++i) EXPECT_LT(log.batches[i - 1], log.batches[i]);
  std::vector<std::int64_t> expected_items;
  for (std::int64_t b : log.batches) {
    const auto& batch_items = expected_schedule[static_cast<std::size_t>(b)].items;
    expected_items.insert(expected_items.end(), batch_items.begin(), batch_items.end());
  }
  EXPECT_EQ(log.items, expected_items);
  EXPECT_EQ(log.durable, log.items);  // made durable by the rank that computed them

  // Every rank computes: rank 0 always keeps batch 0, worker r gets batch r first.
  if (static_cast<std::size_t>(context.size()) <= expected_schedule.size()) {
    EXPECT_FALSE(log.batches.empty());
    if (!log.batches.empty()) {
      EXPECT_EQ(log.batches.front(), context.rank());
    }
  } else {
    EXPECT_EQ(log.batches.size(), context.rank() < static_cast<int>(expected_schedule.size()) ? 1u : 0u);
  }

  const std::vector<std::string> per_rank_items = context.gather_strings(join(log.items));
  const std::vector<std::string> per_rank_batches = context.gather_strings(join(log.batches));
  if (context.is_root()) {
    std::multiset<std::int64_t> computed;
    for (const std::string& s : per_rank_items) {
      for (std::int64_t gp : split(s)) computed.insert(gp);
    }
    std::multiset<std::int64_t> all;
    for (const WorkItem& item : items) all.insert(item.id);
    EXPECT_EQ(computed, all);  // each exactly once

    ASSERT_EQ(result.stats.batch_rank.size(), expected_schedule.size());
    for (int r = 0; r < context.size(); ++r) {
      for (std::int64_t b : split(per_rank_batches[static_cast<std::size_t>(r)])) {
        EXPECT_EQ(result.stats.batch_rank[static_cast<std::size_t>(b)], r) << "batch " << b;
      }
    }
    ASSERT_EQ(result.results.size(), items.size());
    for (const auto& [gp, r] : result.results) EXPECT_TRUE(ph3mpi::bitwise_equal(r, result_of(gp))) << gp;
  } else {
    EXPECT_TRUE(result.results.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(BatchSizes, Coordinator, ::testing::Values(0, 1, 3, 50));

TEST(CoordinatorResults, IdenticalToOneRankWhateverTheDelivery) {
  const Context world = Context::mpi_world();
  const std::vector<WorkItem> items = make_items(30);
  Log serial_log;
  const auto reference = run(Context::serial(), items, 0, Delivery::kToRoot, serial_log);
  const double reference_sum = ordered_sum(reference.results);

  for (std::int64_t batch_size : {0, 4}) {
    Log log_all;
    const auto all = run(world, items, batch_size, Delivery::kToAll, log_all);
    EXPECT_EQ(all.results.size(), reference.results.size());
    for (const auto& [gp, r] : all.results) {
      EXPECT_TRUE(reference.results.count(gp) && ph3mpi::bitwise_equal(r, reference.results.at(gp))) << gp;
    }
    const double sum = ordered_sum(all.results);
    EXPECT_EQ(std::memcmp(&sum, &reference_sum, sizeof sum), 0) << sum << " vs " << reference_sum;

    Log log_local;
    const auto local = run(world, items, batch_size, Delivery::kKeepLocal, log_local);
    std::vector<std::int64_t> held;
    for (const auto& [gp, r] : local.results) {
      held.push_back(gp);
      EXPECT_TRUE(reference.results.count(gp) && ph3mpi::bitwise_equal(r, reference.results.at(gp))) << gp;
    }
    std::vector<std::int64_t> computed = log_local.items;
    std::sort(computed.begin(), computed.end());
    EXPECT_EQ(held, computed);  // exactly what this rank computed
    EXPECT_EQ(world.sum(static_cast<std::int64_t>(held.size())), static_cast<std::int64_t>(items.size()));
  }
}

TEST(CoordinatorEdges, FewerItemsThanRanksAndNoItems) {
  const Context context = Context::mpi_world();
  for (int n : {0, 1}) {
    Log log;
    const auto result = run(context, make_items(n), 0, Delivery::kToAll, log);
    EXPECT_EQ(result.results.size(), static_cast<std::size_t>(n));
    EXPECT_EQ(context.sum(static_cast<std::int64_t>(log.items.size())), n);
    if (n == 1) {
      EXPECT_EQ(log.items.size(), context.is_root() ? 1u : 0u);  // rank 0 keeps batch 0
    }
  }
}

TEST(CoordinatorEdges, RankZeroItemsAndBatchSizeWin) {
  // Ranks pass different lists and batch sizes (e.g. PH3MPI_GP_BATCH_SIZE differing per
  // node): rank 0's count, so the schedule is the same everywhere.
  const Context context = Context::mpi_world();
  const std::vector<WorkItem> items = context.is_root() ? make_items(12) : make_items(5);
  Log log;
  const auto result = run(context, items, context.is_root() ? 2 : 7, Delivery::kToAll, log);
  EXPECT_EQ(result.schedule.size(), 6u);
  EXPECT_EQ(result.results.size(), 12u);
}

TEST(CoordinatorProgress, RankZeroCountsEveryBatch) {
  const Context context = Context::mpi_world();
  const std::vector<WorkItem> items = make_items(20);
  std::ostringstream out;
  double cost = 0.0;
  for (const WorkItem& item : items) cost += item.cost;
  ProgressReporter progress(out, 25, 5, cost, 0.0);
  Log log;
  run(context, items, 3, Delivery::kToRoot, log, context.is_root() ? &progress : nullptr);
  if (context.is_root()) {
    EXPECT_EQ(progress.done(), 25);
    EXPECT_EQ(progress.lines_written(), 7);  // one per batch at interval 0
    EXPECT_NE(out.str().find("progress: 25/25 grid points (100.0%)"), std::string::npos) << out.str();
  }
}

TEST(CoordinatorBalance, ComputingSecondsCoverTheWorkAndRankZeroSummarizes) {
  const Context context = Context::mpi_world();
  const std::vector<WorkItem> items = make_items(20);
  Log log;
  const auto result = run(context, items, 0, Delivery::kToRoot, log);
  // run() sleeps 300 us per item inside compute: a lower bound, whatever the machine's load.
  EXPECT_GE(result.stats.compute_seconds, 300e-6 * static_cast<double>(log.items.size()));
  EXPECT_GE(result.stats.wait_seconds, 0.0);
  const std::string line = balance_summary(context, result.stats);
  if (context.is_root()) {
    const std::string ranks = std::to_string(context.size()) + (context.size() == 1 ? " rank, " : " ranks, ");
    EXPECT_EQ(line.rfind("coordinator: " + ranks, 0), 0u) << line;
    EXPECT_NE(line.find(" batches, computing "), std::string::npos) << line;
    EXPECT_NE(line.find(" s, waiting "), std::string::npos) << line;
  } else {
    EXPECT_TRUE(line.empty());
  }
}

TEST(CoordinatorTrace, OneLinePerCallSiteNamingTheRank) {
  const Context context = Context::mpi_world();
  std::ostringstream out;
  const ph3mpi::common::TraceSink trace(out, context.rank(), 1);
  CoordinatorOptions options;
  options.gp_batch_size = 2;
  const ComputeBatch<NamedArrays> compute = [&](const Batch& batch) {
    for (std::int64_t gp : batch.items) trace.trace("Interaction", gp, batch.index);
    return std::vector<NamedArrays>(batch.items.size());
  };
  const auto result = run_coordinated<NamedArrays>(context, make_items(9), options, compute);
  std::istringstream lines(out.str());
  std::string line;
  int count = 0;
  const std::string prefix =
      "[ph3mpi.trace] rank=" + std::to_string(context.rank()) + " threads=1 site=Interaction gp=";
  while (std::getline(lines, line)) {
    ++count;
    EXPECT_EQ(line.rfind(prefix, 0), 0u) << line;
  }
  EXPECT_EQ(context.sum(static_cast<std::int64_t>(count)), 9);
}

}  // namespace
