// Primitive cell carved out of a supercell (phonopy.structure.cells.Primitive).
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "ph3mpi/crystal/cell.hpp"
#include "ph3mpi/crystal/supercell.hpp"

namespace ph3mpi::crystal {

// The primitive cell as a Cell (lattice rows = primitive_matrix^T * unit-cell lattice rows,
// positions wrapped to [0, 1)) plus the atom maps to the supercell it was built from.
struct Primitive : Cell {
  // Relative to the UNIT cell (phono3py.yaml's primitive_matrix).
  Eigen::Matrix3d primitive_matrix = Eigen::Matrix3d::Identity();
  // Relative to the SUPERCELL: inv(supercell_matrix) * primitive_matrix (phonopy's
  // Primitive.primitive_matrix as phono3py builds it).
  Eigen::Matrix3d primitive_matrix_to_supercell = Eigen::Matrix3d::Identity();
  std::vector<std::int64_t> p2s_map;  // [n_patom] supercell index of each primitive atom
  std::vector<std::int64_t> s2p_map;  // [n_satom] supercell index of the primitive atom s maps to
  // Dense form of phonopy's p2p_map dict: [n_satom], p2p_map[p2s_map[p]] = p, -1 elsewhere.
  // The primitive index of supercell atom s is p2p_map[s2p_map[s]].
  std::vector<std::int64_t> p2p_map;
  double symprec = 1e-5;  // tolerance used to build it (Angstrom)
};

// primitive_matrix is relative to the unit cell the supercell was built from (phonopy
// convention: primitive lattice rows = primitive_matrix^T * unit-cell lattice rows).
// Throws ph3mpi::Error if the matrix does not divide the supercell into whole primitive cells
// or an atom cannot be mapped to exactly one primitive atom.
Primitive build_primitive(const Supercell& supercell, const Eigen::Matrix3d& primitive_matrix,
                          double symprec = 1e-5);

}  // namespace ph3mpi::crystal
