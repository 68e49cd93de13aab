// Shortest supercell-periodic vectors from primitive atoms to supercell atoms, with their
// multiplicities (phonopy.structure.cells.ShortestPairs, dense storage).
#pragma once

#include <Eigen/Dense>
#include <array>
#include <cstdint>
#include <vector>

#include "ph3mpi/crystal/primitive.hpp"
#include "ph3mpi/crystal/supercell.hpp"

namespace ph3mpi::crystal {

// phonopy's dense svecs/multi. For supercell atom s and primitive atom p,
// multi[s * n_patom + p] = {count, first}: svecs[first .. first+count) are all the vectors
// r_s - r_{p2s[p]} + R (R a supercell lattice vector) of minimal length (within symprec),
// i.e. more than one when s lies on the Wigner-Seitz boundary of the supercell centred at p.
// Vectors are in fractional coordinates of the PRIMITIVE lattice (as phonopy returns them).
struct ShortestVectors {
  std::vector<Eigen::Vector3d> svecs;
  std::vector<std::array<std::int64_t, 2>> multi;  // [n_satom * n_patom]
  std::size_t n_satom = 0;
  std::size_t n_patom = 0;

  const std::array<std::int64_t, 2>& at(std::size_t s, std::size_t p) const { return multi[s * n_patom + p]; }
};

// Same algorithm as phonopy: Niggli-reduce the supercell lattice (spglib, eps = symprec), wrap
// positions into the reduced cell, try the 65 lattice points spanned by combinations of
// {a, b, c, -a-b-c} with coefficients -1, 0, 1, keep every image whose Cartesian length is
// within symprec of the shortest, then express them in primitive-lattice coordinates.
ShortestVectors shortest_vectors(const Supercell& supercell, const Primitive& primitive,
                                 double symprec = 1e-5);

// Lower-level entry point mirroring phonopy's get_smallest_vectors: vectors from each of
// from_positions to each of to_positions (both fractional in supercell_lattice, rows), returned
// in SUPERCELL fractional coordinates, multi indexed [to * n_from + from].
ShortestVectors smallest_vectors_in_supercell(const Eigen::Matrix3d& supercell_lattice,
                                              const std::vector<Eigen::Vector3d>& to_positions,
                                              const std::vector<Eigen::Vector3d>& from_positions,
                                              double symprec = 1e-5);

// spglib's Niggli reduction of lattice rows (eps = tolerance); throws ph3mpi::Error on failure.
Eigen::Matrix3d niggli_reduce(const Eigen::Matrix3d& lattice_rows, double tolerance);

}  // namespace ph3mpi::crystal
