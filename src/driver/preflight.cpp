#include "ph3mpi/driver/preflight.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <ostream>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/grid/grid_error.hpp"
#include "ph3mpi/grid/grid_matrix.hpp"
#include "ph3mpi/grid/ir_grid_points.hpp"
#include "ph3mpi/io/safe_files.hpp"
#include "ph3mpi/parallel/error_handling.hpp"
#include "ph3mpi/parallel/node_resources.hpp"

namespace ph3mpi::driver {
namespace {

using config::Mode;

std::string mesh_text(const std::array<std::int64_t, 3>& m) {
  return "[" + std::to_string(m[0]) + ", " + std::to_string(m[1]) + ", " + std::to_string(m[2]) + "]";
}

double product(const std::array<std::int64_t, 3>& m) {
  return static_cast<double>(m[0]) * static_cast<double>(m[1]) * static_cast<double>(m[2]);
}

// Reduced triplets of the largest grid point: pairs (q1, q2) with q1 + q2 = -q up to the
// swap q1 <-> q2 (time reversal), about N / 2; N without symmetry.
double max_triplets(const Inputs& inputs, double n) {
  return inputs.settings.is_symmetry ? std::ceil(n / 2) + 1 : n;
}

// Lower bounds from the mesh alone: N_bz >= N, N_ir >= N / |G| (G the point group on the
// grid with time reversal).
GridCounts counts_from_mesh(const Inputs& inputs, const std::array<std::int64_t, 3>& mesh) {
  GridCounts c;
  c.num_grid_points = product(mesh);
  c.num_bz_points = c.num_grid_points;
  const config::Settings& s = inputs.settings;
  double order = 1;
  if (s.is_symmetry && s.is_mesh_symmetry) {
    order =
        static_cast<double>(std::max<std::size_t>(1, inputs.primitive_symmetry.reciprocal_operations.size()));
  }
  c.num_ir_points = s.is_kappa_star ? std::ceil(c.num_grid_points / order) : c.num_grid_points;
  c.max_triplets = max_triplets(inputs, c.num_grid_points);
  c.exact = false;
  return c;
}

GridCounts counts_from_grid(const Inputs& inputs) {
  const grid::BZGrid bz_grid = make_bz_grid(inputs);
  const grid::IrGridPoints ir = grid::get_ir_grid_points(bz_grid);
  GridCounts c;
  c.num_grid_points = static_cast<double>(bz_grid.num_gr_points());
  c.num_bz_points = static_cast<double>(bz_grid.num_bz_points());
  // Without kappa star every grid point is computed (and is a block of the collision matrix).
  c.num_ir_points =
      static_cast<double>(inputs.settings.is_kappa_star ? ir.ir_grid_points.size() : ir.ir_grid_map.size());
  c.max_triplets = max_triplets(inputs, c.num_grid_points);
  c.exact = true;
  c.interaction = interaction_counts(inputs, bz_grid, c.max_triplets);
  return c;
}

}  // namespace

int max_openmp_threads(int logical_cpus) { return std::max(64, 16 * std::max(1, logical_cpus)); }

void check_thread_count(int threads, const char* env_value, int logical_cpus) {
  const int limit = max_openmp_threads(logical_cpus);
  if (threads <= limit) return;
  const std::string given = env_value != nullptr ? std::string(env_value) : std::to_string(threads);
  throw SettingsError("OMP_NUM_THREADS=" + given + " asks for " + std::to_string(threads) +
                      " OpenMP threads per rank, more than " + std::to_string(limit) + " (16 x the " +
                      std::to_string(logical_cpus) +
                      " logical CPUs this process may run on, at least 64); set OMP_NUM_THREADS to the cores "
                      "each rank should use (e.g. " +
                      std::to_string(std::max(1, logical_cpus)) + ")");
}

std::array<std::int64_t, 3> resolved_mesh_numbers(const Inputs& inputs) {
  const config::Settings& s = inputs.settings;
  if (!s.mesh)
    throw config::settings_error(s, "mesh",
                                 "mode '" + std::string(config::to_string(s.mode)) + "' needs a mesh");
  if (s.mesh->numbers && !s.use_grg) return *s.mesh->numbers;
  grid::MeshSpec spec = s.mesh->numbers
                            ? grid::MeshSpec::from_numbers(grid::Vector3l(
                                  (*s.mesh->numbers)[0], (*s.mesh->numbers)[1], (*s.mesh->numbers)[2]))
                            : grid::MeshSpec::from_length(*s.mesh->length);
  const grid::GridSymmetry symmetry = grid_symmetry(inputs);
  grid::GridMatrix gm;
  try {
    gm = grid::make_grid_matrix(spec, inputs.primitive.lattice, symmetry, s.use_grg);
  } catch (const grid::GridSymmetryError&) {
    if (spec.kind != grid::MeshSpec::Kind::kLength) throw;
    gm = grid::make_grid_matrix(spec, inputs.primitive.lattice, symmetry, true);  // as make_phono3py_bz_grid
  }
  return {gm.D_diag(0), gm.D_diag(1), gm.D_diag(2)};
}

void check_mesh_numbers(const Inputs& inputs, const std::array<std::int64_t, 3>& mesh) {
  const config::Settings& s = inputs.settings;
  std::string given = "the grid ";
  if (s.mesh && s.mesh->length) {
    char length[32];
    std::snprintf(length, sizeof length, "%g", *s.mesh->length);
    given = "mesh length " + std::string(length) + " Angstrom gives the grid ";
  }
  for (int i = 0; i < 3; ++i) {
    if (mesh[static_cast<std::size_t>(i)] > kMaxMeshNumber) {
      throw config::settings_error(s, "mesh",
                                   given + mesh_text(mesh) + ": entry " + std::to_string(i) + " exceeds " +
                                       std::to_string(kMaxMeshNumber));
    }
  }
  if (product(mesh) > kMaxGridPoints) {
    throw config::settings_error(s, "mesh",
                                 given + mesh_text(mesh) + " with " + std::to_string(product(mesh)) +
                                     " grid points, more than the bound of 1e10");
  }
  if ((s.mode == Mode::kRta || s.mode == Mode::kLbte) && product(mesh) == 1) {
    throw config::settings_error(
        s, "mesh",
        given + mesh_text(mesh) +
            ", the Gamma point only: no three-phonon process conserves energy and momentum there, so the "
            "phonon lifetimes and kappa are infinite (phono3py 4.4 writes kappa = inf); use a mesh of at "
            "least "
            "2 points");
  }
}

RunSizeCheck check_run_size(const Inputs& inputs, const parallel::Context& context, bool enforce) {
  RunSizeCheck result;
  const config::Settings& s = inputs.settings;
  // Node figures (collective calls outside the checks): the most crowded node and the
  // smallest memory decide.
  const int on_node = context.max(parallel::ranks_on_this_node(context));
  parallel::NodeMemory memory = parallel::node_memory();
  const std::int64_t smallest = context.min(static_cast<std::int64_t>(memory.bytes));
  memory.bytes = static_cast<std::uint64_t>(std::max<std::int64_t>(0, smallest));
  result.ranks_on_node = on_node;
  result.budget = memory_budget(memory, on_node, s.memory_per_rank);
  if (!s.mesh) return result;  // phonons without a mesh: nothing grid-sized

  // Everything below is decided on rank 0 (identical inputs everywhere) and broadcast.
  const int threads = omp_get_max_threads();
  std::int64_t fits = 1, grid_fits = 1;
  parallel::collective_check(context, [&] {
    if (!context.is_root()) return;
    const std::array<std::int64_t, 3> mesh = resolved_mesh_numbers(inputs);
    check_mesh_numbers(inputs, mesh);
    // From the mesh alone first; the grid is built for the exact counts only when building
    // it (its arrays and their construction buffers, about twice the model's "BZ grid")
    // certainly fits.
    GridCounts counts = counts_from_mesh(inputs, mesh);
    MemoryModel model = model_memory(memory_sizes(inputs, counts, context.size(), threads));
    const double grid_bytes = 2 * (32 * counts.num_bz_points + 40 * counts.num_grid_points);
    grid_fits = result.budget.bytes <= 0 || grid_bytes <= result.budget.bytes ? 1 : 0;
    if (grid_fits != 0) {
      counts = counts_from_grid(inputs);
      result.interaction = counts.interaction;
      model = model_memory(memory_sizes(inputs, counts, context.size(), threads));
    }
    fits = result.budget.bytes <= 0 || model.worst_rank_bytes(on_node) <= result.budget.bytes ? 1 : 0;
    model.title += counts.exact ? " (counts of the built grid)"
                                : " (lower bounds from the mesh alone: the grid was not built)";
    result.model = std::move(model);
    if (enforce) check_memory(*result.model, result.budget, on_node, s);
  });
  context.broadcast(fits);
  context.broadcast(grid_fits);
  result.fits = fits != 0;
  result.grid_fits = grid_fits != 0;
  return result;
}

OutputDirHold hold_output_dir(const config::Settings& settings, const parallel::Context& context,
                              std::ostream& notes, const RunPart& part) {
  io::OutputDirLock lock;
  parallel::collective_check(context, [&] {
    if (!context.is_root()) return;
    const io::LockOptions options = io::LockOptions::from_environment();
    lock = part.active()
               ? io::OutputDirLock::acquire_part(settings.output_dir, part.part, part.num_parts, options)
               : io::OutputDirLock::acquire(settings.output_dir, options);
    for (const std::string& note : lock.notes()) notes << "ph3mpi: note: " << note << "\n";
    // Temporary folders of killed runs go. A job-array part shares the folder with live
    // parts, possibly on other hosts, whose staging folders may stay untouched for longer
    // than the stale bound (one long grid point): it removes only folders of processes
    // gone from this host, and leaves the others to the plain run, which holds the folder
    // alone.
    const double foreign_stale =
        part.active() ? std::numeric_limits<double>::infinity() : options.foreign_stale_seconds;
    for (const std::filesystem::path& dir : {settings.output_dir, settings.output_dir / "checkpoint"}) {
      for (const std::string& note : io::remove_stale_private_directories(dir, foreign_stale))
        notes << "ph3mpi: note: " << note << "\n";
    }
    notes.flush();
  });
  return OutputDirHold(std::move(lock));
}

}  // namespace ph3mpi::driver
