// Test helper: a BZGrid filled from phono3py's own BZGrid as stored in
// tests/data/<case>/reference/grid.hdf5, so the interaction kernels can be
// checked independently of ph3mpi's grid construction.
#pragma once

#include <string>
#include <vector>

#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "test_support.hpp"

namespace ph3mpi::test {

struct ReferenceCase {
  std::string name;      // folder under tests/data
  std::string mesh;      // group in grid.hdf5
  std::vector<int> gps;  // grid points with triplets_gp<N> / interaction_gp<N> files
};

inline const std::vector<ReferenceCase>& reference_cases() {
  static const std::vector<ReferenceCase> cases = {
      {"si-pbesol", "m999", {105, 2}},
      {"nacl-pbe", "m999", {105, 2}},
      {"mgo", "m999", {105, 2}},
      {"aln-lda", "m775", {64, 55}},
  };
  return cases;
}

inline grid::Matrix3l matrix3l_at(const NdArray<std::int64_t>& a, std::size_t k = 0) {
  grid::Matrix3l m;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) m(i, j) = a[k * 9 + static_cast<std::size_t>(3 * i + j)];
  }
  return m;
}

inline Eigen::Matrix3d matrix3d_at(const NdArray<double>& a, std::size_t k = 0) {
  Eigen::Matrix3d m;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) m(i, j) = a[k * 9 + static_cast<std::size_t>(3 * i + j)];
  }
  return m;
}

inline std::vector<std::int64_t> to_vector(const NdArray<std::int64_t>& a) { return a.data; }

// BZGrid of group `mesh` (e.g. "m999") in <case>/reference/grid.hdf5. The
// direct-space `rotations` are not stored there and stay empty; the file's
// "rotations" dataset (GR-grid rotations) is returned in grg_rotations.
inline grid::BZGrid load_reference_bz_grid(const std::string& case_name, const std::string& mesh,
                                           std::vector<grid::Matrix3l>* grg_rotations = nullptr) {
  io::Hdf5File f(data_path(case_name + "/reference/grid.hdf5"));
  const std::string g = mesh + "/";
  grid::BZGrid bz;
  const auto D = f.read_int(g + "D_diag");
  const auto PS = f.read_int(g + "PS");
  for (int i = 0; i < 3; ++i) {
    bz.D_diag(i) = D[static_cast<std::size_t>(i)];
    bz.PS(i) = PS[static_cast<std::size_t>(i)];
  }
  bz.P = matrix3l_at(f.read_int(g + "P"));
  bz.Q = matrix3l_at(f.read_int(g + "Q"));
  if (f.exists(g + "grid_matrix")) {
    bz.grid_matrix = matrix3l_at(f.read_int(g + "grid_matrix"));
    bz.is_regular_mesh = false;
  } else {
    bz.grid_matrix = bz.D_diag.asDiagonal();
  }
  bz.reciprocal_lattice = matrix3d_at(f.read_double(g + "reciprocal_lattice"));
  bz.microzone_lattice = matrix3d_at(f.read_double(g + "microzone_lattice"));
  const auto addresses = f.read_int(g + "addresses");
  for (std::size_t i = 0; i < addresses.shape[0]; ++i) {
    bz.addresses.emplace_back(addresses[3 * i], addresses[3 * i + 1], addresses[3 * i + 2]);
  }
  bz.gp_map = to_vector(f.read_int(g + "gp_map"));
  bz.bzg2grg = to_vector(f.read_int(g + "bzg2grg"));
  bz.grg2bzg = to_vector(f.read_int(g + "grg2bzg"));
  bz.gp_Gamma = f.read_int_scalar(g + "gp_Gamma");
  const auto rec_ops = f.read_int(g + "reciprocal_operations");
  const auto rot_cart = f.read_double(g + "rotations_cartesian");
  for (std::size_t k = 0; k < rec_ops.shape[0]; ++k) {
    bz.reciprocal_operations.push_back(matrix3l_at(rec_ops, k));
    bz.rotations_cartesian.push_back(matrix3d_at(rot_cart, k));
  }
  if (grg_rotations != nullptr) {
    const auto rots = f.read_int(g + "rotations");
    grg_rotations->clear();
    for (std::size_t k = 0; k < rots.shape[0]; ++k) grg_rotations->push_back(matrix3l_at(rots, k));
  }
  return bz;
}

}  // namespace ph3mpi::test
