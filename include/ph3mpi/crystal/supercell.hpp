// Supercell construction with phonopy's atom order (phonopy.structure.cells.Supercell,
// is_old_style=True, which is what phono3py's get_supercell call uses).
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "ph3mpi/crystal/cell.hpp"

namespace ph3mpi::crystal {

// A supercell is a Cell (lattice rows = supercell_matrix^T * unit-cell lattice rows, i.e. the
// supercell basis is (a b c) M in column form) plus the maps back to the unit cell.
// Atoms are grouped by unit-cell atom: block u holds the N = det(M) images of unit-cell
// atom u, the first of which is the atom at the unit cell's own position.
struct Supercell : Cell {
  Eigen::Matrix3i supercell_matrix = Eigen::Matrix3i::Identity();
  // s2u_map[s]: supercell index of the unit-cell representative of atom s (= u * N).
  std::vector<std::int64_t> s2u_map;
  // u2s_map[u]: supercell index of unit-cell atom u (= u * N).
  std::vector<std::int64_t> u2s_map;
};

// Builds the supercell as phonopy does: fill the smallest diagonal frame that encloses the
// target lattice, lattice points with the a index running fastest, atoms outermost, then keep
// the first copy of every site inside the target lattice (overlap tolerance `symprec`, Angstrom).
// Throws ph3mpi::Error if det(M) <= 0 or the atom count does not come out as det(M) * n_unit.
Supercell build_supercell(const Cell& unitcell, const Eigen::Matrix3i& supercell_matrix,
                          double symprec = 1e-5);

namespace detail {
// phonopy's TrimmedCell: lattice = relative_axes^T * cell.lattice; positions mapped into it and
// wrapped to [0, 1); an atom is dropped when an earlier kept atom of the same species sits within
// `symprec` (Angstrom) of it. Returns the kept atoms' indices (extracted_atoms) and fills `trimmed`.
// When check_overlap is false every atom is kept.
std::vector<std::int64_t> trim_cell(const Eigen::Matrix3d& relative_axes, const Cell& cell, double symprec,
                                    bool check_overlap, Cell& trimmed);
// numpy.linalg.inv-like inverse (LU with partial pivoting) so that positions agree with phonopy's
// to the last bits where possible.
Eigen::Matrix3d inverse(const Eigen::Matrix3d& m);
// True when atoms i of a and j of b are the same species (symbol and atomic number).
bool same_species(const Cell& a, std::size_t i, const Cell& b, std::size_t j);
}  // namespace detail

}  // namespace ph3mpi::crystal
