#include "ph3mpi/driver/grid_point_service.hpp"

#include <set>

#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/parallel/error_handling.hpp"
#include "ph3mpi/parallel/progress.hpp"

namespace ph3mpi::driver {

PendingWork resume_checkpoint(const parallel::Context& context, const std::filesystem::path& output_dir,
                              bool restart, io::StageKind kind, const ScatteringPlan& plan,
                              const std::vector<std::size_t>& candidates,
                              const io::Fingerprint& fingerprint) {
  PendingWork work;
  parallel::collective_check(context, [&] {
    if (context.is_root()) work.status = io::Checkpoint::prepare(output_dir, fingerprint, restart, kind);
  });
  std::vector<std::int64_t> done = work.status.done;
  context.broadcast(done);
  const std::set<std::int64_t> done_set(done.begin(), done.end());
  for (const std::size_t i : candidates) {
    if (done_set.count(plan.grid_points[i]) != 0) {
      ++work.restored;
      continue;
    }
    work.items.push_back({plan.grid_points[i], plan.costs[i]});
    work.cost_to_compute += plan.costs[i];
  }
  return work;
}

void compute_pending_grid_points(
    const parallel::Context& context, const PendingWork& work, std::int64_t num_grid_points,
    std::int64_t gp_batch_size, const io::Checkpoint& checkpoint, std::ostream& progress_out,
    bool report_balance, const std::function<NamedArrays(std::int64_t gp, std::int64_t batch)>& compute) {
  parallel::ProgressReporter progress(progress_out, num_grid_points, work.restored, work.cost_to_compute,
                                      10.0);
  parallel::CoordinatorOptions options;
  options.gp_batch_size = gp_batch_size;
  options.delivery = parallel::Delivery::kKeepLocal;  // the checkpoint holds the results
  options.progress = context.is_root() ? &progress : nullptr;
  const parallel::CoordinatorRun<NamedArrays> run = parallel::run_coordinated<NamedArrays>(
      context, work.items, options,
      [&](const parallel::Batch& batch) {
        std::vector<NamedArrays> results;
        for (const std::int64_t gp : batch.items) {
          try {
            results.push_back(compute(gp, batch.index));
          } catch (const parallel::GridPointError&) {
            throw;
          } catch (const std::exception& e) {
            throw parallel::GridPointError(gp, e.what());
          }
        }
        return results;
      },
      [&](const parallel::Batch& batch, const std::vector<NamedArrays>& results) {
        checkpoint.write(batch.items, results);
      });
  // A worker leaves the coordinator as soon as it has no more work, possibly while
  // another still writes its last shards; rank 0 leaves only once every batch is
  // reported (durable). The barrier makes every shard visible before anyone reads.
  context.barrier();
  if (context.is_root()) progress.finish();
  if (report_balance) {
    const std::string balance = parallel::balance_summary(context, run.stats);
    if (context.is_root()) progress_out << "  " << balance << "\n";
  }
}

}  // namespace ph3mpi::driver
