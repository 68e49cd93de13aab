// From what the user asks for (three mesh numbers, a length, or a 3x3 grid
// matrix) to the GR grid D_diag, P, Q: phonopy's length2mesh and GridMatrix
// (phonopy/phonon/grid.py), including the generalized regular grid (use_grg)
// built on the conventional cell.
#pragma once

#include <Eigen/Dense>
#include <array>
#include <vector>

#include "ph3mpi/grid/bz_grid.hpp"

namespace ph3mpi::grid {

// The parts of spglib's dataset of the PRIMITIVE cell that the grid uses
// (phonopy's GridSymmetryDataset). Fill it from spg_get_dataset of the primitive
// cell (phono3py: Phono3py.primitive_symmetry.dataset).
struct GridSymmetry {
  std::vector<Eigen::Matrix3i> rotations;  // dataset.rotations (lattice basis), spglib order
  Eigen::Matrix3d transformation_matrix = Eigen::Matrix3d::Identity();  // dataset.transformation_matrix
  Eigen::Matrix3d std_lattice = Eigen::Matrix3d::Identity();            // dataset.std_lattice, rows a,b,c

  // phonopy's NosymDataset / mock dataset: identity only, the lattice itself as standard cell
  // (Phono3py with is_symmetry=False).
  static GridSymmetry identity(const Eigen::Matrix3d& lattice);
};

// The mesh as phono3py accepts it (Phono3py.mesh_numbers).
struct MeshSpec {
  enum class Kind { kNumbers, kLength, kMatrix };
  Kind kind = Kind::kNumbers;
  Vector3l numbers = Vector3l::Ones();     // kNumbers
  double length = 0.0;                     // kLength, Angstrom
  Matrix3l matrix = Matrix3l::Identity();  // kMatrix: grid generating matrix A

  static MeshSpec from_numbers(const Vector3l& n) { return {Kind::kNumbers, n, 0.0, Matrix3l::Identity()}; }
  static MeshSpec from_length(double l) { return {Kind::kLength, Vector3l::Ones(), l, Matrix3l::Identity()}; }
  static MeshSpec from_matrix(const Matrix3l& a) { return {Kind::kMatrix, Vector3l::Ones(), 0.0, a}; }
};

// phonopy's GridMatrix result.
struct GridMatrix {
  Vector3l D_diag = Vector3l::Ones();
  Matrix3l P = Matrix3l::Identity();
  Matrix3l Q = Matrix3l::Identity();
  Matrix3l grid_matrix = Matrix3l::Identity();  // A; diag(D_diag) when no SNF was needed
  bool is_regular_mesh = true;                  // false when A went through SNF
};

// (b==c, c==a, a==b): basis-vector pairs that some rotation maps onto each other
// (phonopy's get_lattice_vector_equivalence; the rotations given are used as they are).
std::array<bool, 3> lattice_vector_equivalence(const std::vector<Eigen::Matrix3i>& rotations);

// phonopy's length2mesh: N_i = rint(length * |b_i|) (round half to even, as
// numpy.rint), b_i = columns of inv(lattice); with `rotations` (direct, lattice
// basis) symmetry-equivalent axes get the larger of their two numbers; at least 1.
Vector3l length_to_mesh(double length, const Eigen::Matrix3d& lattice);
Vector3l length_to_mesh(double length, const Eigen::Matrix3d& lattice,
                        const std::vector<Eigen::Matrix3i>& rotations);

// phonopy's is_primitive_cell: the identity appears at most once among the rotations.
bool is_primitive_cell(const std::vector<Eigen::Matrix3i>& rotations);

// Generalized regular grid matrix from a length (GridMatrix._get_grid_matrix with
// SNF_coordinates="reciprocal"): length2mesh on the conventional (or spglib's
// standardized) lattice, expressed on the primitive reciprocal basis:
// A(i,j) = rint(inv(tmat))(j,i) * n_conv(i). Si, length 30 -> [[-6,6,6],[6,-6,6],[6,6,-6]].
Matrix3l grg_grid_matrix_from_length(double length, const Eigen::Matrix3d& lattice,
                                     const GridSymmetry& symmetry);

// phonopy's GridMatrix(mesh, lattice, symmetry_dataset, use_grg, force_SNF):
//  numbers -> regular mesh as given; length -> length_to_mesh with symmetry, or with
//  use_grg (and a primitive cell) the GRG matrix; matrix -> SNF of it. A diagonal
//  grid matrix is used directly as D (P = Q = 1) unless force_snf.
// Throws GridSymmetryError when a rotation does not map the grid onto itself
// ("Grid symmetry is broken."), SettingsError when SNF fails or a grid matrix is
// given for a non-primitive cell.
GridMatrix make_grid_matrix(const MeshSpec& mesh, const Eigen::Matrix3d& lattice,
                            const GridSymmetry& symmetry, bool use_grg, bool force_snf = false);

// phonopy's _check_grid_symmetry: every direct rotation r must give an integer
// D Q^-1 r^-T Q D^-1. Throws GridSymmetryError otherwise.
void check_grid_symmetry(const std::vector<Eigen::Matrix3i>& rotations, const Vector3l& D_diag,
                         const Matrix3l& Q);

}  // namespace ph3mpi::grid
