// A crystal structure as phonopy describes it.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

namespace ph3mpi::crystal {

// Lattice vectors are the ROWS of `lattice` (phonopy/phono3py convention:
// lattice[0] = a, Angstrom). Positions are fractional coordinates of those vectors.
struct Cell {
  Eigen::Matrix3d lattice = Eigen::Matrix3d::Zero();  // Angstrom, rows a, b, c
  std::vector<Eigen::Vector3d> positions;             // fractional
  std::vector<std::string> symbols;                   // chemical symbols
  std::vector<int> numbers;                           // atomic numbers (from symbols)
  std::vector<double> masses;                         // AMU

  std::size_t num_atoms() const noexcept { return positions.size(); }
  double volume() const { return std::abs(lattice.determinant()); }  // Angstrom^3
};

}  // namespace ph3mpi::crystal
