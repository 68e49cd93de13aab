// phonopy's GridMatrix: regular mesh numbers, or a generalized regular grid (GRG)
// generated on the conventional cell and brought to Smith normal form.
#include "ph3mpi/grid/grid_matrix.hpp"

#include <cmath>

#include "integer_matrix.hpp"
#include "ph3mpi/common/error.hpp"
#include "ph3mpi/grid/grid_error.hpp"
#include "ph3mpi/grid/snf3x3.hpp"

namespace ph3mpi::grid {
namespace {

using detail::inverse_unimodular;
using detail::matrix_text;

// numpy.allclose(a, b, rtol=1e-5, atol) elementwise.
bool all_close(const Eigen::Matrix3d& a, const Eigen::Matrix3d& b, double atol) {
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      if (std::abs(a(i, j) - b(i, j)) > atol + 1e-5 * std::abs(b(i, j))) return false;
    }
  }
  return true;
}

// phonopy's _can_use_std_lattice: some rotation r (made proper by det) carries the
// conventional lattice derived from tmat onto spglib's standardized lattice.
bool can_use_std_lattice(const Eigen::Matrix3d& conv_lat, const Eigen::Matrix3d& tmat,
                         const Eigen::Matrix3d& std_lattice, const std::vector<Eigen::Matrix3i>& rotations) {
  const Eigen::Matrix3d tmat_inv = tmat.inverse();
  for (const auto& r : rotations) {
    const Eigen::Matrix3d r_s = tmat * (r.cast<double>() * tmat_inv);
    if (all_close(r_s.determinant() * (conv_lat.transpose() * r_s), std_lattice.transpose(), 1e-5))
      return true;
  }
  return false;
}

void set_grg_mesh(GridMatrix& gm, const Matrix3l& A, bool force_snf) {
  const bool diagonal = (A - Matrix3l(A.diagonal().asDiagonal())).isZero();
  if (diagonal && !force_snf) {
    gm.D_diag = A.diagonal();
    gm.grid_matrix = A;
    gm.is_regular_mesh = true;
    return;
  }
  const std::optional<SmithNormalForm> snf = snf3x3(A);
  if (!snf) throw SettingsError("SNF3x3 failed for grid matrix " + matrix_text(A) + " (singular?)");
  gm.D_diag = snf->D_diag;
  gm.P = snf->P;
  gm.Q = snf->Q;
  gm.grid_matrix = A;
  gm.is_regular_mesh = false;
}

}  // namespace

GridSymmetry GridSymmetry::identity(const Eigen::Matrix3d& lattice) {
  GridSymmetry sym;
  sym.rotations = {Eigen::Matrix3i::Identity()};
  sym.transformation_matrix = Eigen::Matrix3d::Identity();
  sym.std_lattice = lattice;
  return sym;
}

bool is_primitive_cell(const std::vector<Eigen::Matrix3i>& rotations) {
  int num_identity = 0;
  for (const auto& r : rotations) {
    if (r == Eigen::Matrix3i::Identity() && ++num_identity > 1) return false;
  }
  return true;
}

Matrix3l grg_grid_matrix_from_length(double length, const Eigen::Matrix3d& lattice,
                                     const GridSymmetry& symmetry) {
  Eigen::Matrix3d tmat = symmetry.transformation_matrix;
  Eigen::Matrix3d conv_lat = tmat.inverse().transpose() * lattice;
  // Prefer spglib's standardized lattice (same orientation of the conventional axes).
  if (can_use_std_lattice(conv_lat, tmat, symmetry.std_lattice, symmetry.rotations)) {
    conv_lat = symmetry.std_lattice;
    tmat = (lattice * conv_lat.inverse()).transpose();
  }
  const Vector3l conv_mesh = length_to_mesh(length, conv_lat);
  const Eigen::Matrix3d inv_tmat = tmat.inverse();
  Matrix3l inv_tmat_int;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      inv_tmat_int(i, j) = static_cast<std::int64_t>(std::nearbyint(inv_tmat(i, j)));
      if (std::abs(inv_tmat(i, j) - static_cast<double>(inv_tmat_int(i, j))) >= 1e-5) {
        throw SettingsError(
            "generalized regular grid: inverse of the transformation matrix to the conventional "
            "cell is not an integer matrix (element (" +
            std::to_string(i) + ", " + std::to_string(j) + ") = " + std::to_string(inv_tmat(i, j)) + ")");
      }
    }
  }
  // Row i of A: the i-th conventional reciprocal axis divided n_conv(i) times,
  // written on the primitive reciprocal basis.
  Matrix3l A;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) A(i, j) = inv_tmat_int(j, i) * conv_mesh(i);
  }
  return A;
}

void check_grid_symmetry(const std::vector<Eigen::Matrix3i>& rotations, const Vector3l& D_diag,
                         const Matrix3l& Q) {
  const Matrix3l Q_inv = inverse_unimodular(Q, "SNF matrix Q");
  for (const auto& r : rotations) {
    const Matrix3l r_inv_t = inverse_unimodular(r.cast<std::int64_t>(), "rotation").transpose();
    const Matrix3l m = Q_inv * r_inv_t * Q;
    for (int j = 0; j < 3; ++j) {
      for (int k = 0; k < 3; ++k) {
        if ((m(j, k) * D_diag(j)) % D_diag(k) != 0) {
          throw GridSymmetryError("Grid symmetry is broken: mesh [" + std::to_string(D_diag(0)) + ", " +
                                  std::to_string(D_diag(1)) + ", " + std::to_string(D_diag(2)) +
                                  "] is not invariant under rotation " + matrix_text(r.cast<std::int64_t>()));
        }
      }
    }
  }
}

GridMatrix make_grid_matrix(const MeshSpec& mesh, const Eigen::Matrix3d& lattice,
                            const GridSymmetry& symmetry, bool use_grg, bool force_snf) {
  GridMatrix gm;
  switch (mesh.kind) {
    case MeshSpec::Kind::kNumbers:
      if ((mesh.numbers.array() < 1).any()) {
        throw SettingsError("mesh numbers must be positive, got [" + std::to_string(mesh.numbers(0)) + ", " +
                            std::to_string(mesh.numbers(1)) + ", " + std::to_string(mesh.numbers(2)) + "]");
      }
      gm.D_diag = mesh.numbers;
      gm.grid_matrix = Matrix3l(mesh.numbers.asDiagonal());
      break;
    case MeshSpec::Kind::kLength: {
      if (!(mesh.length > 0.0)) {
        throw SettingsError("mesh length must be positive, got " + std::to_string(mesh.length));
      }
      // phonopy falls back to a regular mesh (with a warning) for a non-primitive cell.
      if (use_grg && is_primitive_cell(symmetry.rotations)) {
        set_grg_mesh(gm, grg_grid_matrix_from_length(mesh.length, lattice, symmetry), force_snf);
      } else {
        gm.D_diag = length_to_mesh(mesh.length, lattice, symmetry.rotations);
        gm.grid_matrix = Matrix3l(gm.D_diag.asDiagonal());
      }
      break;
    }
    case MeshSpec::Kind::kMatrix:
      if (!is_primitive_cell(symmetry.rotations)) {
        throw SettingsError("a grid matrix needs a primitive cell (the cell has pure translations)");
      }
      set_grg_mesh(gm, mesh.matrix, force_snf);
      break;
  }
  check_grid_symmetry(symmetry.rotations, gm.D_diag, gm.Q);
  return gm;
}

}  // namespace ph3mpi::grid
