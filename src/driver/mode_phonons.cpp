// mode = "phonons": phono3py's --write-phonon. Frequencies, eigenvectors and group
// velocities on every BZ grid point (phono3py's BZ numbering), written to
// <output_dir>/phonon-m<mesh>.hdf5 with the irreducible grid points and weights.
// Rank 0 solves (OpenMP inside); this stage is cheap next to the interaction.
#include <chrono>
#include <iomanip>

#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/driver/modes.hpp"
#include "ph3mpi/grid/make_bz_grid.hpp"
#include "ph3mpi/io/phonon_file.hpp"
#include "ph3mpi/phonon/group_velocity.hpp"
#include "ph3mpi/phonon/phonon_solver.hpp"

namespace ph3mpi::driver {

int run_phonons(const ModeArguments& args) {
  const Inputs& inputs = args.inputs;
  const auto t0 = std::chrono::steady_clock::now();
  grid::BZGrid bz_grid = make_bz_grid(inputs);
  grid::IrGridPoints ir = grid::get_ir_grid_points(bz_grid);
  const auto mesh = mesh_numbers(bz_grid);
  args.log << "Mesh " << mesh[0] << "x" << mesh[1] << "x" << mesh[2] << ": " << bz_grid.num_bz_points()
           << " BZ grid points, " << ir.ir_grid_points.size() << " irreducible\n";
  if (!args.context.is_root()) {
    return 0;
  }

  std::unique_ptr<phonon::DynamicalMatrix> dm = make_dynamical_matrix(inputs);
  std::vector<std::int64_t> all(static_cast<std::size_t>(bz_grid.num_bz_points()));
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::int64_t>(i);
  std::vector<Eigen::Vector3d> qpoints = grid::qpoints_of_bz_points(bz_grid, all);
  phonon::Phonons phonons = phonon::solve_phonons(*dm, qpoints);

  const std::size_t nband = dm->num_band();
  NdArray<double> gv({qpoints.size(), nband, 3});
  phonon::GroupVelocity group_velocity(*dm, inputs.primitive_symmetry.reciprocal_operations, inputs.symprec,
                                       std::nullopt, units::kDefaultToTHz, inputs.settings.cutoff_frequency);
  group_velocity.run(qpoints, gv.ptr());

  io::PhononFileContent content;
  content.mesh = mesh;
  content.bz_grid = &bz_grid;
  content.frequency = &phonons.frequencies;
  content.eigenvector = &phonons.eigenvectors;
  content.group_velocity = &gv;
  content.ir_grid_points = ir.ir_grid_points_bz;
  content.ir_grid_weights = ir.ir_weights;
  const std::string path = io::write_phonon_file(inputs.settings.output_dir.string(), content);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  args.log << "Phonons on " << qpoints.size() << " grid points (" << nband << " bands) in " << std::fixed
           << std::setprecision(2) << seconds << " s, written to " << path << "\n";
  return 0;
}

}  // namespace ph3mpi::driver
