// mode = "ise": phono3py's --ise. The imaginary part of the self energy, Gamma (THz),
// at the frequencies of the bands of each of settings.grid_points, for every
// temperature and every integration method (tetrahedron first when enabled, then
// each sigma), as phono3py's ImagSelfEnergy.run_integration_weights + run with the
// low-memory pp_collision path. Written to <output_dir>/ise-m<mesh>.hdf5 by rank 0.
#include <chrono>
#include <filesystem>
#include <iomanip>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/crystal/shortest_vectors.hpp"
#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/driver/modes.hpp"
#include "ph3mpi/grid/make_bz_grid.hpp"
#include "ph3mpi/interaction/atom_triplets.hpp"
#include "ph3mpi/interaction/integration_weights.hpp"
#include "ph3mpi/interaction/interaction.hpp"
#include "ph3mpi/interaction/triplets.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/io/kappa_file.hpp"
#include "ph3mpi/phonon/phonon_solver.hpp"
#include "ph3mpi/self_energy/pp_collision.hpp"

namespace ph3mpi::driver {

int run_ise(const ModeArguments& args) {
  const Inputs& inputs = args.inputs;
  const config::Settings& settings = inputs.settings;
  const auto t0 = std::chrono::steady_clock::now();
  grid::BZGrid bz_grid = make_bz_grid(inputs);
  const auto num_bz = static_cast<std::int64_t>(bz_grid.num_bz_points());
  check_grid_point_settings(inputs, bz_grid, true, args.context);
  if (!inputs.fc3) throw SettingsError("mode 'ise' needs fc3, which was not loaded");
  if (!args.context.is_root()) return 0;

  // Phonons on every BZ point: the triplets reach any of them.
  std::unique_ptr<phonon::DynamicalMatrix> dm = make_dynamical_matrix(inputs);
  std::vector<std::int64_t> all(static_cast<std::size_t>(num_bz));
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::int64_t>(i);
  const phonon::Phonons phonons = phonon::solve_phonons(*dm, grid::qpoints_of_bz_points(bz_grid, all));
  const std::size_t nb = dm->num_band();
  interaction::PhononView view;
  view.frequencies = phonons.frequencies.ptr();
  view.eigenvectors = phonons.eigenvectors.ptr();
  view.num_grid_points = phonons.frequencies.shape[0];
  view.num_band = nb;

  const io::ForceConstants& fc3 = *inputs.fc3;
  const interaction::Interaction itr(
      fc3.fc, fc3.has_nonzero_indices ? fc3.fc3_nonzero_indices.ptr() : nullptr,
      interaction::make_atom_triplets(
          inputs.supercell, inputs.primitive,
          crystal::shortest_vectors(inputs.supercell, inputs.primitive, inputs.symprec)),
      inputs.primitive.masses, bz_grid, settings.band_indices.value_or(std::vector<std::int64_t>{}), true,
      settings.cutoff_frequency);
  const std::vector<std::int64_t>& band0 = itr.band_indices();
  const std::size_t nb0 = band0.size();

  // Methods: tetrahedron (nullopt) first, then the sigmas.
  std::vector<std::optional<double>> methods;
  if (settings.tetrahedron) methods.emplace_back(std::nullopt);
  for (const double s : settings.sigmas) methods.emplace_back(s);
  const std::size_t n_gp = settings.grid_points.size();
  const std::size_t n_t = settings.temperatures.size();
  NdArray<double> frequency({n_gp, nb0});
  NdArray<double> gamma({methods.size(), n_t, n_gp, nb0});
  NdArray<double> gamma_N({methods.size(), n_t, n_gp, nb0});
  NdArray<double> gamma_U({methods.size(), n_t, n_gp, nb0});

  for (std::size_t ig = 0; ig < n_gp; ++ig) {
    const std::int64_t gp = settings.grid_points[ig];
    const interaction::TripletsAtQ tq = interaction::get_triplets_at_q(gp, bz_grid);
    // Frequency points: the frequencies of the computed bands at q0.
    std::vector<double> f0(nb0);
    for (std::size_t b = 0; b < nb0; ++b) {
      f0[b] = view.frequencies_at(static_cast<std::size_t>(gp))[band0[b]];
      frequency.data[ig * nb0 + b] = f0[b];
    }
    for (std::size_t im = 0; im < methods.size(); ++im) {
      const std::optional<double> sigma = methods[im];
      const self_energy::TripletWeightsFunction weights = [&](std::size_t t, double* g, std::int8_t* g_zero) {
        if (sigma) {
          interaction::set_triplets_integration_weights_sigma(
              g, g_zero, 2, f0, {tq.triplets[t]}, phonons.frequencies, *sigma, settings.sigma_cutoff);
        } else {
          interaction::set_triplets_integration_weights_tetrahedron(g, g_zero, 2, f0, {tq.triplets[t]},
                                                                    phonons.frequencies, bz_grid);
        }
      };
      const self_energy::ImagSelfEnergy r = self_energy::pp_collision(
          itr, view, gp, tq.triplets, tq.weights, settings.temperatures, weights, bz_grid, settings.is_N_U);
      for (std::size_t it = 0; it < n_t; ++it) {
        for (std::size_t b = 0; b < nb0; ++b) {
          const std::size_t dst = ((im * n_t + it) * n_gp + ig) * nb0 + b;
          gamma.data[dst] = r.gamma.data[it * nb0 + b];
          if (settings.is_N_U) {
            gamma_N.data[dst] = r.gamma_N.data[it * nb0 + b];
            gamma_U.data[dst] = r.gamma_U.data[it * nb0 + b];
          }
        }
      }
    }
    args.log << "Gamma at grid point " << gp << " (" << tq.triplets.size() << " triplets) done\n";
  }

  // Write to a temporary name first so an interrupted run leaves no partial file.
  const std::filesystem::path path =
      settings.output_dir / ("ise" + io::kappa_filename_suffix(mesh_numbers(bz_grid)) + ".hdf5");
  io::write_hdf5_atomically(path.string(), [&](io::Hdf5File& file) {
    NdArray<std::int64_t> grid_point({n_gp});
    grid_point.data = settings.grid_points;
    file.write("grid_point", grid_point);
    NdArray<std::int64_t> band_indices({nb0});
    band_indices.data = band0;
    file.write("band_indices", band_indices);
    NdArray<double> temperature({n_t});
    temperature.data = settings.temperatures;
    file.write("temperature", temperature);
    file.write_scalar("tetrahedron", static_cast<std::int64_t>(settings.tetrahedron ? 1 : 0));
    if (!settings.sigmas.empty()) {
      NdArray<double> sigma({settings.sigmas.size()});
      sigma.data = settings.sigmas;
      file.write("sigma", sigma);
    }
    file.write("frequency", frequency);
    file.write("gamma", gamma);
    if (settings.is_N_U) {
      file.write("gamma_N", gamma_N);
      file.write("gamma_U", gamma_U);
    }
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  args.log << "Imaginary self energy at " << n_gp << " grid points, " << methods.size() << " method(s), "
           << n_t << " temperatures in " << std::fixed << std::setprecision(2) << seconds << " s, written to "
           << path.string() << "\n";
  return 0;
}

}  // namespace ph3mpi::driver
