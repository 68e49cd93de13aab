// What the driver checks before a mode computes anything, and holds while it runs (issue 16):
//
//  1. check_thread_count: an absurd OpenMP thread count (OMP_NUM_THREADS=100000) is refused
//     before the first parallel region (libgomp would crash creating the threads);
//  2. check_run_size: the mesh as the run resolves it (a length gives numbers only with
//     the cell) within bounds, not a single point for rta/lbte, and the memory model of
//     the mode (driver/memory_model.hpp) within what a rank can have;
//  3. hold_output_dir: rank 0 takes the output folder's lock (io/output_lock.hpp) for the
//     run and removes temporary folders killed runs left (io/safe_files.hpp).
// All three are collective phases: a refusal on any rank is one message on every rank.
#pragma once

#include <array>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>

#include "ph3mpi/driver/inputs.hpp"
#include "ph3mpi/driver/memory_model.hpp"
#include "ph3mpi/driver/modes.hpp"
#include "ph3mpi/io/output_lock.hpp"
#include "ph3mpi/parallel/context.hpp"

namespace ph3mpi::driver {

// Most OpenMP threads a rank may ask for: 16 x the logical CPUs it may run on, at least 64.
int max_openmp_threads(int logical_cpus);
// Throws SettingsError naming OMP_NUM_THREADS when `threads` (omp_get_max_threads()) exceeds
// max_openmp_threads(logical_cpus). `env_value` is OMP_NUM_THREADS as given (for the message).
void check_thread_count(int threads, const char* env_value, int logical_cpus);

// Bounds of a mesh (also for one given as a length or through use_grg).
inline constexpr std::int64_t kMaxMeshNumber = 100000;  // each of D_diag
inline constexpr double kMaxGridPoints = 1e10;          // prod(D_diag)

// D_diag of the run's grid without building it (phonopy's GridMatrix, as make_bz_grid).
std::array<std::int64_t, 3> resolved_mesh_numbers(const Inputs& inputs);

// Throws ConfigError (key mesh) when a resolved entry exceeds kMaxMeshNumber or the product
// kMaxGridPoints, or when mode rta or lbte samples the Gamma point only (phono3py 4.4 gives
// kappa = inf there: no three-phonon process conserves energy and momentum on that grid).
void check_mesh_numbers(const Inputs& inputs, const std::array<std::int64_t, 3>& mesh);

struct RunSizeCheck {
  std::optional<MemoryModel> model;  // unset for a mode without a mesh
  MemoryBudget budget;
  int ranks_on_node = 1;
  bool fits = true;       // the model fits the budget
  bool grid_fits = true;  // the BZ grid itself may be built (it was, for the exact counts)
  // Rank 0's sizing of the real -> reciprocal work (unknown elsewhere).
  InteractionCounts interaction;
};

// Collective. The mesh checks, then the memory model: first from the mesh alone (lower
// bounds; the BZ grid is not built when even that does not fit), then, on rank 0, with
// the grid's exact counts. With `enforce` a model that does not fit is a collective
// ConfigError; without (--dry-run) it is only reported in the result.
RunSizeCheck check_run_size(const Inputs& inputs, const parallel::Context& context, bool enforce);

// The output folder held for the run: rank 0 holds the lock, the other ranks nothing.
class OutputDirHold {
 public:
  OutputDirHold() = default;
  explicit OutputDirHold(io::OutputDirLock lock) : lock_(std::move(lock)) {}

 private:
  io::OutputDirLock lock_;
};

// Collective. Rank 0 takes settings.output_dir's lock (OutputDirInUse -> one error on every
// rank): the folder's lock for a plain run, the part lock of `part` for a job-array part
// (io::OutputDirLock::acquire_part: parts of one split share the folder); writes a note per
// stale lock taken over and per leftover temporary folder removed (to `notes`, rank 0
// only), and the hold releases the lock when it goes.
OutputDirHold hold_output_dir(const config::Settings& settings, const parallel::Context& context,
                              std::ostream& notes, const RunPart& part = {});

}  // namespace ph3mpi::driver
