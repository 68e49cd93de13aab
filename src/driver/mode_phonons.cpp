// mode = "phonons": phono3py's --write-phonon. Frequencies, eigenvectors and group
// velocities on every BZ grid point (phono3py's BZ numbering), written to
// <output_dir>/phonon-m<mesh>.hdf5 with the irreducible grid points and weights.
// The phonons come from the one BZ-grid step every mode uses (solved over the ranks of a
// node, or read_phonon); rank 0 computes the group velocities and writes the file.
#include <chrono>
#include <iomanip>

#include "ph3mpi/driver/bz_phonons.hpp"
#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/driver/modes.hpp"
#include "ph3mpi/grid/make_bz_grid.hpp"
#include "ph3mpi/io/phonon_file.hpp"
#include "ph3mpi/parallel/error_handling.hpp"
#include "ph3mpi/phonon/group_velocity.hpp"

namespace ph3mpi::driver {

int run_phonons(const ModeArguments& args) {
  const Inputs& inputs = args.inputs;
  const auto t0 = std::chrono::steady_clock::now();
  grid::BZGrid bz_grid = make_bz_grid(inputs);
  grid::IrGridPoints ir = grid::get_ir_grid_points(bz_grid);
  const auto mesh = mesh_numbers(bz_grid);
  args.log << "Mesh " << mesh[0] << "x" << mesh[1] << "x" << mesh[2] << ": " << bz_grid.num_bz_points()
           << " BZ grid points, " << ir.ir_grid_points.size() << " irreducible\n";

  std::unique_ptr<phonon::DynamicalMatrix> dm = make_dynamical_matrix(inputs);
  const BZPhonons phonons(args.context, inputs, bz_grid, *dm);
  const std::size_t nband = dm->num_band();
  const std::size_t n = phonons.num_points();
  NdArray<double> gv;
  parallel::collective_check(args.context, [&] {
    if (!args.context.is_root()) return;
    std::vector<std::int64_t> all(n);
    for (std::size_t i = 0; i < n; ++i) all[i] = static_cast<std::int64_t>(i);
    gv = NdArray<double>({n, nband, 3});
    phonon::GroupVelocity group_velocity(*dm, inputs.primitive_symmetry.reciprocal_operations, inputs.symprec,
                                         std::nullopt, units::kDefaultToTHz,
                                         inputs.settings.cutoff_frequency);
    group_velocity.run(grid::qpoints_of_bz_points(bz_grid, all), gv.ptr());
  });
  const std::string path = phonons.write(args.context, inputs.settings.output_dir, bz_grid, &gv);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  args.log << "Phonons " << phonons.describe() << " (" << nband << " bands) in " << std::fixed
           << std::setprecision(2) << seconds << " s, written to " << path << "\n";
  return 0;
}

}  // namespace ph3mpi::driver
