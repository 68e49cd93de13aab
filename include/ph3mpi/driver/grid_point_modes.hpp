// What the grid-point modes (ise, rse, jdos, isotope) share around their per-grid-point
// kernels, written once:
//
//  1. validate + harmonic step (GridPointModeRun's constructor, collective): the BZ grid,
//     the grid-point checks and the mode's own checks in one collective phase (a bad
//     setting or input file ends every rank with one message before anything is solved
//     or written), gp_batch_size, the dynamical matrix and the phonons on every BZ point
//     (BZPhonons: eigenvectors once per node; write_phonon honoured), the PH3MPI_TRACE sink;
//  2. plan: one work item per entry of settings.grid_points, its id the position in that
//     list (a grid point may be listed twice), its cost an estimate of its run time;
//  3. compute (collective): the coordinator hands the items out over ALL ranks, largest
//     cost first, gp_batch_size per hand-out; the rank that gets one computes it (and
//     writes its per-grid-point files, e.g. pp or gamma_detail); the results travel to
//     rank 0 bit for bit and come back there in the configured order;
//  4. the mode stacks them into its arrays (stack_grid_points) and rank 0 writes the file
//     through its io writer (io/grid_point_files.hpp).
// The numbers of a grid point do not depend on which rank computed it, so the output is
// bit-identical at any rank count and any gp_batch_size.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ph3mpi/common/named_arrays.hpp"
#include "ph3mpi/common/trace.hpp"
#include "ph3mpi/driver/bz_phonons.hpp"
#include "ph3mpi/driver/modes.hpp"
#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/interaction/triplets.hpp"
#include "ph3mpi/parallel/coordinator.hpp"
#include "ph3mpi/phonon/dynamical_matrix.hpp"

namespace ph3mpi::driver {

// One grid point as the coordinator hands it to a mode.
struct GridPointTask {
  std::size_t index = 0;        // position in settings.grid_points
  std::int64_t grid_point = 0;  // BZ grid index
  std::int64_t batch = 0;       // the coordinator's batch number (for the trace)
};

// What a mode computes for one grid point: its arrays (the mode's names, without the
// grid-point axis) and the log lines rank 0 prints for it, in the configured order.
struct GridPointResult {
  NamedArrays arrays;
  std::vector<std::string> log_lines;

  // Adds "<what> at grid point <gp> (<n> triplets) done".
  void log_done(const std::string& what, const GridPointTask& task, std::size_t num_triplets) {
    log_lines.push_back(what + " at grid point " + std::to_string(task.grid_point) + " (" +
                        std::to_string(num_triplets) + " triplets) done");
  }

  template <typename Archive>
  void serialize(Archive& archive, const unsigned int /*version*/) {
    archive& arrays;
    archive& log_lines;
  }
};

// Cost of a grid point whose work is a sum over its symmetry-reduced triplets: N / m_q
// (N grid points, m_q the order of the little group of q), as make_scattering_plan; the
// number of reduced triplets grows like it (within a factor ~2: the q1 <-> q2 exchange and
// the fixed points are not counted). Only the order matters (largest first).
double triplets_cost(const grid::BZGrid& bz_grid, std::int64_t grid_point);

// Step 2: the work items of `grid_points`, id = position in the list, cost = cost(gp).
std::vector<parallel::WorkItem> plan_grid_points(const std::vector<std::int64_t>& grid_points,
                                                 const std::function<double(std::int64_t)>& cost);

// settings.band_indices, or every one of num_band bands when not given.
std::vector<std::int64_t> band_indices_or_all(const config::Settings& settings, std::size_t num_band);

// The per-grid-point array `name` of every result stacked along a new axis at position
// `axis` (results[i] of shape s gives (s[0], .., s[axis-1], n, s[axis], ..)), in the
// order of `results`. Throws ph3mpi::Error when a result lacks the array or the shapes
// differ.
NdArray<double> stack_grid_points(const std::vector<NamedArrays>& results, const std::string& name,
                                  std::size_t axis);

class GridPointModeRun {
 public:
  // Step 1 (collective). `mode_checks` runs in the same collective phase as the
  // grid-point checks (check_grid_point_settings), after them and before the phonons.
  GridPointModeRun(const ModeArguments& args, bool needs_temperatures,
                   const std::function<void(const grid::BZGrid&)>& mode_checks = {});

  const grid::BZGrid& bz_grid() const noexcept { return bz_grid_; }
  std::array<std::int64_t, 3> mesh() const;
  const phonon::DynamicalMatrix& dynamical_matrix() const noexcept { return *dm_; }
  const BZPhonons& phonons() const noexcept { return *phonons_; }
  // Collective. phono3py's frequency points (self_energy::get_frequency_points) from the
  // highest phonon frequency on the BZ grid, these widths and the settings' frequency_step
  // / num_frequency_points; empty when `wanted` is false. Too many points (frequency_step)
  // end every rank with one message.
  std::vector<double> frequency_points(const std::vector<std::optional<double>>& widths, bool wanted) const;
  // Whether num_frequency_points or frequency_step is set (frequency-resolved ise / rse).
  bool frequency_resolved() const;
  // band_indices_or_all(settings, bands of the phonons).
  std::vector<std::int64_t> band_indices() const;
  // Frequencies (THz) of `bands` at a grid point, shape (bands).
  NdArray<double> frequencies_at(std::int64_t grid_point, const std::vector<std::int64_t>& bands) const;
  const common::TraceSink& trace_sink() const noexcept { return trace_; }
  // One PH3MPI_TRACE line for a kernel call site of `task`.
  void trace(std::string_view site, const GridPointTask& task) const {
    trace_.trace(site, task.grid_point, task.batch);
  }

  // The symmetry-reduced triplets of the task's grid point (traced as get_triplets_at_q).
  interaction::TripletsAtQ triplets_at(const GridPointTask& task) const;

  using ComputeGridPoint = std::function<GridPointResult(const GridPointTask& task)>;

  // Steps 2 and 3 (collective): every entry of settings.grid_points computed by `compute`
  // on the rank the coordinator gives it; `cost` estimates a grid point's run time (empty:
  // triplets_cost). Rank 0 returns the results in the configured order, after printing
  // their log lines in that order; the other ranks return an empty vector. An exception in
  // `compute` ends the run with one message naming the rank and the grid point
  // (parallel/coordinator.hpp).
  std::vector<NamedArrays> compute(const ComputeGridPoint& compute,
                                   const std::function<double(std::int64_t)>& cost = {}) const;

  // Step 4 (rank 0): write(path) writes the mode's file, path = <output_dir>/<kind>-m<mesh>.hdf5
  // (an io writer), then the log's last line "<summary> in <seconds> s, written to <path>".
  void write_output(const std::string& kind, const std::string& summary,
                    const std::function<void(const std::string& path)>& write) const;

  // Seconds since construction (for the final log line).
  double seconds() const;

 private:
  const ModeArguments& args_;
  std::chrono::steady_clock::time_point start_;
  std::int64_t gp_batch_size_ = 0;  // before bz_grid_: set by the collective phase that makes it
  grid::BZGrid bz_grid_;
  std::unique_ptr<phonon::DynamicalMatrix> dm_;
  std::unique_ptr<BZPhonons> phonons_;
  common::TraceSink trace_;
};

}  // namespace ph3mpi::driver
