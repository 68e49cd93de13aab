// Crystal symmetry from spglib, in the form phonopy's Symmetry class exposes it.
#pragma once

#include <Eigen/Dense>
#include <cstddef>
#include <string>
#include <vector>

#include "ph3mpi/crystal/cell.hpp"

namespace ph3mpi::crystal {

struct Symmetry {
  // Space-group operations x' = R x + t on fractional coordinates, in spglib's order.
  std::vector<Eigen::Matrix3i> rotations;
  std::vector<Eigen::Vector3d> translations;
  int spacegroup_number = 1;
  std::string international;          // e.g. "Fd-3m"; "P1" without symmetry
  std::string hall_symbol;            // empty without symmetry
  std::string pointgroup;             // e.g. "m-3m" (spglib's symbol of the unique rotations)
  std::vector<int> equivalent_atoms;  // representative atom of each atom's orbit
  std::vector<std::string> wyckoffs;  // letters; "a" for every atom without symmetry
  // Standardization (dataset.transformation_matrix, origin_shift, std_lattice as ROWS a, b, c,
  // i.e. transposed from spglib's C layout as spglib's Python wrapper returns it). Without
  // symmetry: identity, zero and the cell's own lattice (phonopy's NosymDataset / mock dataset).
  Eigen::Matrix3d transformation_matrix = Eigen::Matrix3d::Identity();
  Eigen::Vector3d origin_shift = Eigen::Vector3d::Zero();
  Eigen::Matrix3d std_lattice = Eigen::Matrix3d::Identity();
  // Unique rotations in order of first appearance (phonopy Symmetry.pointgroup_operations).
  std::vector<Eigen::Matrix3i> pointgroup_operations;
  // Operations on q in reduced coordinates, q' = R q (phonopy Symmetry.reciprocal_operations):
  // the transposes of pointgroup_operations, followed by their negatives when the point group
  // lacks inversion (time-reversal symmetry q -> -q).
  std::vector<Eigen::Matrix3i> reciprocal_operations;
  double symprec = 1e-5;  // tolerance (Angstrom) used to find them (phonopy Symmetry.tolerance)
};

// spglib's symmetry dataset of `cell` (spg_get_dataset) at tolerance symprec. With
// is_symmetry = false only the identity is kept, as phonopy's Symmetry(is_symmetry=False)
// (space group "P1" (1), every atom its own orbit). Throws ph3mpi::Error with spglib's message
// when the search fails.
Symmetry get_symmetry(const Cell& cell, double symprec = 1e-5, bool is_symmetry = true);

// phonopy's collect_unique_rotations: duplicates removed, first appearance kept.
std::vector<Eigen::Matrix3i> collect_unique_rotations(const std::vector<Eigen::Matrix3i>& rotations);

// phonopy's get_pointgroup_operations(..., is_time_reversal)[1]: reciprocal-space operations from
// point-group operations.
std::vector<Eigen::Matrix3i> reciprocal_operations(const std::vector<Eigen::Matrix3i>& pointgroup_operations,
                                                   bool is_time_reversal = true);

// Rotations of atom `atom` of `cell`'s site symmetry: R of every operation (R, t) with
// R x + t == x modulo lattice vectors within symprec in Cartesian distance
// (phonopy Symmetry.get_site_symmetry).
std::vector<Eigen::Matrix3i> site_symmetry(const Symmetry& symmetry, const Cell& cell, std::size_t atom);

// Indices into symmetry.reciprocal_operations of the operations that leave q invariant: with
// q reduced by rounding, |q - R q| < symprec in every component (the set over which phonopy's
// GroupVelocity averages, _symmetrize_group_velocity).
std::vector<std::size_t> q_site_symmetry(const Symmetry& symmetry, const Eigen::Vector3d& q);

// Reciprocal operations as Cartesian matrices acting on Cartesian q (and on group velocities):
// B R B^-1 with B = inv(lattice rows) the reciprocal basis as columns (phonopy
// similarity_transformation(reciprocal_lattice, R), BZGrid.rotations_cartesian).
std::vector<Eigen::Matrix3d> reciprocal_operations_cartesian(const std::vector<Eigen::Matrix3i>& operations,
                                                             const Eigen::Matrix3d& lattice);

}  // namespace ph3mpi::crystal
