#include "ph3mpi/driver/harmonic_setup.hpp"

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/crystal/shortest_vectors.hpp"
#include "ph3mpi/driver/shared_interaction.hpp"
#include "ph3mpi/grid/make_bz_grid.hpp"
#include "ph3mpi/interaction/atom_triplets.hpp"
#include "ph3mpi/parallel/error_handling.hpp"
#include "ph3mpi/self_energy/isotope.hpp"

namespace ph3mpi::driver {

grid::GridSymmetry grid_symmetry(const Inputs& inputs) {
  const crystal::Symmetry& sym = inputs.primitive_symmetry;
  if (!inputs.settings.is_symmetry) {
    return grid::GridSymmetry::identity(inputs.primitive.lattice);
  }
  grid::GridSymmetry g;
  g.rotations = sym.rotations;
  g.transformation_matrix = sym.transformation_matrix;
  g.std_lattice = sym.std_lattice;
  return g;
}

grid::BZGrid make_bz_grid(const Inputs& inputs) {
  const config::Settings& s = inputs.settings;
  if (!s.mesh) {
    throw config::settings_error(s, "mesh",
                                 "mode '" + std::string(config::to_string(s.mode)) + "' needs a mesh");
  }
  grid::MeshSpec spec;
  if (s.mesh->numbers) {
    const auto& n = *s.mesh->numbers;
    spec = grid::MeshSpec::from_numbers(grid::Vector3l(n[0], n[1], n[2]));
  } else {
    spec = grid::MeshSpec::from_length(*s.mesh->length);
  }
  return grid::make_phono3py_bz_grid(spec, inputs.primitive.lattice, grid_symmetry(inputs), s.is_symmetry,
                                     s.use_grg);
}

std::array<std::int64_t, 3> mesh_numbers(const grid::BZGrid& bz_grid) {
  return {bz_grid.D_diag(0), bz_grid.D_diag(1), bz_grid.D_diag(2)};
}

std::unique_ptr<phonon::DynamicalMatrix> make_dynamical_matrix(const Inputs& inputs) {
  crystal::ShortestVectors svecs =
      crystal::shortest_vectors(inputs.phonon_supercell, inputs.phonon_primitive, inputs.symprec);
  phonon::DynamicalMatrixInput input =
      phonon::make_dynamical_matrix_input(inputs.phonon_primitive, svecs, inputs.fc2.fc);
  return std::make_unique<phonon::DynamicalMatrix>(std::move(input), inputs.nac);
}

void check_grid_point_settings(const Inputs& inputs, const grid::BZGrid& bz_grid, bool needs_temperatures,
                               const parallel::Context& context) {
  parallel::collective_check(context, [&] {
    const config::Settings& settings = inputs.settings;
    const std::string mode(config::to_string(settings.mode));
    const std::int64_t num_bz = bz_grid.num_bz_points();
    if (settings.grid_points.empty()) {
      throw config::settings_error(settings, "grid_points",
                                   "mode '" + mode + "' needs at least one grid point");
    }
    for (const std::int64_t gp : settings.grid_points) {
      if (gp < 0 || gp >= num_bz) {
        throw config::settings_error(settings, "grid_points",
                                     "grid point " + std::to_string(gp) + " is outside the BZ grid (0.." +
                                         std::to_string(num_bz - 1) + ")");
      }
    }
    if (needs_temperatures && settings.temperatures.empty()) {
      throw config::settings_error(settings, "temperatures",
                                   "mode '" + mode + "' needs at least one temperature");
    }
    if (!settings.tetrahedron && settings.sigmas.empty()) {
      throw config::settings_error(settings, "sigmas",
                                   "mode '" + mode + "' needs tetrahedron = true or at least one sigma");
    }
  });
}

interaction::AtomTriplets make_atom_triplets(const Inputs& inputs) {
  return interaction::make_atom_triplets(
      inputs.supercell, inputs.primitive,
      crystal::shortest_vectors(inputs.supercell, inputs.primitive, inputs.symprec));
}

interaction::Interaction make_interaction(const Inputs& inputs, const grid::BZGrid& bz_grid,
                                          const parallel::Context& context,
                                          std::vector<std::int64_t> band_indices,
                                          const std::function<void()>& release_fc3) {
  if (!inputs.fc3) throw SettingsError("this mode needs fc3, which was not loaded");
  const io::ForceConstants& fc3 = *inputs.fc3;
  interaction::AtomTriplets atoms = make_atom_triplets(inputs);
  const interaction::Fc3View view = fc3_view(fc3);
  // Shared per node unless every rank read fc3 (PH3MPI_NODE_SHARED_FC3=0, or a caller's
  // own Inputs): then each rank builds its own tables, as before.
  const bool every_rank_read_fc3 = context.min(fc3.has_values ? 1 : 0) == 1;
  const bool per_rank = every_rank_read_fc3 && !node_shared_fc3_from_environment();
  interaction::Interaction itr =
      per_rank
          ? interaction::Interaction(interaction::RealToReciprocal(view, atoms, bz_grid),
                                     inputs.primitive.masses, bz_grid, std::move(band_indices),
                                     inputs.settings.cutoff_frequency)
          : interaction::Interaction(
                make_node_shared_real_to_reciprocal(context, view, atoms, bz_grid).real_to_reciprocal,
                inputs.primitive.masses, bz_grid, std::move(band_indices), inputs.settings.cutoff_frequency);
  if (!per_rank && release_fc3) release_fc3();
  itr.set_degenerate_average(inputs.settings.degenerate_average);
  return itr;
}

interaction::Interaction make_interaction(const Inputs& inputs, const grid::BZGrid& bz_grid,
                                          std::vector<std::int64_t> band_indices) {
  if (!inputs.fc3 || !inputs.fc3->has_values)
    throw SettingsError("this mode needs fc3, which was not loaded");
  interaction::Interaction itr(
      interaction::RealToReciprocal(fc3_view(*inputs.fc3), make_atom_triplets(inputs), bz_grid),
      inputs.primitive.masses, bz_grid, std::move(band_indices), inputs.settings.cutoff_frequency);
  itr.set_degenerate_average(inputs.settings.degenerate_average);
  return itr;
}

std::vector<double> resolve_mass_variances(const Inputs& inputs) {
  const config::Settings& s = inputs.settings;
  return s.mass_variances
             ? *s.mass_variances
             : self_energy::get_mass_variances(inputs.primitive.symbols, s.phono3py_yaml.string());
}

}  // namespace ph3mpi::driver
