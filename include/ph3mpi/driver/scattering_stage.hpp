// What modes rta and lbte share before their solver (design brief section 3): checking the
// settings, the BZ grid and the grid points with their cost, the phonons on the BZ grid,
// the checkpoint (resumed, or refused when it holds other settings) and the coordinator over
// the grid points still to compute. The modes differ in what a grid point computes
// (driver/grid_point_gamma, driver/grid_point_collision) and in the solver that turns the
// stored results into kappa (solvers/).
//
// Stored per grid point, each in a checkpoint stage of its own (io/checkpoint.hpp), so that a
// setting that changes one part reuses the others:
//   ph-ph    the mode's scattering results (Gamma, N/U split, LBTE collision rows); with
//            read_gamma (mode rta) phono3py's per-grid-point gamma files instead
//   isotope  Gamma_iso per integration method (with isotope), computed here
// boundary_mfp enters only the solvers. A job-array part (ph3mpi --part I/N) computes its
// share of the grid points into the same stages and stops there (part_report).
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
#include "ph3mpi/solvers/grid_point_results.hpp"

namespace ph3mpi::driver {

// The interaction-strength options only mode ise honours (use_ave_pp, const_ave_pp,
// write_pp, read_pp, write_gamma_detail), refused by the kappa modes, naming the key.
void refuse_ise_only_settings(const config::Settings& s);

// The checkpoint stage names of a mode (they keep rta and lbte shards apart).
struct StageNames {
  std::string phph;     // "rta-gamma", "lbte-collision-rows[-reducible]"
  std::string isotope;  // "rta-isotope", "lbte-isotope"
  bool phph_depends_on_kappa_star = false;
};

using GridPointFunction = std::function<NamedArrays(std::int64_t gp, std::int64_t batch)>;

class ScatteringStage {
 public:
  // Collective: `check_settings` (the mode's own checks), the BZ grid, the grid points of
  // the plan (irreducible, or all with is_kappa_star = false), mass variances and batch
  // size in one collective phase; then the phonons (a bad read_phonon file is refused
  // before anything is written), the gamma files of read_gamma (every file checked) and the
  // checkpoint stages.
  ScatteringStage(const ModeArguments& args, const std::function<void()>& check_settings,
                  const StageNames& names);
  ~ScatteringStage();

  const grid::BZGrid& bz_grid() const noexcept { return bz_grid_; }
  const ScatteringPlan& plan() const noexcept { return plan_; }
  std::int64_t gp_batch_size() const noexcept { return gp_batch_size_; }
  const phonon::DynamicalMatrix& dynamical_matrix() const noexcept { return *dm_; }
  const BZPhonons& phonons() const noexcept { return *phonons_; }
  const common::TraceSink& trace() const noexcept { return trace_; }
  bool is_part() const noexcept { return args_.part.active(); }

  // The common lines of the run log's settings block: ranks and threads, mesh, bands,
  // temperatures, memory estimate (mode-specific lines come between), then the state of
  // each checkpoint stage and the phonon source.
  std::string settings_lines() const;
  std::string checkpoint_lines() const;

  // Collective: every pending grid point of each stage through the coordinator: `phph` on
  // the rank that got the grid point for the ph-ph stage, the isotope Gamma for the isotope
  // stage; each result is durable in the checkpoint before it counts. Returns the seconds.
  double compute(const GridPointFunction& phph) const;
  // "N grid points computed in S s, M restored" (ph-ph; "Gamma read from gamma files" with
  // read_gamma), and the same for the isotope stage.
  std::string work_summary(double compute_seconds) const;
  // Rank 0 (the others return ""): after compute() of a part, what it did and what is left
  // over all parts: grid points done and pending per stage, from the checkpoint's files.
  std::string part_report(double compute_seconds) const;

  // What the solvers read per grid point: the stages merged (must outlive the solvers' use).
  const solvers::GridPointResults& results() const noexcept { return *results_; }

  // The solvers' view of this run (group velocities through `group_velocity`, which must
  // outlive the result).
  solvers::ConductivityProblem conductivity_problem(const phonon::GroupVelocity& group_velocity) const;
  // phonopy's GroupVelocity of this run's D(q) with site symmetry, as phono3py uses it.
  std::unique_ptr<phonon::GroupVelocity> make_group_velocity() const;

 private:
  struct Stored {
    std::string label;  // "ph-ph", "isotope"
    std::unique_ptr<io::Checkpoint> checkpoint;
    PendingWork work;
  };
  void open_stages(const StageNames& names);

  const ModeArguments& args_;
  grid::BZGrid bz_grid_;
  grid::IrGridPoints ir_;
  ScatteringPlan plan_;
  std::vector<std::size_t> candidates_;  // plan indices this run computes (a part: its share)
  std::vector<double> mass_variances_;
  std::int64_t gp_batch_size_ = 0;
  std::unique_ptr<phonon::DynamicalMatrix> dm_;
  std::unique_ptr<BZPhonons> phonons_;
  std::vector<Stored> stored_;
  std::vector<std::unique_ptr<solvers::GridPointResults>> sources_;  // gamma files, checkpoint stages
  std::unique_ptr<solvers::GridPointResults> results_;
  std::string phonon_file_;  // written with write_phonon
  common::TraceSink trace_;
};

// Seconds since `start`.
double seconds_since(std::chrono::steady_clock::time_point start);

}  // namespace ph3mpi::driver
