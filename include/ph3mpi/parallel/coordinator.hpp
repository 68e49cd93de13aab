// The grid-point coordinator: rank 0 hands out work items (irreducible grid points
// with a cost estimate) largest cost first, in batches of gp_batch_size, to the ranks
// that ask; EVERY rank computes, rank 0 included.
//
// MPI_THREAD_FUNNELED allows no coordinator thread, so rank 0 interleaves: it computes
// one batch of its own, then answers every request that arrived meanwhile
// (non-blocking probe), and so on; once the schedule is handed out it only waits for
// the last reports. Each worker holds up to `assignments_in_flight` batches (the one it
// computes plus queued ones), so it rarely waits for rank 0 to finish a batch. With one
// rank (or the serial backend) the loop is plain sequential and makes no MPI call.
//
// Determinism: the schedule (which batches exist, and their order) depends only on the
// items and gp_batch_size, both taken from rank 0; only the rank that computes a batch
// is dynamic. Results are returned keyed (and therefore ordered) by item id, so sums
// taken in map order are bit-identical whatever the rank count.
//
// Durability: the computing rank calls on_done (e.g. the checkpoint write) before it
// reports the batch, so rank 0 counts a batch done only once its results are durable.
//
// Failure: an exception while computing (or in on_done) on any rank makes rank 0 print
//   ph3mpi: error (rank R, grid point G): <what()>
// once and end the whole job with exit code 1 (MPI_Abort); the failed worker waits for
// that abort instead of printing anything itself, so nothing hangs and one line appears.
#pragma once

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/parallel/context.hpp"
#include "ph3mpi/parallel/progress.hpp"
#include "ph3mpi/parallel/serialization.hpp"

namespace ph3mpi::parallel {

// One unit of work: `id` is the grid point (results are keyed and ordered by it),
// `cost` an estimate of its run time in any unit (triplets x bands^3 is a fair proxy).
struct WorkItem {
  std::int64_t id = 0;
  double cost = 0.0;
};

// What one assignment hands out.
struct Batch {
  std::int64_t index = 0;           // position in the schedule = hand-out order
  std::vector<std::int64_t> items;  // item ids, largest cost first
  double cost = 0.0;                // summed cost of the items
};

// Items per assignment for a resolved gp_batch_size (config::resolve_gp_batch_size):
// <= 0 means one item per assignment.
std::int64_t items_per_batch(std::int64_t gp_batch_size);

// The deterministic schedule: items sorted by cost, largest first (equal costs by id,
// ascending), cut into consecutive batches of items_per_batch(gp_batch_size).
// Throws ph3mpi::Error for duplicate ids or a negative or non-finite cost.
std::vector<Batch> make_schedule(std::vector<WorkItem> items, std::int64_t gp_batch_size);

// A compute function may throw this to name the grid point of a batch that failed;
// any other exception is attributed to all items of the batch.
class GridPointError : public Error {
 public:
  GridPointError(std::int64_t grid_point, const std::string& message)
      : Error(message), grid_point_(grid_point) {}
  std::int64_t grid_point() const noexcept { return grid_point_; }

 private:
  std::int64_t grid_point_;
};

// A failed batch, as rank 0 learns it.
struct BatchFailure {
  int rank = 0;                     // the rank that computed it
  std::vector<std::int64_t> items;  // the grid point named by GridPointError, else the batch's items
  std::string message;              // what() of the exception
};

// "ph3mpi: error (rank 1, grid point 17): <message>" ("grid points 3, 5" for several).
std::string format_failure(const BatchFailure& failure);

// Where the results end up.
enum class Delivery {
  kToRoot,     // rank 0 gets every result; the other ranks get an empty map
  kToAll,      // every rank gets every result (rank 0 broadcasts them at the end)
  kKeepLocal,  // each rank keeps what it computed; nothing is sent (e.g. results already in the checkpoint)
};

struct CoordinatorOptions {
  // Resolved gp_batch_size; rank 0's value is used on every rank.
  std::int64_t gp_batch_size = 0;
  // Batches a worker rank holds at once (computing + queued), >= 1; rank 0's value is used.
  int assignments_in_flight = 2;
  Delivery delivery = Delivery::kToRoot;
  // Rank 0 only (ignored elsewhere): advanced by each batch counted done.
  ProgressReporter* progress = nullptr;
  // Where the default failure handler prints (nullptr: std::cerr).
  std::ostream* error_stream = nullptr;
  // Called on rank 0 for a failed batch. Default: print format_failure() to
  // error_stream, then context.abort(1). With more than one rank the job is aborted
  // after it anyway (workers are waiting); with one rank, if it returns, the
  // coordinator throws ph3mpi::Error(format_failure(...)) (tests use that).
  std::function<void(const BatchFailure&)> on_failure;
};

struct CoordinatorStats {
  std::vector<int> batch_rank;              // rank 0: the rank that computed schedule[i]; empty elsewhere
  std::vector<std::int64_t> local_batches;  // schedule indices this rank computed, in the order it did
  // This rank's wall time (seconds) inside compute + on_done, and blocked in the
  // coordinator: a worker waiting for an assignment or for its last report to leave,
  // rank 0 waiting for reports once the schedule is handed out. A worker that waits
  // long while rank 0 computes is starved (see docs/performance.md).
  double compute_seconds = 0.0;
  double wait_seconds = 0.0;
};

// Collective. One line on rank 0 (empty elsewhere) on how evenly the ranks were used:
// "coordinator: 2 ranks, 108-112 batches, computing 4.50-4.55 s, waiting 0.01-0.05 s
// (most: rank 1)" - computing and waiting are min-max over the ranks (stats of each).
std::string balance_summary(const Context& context, const CoordinatorStats& stats);

template <typename Result>
struct CoordinatorRun {
  std::map<std::int64_t, Result> results;  // keyed by item id; which ranks hold what: see Delivery
  std::vector<Batch> schedule;             // identical on every rank
  CoordinatorStats stats;
};

// One result per item of the batch, in the batch's item order.
template <typename Result>
using ComputeBatch = std::function<std::vector<Result>(const Batch& batch)>;
// Called on the computing rank with the batch's results before the batch is reported
// (make them durable here). May be empty.
template <typename Result>
using OnBatchDone = std::function<void(const Batch& batch, const std::vector<Result>& results)>;

// Distributes `items` over the ranks of `context` and returns the results. Collective:
// every rank calls it (the items and options of rank 0 count). Result must be
// default-constructible and Boost-serializable (see parallel/serialization.hpp for
// NdArray and NamedArrays).
template <typename Result>
CoordinatorRun<Result> run_coordinated(const Context& context, std::vector<WorkItem> items,
                                       const CoordinatorOptions& options, const ComputeBatch<Result>& compute,
                                       const OnBatchDone<Result>& on_done = {});

// ------------------------------------------------------------------ implementation
namespace detail {

// Computes one batch (compute + on_done) and keeps its results on this rank; returns
// them serialized, one string per item, when `serialize` is true (for rank 0).
using BatchRunner = std::function<std::vector<std::string>(const Batch& batch, bool serialize)>;

struct ByteOutcome {
  std::map<std::int64_t, std::string> received;  // rank 0: serialized results from other ranks
  CoordinatorStats stats;
};

// The coordination loop over the byte-level runner (serial or MPI).
ByteOutcome run_schedule(const Context& context, const std::vector<Batch>& schedule,
                         const CoordinatorOptions& options, int assignments_in_flight,
                         const BatchRunner& runner, bool ship_to_root);

// Rank 0's items, batch size and in-flight count on every rank.
void agree_on_inputs(const Context& context, std::vector<WorkItem>& items, std::int64_t& gp_batch_size,
                     int& assignments_in_flight);

template <typename T>
std::string to_bytes(const T& value) {
  std::ostringstream stream(std::ios::binary);
  {
    boost::archive::binary_oarchive archive(stream, boost::archive::no_header);
    archive << value;
  }
  return stream.str();
}

template <typename T>
void from_bytes(const std::string& bytes, T& value) {
  std::istringstream stream(bytes, std::ios::binary);
  boost::archive::binary_iarchive archive(stream, boost::archive::no_header);
  archive >> value;
}

}  // namespace detail

template <typename Result>
CoordinatorRun<Result> run_coordinated(const Context& context, std::vector<WorkItem> items,
                                       const CoordinatorOptions& options, const ComputeBatch<Result>& compute,
                                       const OnBatchDone<Result>& on_done) {
  std::int64_t gp_batch_size = options.gp_batch_size;
  int in_flight = options.assignments_in_flight;
  detail::agree_on_inputs(context, items, gp_batch_size, in_flight);

  CoordinatorRun<Result> run;
  run.schedule = make_schedule(std::move(items), gp_batch_size);

  const detail::BatchRunner runner = [&](const Batch& batch, bool serialize) {
    std::vector<Result> results = compute(batch);
    if (results.size() != batch.items.size()) {
      throw Error("coordinator: the compute function returned " + std::to_string(results.size()) +
                  " results for a batch of " + std::to_string(batch.items.size()) + " grid points");
    }
    if (on_done) on_done(batch, results);
    std::vector<std::string> bytes;
    if (serialize) {
      bytes.reserve(results.size());
      for (const Result& r : results) bytes.push_back(detail::to_bytes(r));
    }
    const bool keep = options.delivery != Delivery::kToRoot || context.is_root();
    if (keep) {
      for (std::size_t i = 0; i < results.size(); ++i) run.results[batch.items[i]] = std::move(results[i]);
    }
    return bytes;
  };

  const bool ship = options.delivery != Delivery::kKeepLocal;
  detail::ByteOutcome outcome = detail::run_schedule(context, run.schedule, options, in_flight, runner, ship);
  run.stats = std::move(outcome.stats);
  for (const auto& [id, bytes] : outcome.received) detail::from_bytes(bytes, run.results[id]);

  if (options.delivery == Delivery::kToAll && context.size() > 1) {
    std::string all = context.is_root() ? detail::to_bytes(run.results) : std::string();
    context.broadcast(all);
    if (!context.is_root()) {
      run.results.clear();
      detail::from_bytes(all, run.results);
    }
  }
  return run;
}

}  // namespace ph3mpi::parallel
