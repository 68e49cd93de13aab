// mode = "lbte": the linearized Boltzmann equation (phono3py's
// run_thermal_conductivity(is_LBTE=True), Chaput PRL 110, 265506 (2013)) with the
// collision matrix distributed block-cyclically over all ranks (design brief 3.8):
// validate, plan (ScatteringStage), the coordinator over the grid points still to compute
// (GridPointCollision: Gamma and collision rows for every temperature, stored in the
// checkpoint; the stage adds isotope Gamma apart, it enters only the diagonal; a job-array
// part, --part I/N, stops there), then per temperature the solver (solvers/lbte_solver: assembly on a
// near-square BLACS grid, the direct pdsyevd/pdsyevr pseudo-inverse or conjugate
// gradient), and the writer (kappa-m<mesh>.hdf5 in phono3py's LBTE layout, coleigs with
// the direct solver).
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/driver/grid_point_collision.hpp"
#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/driver/modes.hpp"
#include "ph3mpi/driver/scattering_stage.hpp"
#include "ph3mpi/driver/shared_interaction.hpp"
#include "ph3mpi/parallel/block_cyclic_matrix.hpp"
#include "ph3mpi/solvers/lbte_solver.hpp"
#include "ph3mpi/solvers/rta_solver.hpp"

namespace ph3mpi::driver {
namespace {

void check_lbte_settings(const Inputs& inputs) {
  const config::Settings& s = inputs.settings;
  if (!inputs.fc3) throw SettingsError("mode 'lbte' needs fc3, which was not loaded");
  if (!s.mesh) throw config::settings_error(s, "mesh", "mode 'lbte' needs a mesh");
  if (s.temperatures.empty())
    throw config::settings_error(s, "temperatures", "mode 'lbte' needs temperatures");
  const std::size_t methods = (s.tetrahedron ? 1U : 0U) + s.sigmas.size();
  if (methods != 1) {
    throw config::settings_error(
        s, s.sigmas.empty() ? "tetrahedron" : "sigmas",
        "mode 'lbte' solves with one integration method: the tetrahedron method "
        "(tetrahedron = true, no sigmas) or one sigma (tetrahedron = false, sigmas = [s])");
  }
  if (s.band_indices) throw config::settings_error(s, "band_indices", "mode 'lbte' needs every band");
  if (!s.grid_points.empty()) {
    throw config::settings_error(s, "grid_points", "mode 'lbte' runs over all irreducible grid points");
  }
  if (s.is_N_U) throw config::settings_error(s, "is_N_U", "is not supported by mode 'lbte'");
  refuse_ise_only_settings(s);
  transport::pinv_eigenvalues({}, s.pinv_cutoff, s.pinv_method);
}

solvers::LbteOptions lbte_options(const config::Settings& s) {
  solvers::LbteOptions o;
  o.method = s.lbte_solver == config::LbteSolver::kCg ? solvers::LbteMethod::kConjugateGradient
                                                      : solvers::LbteMethod::kDirect;
  o.block_size = static_cast<int>(s.blacs_block_size);
  o.direct.eigen_solver = parallel::eigen_solver_from_name(std::string(config::to_string(s.pinv_solver)));
  o.direct.pinv_cutoff = s.pinv_cutoff;
  o.direct.pinv_method = s.pinv_method;
  o.cg.tolerance = s.lbte_cg_tolerance;
  o.cg.max_iterations = static_cast<int>(s.lbte_cg_max_iterations);
  return o;
}

std::string lbte_settings_block(const ScatteringStage& stage, const config::Settings& s,
                                const parallel::BlacsGrid& blacs, std::int64_t n) {
  std::ostringstream b;
  b << "ph3mpi " PH3MPI_VERSION " LBTE run (" << (s.reducible_collision_matrix ? "reducible" : "irreducible")
    << " collision matrix)\n"
    << stage.settings_lines() << "  collision matrix " << n << " x " << n << " ("
    << format_bytes(static_cast<std::uint64_t>(n) * static_cast<std::uint64_t>(n) * 8) << ") on a BLACS grid "
    << blacs.nprow() << " x " << blacs.npcol() << ", block size " << s.blacs_block_size << "\n  solver: ";
  if (s.lbte_solver == config::LbteSolver::kCg) {
    b << "conjugate gradient (Jacobi), lbte_cg_tolerance " << s.lbte_cg_tolerance << ", at most "
      << s.lbte_cg_max_iterations << " iterations";
  } else {
    b << config::to_string(s.pinv_solver) << ", pinv_cutoff " << s.pinv_cutoff << ", pinv_method "
      << s.pinv_method;
  }
  b << "\n  integration: "
    << (s.tetrahedron ? "tetrahedron method" : "sigma " + std::to_string(s.sigmas.front()))
    << (s.isotope ? ", isotope" : "") << (s.transport_type ? ", inter-band (" + *s.transport_type + ")" : "")
    << "\n"
    << stage.checkpoint_lines();
  return b.str();
}

}  // namespace

int run_lbte(const ModeArguments& args) {
  const auto t_start = std::chrono::steady_clock::now();
  const Inputs& inputs = args.inputs;
  const config::Settings& s = inputs.settings;
  const std::string rows =
      std::string("lbte-collision-rows") + (s.reducible_collision_matrix ? "-reducible" : "");
  const ScatteringStage stage(
      args, [&] { check_lbte_settings(inputs); }, StageNames{rows, "lbte-isotope", true});
  const transport::LbteLayout layout =
      transport::make_lbte_layout(stage.bz_grid(), stage.plan().grid_points, inputs.num_bands(),
                                  s.reducible_collision_matrix, s.is_kappa_star);
  const parallel::BlacsGrid blacs(args.context);
  args.log << lbte_settings_block(stage, s, blacs, static_cast<std::int64_t>(layout.size()));

  const interaction::Interaction itr =
      make_interaction(inputs, stage.bz_grid(), args.context, {}, args.release_fc3);
  const GridPointCollision calculator(s, itr, stage.phonons().view(), stage.phonons().frequencies(),
                                      stage.bz_grid(), layout, stage.trace());
  const double compute_seconds =
      stage.compute([&](std::int64_t gp, std::int64_t batch) { return calculator.compute(gp, batch); });
  if (memory_report_requested(std::getenv("PH3MPI_MEMORY_REPORT"))) {
    report_memory_per_rank(args.context, inputs, itr, std::cerr);
  }
  if (stage.is_part()) {
    args.log << stage.part_report(compute_seconds);
    return 0;
  }

  const auto t_solve = std::chrono::steady_clock::now();
  const std::unique_ptr<phonon::GroupVelocity> group_velocity = stage.make_group_velocity();
  const solvers::ConductivityProblem problem = stage.conductivity_problem(*group_velocity);
  const solvers::LbteSystem system(args.context, problem, stage.results(), layout);
  std::ostringstream null_stream;
  const std::vector<solvers::LbteTemperatureResult> solution = solvers::solve_lbte(
      blacs, system, lbte_options(s), stage.trace(), args.log.is_active() ? args.log.stream() : null_stream);
  std::optional<transport::InterbandKappa> interband;
  if (problem.interband) interband = solvers::lbte_interband_kappa(args.context, system);
  const double solve_seconds = seconds_since(t_solve);
  const std::optional<double> sigma = s.tetrahedron ? std::nullopt : std::optional<double>(s.sigmas.front());
  const std::filesystem::path file = solvers::write_lbte_files(args.context, system, solution, interband,
                                                               sigma, s.sigma_cutoff, s.output_dir);
  args.log << solvers::lbte_kappa_tables(s.temperatures, solution, interband,
                                         solvers::rta_method_title(sigma));

  // Per-rank peak of the block-cyclic storage: the evidence that no rank held the whole matrix.
  const std::vector<std::string> peaks =
      args.context.gather_strings(std::to_string(parallel::matrix_memory().peak()));
  std::ostringstream tail;
  tail << "peak block-cyclic memory per rank (bytes):";
  for (const std::string& p : peaks) tail << " " << p;
  tail << "; whole matrix "
       << static_cast<std::uint64_t>(system.size()) * static_cast<std::uint64_t>(system.size()) * 8
       << "\nLBTE: " << stage.work_summary(compute_seconds) << "; matrix assembly and solve " << std::fixed
       << std::setprecision(2) << solve_seconds << " s; total " << seconds_since(t_start) << " s; written to "
       << file.string() << "\n";
  args.log << tail.str();
  return 0;
}

}  // namespace ph3mpi::driver
