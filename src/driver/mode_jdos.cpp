// mode = "jdos": phono3py's --jdos (api_jointdos.Phono3pyJointDos.run). The joint density
// of states of the two-phonon final states of each of settings.grid_points on frequency
// points, both classes (self_energy/joint_dos.hpp), for every integration method
// (tetrahedron first when enabled, then each sigma). Needs fc2 only.
//
// Plain or occupation-weighted, as phono3py's --ts switches it: when the config gives the
// `temperatures` key, the weighted joint DOS at each of its temperatures; without it
// (the key's default is not used here) the plain joint DOS. Frequency points: 201 by
// default, or num_frequency_points / frequency_step, from 0 to 1.005 (2 max_freq +
// 4 max sigma) (phono3py's get_frequency_points).
//
// Written to <output_dir>/jdos-m<mesh>.hdf5 by rank 0:
//   grid_point (gp), tetrahedron (), sigma (sigmas), temperature (T, weighted only) K,
//   frequency (gp, nb) THz (phonons at q0), frequency_points (fp) THz,
//   joint_dos (methods, T or 1, gp, fp, 2) 1/THz, normalized by prod(D_diag); [..., 0] is
//   class [0] (the coalescence-type sums), [..., 1] class [1] (decay), as phono3py.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iomanip>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/driver/bz_phonons.hpp"
#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/driver/modes.hpp"
#include "ph3mpi/grid/make_bz_grid.hpp"
#include "ph3mpi/interaction/triplets.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/io/kappa_file.hpp"
#include "ph3mpi/self_energy/frequency_points.hpp"
#include "ph3mpi/self_energy/joint_dos.hpp"

namespace ph3mpi::driver {

int run_jdos(const ModeArguments& args) {
  const Inputs& inputs = args.inputs;
  const config::Settings& settings = inputs.settings;
  const auto t0 = std::chrono::steady_clock::now();
  grid::BZGrid bz_grid = make_bz_grid(inputs);
  const bool weighted = settings.key_lines.count("temperatures") != 0;
  check_grid_point_settings(inputs, bz_grid, weighted, args.context);

  // Phonons on every BZ point (the triplets and tetrahedra reach any of them), solved or
  // read_phonon: a collective step; then rank 0 computes.
  std::unique_ptr<phonon::DynamicalMatrix> dm = make_dynamical_matrix(inputs);
  const BZPhonons phonons(args.context, inputs, bz_grid, *dm);
  if (settings.write_phonon) {
    args.log << "Phonons written to " << phonons.write(args.context, settings.output_dir, bz_grid) << "\n";
  }
  if (!args.context.is_root()) return 0;
  const std::size_t nb = dm->num_band();

  std::vector<std::optional<double>> methods;
  if (settings.tetrahedron) methods.emplace_back(std::nullopt);
  for (const double s : settings.sigmas) methods.emplace_back(s);
  std::vector<std::optional<double>> temperatures;
  if (weighted) {
    temperatures.assign(settings.temperatures.begin(), settings.temperatures.end());
  } else {
    temperatures.emplace_back(std::nullopt);
  }
  // Phono3pyJointDos: from the highest phonon frequency on the whole grid.
  const double max_freq =
      *std::max_element(phonons.frequencies().data.begin(), phonons.frequencies().data.end());
  const std::vector<double> frequency_points = self_energy::get_frequency_points(
      max_freq, methods, settings.frequency_step, settings.num_frequency_points);

  const std::size_t n_gp = settings.grid_points.size();
  const std::size_t n_m = methods.size();
  const std::size_t n_t = temperatures.size();
  const std::size_t n_fp = frequency_points.size();
  NdArray<double> frequency({n_gp, nb});
  NdArray<double> jdos({n_m, n_t, n_gp, n_fp, 2});
  for (std::size_t ig = 0; ig < n_gp; ++ig) {
    const std::int64_t gp = settings.grid_points[ig];
    const interaction::TripletsAtQ tq = interaction::get_triplets_at_q(gp, bz_grid);
    std::copy(&phonons.frequencies()[static_cast<std::size_t>(gp) * nb],
              &phonons.frequencies()[static_cast<std::size_t>(gp + 1) * nb], &frequency[ig * nb]);
    for (std::size_t im = 0; im < n_m; ++im) {
      for (std::size_t it = 0; it < n_t; ++it) {
        const NdArray<double> r = self_energy::joint_dos(
            frequency_points, tq.triplets, tq.weights, phonons.frequencies(), bz_grid, methods[im],
            temperatures[it], settings.cutoff_frequency, settings.sigma_cutoff);
        std::copy(r.data.begin(), r.data.end(), &jdos[((im * n_t + it) * n_gp + ig) * n_fp * 2]);
      }
    }
    args.log << "Joint DOS at grid point " << gp << " (" << tq.triplets.size() << " triplets) done\n";
  }

  const std::filesystem::path path =
      settings.output_dir / ("jdos" + io::kappa_filename_suffix(mesh_numbers(bz_grid)) + ".hdf5");
  io::write_hdf5_atomically(path.string(), [&](io::Hdf5File& file) {
    NdArray<std::int64_t> grid_point({n_gp});
    grid_point.data = settings.grid_points;
    file.write("grid_point", grid_point);
    file.write_scalar("tetrahedron", static_cast<std::int64_t>(settings.tetrahedron ? 1 : 0));
    if (!settings.sigmas.empty()) {
      NdArray<double> sigma({settings.sigmas.size()});
      sigma.data = settings.sigmas;
      file.write("sigma", sigma);
    }
    if (weighted) {
      NdArray<double> temperature({n_t});
      temperature.data = settings.temperatures;
      file.write("temperature", temperature);
    }
    file.write("frequency", frequency);
    NdArray<double> points({n_fp});
    points.data = frequency_points;
    file.write("frequency_points", points);
    file.write("joint_dos", jdos);
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  args.log << "Joint DOS at " << n_gp << " grid points, " << n_m << " method(s), "
           << (weighted ? std::to_string(n_t) + " temperatures" : std::string("no temperature")) << " in "
           << std::fixed << std::setprecision(2) << seconds << " s, written to " << path.string() << "\n";
  return 0;
}

}  // namespace ph3mpi::driver
