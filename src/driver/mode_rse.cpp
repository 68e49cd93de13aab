// mode = "rse": phono3py's --rse (Phono3py.run_real_self_energy, get_real_self_energy).
// The real part of the bubble self energy, the anharmonic frequency shift Delta (THz),
// for each of settings.grid_points, every epsilon (the width of the principal-value
// regularization, self_energy/real_self_energy.hpp) and temperature, at the frequencies
// of the bands and, with num_frequency_points or frequency_step, on frequency points.
// The interaction strength of every triplet is computed in full (phono3py does too).
//
// epsilons: the `epsilons` key; when it is empty, as phono3py, the integration methods
// stand in: sigma values as they are, the tetrahedron method as phono3py's default
// epsilon 0.05 THz (RealSelfEnergy.default_epsilon). The frequency points span
// 0..1.005 (2 max_freq + 4 max epsilon) over the epsilons given explicitly (phono3py's
// get_frequency_points with sigmas = epsilons, where the default counts as unset).
//
// The grid points are computed over all ranks (driver/grid_point_modes.hpp); rank 0
// writes <output_dir>/rse-m<mesh>.hdf5 (io/grid_point_files.hpp): delta (eps, T, gp, nb0)
// THz at the band frequencies (phono3py's frequency_points_at_bands=True result) and,
// with frequency points, delta_at_frequency_points (eps, T, gp, nb0, fp) THz in phono3py's
// axis order. Values are averaged over degenerate bands of q0, as phono3py reports them.
#include "ph3mpi/driver/grid_point_modes.hpp"
#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/driver/modes.hpp"
#include "ph3mpi/interaction/triplets.hpp"
#include "ph3mpi/io/grid_point_files.hpp"
#include "ph3mpi/self_energy/real_self_energy.hpp"

namespace ph3mpi::driver {

namespace {

// phono3py RealSelfEnergy.default_epsilon (THz).
constexpr double kDefaultEpsilon = 0.05;

// Epsilons as phono3py's run_real_self_energy picks them (unset entries = default).
std::vector<std::optional<double>> epsilon_settings(const config::Settings& settings) {
  std::vector<std::optional<double>> epsilons;
  if (!settings.epsilons.empty()) {
    epsilons.assign(settings.epsilons.begin(), settings.epsilons.end());
  } else {
    if (settings.tetrahedron) epsilons.emplace_back(std::nullopt);
    epsilons.insert(epsilons.end(), settings.sigmas.begin(), settings.sigmas.end());
  }
  return epsilons;
}

}  // namespace

int run_rse(const ModeArguments& args) {
  const config::Settings& settings = args.inputs.settings;
  const GridPointModeRun run(args, true, [&](const grid::BZGrid&) {
    if (!args.inputs.fc3) throw SettingsError("mode 'rse' needs fc3, which was not loaded");
  });
  const std::vector<std::optional<double>> epsilons_given = epsilon_settings(settings);
  std::vector<double> epsilons;
  for (const auto& e : epsilons_given) epsilons.push_back(e.value_or(kDefaultEpsilon));
  const interaction::Interaction itr =
      make_interaction(args.inputs, run.bz_grid(), args.context, run.band_indices(), args.release_fc3);
  const std::vector<std::int64_t>& band0 = itr.band_indices();
  const interaction::PhononView view = run.phonons().view();

  const std::vector<double> frequency_points = run.frequency_points(epsilons_given, run.frequency_resolved());
  const std::vector<NamedArrays> results = run.compute([&](const GridPointTask& task) {
    GridPointResult result;
    const interaction::TripletsAtQ tq = run.triplets_at(task);
    result.arrays.reals["frequency"] = run.frequencies_at(task.grid_point, band0);
    run.trace("Interaction", task);
    const NdArray<double> pp = itr.run(view, tq.triplets);
    run.trace("RealSelfEnergy", task);
    result.arrays.reals["delta"] =
        self_energy::real_self_energy(pp.ptr(), tq.triplets, tq.weights, view, band0, settings.temperatures,
                                      epsilons, {}, itr.cutoff_frequency());
    if (!frequency_points.empty()) {
      run.trace("RealSelfEnergy", task);
      result.arrays.reals["delta_at_frequency_points"] =
          self_energy::real_self_energy(pp.ptr(), tq.triplets, tq.weights, view, band0, settings.temperatures,
                                        epsilons, frequency_points, itr.cutoff_frequency());
    }
    result.log_done("Delta", task, tq.triplets.size());
    return result;
  });
  if (!args.context.is_root()) return 0;

  io::RseFile file;
  file.grid_points = settings.grid_points;
  file.band_indices = band0;
  file.temperatures = settings.temperatures;
  file.epsilons = epsilons;
  file.frequency = stack_grid_points(results, "frequency", 0);
  file.delta = stack_grid_points(results, "delta", 2);
  file.frequency_points = frequency_points;
  if (!frequency_points.empty()) {
    file.delta_at_frequency_points = stack_grid_points(results, "delta_at_frequency_points", 2);
  }
  run.write_output("rse",
                   "Real self energy at " + std::to_string(file.grid_points.size()) + " grid points, " +
                       std::to_string(epsilons.size()) + " epsilon(s), " +
                       std::to_string(settings.temperatures.size()) + " temperatures",
                   [&](const std::string& path) { io::write_rse_file(path, file); });
  return 0;
}

}  // namespace ph3mpi::driver
