// The coordinator's schedule (largest cost first, batches of gp_batch_size), the
// failure line, and the sequential (one-rank) path of run_coordinated.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/named_arrays.hpp"
#include "ph3mpi/parallel/context.hpp"
#include "ph3mpi/parallel/coordinator.hpp"
#include "ph3mpi/parallel/progress.hpp"

namespace {

using namespace ph3mpi::parallel;

std::vector<WorkItem> sample_items() {
  // Unsorted ids and costs with ties.
  return {{7, 1.0}, {3, 5.0}, {11, 2.0}, {2, 5.0}, {5, 0.5}, {13, 9.0}, {1, 2.0}};
}

TEST(Schedule, ItemsPerBatch) {
  EXPECT_EQ(items_per_batch(0), 1);
  EXPECT_EQ(items_per_batch(-4), 1);
  EXPECT_EQ(items_per_batch(1), 1);
  EXPECT_EQ(items_per_batch(6), 6);
}

TEST(Schedule, LargestCostFirstTiesById) {
  const std::vector<Batch> schedule = make_schedule(sample_items(), 0);
  ASSERT_EQ(schedule.size(), 7u);
  const std::vector<std::int64_t> expected = {13, 2, 3, 1, 11, 7, 5};
  for (std::size_t i = 0; i < schedule.size(); ++i) {
    EXPECT_EQ(schedule[i].index, static_cast<std::int64_t>(i));
    ASSERT_EQ(schedule[i].items.size(), 1u);
    EXPECT_EQ(schedule[i].items[0], expected[i]);
  }
  EXPECT_DOUBLE_EQ(schedule[0].cost, 9.0);
  EXPECT_DOUBLE_EQ(schedule[6].cost, 0.5);
}

TEST(Schedule, BatchesOfGpBatchSize) {
  const std::vector<Batch> schedule = make_schedule(sample_items(), 3);
  ASSERT_EQ(schedule.size(), 3u);
  EXPECT_EQ(schedule[0].items, (std::vector<std::int64_t>{13, 2, 3}));
  EXPECT_EQ(schedule[1].items, (std::vector<std::int64_t>{1, 11, 7}));
  EXPECT_EQ(schedule[2].items, (std::vector<std::int64_t>{5}));
  EXPECT_DOUBLE_EQ(schedule[0].cost, 19.0);
  EXPECT_DOUBLE_EQ(schedule[1].cost, 5.0);
  EXPECT_DOUBLE_EQ(schedule[2].cost, 0.5);
  // Non-increasing batch cost is not promised in general, but the item order is.
  std::vector<std::int64_t> flat;
  for (const Batch& b : schedule) flat.insert(flat.end(), b.items.begin(), b.items.end());
  EXPECT_EQ(flat, (std::vector<std::int64_t>{13, 2, 3, 1, 11, 7, 5}));
}

TEST(Schedule, IndependentOfInputOrder) {
  std::vector<WorkItem> items = sample_items();
  std::reverse(items.begin(), items.end());
  const std::vector<Batch> a = make_schedule(sample_items(), 2);
  const std::vector<Batch> b = make_schedule(items, 2);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].items, b[i].items);
}

TEST(Schedule, EmptyAndInvalid) {
  EXPECT_TRUE(make_schedule({}, 4).empty());
  EXPECT_THROW(make_schedule({{1, 1.0}, {1, 2.0}}, 0), ph3mpi::Error);
  EXPECT_THROW(make_schedule({{1, -1.0}}, 0), ph3mpi::Error);
  EXPECT_THROW(make_schedule({{1, std::nan("")}}, 0), ph3mpi::Error);
}

TEST(Schedule, FailureLine) {
  EXPECT_EQ(format_failure({2, {17}, "boom"}), "ph3mpi: error (rank 2, grid point 17): boom");
  EXPECT_EQ(format_failure({0, {3, 5}, "bad"}), "ph3mpi: error (rank 0, grid points 3, 5): bad");
}

// A result type with a member serialize, as the driver would define.
struct Sample {
  std::int64_t gp = 0;
  double value = 0.0;
  template <typename Archive>
  void serialize(Archive& archive, const unsigned int /*version*/) {
    archive& gp;
    archive& value;
  }
};

TEST(SerialCoordinator, ComputesEverythingInScheduleOrder) {
  const Context context = Context::serial();
  std::vector<std::int64_t> computed;
  std::vector<std::int64_t> durable;
  CoordinatorOptions options;
  options.gp_batch_size = 2;
  const ComputeBatch<Sample> compute = [&](const Batch& batch) {
    std::vector<Sample> out;
    for (std::int64_t gp : batch.items) {
      computed.push_back(gp);
      out.push_back({gp, 0.25 * static_cast<double>(gp)});
    }
    return out;
  };
  const OnBatchDone<Sample> on_done = [&](const Batch& batch, const std::vector<Sample>& results) {
    ASSERT_EQ(results.size(), batch.items.size());
    for (const Sample& s : results) durable.push_back(s.gp);
  };
  const CoordinatorRun<Sample> run =
      run_coordinated<Sample>(context, sample_items(), options, compute, on_done);
  EXPECT_EQ(computed, (std::vector<std::int64_t>{13, 2, 3, 1, 11, 7, 5}));
  EXPECT_EQ(durable, computed);
  ASSERT_EQ(run.results.size(), 7u);
  for (const auto& [gp, sample] : run.results) {
    EXPECT_EQ(sample.gp, gp);
    EXPECT_EQ(sample.value, 0.25 * static_cast<double>(gp));
  }
  EXPECT_EQ(run.stats.batch_rank, (std::vector<int>{0, 0, 0, 0}));
  EXPECT_EQ(run.stats.local_batches, (std::vector<std::int64_t>{0, 1, 2, 3}));
}

TEST(SerialCoordinator, NamedArraysResultsAndProgress) {
  const Context context = Context::serial();
  std::ostringstream progress_out;
  double now = 0.0;
  ProgressReporter progress(progress_out, 7, 0, 24.5, 0.0, [&] { return now; });
  CoordinatorOptions options;
  options.progress = &progress;
  options.delivery = Delivery::kToAll;
  const ComputeBatch<ph3mpi::NamedArrays> compute = [&](const Batch& batch) {
    now += 1.0;
    std::vector<ph3mpi::NamedArrays> out(batch.items.size());
    for (std::size_t i = 0; i < batch.items.size(); ++i) {
      ph3mpi::NdArray<double> gamma({2, 3});
      for (std::size_t k = 0; k < gamma.size(); ++k)
        gamma[k] = static_cast<double>(batch.items[i]) + 0.1 * static_cast<double>(k);
      out[i].reals["gamma"] = gamma;
      out[i].ints["gp"] = ph3mpi::NdArray<std::int64_t>({1}, batch.items[i]);
    }
    return out;
  };
  const auto run = run_coordinated<ph3mpi::NamedArrays>(context, sample_items(), options, compute);
  ASSERT_EQ(run.results.size(), 7u);
  EXPECT_EQ(run.results.at(11).reals.at("gamma")[5], 11.0 + 0.5);
  EXPECT_EQ(run.results.at(11).ints.at("gp")[0], 11);
  EXPECT_EQ(progress.done(), 7);
  EXPECT_EQ(progress.lines_written(), 7);  // interval 0: a line per batch
}

TEST(SerialCoordinator, FailureNamesRankAndGridPoint) {
  const Context context = Context::serial();
  std::vector<BatchFailure> failures;
  CoordinatorOptions options;
  options.on_failure = [&](const BatchFailure& f) { failures.push_back(f); };  // returns: coordinator throws
  const ComputeBatch<Sample> compute = [&](const Batch& batch) -> std::vector<Sample> {
    if (batch.items[0] == 11) throw std::runtime_error("no phonons at this q");
    return {{batch.items[0], 1.0}};
  };
  try {
    run_coordinated<Sample>(context, sample_items(), options, compute);
    FAIL() << "expected an exception";
  } catch (const ph3mpi::Error& e) {
    EXPECT_EQ(std::string(e.what()), "ph3mpi: error (rank 0, grid point 11): no phonons at this q");
  }
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].items, (std::vector<std::int64_t>{11}));
}

TEST(SerialCoordinator, GridPointErrorNamesTheItemOfABatch) {
  const Context context = Context::serial();
  CoordinatorOptions options;
  options.gp_batch_size = 3;
  options.on_failure = [](const BatchFailure& f) { throw std::runtime_error(format_failure(f)); };
  const ComputeBatch<Sample> compute = [&](const Batch& batch) -> std::vector<Sample> {
    if (batch.index == 1) throw GridPointError(batch.items[1], "negative frequency");
    return std::vector<Sample>(batch.items.size());
  };
  try {
    run_coordinated<Sample>(context, sample_items(), options, compute);
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "ph3mpi: error (rank 0, grid point 11): negative frequency");
  }
}

TEST(SerialCoordinator, WrongResultCountIsAFailure) {
  const Context context = Context::serial();
  CoordinatorOptions options;
  options.gp_batch_size = 2;
  options.on_failure = [](const BatchFailure&) {};
  const ComputeBatch<Sample> compute = [](const Batch&) { return std::vector<Sample>(1); };
  EXPECT_THROW(run_coordinated<Sample>(context, sample_items(), options, compute), ph3mpi::Error);
}

}  // namespace
