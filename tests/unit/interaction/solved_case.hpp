// Test helper: a case of tests/data on any mesh, everything built by ph3mpi from
// phono3py.yaml, fc2.hdf5 and fc3.hdf5 (cells, atom triplets, BZ grid, ir grid points,
// phonons solved on every BZ grid point), as the RTA driver does. For the tests that
// compare the interaction kernels with their previous versions on meshes and cases
// (si-conv8) that have no phono3py reference files.
#pragma once

#include <complex>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/crystal/primitive.hpp"
#include "ph3mpi/crystal/shortest_vectors.hpp"
#include "ph3mpi/crystal/supercell.hpp"
#include "ph3mpi/crystal/symmetry.hpp"
#include "ph3mpi/grid/ir_grid_points.hpp"
#include "ph3mpi/grid/make_bz_grid.hpp"
#include "ph3mpi/interaction/atom_triplets.hpp"
#include "ph3mpi/interaction/phonon_view.hpp"
#include "ph3mpi/io/force_constants.hpp"
#include "ph3mpi/io/phono3py_yaml.hpp"
#include "ph3mpi/phonon/dynamical_matrix.hpp"
#include "ph3mpi/phonon/phonon_solver.hpp"
#include "test_support.hpp"

namespace ph3mpi::test {

struct SolvedCase {
  crystal::Primitive primitive;
  interaction::AtomTriplets atoms;
  io::ForceConstants fc3;
  grid::BZGrid bz_grid;
  grid::IrGridPoints ir;
  phonon::Phonons phonons;  // on every BZ grid point

  const std::int8_t* nonzero_indices() const {
    return fc3.has_nonzero_indices ? fc3.fc3_nonzero_indices.ptr() : nullptr;
  }
  interaction::PhononView phonon_view() const {
    interaction::PhononView v;
    v.frequencies = phonons.frequencies.ptr();
    v.eigenvectors = phonons.eigenvectors.ptr();
    v.num_grid_points = phonons.frequencies.shape[0];
    v.num_band = phonons.frequencies.shape[1];
    return v;
  }
  std::vector<double> frequencies_at(std::int64_t gp) const {
    const std::size_t nb = phonons.frequencies.shape[1];
    const double* f = phonons.frequencies.ptr() + static_cast<std::size_t>(gp) * nb;
    return std::vector<double>(f, f + nb);
  }
};

inline std::unique_ptr<SolvedCase> solve_case(const std::string& name, const grid::Vector3l& mesh) {
  auto c = std::make_unique<SolvedCase>();
  const std::string dir = data_path(name) + "/";
  const io::Phono3pyYaml yaml = io::read_phono3py_yaml(dir + "phono3py.yaml");
  const double symprec = 1e-5;
  const crystal::Supercell sc = crystal::build_supercell(yaml.unitcell, yaml.supercell_matrix, symprec);
  c->primitive = crystal::build_primitive(sc, yaml.primitive_matrix, symprec);
  c->atoms =
      interaction::make_atom_triplets(sc, c->primitive, crystal::shortest_vectors(sc, c->primitive, symprec));
  c->fc3 = io::read_fc3(dir + "fc3.hdf5", sc.num_atoms(), c->primitive.p2s_map);
  const crystal::Supercell psc =
      crystal::build_supercell(yaml.unitcell, yaml.phonon_supercell_matrix, symprec);
  const crystal::Primitive pprim = crystal::build_primitive(psc, yaml.primitive_matrix, symprec);
  io::ForceConstants fc2 = io::read_fc2(dir + "fc2.hdf5", psc.num_atoms(), pprim.p2s_map);
  const phonon::DynamicalMatrix dm(
      phonon::make_dynamical_matrix_input(pprim, crystal::shortest_vectors(psc, pprim, symprec),
                                          std::move(fc2.fc)),
      yaml.nac);
  const crystal::Symmetry sym = crystal::get_symmetry(c->primitive, symprec);
  grid::GridSymmetry gsym;
  gsym.rotations = sym.rotations;
  gsym.transformation_matrix = sym.transformation_matrix;
  gsym.std_lattice = sym.std_lattice;
  c->bz_grid = grid::make_phono3py_bz_grid(grid::MeshSpec::from_numbers(mesh), c->primitive.lattice, gsym);
  c->ir = grid::get_ir_grid_points(c->bz_grid);
  std::vector<std::int64_t> all(c->bz_grid.addresses.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::int64_t>(i);
  c->phonons = phonon::solve_phonons(dm, grid::qpoints_of_bz_points(c->bz_grid, all));
  return c;
}

}  // namespace ph3mpi::test
