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
// The grid points are computed over all ranks (driver/grid_point_modes.hpp); rank 0
// writes <output_dir>/jdos-m<mesh>.hdf5 (io/grid_point_files.hpp):
//   joint_dos (methods, T or 1, gp, fp, 2) 1/THz, normalized by prod(D_diag); [..., 0] is
//   class [0] (the coalescence-type sums), [..., 1] class [1] (decay), as phono3py.
#include <numeric>

#include "ph3mpi/driver/grid_point_gamma.hpp"
#include "ph3mpi/driver/grid_point_modes.hpp"
#include "ph3mpi/driver/modes.hpp"
#include "ph3mpi/interaction/triplets.hpp"
#include "ph3mpi/io/grid_point_files.hpp"
#include "ph3mpi/self_energy/joint_dos.hpp"

namespace ph3mpi::driver {

int run_jdos(const ModeArguments& args) {
  const config::Settings& settings = args.inputs.settings;
  const bool weighted = settings.key_lines.count("temperatures") != 0;
  const GridPointModeRun run(args, weighted);
  std::vector<std::int64_t> all_bands(run.phonons().num_band());  // band_indices does not apply
  std::iota(all_bands.begin(), all_bands.end(), 0);
  const std::vector<std::optional<double>> methods = integration_methods(settings);
  std::vector<std::optional<double>> temperatures;
  if (weighted) {
    temperatures.assign(settings.temperatures.begin(), settings.temperatures.end());
  } else {
    temperatures.emplace_back(std::nullopt);
  }
  // Phono3pyJointDos: from the highest phonon frequency on the whole grid.
  const std::vector<double> frequency_points = run.frequency_points(methods, true);
  const std::size_t n_t = temperatures.size(), n_fp = frequency_points.size();

  const std::vector<NamedArrays> results = run.compute([&](const GridPointTask& task) {
    GridPointResult result;
    const interaction::TripletsAtQ tq = run.triplets_at(task);
    // Every band (the file holds the phonons at q0, not band_indices).
    result.arrays.reals["frequency"] = run.frequencies_at(task.grid_point, all_bands);
    NdArray<double> jdos({methods.size(), n_t, n_fp, 2});
    for (std::size_t im = 0; im < methods.size(); ++im) {
      for (std::size_t it = 0; it < n_t; ++it) {
        run.trace("JointDos", task);
        const NdArray<double> r = self_energy::joint_dos(
            frequency_points, tq.triplets, tq.weights, run.phonons().frequencies(), run.bz_grid(),
            methods[im], temperatures[it], settings.cutoff_frequency, settings.sigma_cutoff);
        std::copy(r.data.begin(), r.data.end(), &jdos[(im * n_t + it) * n_fp * 2]);
      }
    }
    result.arrays.reals["joint_dos"] = std::move(jdos);
    result.log_done("Joint DOS", task, tq.triplets.size());
    return result;
  });
  if (!args.context.is_root()) return 0;

  io::JdosFile file;
  file.grid_points = settings.grid_points;
  file.methods = {settings.tetrahedron, settings.sigmas};
  if (weighted) file.temperatures = settings.temperatures;
  file.frequency = stack_grid_points(results, "frequency", 0);
  file.frequency_points = frequency_points;
  file.joint_dos = stack_grid_points(results, "joint_dos", 2);
  run.write_output("jdos",
                   "Joint DOS at " + std::to_string(file.grid_points.size()) + " grid points, " +
                       std::to_string(methods.size()) + " method(s), " +
                       (weighted ? std::to_string(n_t) + " temperatures" : std::string("no temperature")),
                   [&](const std::string& path) { io::write_jdos_file(path, file); });
  return 0;
}

}  // namespace ph3mpi::driver
