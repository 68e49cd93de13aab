// The two phases every conductivity mode (rta, lbte) shares around its per-grid-point
// kernel: resuming the checkpoint (which irreducible grid points are still to do), and
// running those through the coordinator with each result made durable in the checkpoint
// before it counts done. The modes differ only in what a grid point computes and in how
// the stored results become kappa.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include "ph3mpi/common/named_arrays.hpp"
#include "ph3mpi/config/settings.hpp"
#include "ph3mpi/driver/scattering_plan.hpp"
#include "ph3mpi/io/checkpoint.hpp"
#include "ph3mpi/parallel/context.hpp"
#include "ph3mpi/parallel/coordinator.hpp"

namespace ph3mpi::driver {

struct PendingWork {
  io::CheckpointStatus status;            // rank 0's; `done` is broadcast to every rank
  std::vector<parallel::WorkItem> items;  // ir grid points not in the checkpoint, with cost
  std::int64_t restored = 0;              // ir grid points found in the checkpoint
  double cost_to_compute = 0.0;           // summed cost of `items`
};

// Collective. Rank 0 prepares the checkpoint stage of `fingerprint` under output_dir
// (resume, start fresh with restart = false, or refuse one of other settings: a collective
// error); every rank learns which grid points of `plan` at the plan indices `candidates`
// (all of them, or a job-array part's share) are done and which are to compute.
PendingWork resume_checkpoint(const parallel::Context& context, const std::filesystem::path& output_dir,
                              bool restart, io::StageKind kind, const ScatteringPlan& plan,
                              const std::vector<std::size_t>& candidates, const io::Fingerprint& fingerprint);

// Collective. Computes `work.items` over all ranks (coordinator, batches of gp_batch_size,
// largest cost first); compute(gp, batch) runs on the rank that got the grid point and its
// result is written to `checkpoint` before the batch is reported. Progress lines go to
// `progress_out` on rank 0, and with `report_balance` (log_level = "debug") the
// coordinator's balance_summary after them. Returns when every result is durable and
// visible to every rank. An exception in compute names its grid point in the one error
// message.
void compute_pending_grid_points(
    const parallel::Context& context, const PendingWork& work, std::int64_t num_grid_points,
    std::int64_t gp_batch_size, const io::Checkpoint& checkpoint, std::ostream& progress_out,
    bool report_balance, const std::function<NamedArrays(std::int64_t gp, std::int64_t batch)>& compute);

}  // namespace ph3mpi::driver
