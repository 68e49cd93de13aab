// The harmonic stage every mode starts from: the BZ grid of the mesh and the
// dynamical matrix of the fc2 supercell, built from validated Inputs exactly as
// phono3py builds them (Phono3py._set_mesh_numbers, Phono3py.init_phph_interaction).
#pragma once

#include <functional>
#include <memory>

#include "ph3mpi/driver/inputs.hpp"
#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/grid/grid_matrix.hpp"
#include "ph3mpi/grid/ir_grid_points.hpp"
#include "ph3mpi/interaction/atom_triplets.hpp"
#include "ph3mpi/interaction/interaction.hpp"
#include "ph3mpi/parallel/context.hpp"
#include "ph3mpi/phonon/dynamical_matrix.hpp"

namespace ph3mpi::driver {

// The primitive cell's symmetry in the form the grid code takes (spglib dataset
// rotations, transformation matrix, standardized lattice); identity only when
// is_symmetry = false (phonopy's mock dataset).
grid::GridSymmetry grid_symmetry(const Inputs& inputs);

// phono3py's BZ grid of settings.mesh on the primitive cell. Throws SettingsError
// when no mesh is set.
grid::BZGrid make_bz_grid(const Inputs& inputs);

// The mesh numbers phono3py writes (D_diag) and puts into file names.
std::array<std::int64_t, 3> mesh_numbers(const grid::BZGrid& bz_grid);

// D(q) from fc2 on the phonon supercell (NAC as inputs.nac says).
std::unique_ptr<phonon::DynamicalMatrix> make_dynamical_matrix(const Inputs& inputs);

// The fc3 supercell's atom triplets with its shortest vectors (what the interaction and
// its table sizing take).
interaction::AtomTriplets make_atom_triplets(const Inputs& inputs);

// phono3py's Interaction for the fc3 of `inputs` on `bz_grid`: atom triplets with the
// shortest vectors of the fc3 supercell, primitive masses, settings.cutoff_frequency;
// band_indices empty = every band. Needs inputs.fc3. Collective over `context`: the
// fc3 tables are built once per node and shared by its ranks (shared_interaction.hpp)
// unless PH3MPI_NODE_SHARED_FC3=0 and every rank read fc3. On the shared path
// release_fc3 (when set) is called after the build: the tables hold fc3's nonzero blocks,
// so the node's builder need not keep fc3 too.
interaction::Interaction make_interaction(const Inputs& inputs, const grid::BZGrid& bz_grid,
                                          const parallel::Context& context,
                                          std::vector<std::int64_t> band_indices = {},
                                          const std::function<void()>& release_fc3 = {});
// The same on this process alone, with its own tables (tests and benchmarks).
interaction::Interaction make_interaction(const Inputs& inputs, const grid::BZGrid& bz_grid,
                                          std::vector<std::int64_t> band_indices = {});

// settings.mass_variances when given, else phono3py's natural-abundance values of the
// primitive cell's elements (InputError naming phono3py.yaml when an element has none).
std::vector<double> resolve_mass_variances(const Inputs& inputs);

// Checks of the grid-point modes (ise, isotope, ...) that need the BZ grid: at least
// one grid point, every one inside the grid, at least one integration method, and
// (needs_temperatures) at least one temperature. Runs as a collective phase, so a
// bad setting ends every rank with one message and no output.
void check_grid_point_settings(const Inputs& inputs, const grid::BZGrid& bz_grid, bool needs_temperatures,
                               const parallel::Context& context);

}  // namespace ph3mpi::driver
