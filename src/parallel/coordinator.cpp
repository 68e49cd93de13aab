#include "ph3mpi/parallel/coordinator.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <exception>
#include <iomanip>
#include <iostream>
#include <limits>
#include <optional>
#include <set>

namespace ph3mpi::parallel {

std::int64_t items_per_batch(std::int64_t gp_batch_size) { return gp_batch_size <= 0 ? 1 : gp_batch_size; }

std::vector<Batch> make_schedule(std::vector<WorkItem> items, std::int64_t gp_batch_size) {
  std::set<std::int64_t> seen;
  for (const WorkItem& item : items) {
    if (!seen.insert(item.id).second) {
      throw Error("coordinator: grid point " + std::to_string(item.id) + " appears twice in the work list");
    }
    if (!std::isfinite(item.cost) || item.cost < 0) {
      throw Error("coordinator: grid point " + std::to_string(item.id) + " has an invalid cost estimate " +
                  std::to_string(item.cost));
    }
  }
  // Largest first so the long grid points start early and the ranks finish together;
  // the id breaks ties so the order is a pure function of the items.
  std::sort(items.begin(), items.end(), [](const WorkItem& a, const WorkItem& b) {
    return a.cost != b.cost ? a.cost > b.cost : a.id < b.id;
  });
  const auto per_batch = static_cast<std::size_t>(items_per_batch(gp_batch_size));
  std::vector<Batch> schedule;
  for (std::size_t start = 0; start < items.size(); start += per_batch) {
    Batch batch;
    batch.index = static_cast<std::int64_t>(schedule.size());
    const std::size_t end = std::min(items.size(), start + per_batch);
    for (std::size_t i = start; i < end; ++i) {
      batch.items.push_back(items[i].id);
      batch.cost += items[i].cost;
    }
    schedule.push_back(std::move(batch));
  }
  return schedule;
}

std::string format_failure(const BatchFailure& failure) {
  std::string where = "rank " + std::to_string(failure.rank);
  if (failure.items.size() == 1) {
    where += ", grid point " + std::to_string(failure.items.front());
  } else if (!failure.items.empty()) {
    where += ", grid points ";
    for (std::size_t i = 0; i < failure.items.size(); ++i) {
      where += (i ? ", " : "") + std::to_string(failure.items[i]);
    }
  }
  return "ph3mpi: error (" + where + "): " + failure.message;
}

std::string balance_summary(const Context& context, const CoordinatorStats& stats) {
  const std::vector<double> computing = context.allgather(stats.compute_seconds);
  const std::vector<double> waiting = context.allgather(stats.wait_seconds);
  const std::vector<std::size_t> batches = context.allgather(stats.local_batches.size());
  if (!context.is_root()) return "";
  const auto [fewest, most] = std::minmax_element(batches.begin(), batches.end());
  const auto [least_computing, most_computing] = std::minmax_element(computing.begin(), computing.end());
  const auto [least_waiting, most_waiting] = std::minmax_element(waiting.begin(), waiting.end());
  std::ostringstream line;
  line << std::fixed << std::setprecision(2) << "coordinator: " << context.size() << " rank"
       << (context.size() == 1 ? "" : "s") << ", " << *fewest << "-" << *most << " batches, computing "
       << *least_computing << "-" << *most_computing << " s, waiting " << *least_waiting << "-"
       << *most_waiting << " s (most: rank " << (most_waiting - waiting.begin()) << ")";
  return line.str();
}

namespace detail {
namespace {

// Adds the wall time of its scope to `total` (seconds).
class ScopeTimer {
 public:
  explicit ScopeTimer(double& total) : total_(total), start_(std::chrono::steady_clock::now()) {}
  ~ScopeTimer() {
    total_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  ScopeTimer(const ScopeTimer&) = delete;
  ScopeTimer& operator=(const ScopeTimer&) = delete;

 private:
  double& total_;
  std::chrono::steady_clock::time_point start_;
};

// Message tags on the coordinator's private communicator.
constexpr int kAssignTag = 1;   // rank 0 -> worker: a schedule index (int64), -1 = no more work
constexpr int kReportTag = 2;   // worker -> rank 0: a finished batch (ReportMessage bytes)
constexpr int kFailureTag = 3;  // worker -> rank 0: a failed batch (FailureMessage bytes)
constexpr int kNeverTag = 4;    // nobody sends it: a failed worker waits on it for the abort
constexpr std::int64_t kStop = -1;

struct ReportMessage {
  std::int64_t batch = 0;
  std::vector<std::string> results;  // serialized, one per item (empty when not shipped)
  template <typename Archive>
  void serialize(Archive& archive, const unsigned int /*version*/) {
    archive& batch;
    archive& results;
  }
};

struct FailureMessage {
  std::int64_t batch = 0;
  std::vector<std::int64_t> items;
  std::string message;
  template <typename Archive>
  void serialize(Archive& archive, const unsigned int /*version*/) {
    archive& batch;
    archive& items;
    archive& message;
  }
};

// Runs one batch, turning any exception into a BatchFailure (rank filled in by the caller);
// its wall time is added to `compute_seconds`.
std::optional<BatchFailure> run_batch(const BatchRunner& runner, const Batch& batch, bool serialize,
                                      std::vector<std::string>& bytes, double& compute_seconds) {
  const ScopeTimer timer(compute_seconds);
  BatchFailure failure;
  try {
    bytes = runner(batch, serialize);
    return std::nullopt;
  } catch (const GridPointError& e) {
    failure.items = {e.grid_point()};
    failure.message = e.what();
  } catch (const std::exception& e) {
    failure.items = batch.items;
    failure.message = e.what();
  } catch (...) {
    failure.items = batch.items;
    failure.message = "unknown exception (not derived from std::exception)";
  }
  return failure;
}

// Rank 0's reaction to a failed batch. Never returns with more than one rank.
void report_failure(const Context& context, const CoordinatorOptions& options, const BatchFailure& failure) {
  if (options.on_failure) {
    try {
      options.on_failure(failure);
    } catch (...) {
      if (context.size() == 1) throw;
    }
  } else {
    std::ostream& err = options.error_stream ? *options.error_stream : std::cerr;
    err << format_failure(failure) << std::endl;
    context.abort(1);
  }
  if (context.size() > 1) context.abort(1);  // the workers wait for this
  throw Error(format_failure(failure));
}

void count_done(const CoordinatorOptions& options, const Batch& batch) {
  if (options.progress) options.progress->advance(static_cast<std::int64_t>(batch.items.size()), batch.cost);
}

ByteOutcome run_sequential(const Context& context, const std::vector<Batch>& schedule,
                           const CoordinatorOptions& options, const BatchRunner& runner) {
  ByteOutcome outcome;
  outcome.stats.batch_rank.assign(schedule.size(), 0);
  for (const Batch& batch : schedule) {
    std::vector<std::string> unused;
    if (auto failure = run_batch(runner, batch, false, unused, outcome.stats.compute_seconds)) {
      failure->rank = context.rank();
      report_failure(context, options, *failure);
    }
    outcome.stats.local_batches.push_back(batch.index);
    count_done(options, batch);
  }
  return outcome;
}

int checked_size(const std::string& bytes) {
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw Error("coordinator: a batch's results take " + std::to_string(bytes.size()) +
                " bytes, more than one MPI message carries; use a smaller gp_batch_size");
  }
  return static_cast<int>(bytes.size());
}

// `comm`: the coordinator's private duplicate of `context`.
ByteOutcome run_root(const Context& context, const Context& comm, const std::vector<Batch>& schedule,
                     const CoordinatorOptions& options, int in_flight, const BatchRunner& runner,
                     bool ship_to_root) {
  ByteOutcome outcome;
  const auto n = static_cast<std::int64_t>(schedule.size());
  outcome.stats.batch_rank.assign(schedule.size(), -1);
  std::int64_t next = 0;      // next schedule index to hand out
  std::int64_t finished = 0;  // batches counted done
  std::vector<char> stopped(static_cast<std::size_t>(comm.size()), 0);

  // Gives `worker` the next batch, or tells it once that there is none left.
  auto give = [&](int worker) {
    if (next < n) {
      outcome.stats.batch_rank[next] = worker;
      comm.send(worker, kAssignTag, next);
      ++next;
    } else if (!stopped[worker]) {
      comm.send(worker, kAssignTag, kStop);
      stopped[worker] = 1;
    }
  };

  auto handle = [&](const Context::MessageInfo& status) {
    const std::string bytes = comm.receive_message(status);
    if (status.tag == kFailureTag) {
      FailureMessage message;
      from_bytes(bytes, message);
      report_failure(context, options, BatchFailure{status.source, message.items, message.message});
      return;
    }
    ReportMessage report;
    from_bytes(bytes, report);
    const Batch& batch = schedule.at(static_cast<std::size_t>(report.batch));
    if (ship_to_root) {
      for (std::size_t i = 0; i < batch.items.size() && i < report.results.size(); ++i) {
        outcome.received[batch.items[i]] = std::move(report.results[i]);
      }
    }
    ++finished;
    count_done(options, batch);
    give(status.source);
  };

  auto compute_own = [&](std::int64_t index) {
    const Batch& batch = schedule[static_cast<std::size_t>(index)];
    outcome.stats.batch_rank[index] = 0;
    std::vector<std::string> unused;
    if (auto failure = run_batch(runner, batch, false, unused, outcome.stats.compute_seconds)) {
      failure->rank = 0;
      report_failure(context, options, *failure);
    }
    outcome.stats.local_batches.push_back(index);
    ++finished;
    count_done(options, batch);
  };

  // Rank 0 keeps the first (largest) batch; every worker gets up to in_flight at once,
  // round-robin, so the first round starts the largest batches everywhere.
  const std::int64_t own_first = next < n ? next++ : kStop;
  for (int slot = 0; slot < in_flight; ++slot) {
    for (int worker = 1; worker < comm.size(); ++worker) give(worker);
  }
  if (own_first != kStop) compute_own(own_first);

  while (finished < n) {
    while (const std::optional<Context::MessageInfo> status =
               comm.iprobe(Context::kAnySource, Context::kAnyTag)) {
      handle(*status);
    }
    if (next < n) {
      compute_own(next++);
    } else if (finished < n) {
      handle([&] {
        const ScopeTimer timer(outcome.stats.wait_seconds);
        return comm.probe(Context::kAnySource, Context::kAnyTag);
      }());
    }
  }
  return outcome;
}

ByteOutcome run_worker(const Context& context, const Context& comm, const std::vector<Batch>& schedule,
                       const BatchRunner& runner, bool ship_to_root) {
  ByteOutcome outcome;
  std::deque<std::int64_t> queue;
  PendingSend sending;  // owns the bytes of the report in flight

  auto receive_assignment = [&]() { queue.push_back(comm.receive<std::int64_t>(0, kAssignTag)); };
  auto wait_for_send = [&]() {
    const ScopeTimer timer(outcome.stats.wait_seconds);
    sending.wait();
  };

  while (true) {
    if (queue.empty()) {
      const ScopeTimer timer(outcome.stats.wait_seconds);
      receive_assignment();
    }
    while (comm.iprobe(0, kAssignTag)) receive_assignment();
    const std::int64_t index = queue.front();
    queue.pop_front();
    if (index == kStop) break;
    const Batch& batch = schedule.at(static_cast<std::size_t>(index));

    std::vector<std::string> bytes;
    if (auto failure = run_batch(runner, batch, ship_to_root, bytes, outcome.stats.compute_seconds)) {
      FailureMessage message{index, failure->items, failure->message};
      const std::string encoded = to_bytes(message);
      comm.send_bytes(0, kFailureTag, encoded.data(), static_cast<std::size_t>(checked_size(encoded)));
      // Rank 0 prints the message and aborts the job; wait for it here so this rank
      // neither prints a second message nor exits while the others still run.
      comm.receive<std::int64_t>(0, kNeverTag);
      context.abort(1);
    }
    outcome.stats.local_batches.push_back(index);

    ReportMessage report{index, std::move(bytes)};
    wait_for_send();
    std::string encoded = to_bytes(report);
    checked_size(encoded);
    sending = comm.isend_bytes(0, kReportTag, std::move(encoded));
  }
  wait_for_send();
  return outcome;
}

}  // namespace

void agree_on_inputs(const Context& context, std::vector<WorkItem>& items, std::int64_t& gp_batch_size,
                     int& assignments_in_flight) {
  if (context.size() == 1) return;
  context.broadcast(items);
  context.broadcast(gp_batch_size);
  context.broadcast(assignments_in_flight);
}

ByteOutcome run_schedule(const Context& context, const std::vector<Batch>& schedule,
                         const CoordinatorOptions& options, int assignments_in_flight,
                         const BatchRunner& runner, bool ship_to_root) {
  if (context.size() == 1) return run_sequential(context, schedule, options, runner);
  // A private duplicate: coordinator messages never match anybody else's receives.
  const Context comm = context.duplicate();
  const int in_flight = std::max(1, assignments_in_flight);
  if (comm.rank() == 0) return run_root(context, comm, schedule, options, in_flight, runner, ship_to_root);
  return run_worker(context, comm, schedule, runner, ship_to_root);
}

}  // namespace detail
}  // namespace ph3mpi::parallel
