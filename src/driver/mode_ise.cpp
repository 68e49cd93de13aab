// mode = "ise": phono3py's --ise. The imaginary part of the self energy, Gamma (THz),
// at the frequencies of the bands of each of settings.grid_points, for every
// temperature and every integration method (tetrahedron first when enabled, then
// each sigma), as phono3py's ImagSelfEnergy; with num_frequency_points or frequency_step
// also Gamma_j0(omega) on frequency points. The interaction-strength variants (is_full_pp,
// write_pp / read_pp, use_ave_pp, const_ave_pp, write_gamma_detail) are described with
// the per-grid-point work in driver/grid_point_ise.hpp.
//
// validate (variants, read_pp files) -> phonons -> the grid points over all ranks
// (driver/grid_point_modes.hpp) -> rank 0 writes <output_dir>/ise-m<mesh>.hdf5
// (io/grid_point_files.hpp).
#include "ph3mpi/common/error.hpp"
#include "ph3mpi/driver/grid_point_ise.hpp"
#include "ph3mpi/driver/grid_point_modes.hpp"
#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/driver/modes.hpp"
#include "ph3mpi/io/grid_point_files.hpp"
#include "ph3mpi/io/pp_file.hpp"

namespace ph3mpi::driver {

namespace {

// Variant settings, and with read_pp the files (checked by rank 0 without reading the
// interaction itself; the rank that computes a grid point reads its file).
void check_ise_inputs(const ModeArguments& args, const grid::BZGrid& bz_grid) {
  const config::Settings& settings = args.inputs.settings;
  if (!args.inputs.fc3) throw SettingsError("mode 'ise' needs fc3, which was not loaded");
  check_ise_variants(settings);
  if (!settings.read_pp || !args.context.is_root()) return;
  const std::size_t nb = args.inputs.num_bands();
  const std::vector<std::int64_t> band0 = band_indices_or_all(settings, nb);
  for (const std::int64_t gp : settings.grid_points) {
    io::check_pp_file((settings.output_dir / io::pp_filename(mesh_numbers(bz_grid), gp)).string(), gp,
                      interaction::get_triplets_at_q(gp, bz_grid).triplets, band0, nb);
  }
}

}  // namespace

int run_ise(const ModeArguments& args) {
  const config::Settings& settings = args.inputs.settings;
  const GridPointModeRun run(args, true,
                             [&](const grid::BZGrid& bz_grid) { check_ise_inputs(args, bz_grid); });
  const interaction::Interaction itr =
      make_interaction(args.inputs, run.bz_grid(), args.context, run.band_indices(), args.release_fc3);
  const std::vector<std::optional<double>> methods = integration_methods(settings);
  // phono3py: twice the highest phonon frequency (plus Gaussian tails), from all BZ points.
  const std::vector<double> frequency_points = run.frequency_points(methods, run.frequency_resolved());
  const interaction::PhononView view = run.phonons().view();
  const GridPointIse calculator(settings, itr, view, run.phonons().frequencies(), run.bz_grid(),
                                frequency_points, run.trace_sink());
  const std::vector<NamedArrays> results =
      run.compute([&](const GridPointTask& task) { return calculator.compute(task); });
  if (!args.context.is_root()) return 0;

  io::IseFile file;
  file.grid_points = settings.grid_points;
  file.band_indices = itr.band_indices();
  file.temperatures = settings.temperatures;
  file.methods = {settings.tetrahedron, settings.sigmas};
  file.frequency = stack_grid_points(results, "frequency", 0);
  file.gamma = stack_grid_points(results, "gamma", 2);
  if (settings.is_N_U) {
    file.gamma_N = stack_grid_points(results, "gamma_N", 2);
    file.gamma_U = stack_grid_points(results, "gamma_U", 2);
  }
  if (ise_has_ave_pp(settings)) file.ave_pp = stack_grid_points(results, "ave_pp", 0);
  file.frequency_points = frequency_points;
  if (!frequency_points.empty()) {
    file.gamma_at_frequency_points = stack_grid_points(results, "gamma_at_frequency_points", 2);
  }
  run.write_output("ise",
                   "Imaginary self energy at " + std::to_string(file.grid_points.size()) + " grid points, " +
                       std::to_string(methods.size()) + " method(s), " +
                       std::to_string(settings.temperatures.size()) + " temperatures",
                   [&](const std::string& path) { io::write_ise_file(path, file); });
  return 0;
}

}  // namespace ph3mpi::driver
