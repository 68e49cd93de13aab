// What modes rta and lbte share before their solver (design brief section 3): checking the
// settings, the BZ grid and the irreducible grid points with their cost, the phonons on the
// BZ grid, the checkpoint (resumed, or refused when it holds other settings) and the
// coordinator over the grid points still to compute. The modes differ in what a grid
// point computes (driver/grid_point_gamma, driver/grid_point_collision) and in the solver
// that turns the stored results into kappa (solvers/).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ph3mpi/common/trace.hpp"
#include "ph3mpi/driver/bz_phonons.hpp"
#include "ph3mpi/driver/grid_point_service.hpp"
#include "ph3mpi/driver/modes.hpp"
#include "ph3mpi/driver/scattering_plan.hpp"
#include "ph3mpi/grid/ir_grid_points.hpp"
#include "ph3mpi/io/checkpoint.hpp"
#include "ph3mpi/phonon/group_velocity.hpp"
#include "ph3mpi/solvers/conductivity_problem.hpp"

namespace ph3mpi::driver {

class ScatteringStage {
 public:
  // Collective: `check_settings` (the mode's own checks), the BZ grid, the irreducible grid
  // points, mass variances and batch size in one collective phase; then the phonons (a bad
  // read_phonon file is refused before anything is written) and the checkpoint of
  // `checkpoint_stage` (a name that keeps rta and lbte shards apart).
  ScatteringStage(const ModeArguments& args, const std::function<void()>& check_settings,
                  const std::string& checkpoint_stage);

  const grid::BZGrid& bz_grid() const noexcept { return bz_grid_; }
  const ScatteringPlan& plan() const noexcept { return plan_; }
  const std::vector<double>& mass_variances() const noexcept { return mass_variances_; }
  std::int64_t gp_batch_size() const noexcept { return gp_batch_size_; }
  const phonon::DynamicalMatrix& dynamical_matrix() const noexcept { return *dm_; }
  const BZPhonons& phonons() const noexcept { return *phonons_; }
  const io::Checkpoint& checkpoint() const noexcept { return *checkpoint_; }
  const PendingWork& work() const noexcept { return work_; }
  const common::TraceSink& trace() const noexcept { return trace_; }

  // The common lines of the run log's settings block: ranks and threads, mesh, bands,
  // temperatures, checkpoint state, phonon source (mode-specific lines come between).
  std::string settings_lines() const;
  std::string checkpoint_lines() const;

  // Collective: every pending grid point through the coordinator; compute(gp, batch) runs on
  // the rank that got it and its result is durable in the checkpoint before it counts.
  // Returns the seconds it took.
  double compute(const std::function<NamedArrays(std::int64_t, std::int64_t)>& compute) const;

  // The solvers' view of this run (group velocities through `group_velocity`, which must
  // outlive the result).
  solvers::ConductivityProblem conductivity_problem(const phonon::GroupVelocity& group_velocity) const;
  // phonopy's GroupVelocity of this run's D(q) with site symmetry, as phono3py uses it.
  std::unique_ptr<phonon::GroupVelocity> make_group_velocity() const;

 private:
  const ModeArguments& args_;
  grid::BZGrid bz_grid_;
  grid::IrGridPoints ir_;
  ScatteringPlan plan_;
  std::vector<double> mass_variances_;
  std::int64_t gp_batch_size_ = 0;
  std::unique_ptr<phonon::DynamicalMatrix> dm_;
  std::unique_ptr<BZPhonons> phonons_;
  std::unique_ptr<io::Checkpoint> checkpoint_;
  PendingWork work_;
  std::string phonon_file_;  // written with write_phonon
  common::TraceSink trace_;
};

// Seconds since `start`.
double seconds_since(std::chrono::steady_clock::time_point start);

}  // namespace ph3mpi::driver
