// Loading phono3py's reference BZ grids (tests/data/<case>/reference/grid.hdf5).
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/grid/grid_matrix.hpp"
#include "ph3mpi/grid/spglib_symmetry.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "test_support.hpp"

namespace ph3mpi::grid::testing {

struct ReferenceGrid {
  std::string name;  // "<case>/<group>"
  // cell/ (primitive cell, the input)
  Eigen::Matrix3d lattice;
  std::vector<Eigen::Vector3d> positions;
  std::vector<int> numbers;
  // <group>/ (phono3py's BZGrid and get_ir_grid_points)
  Vector3l mesh_numbers, D_diag, PS;
  Matrix3l P, Q;
  bool has_grid_matrix = false;
  Matrix3l grid_matrix = Matrix3l::Zero();
  Eigen::Matrix3d QDinv, reciprocal_lattice, microzone_lattice;
  std::vector<Vector3l> addresses;
  std::vector<std::int64_t> gp_map, bzg2grg, grg2bzg;
  std::int64_t gp_Gamma = -1;
  std::vector<Matrix3l> reciprocal_operations, grg_rotations;  // grg_rotations = dataset 'rotations'
  std::vector<Eigen::Matrix3d> rotations_cartesian;
  std::vector<std::int64_t> ir_grid_points, ir_grid_points_bz, ir_weights, ir_grid_map;
  std::vector<Eigen::Vector3d> qpoints_ir;
  std::vector<std::array<Vector3l, 4>> tetrahedra;
};

inline std::vector<std::int64_t> as_vector(const NdArray<std::int64_t>& a) { return a.data; }

inline std::vector<Vector3l> as_vectors3l(const NdArray<std::int64_t>& a) {
  std::vector<Vector3l> out(a.size() / 3);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = Vector3l(a[3 * i], a[3 * i + 1], a[3 * i + 2]);
  return out;
}

inline std::vector<Matrix3l> as_matrices3l(const NdArray<std::int64_t>& a) {
  std::vector<Matrix3l> out(a.size() / 9);
  for (std::size_t k = 0; k < out.size(); ++k) {
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j)
        out[k](i, j) = a[9 * k + 3 * static_cast<std::size_t>(i) + static_cast<std::size_t>(j)];
    }
  }
  return out;
}

inline std::vector<Eigen::Matrix3d> as_matrices3d(const NdArray<double>& a) {
  std::vector<Eigen::Matrix3d> out(a.size() / 9);
  for (std::size_t k = 0; k < out.size(); ++k) {
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j)
        out[k](i, j) = a[9 * k + 3 * static_cast<std::size_t>(i) + static_cast<std::size_t>(j)];
    }
  }
  return out;
}

inline ReferenceGrid load_reference_grid(const std::string& case_name, const std::string& group) {
  const io::Hdf5File f(ph3mpi::test::data_path(case_name + "/reference/grid.hdf5"));
  ReferenceGrid r;
  r.name = case_name + "/" + group;
  r.lattice = as_matrices3d(f.read_double("cell/primitive_lattice"))[0];
  const NdArray<double> pos = f.read_double("cell/primitive_scaled_positions");
  for (std::size_t i = 0; i < pos.size() / 3; ++i)
    r.positions.emplace_back(pos[3 * i], pos[3 * i + 1], pos[3 * i + 2]);
  for (std::int64_t n : f.read_int("cell/primitive_numbers").data) r.numbers.push_back(static_cast<int>(n));

  const std::string g = group + "/";
  r.mesh_numbers = as_vectors3l(f.read_int(g + "mesh_numbers"))[0];
  r.D_diag = as_vectors3l(f.read_int(g + "D_diag"))[0];
  r.PS = as_vectors3l(f.read_int(g + "PS"))[0];
  r.P = as_matrices3l(f.read_int(g + "P"))[0];
  r.Q = as_matrices3l(f.read_int(g + "Q"))[0];
  r.has_grid_matrix = f.exists(g + "grid_matrix");
  if (r.has_grid_matrix) r.grid_matrix = as_matrices3l(f.read_int(g + "grid_matrix"))[0];
  r.QDinv = as_matrices3d(f.read_double(g + "QDinv"))[0];
  r.reciprocal_lattice = as_matrices3d(f.read_double(g + "reciprocal_lattice"))[0];
  r.microzone_lattice = as_matrices3d(f.read_double(g + "microzone_lattice"))[0];
  r.addresses = as_vectors3l(f.read_int(g + "addresses"));
  r.gp_map = as_vector(f.read_int(g + "gp_map"));
  r.bzg2grg = as_vector(f.read_int(g + "bzg2grg"));
  r.grg2bzg = as_vector(f.read_int(g + "grg2bzg"));
  r.gp_Gamma = f.read_int_scalar(g + "gp_Gamma");
  r.reciprocal_operations = as_matrices3l(f.read_int(g + "reciprocal_operations"));
  r.grg_rotations = as_matrices3l(f.read_int(g + "rotations"));
  r.rotations_cartesian = as_matrices3d(f.read_double(g + "rotations_cartesian"));
  r.ir_grid_points = as_vector(f.read_int(g + "ir_grid_points"));
  r.ir_grid_points_bz = as_vector(f.read_int(g + "ir_grid_points_bz"));
  r.ir_weights = as_vector(f.read_int(g + "ir_weights"));
  r.ir_grid_map = as_vector(f.read_int(g + "ir_grid_map"));
  const NdArray<double> q = f.read_double(g + "qpoints_ir");
  for (std::size_t i = 0; i < q.size() / 3; ++i)
    r.qpoints_ir.emplace_back(q[3 * i], q[3 * i + 1], q[3 * i + 2]);
  const std::vector<Vector3l> tet = as_vectors3l(f.read_int(g + "tetrahedra_relative_grid_address"));
  for (std::size_t t = 0; t < tet.size() / 4; ++t)
    r.tetrahedra.push_back({tet[4 * t], tet[4 * t + 1], tet[4 * t + 2], tet[4 * t + 3]});
  return r;
}

// The symmetry phono3py passed to BZGrid: spglib's dataset of the primitive cell (symprec 1e-5).
inline GridSymmetry spglib_symmetry(const ReferenceGrid& r) {
  return grid_symmetry_of_cell(r.lattice, r.positions, r.numbers, 1e-5);
}

// Direct rotations recovered from the reference itself (no spglib): the reciprocal
// operations begin with the transposed direct point group; when time reversal
// added inversion, the second half is the negated first half. If the second half
// is the negated first half for a centrosymmetric group instead, taking only the
// first half still regenerates the same list and the same grid (-R and R leave
// the same grids invariant), so it is a faithful input either way.
inline std::vector<Eigen::Matrix3i> direct_rotations_from_reference(const ReferenceGrid& r) {
  const std::size_t n = r.reciprocal_operations.size();
  bool negated_halves = n % 2 == 0;
  for (std::size_t i = 0; negated_halves && i < n / 2; ++i) {
    negated_halves = r.reciprocal_operations[n / 2 + i] == -r.reciprocal_operations[i];
  }
  const std::size_t count = negated_halves ? n / 2 : n;
  std::vector<Eigen::Matrix3i> out;
  for (std::size_t i = 0; i < count; ++i) out.push_back(r.reciprocal_operations[i].transpose().cast<int>());
  return out;
}

}  // namespace ph3mpi::grid::testing
