// mode = "rta": lattice thermal conductivity in the relaxation-time approximation over
// all ranks (phono3py's run_thermal_conductivity(is_LBTE=False), design brief section 3):
// validate, plan (ScatteringStage: grid, irreducible grid points, phonons, checkpoint),
// the coordinator over the grid points still to compute (GridPointGamma: Gamma per
// method and temperature; the stage adds isotope), the RTA solver over the stored results
// (or phono3py's gamma files, read_gamma), the writers (one kappa-m<mesh>[-s<sigma>].hdf5
// per method, parallel HDF5; write_gamma: the per-grid-point gamma files). A job-array part
// (--part I/N) stops after its share of the grid points.
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/driver/grid_point_gamma.hpp"
#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/driver/modes.hpp"
#include "ph3mpi/driver/scattering_stage.hpp"
#include "ph3mpi/driver/shared_interaction.hpp"
#include "ph3mpi/parallel/error_handling.hpp"
#include "ph3mpi/solvers/gamma_files.hpp"
#include "ph3mpi/solvers/interband_term.hpp"
#include "ph3mpi/solvers/rta_solver.hpp"

namespace ph3mpi::driver {
namespace {

// Settings an RTA run cannot honour, refused before any work (collective phase).
void check_rta_settings(const Inputs& inputs) {
  const config::Settings& s = inputs.settings;
  if (!inputs.fc3) throw SettingsError("mode 'rta' needs fc3, which was not loaded");
  if (!s.mesh) throw config::settings_error(s, "mesh", "mode 'rta' needs a mesh");
  if (s.temperatures.empty())
    throw config::settings_error(s, "temperatures", "mode 'rta' needs temperatures");
  if (!s.tetrahedron && s.sigmas.empty()) {
    throw config::settings_error(s, "sigmas", "no integration method: tetrahedron = false and no sigmas");
  }
  if (s.band_indices) {
    throw config::settings_error(
        s, "band_indices", "mode 'rta' computes every band; band_indices is for ise, rse, jdos and isotope");
  }
  if (!s.grid_points.empty()) {
    throw config::settings_error(
        s, "grid_points",
        "mode 'rta' runs over all irreducible grid points; grid_points is for ise, rse, "
        "jdos and isotope (a killed run resumes from its checkpoint instead)");
  }
  refuse_ise_only_settings(s);
  if (s.write_gamma && s.transport_type) {
    throw config::settings_error(s, "write_gamma",
                                 "is not supported with transport_type (the inter-band run has no gv_by_gv)");
  }
}

std::string rta_settings_block(const ScatteringStage& stage, const config::Settings& s) {
  std::ostringstream b;
  b << "ph3mpi " PH3MPI_VERSION " RTA run\n" << stage.settings_lines() << "  integration:";
  for (const auto& m : integration_methods(s)) b << " [" << solvers::rta_method_name(m) << "]";
  b << (s.isotope ? ", isotope" : "") << (s.is_N_U ? ", N/U split" : "");
  if (s.boundary_mfp) b << ", boundary_mfp " << *s.boundary_mfp << " um";
  if (s.transport_type) b << ", inter-band (" << *s.transport_type << ")";
  b << "\n" << stage.checkpoint_lines();
  return b.str();
}

// The solver over the stored results, the kappa files (and with write_gamma phono3py's
// per-grid-point gamma files, each rank its rows) and the kappa tables. Returns the kappa
// files' folder.
std::filesystem::path solve_and_write(const ModeArguments& args, const ScatteringStage& stage) {
  const config::Settings& s = args.inputs.settings;
  const std::unique_ptr<phonon::GroupVelocity> group_velocity = stage.make_group_velocity();
  const solvers::ConductivityProblem problem = stage.conductivity_problem(*group_velocity);
  solvers::RtaOptions options;
  options.methods = integration_methods(s);
  options.sigma_cutoff = s.sigma_cutoff;
  options.is_N_U = s.is_N_U;
  const solvers::RtaSolution solution =
      solvers::solve_rta(args.context, problem, options, stage.results(), stage.trace());
  const std::vector<std::filesystem::path> files =
      solvers::write_rta_kappa_files(args.context, problem, options, solution, s.output_dir);
  if (s.write_gamma) {
    parallel::collective_check(
        args.context, [&] { solvers::write_rta_gamma_files(problem, options, solution, s.output_dir); });
    args.log << "gamma files of " << problem.num_grid_points() << " grid points x " << options.methods.size()
             << " integration method(s) written to " << s.output_dir.string() << " (write_gamma)\n";
  }
  for (std::size_t im = 0; im < options.methods.size(); ++im) {
    const std::string title = solvers::rta_method_title(options.methods[im]);
    args.log << (solution.interband
                     ? solvers::interband_rta_table(title, s.temperatures, *solution.interband, im)
                     : solvers::kappa_table(title, s.temperatures, solution.methods[im].kappa));
  }
  return files.front().parent_path();
}

}  // namespace

int run_rta(const ModeArguments& args) {
  const auto t_start = std::chrono::steady_clock::now();
  const Inputs& inputs = args.inputs;
  const config::Settings& s = inputs.settings;
  const ScatteringStage stage(
      args, [&] { check_rta_settings(inputs); }, StageNames{"rta-gamma", "rta-isotope", false});
  args.log << rta_settings_block(stage, s);

  const interaction::Interaction itr =
      make_interaction(inputs, stage.bz_grid(), args.context, {}, args.release_fc3);
  const interaction::PhononView view = stage.phonons().view();  // GridPointGamma keeps a reference
  const GridPointGamma calculator(s, itr, view, stage.phonons().frequencies(), stage.bz_grid(),
                                  stage.trace());
  const double compute_seconds =
      stage.compute([&](std::int64_t gp, std::int64_t batch) { return calculator.compute(gp, batch); });
  if (memory_report_requested(std::getenv("PH3MPI_MEMORY_REPORT"))) {
    report_memory_per_rank(args.context, inputs, itr, std::cerr);
  }
  if (stage.is_part()) {
    args.log << stage.part_report(compute_seconds);
    return 0;
  }
  const std::filesystem::path folder = solve_and_write(args, stage);
  args.log << "RTA: " << stage.work_summary(compute_seconds) << "; total " << std::fixed
           << std::setprecision(2) << seconds_since(t_start) << " s; written to " << folder.string() << "\n";
  return 0;
}

}  // namespace ph3mpi::driver
