// mode = "isotope": phono3py's Phono3pyIsotope.run(grid_points). Gamma_iso (THz) of
// the bands (band_indices or all) at each of settings.grid_points, for the tetrahedron
// method (first, when enabled) then each sigma. Mass variances from settings
// (mass_variances) or the natural isotope composition of each primitive atom's element.
// Written to <output_dir>/isotope-m<mesh>.hdf5 by rank 0.
#include <chrono>
#include <filesystem>
#include <iomanip>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/driver/bz_phonons.hpp"
#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/driver/modes.hpp"
#include "ph3mpi/grid/make_bz_grid.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/io/kappa_file.hpp"
#include "ph3mpi/parallel/error_handling.hpp"
#include "ph3mpi/self_energy/isotope.hpp"

namespace ph3mpi::driver {

int run_isotope(const ModeArguments& args) {
  const Inputs& inputs = args.inputs;
  const config::Settings& settings = inputs.settings;
  const auto t0 = std::chrono::steady_clock::now();
  grid::BZGrid bz_grid = make_bz_grid(inputs);
  check_grid_point_settings(inputs, bz_grid, false, args.context);
  const std::size_t nb = inputs.num_bands();
  std::vector<std::int64_t> band0 = settings.band_indices.value_or(std::vector<std::int64_t>{});
  if (band0.empty()) {
    for (std::size_t b = 0; b < nb; ++b) band0.push_back(static_cast<std::int64_t>(b));
  }
  // Natural-abundance data may be missing for an element: a collective phase, so every
  // rank stops with one message.
  std::vector<double> mass_variances;
  parallel::collective_check(args.context, [&] { mass_variances = resolve_mass_variances(inputs); });

  // Phonons on every BZ point (the triplets and tetrahedra reach any of them), solved or
  // read_phonon: a collective step; then rank 0 computes.
  std::unique_ptr<phonon::DynamicalMatrix> dm = make_dynamical_matrix(inputs);
  const BZPhonons phonons(args.context, inputs, bz_grid, *dm);
  if (settings.write_phonon) {
    args.log << "Phonons written to " << phonons.write(args.context, settings.output_dir, bz_grid) << "\n";
  }
  if (!args.context.is_root()) return 0;
  const interaction::PhononView view = phonons.view();

  std::vector<std::optional<double>> methods;
  if (settings.tetrahedron) methods.emplace_back(std::nullopt);
  for (const double s : settings.sigmas) methods.emplace_back(s);
  const std::size_t n_gp = settings.grid_points.size();
  const std::size_t nb0 = band0.size();
  NdArray<double> frequency({n_gp, nb0});
  NdArray<double> gamma({methods.size(), n_gp, nb0});
  for (std::size_t ig = 0; ig < n_gp; ++ig) {
    const std::int64_t gp = settings.grid_points[ig];
    for (std::size_t b = 0; b < nb0; ++b) {
      frequency.data[ig * nb0 + b] = view.frequencies_at(static_cast<std::size_t>(gp))[band0[b]];
    }
    for (std::size_t im = 0; im < methods.size(); ++im) {
      const std::vector<double> g =
          self_energy::isotope_gamma(gp, band0, mass_variances, view, bz_grid, methods[im],
                                     settings.cutoff_frequency, settings.degenerate_average);
      std::copy(g.begin(), g.end(), gamma.data.begin() + static_cast<std::ptrdiff_t>((im * n_gp + ig) * nb0));
    }
  }

  // Temporary name first so an interrupted run leaves no partial file.
  const std::filesystem::path path =
      settings.output_dir / ("isotope" + io::kappa_filename_suffix(mesh_numbers(bz_grid)) + ".hdf5");
  io::write_hdf5_atomically(path.string(), [&](io::Hdf5File& file) {
    NdArray<std::int64_t> grid_point({n_gp});
    grid_point.data = settings.grid_points;
    file.write("grid_point", grid_point);
    NdArray<std::int64_t> band_indices({nb0});
    band_indices.data = band0;
    file.write("band_indices", band_indices);
    NdArray<double> mv({mass_variances.size()});
    mv.data = mass_variances;
    file.write("mass_variances", mv);
    file.write_scalar("tetrahedron", static_cast<std::int64_t>(settings.tetrahedron ? 1 : 0));
    if (!settings.sigmas.empty()) {
      NdArray<double> sigma({settings.sigmas.size()});
      sigma.data = settings.sigmas;
      file.write("sigma", sigma);
    }
    file.write("frequency", frequency);
    file.write("gamma", gamma);
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  args.log << "Isotope scattering at " << n_gp << " grid points, " << methods.size() << " method(s) in "
           << std::fixed << std::setprecision(2) << seconds << " s, written to " << path.string() << "\n";
  return 0;
}

}  // namespace ph3mpi::driver
