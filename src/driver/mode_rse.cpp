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
// Written to <output_dir>/rse-m<mesh>.hdf5 by rank 0:
//   grid_point (gp), band_indices (nb0), temperature (T) K, epsilon (eps) THz,
//   frequency (gp, nb0) THz, delta (eps, T, gp, nb0) THz (Delta at the band frequencies,
//   phono3py's frequency_points_at_bands=True result), and with frequency points:
//   frequency_points (fp) THz, delta_at_frequency_points (eps, T, gp, nb0, fp) THz in
//   phono3py's axis order. Values are averaged over degenerate bands of q0, as phono3py
//   reports them.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iomanip>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/crystal/shortest_vectors.hpp"
#include "ph3mpi/driver/bz_phonons.hpp"
#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/driver/modes.hpp"
#include "ph3mpi/grid/make_bz_grid.hpp"
#include "ph3mpi/interaction/atom_triplets.hpp"
#include "ph3mpi/interaction/interaction.hpp"
#include "ph3mpi/interaction/triplets.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/io/kappa_file.hpp"
#include "ph3mpi/self_energy/frequency_points.hpp"
#include "ph3mpi/self_energy/real_self_energy.hpp"

namespace ph3mpi::driver {

namespace {

// phono3py RealSelfEnergy.default_epsilon (THz).
constexpr double kDefaultEpsilon = 0.05;

}  // namespace

int run_rse(const ModeArguments& args) {
  const Inputs& inputs = args.inputs;
  const config::Settings& settings = inputs.settings;
  const auto t0 = std::chrono::steady_clock::now();
  grid::BZGrid bz_grid = make_bz_grid(inputs);
  check_grid_point_settings(inputs, bz_grid, true, args.context);
  if (!inputs.fc3) throw SettingsError("mode 'rse' needs fc3, which was not loaded");

  // Epsilons as phono3py's run_real_self_energy picks them (unset entries = default).
  std::vector<std::optional<double>> epsilon_settings;
  if (!settings.epsilons.empty()) {
    epsilon_settings.assign(settings.epsilons.begin(), settings.epsilons.end());
  } else {
    if (settings.tetrahedron) epsilon_settings.emplace_back(std::nullopt);
    epsilon_settings.insert(epsilon_settings.end(), settings.sigmas.begin(), settings.sigmas.end());
  }
  std::vector<double> epsilons;
  for (const auto& e : epsilon_settings) epsilons.push_back(e.value_or(kDefaultEpsilon));

  // Phonons on every BZ point (the triplets and tetrahedra reach any of them), solved or
  // read_phonon: a collective step; then rank 0 computes.
  std::unique_ptr<phonon::DynamicalMatrix> dm = make_dynamical_matrix(inputs);
  const BZPhonons phonons(args.context, inputs, bz_grid, *dm);
  if (settings.write_phonon) {
    args.log << "Phonons written to " << phonons.write(args.context, settings.output_dir, bz_grid) << "\n";
  }
  if (!args.context.is_root()) return 0;
  const interaction::PhononView view = phonons.view();

  const interaction::Interaction itr =
      make_interaction(inputs, bz_grid, settings.band_indices.value_or(std::vector<std::int64_t>{}));
  const std::vector<std::int64_t>& band0 = itr.band_indices();
  const std::size_t nb0 = band0.size();

  const bool frequency_resolved =
      settings.num_frequency_points.has_value() || settings.frequency_step.has_value();
  std::vector<double> frequency_points;
  if (frequency_resolved) {
    const double max_freq =
        *std::max_element(phonons.frequencies().data.begin(), phonons.frequencies().data.end());
    frequency_points = self_energy::get_frequency_points(max_freq, epsilon_settings, settings.frequency_step,
                                                         settings.num_frequency_points);
  }
  const std::size_t n_gp = settings.grid_points.size();
  const std::size_t n_e = epsilons.size();
  const std::size_t n_t = settings.temperatures.size();
  const std::size_t n_fp = frequency_points.size();
  NdArray<double> frequency({n_gp, nb0});
  NdArray<double> delta({n_e, n_t, n_gp, nb0});
  NdArray<double> delta_at_fp({n_e, n_t, n_gp, nb0, n_fp});

  for (std::size_t ig = 0; ig < n_gp; ++ig) {
    const std::int64_t gp = settings.grid_points[ig];
    const interaction::TripletsAtQ tq = interaction::get_triplets_at_q(gp, bz_grid);
    for (std::size_t b = 0; b < nb0; ++b) {
      frequency[ig * nb0 + b] = view.frequencies_at(static_cast<std::size_t>(gp))[band0[b]];
    }
    const NdArray<double> pp = itr.run(view, tq.triplets);
    const NdArray<double> at_bands =
        self_energy::real_self_energy(pp.ptr(), tq.triplets, tq.weights, view, band0, settings.temperatures,
                                      epsilons, {}, itr.cutoff_frequency());
    for (std::size_t ie = 0; ie < n_e; ++ie) {
      for (std::size_t it = 0; it < n_t; ++it) {
        std::copy(&at_bands[(ie * n_t + it) * nb0], &at_bands[(ie * n_t + it + 1) * nb0],
                  &delta[((ie * n_t + it) * n_gp + ig) * nb0]);
      }
    }
    if (frequency_resolved) {
      const NdArray<double> at_points =
          self_energy::real_self_energy(pp.ptr(), tq.triplets, tq.weights, view, band0, settings.temperatures,
                                        epsilons, frequency_points, itr.cutoff_frequency());
      const std::size_t block = nb0 * n_fp;
      for (std::size_t ie = 0; ie < n_e; ++ie) {
        for (std::size_t it = 0; it < n_t; ++it) {
          std::copy(&at_points[(ie * n_t + it) * block], &at_points[(ie * n_t + it + 1) * block],
                    &delta_at_fp[((ie * n_t + it) * n_gp + ig) * block]);
        }
      }
    }
    args.log << "Delta at grid point " << gp << " (" << tq.triplets.size() << " triplets) done\n";
  }

  const std::filesystem::path path =
      settings.output_dir / ("rse" + io::kappa_filename_suffix(mesh_numbers(bz_grid)) + ".hdf5");
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
    NdArray<double> epsilon({n_e});
    epsilon.data = epsilons;
    file.write("epsilon", epsilon);
    file.write("frequency", frequency);
    file.write("delta", delta);
    if (frequency_resolved) {
      NdArray<double> points({n_fp});
      points.data = frequency_points;
      file.write("frequency_points", points);
      file.write("delta_at_frequency_points", delta_at_fp);
    }
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  args.log << "Real self energy at " << n_gp << " grid points, " << n_e << " epsilon(s), " << n_t
           << " temperatures in " << std::fixed << std::setprecision(2) << seconds << " s, written to "
           << path.string() << "\n";
  return 0;
}

}  // namespace ph3mpi::driver
