// mode = "isotope": phono3py's Phono3pyIsotope.run(grid_points). Gamma_iso (THz) of
// the bands (band_indices or all) at each of settings.grid_points, for the tetrahedron
// method (first, when enabled) then each sigma. Mass variances from settings
// (mass_variances) or the natural isotope composition of each primitive atom's element.
// The grid points are computed over all ranks (driver/grid_point_modes.hpp); rank 0
// writes <output_dir>/isotope-m<mesh>.hdf5 (io/grid_point_files.hpp).
#include "ph3mpi/driver/grid_point_gamma.hpp"
#include "ph3mpi/driver/grid_point_modes.hpp"
#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/driver/modes.hpp"
#include "ph3mpi/io/grid_point_files.hpp"
#include "ph3mpi/self_energy/isotope.hpp"

namespace ph3mpi::driver {

int run_isotope(const ModeArguments& args) {
  const config::Settings& settings = args.inputs.settings;
  // Natural-abundance data may be missing for an element: checked with the grid points,
  // so every rank stops with one message.
  std::vector<double> mass_variances;
  const GridPointModeRun run(
      args, false, [&](const grid::BZGrid&) { mass_variances = resolve_mass_variances(args.inputs); });
  const std::vector<std::int64_t> band0 = run.band_indices();
  const std::vector<std::optional<double>> methods = integration_methods(settings);
  const interaction::PhononView view = run.phonons().view();

  const std::vector<NamedArrays> results = run.compute(
      [&](const GridPointTask& task) {
        GridPointResult result;
        result.arrays.reals["frequency"] = run.frequencies_at(task.grid_point, band0);
        NdArray<double> gamma({methods.size(), band0.size()});
        for (std::size_t im = 0; im < methods.size(); ++im) {
          run.trace("Isotope", task);
          const std::vector<double> g =
              self_energy::isotope_gamma(task.grid_point, band0, mass_variances, view, run.bz_grid(),
                                         methods[im], settings.cutoff_frequency, settings.degenerate_average);
          std::copy(g.begin(), g.end(), gamma.data.begin() + static_cast<std::ptrdiff_t>(im * band0.size()));
        }
        result.arrays.reals["gamma"] = std::move(gamma);
        return result;
      },
      [](std::int64_t) { return 1.0; });  // Gamma_iso sums over the whole grid whatever q's symmetry
  if (!args.context.is_root()) return 0;

  io::IsotopeFile file;
  file.grid_points = settings.grid_points;
  file.band_indices = band0;
  file.mass_variances = mass_variances;
  file.methods = {settings.tetrahedron, settings.sigmas};
  file.frequency = stack_grid_points(results, "frequency", 0);
  file.gamma = stack_grid_points(results, "gamma", 1);
  run.write_output("isotope",
                   "Isotope scattering at " + std::to_string(file.grid_points.size()) + " grid points, " +
                       std::to_string(methods.size()) + " method(s)",
                   [&](const std::string& path) { io::write_isotope_file(path, file); });
  return 0;
}

}  // namespace ph3mpi::driver
