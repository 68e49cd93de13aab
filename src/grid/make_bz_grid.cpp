// BZGrid construction as phonopy's BZGrid.__init__ (store_dense_gp_map=True,
// Gamma-centred) and Phono3py._set_mesh_numbers, plus BZ-index lookups.
#include "ph3mpi/grid/make_bz_grid.hpp"

#include "ph3mpi/grid/bz_grid_addresses.hpp"
#include "ph3mpi/grid/grid_error.hpp"
#include "ph3mpi/grid/reciprocal_rotations.hpp"

namespace ph3mpi::grid {

BZGrid make_bz_grid(const MeshSpec& mesh, const Eigen::Matrix3d& lattice, const GridSymmetry& symmetry,
                    const BZGridOptions& options) {
  BZGrid g;
  g.reciprocal_lattice = lattice.inverse();
  const GridMatrix gm = make_grid_matrix(mesh, lattice, symmetry, options.use_grg, options.force_snf);
  g.D_diag = gm.D_diag;
  g.P = gm.P;
  g.Q = gm.Q;
  g.grid_matrix = gm.grid_matrix;
  g.is_regular_mesh = gm.is_regular_mesh;
  g.PS = Vector3l::Zero();

  // Symmetry first: it is cheap and may reject the grid.
  g.rotations = symmetry.rotations;
  g.reciprocal_operations = reciprocal_rotations(symmetry.rotations, options.is_time_reversal);
  g.grg_rotations = transform_rotations(g.reciprocal_operations, g.D_diag, g.Q);
  g.rotations_cartesian = rotations_cartesian(g.reciprocal_operations, g.reciprocal_lattice);

  BZGridAddresses bz = relocate_bz_grid_addresses(g.D_diag, g.Q, g.reciprocal_lattice, g.PS);
  g.addresses = std::move(bz.addresses);
  g.gp_map = std::move(bz.gp_map);
  g.bzg2grg = std::move(bz.bzg2grg);
  g.grg2bzg.assign(g.gp_map.begin(), g.gp_map.end() - 1);

  // QDinv(i, j) = Q(i, j) * (1 / D_j), as numpy evaluates Q * (1 / D).
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      g.QDinv(i, j) = static_cast<double>(g.Q(i, j)) * (1.0 / static_cast<double>(g.D_diag(j)));
    }
  }
  g.microzone_lattice = g.reciprocal_lattice * (g.QDinv * g.P.cast<double>());
  g.gp_Gamma = g.grg2bzg[0];
  return g;
}

BZGrid make_phono3py_bz_grid(const MeshSpec& mesh, const Eigen::Matrix3d& lattice,
                             const GridSymmetry& symmetry, bool is_symmetry, bool use_grg) {
  BZGridOptions options;
  options.is_time_reversal = is_symmetry;
  options.use_grg = use_grg;
  try {
    return make_bz_grid(mesh, lattice, symmetry, options);
  } catch (const GridSymmetryError& e) {
    if (mesh.kind == MeshSpec::Kind::kLength) {
      options.use_grg = true;
      return make_bz_grid(mesh, lattice, symmetry, options);
    }
    throw GridSymmetryError(
        std::string(e.what()) +
        ". If grid symmetry is uncertain, try automatic mesh generation using a scalar value.");
  }
}

std::int64_t bz_grid_point_with_surface(const BZGrid& bz_grid, const Vector3l& address) {
  const std::size_t gp = static_cast<std::size_t>(grid_index_from_address(address, bz_grid.D_diag));
  const std::int64_t first = bz_grid.gp_map[gp];
  for (std::int64_t i = first; i < bz_grid.gp_map[gp + 1]; ++i) {
    if (bz_grid.addresses[static_cast<std::size_t>(i)] == address) return i;
  }
  return first;
}

std::int64_t rotate_bz_grid_index(const BZGrid& bz_grid, std::int64_t bz_gp, const Matrix3l& rotation) {
  const Vector3l dadrs = double_grid_address(bz_grid.addresses[static_cast<std::size_t>(bz_gp)], bz_grid.PS);
  return bz_grid_point_with_surface(bz_grid, grid_address_from_double(rotation * dadrs, bz_grid.PS));
}

std::vector<std::int64_t> neighboring_grid_points(const BZGrid& bz_grid, std::int64_t bz_gp,
                                                  const std::vector<Vector3l>& relative_addresses) {
  std::vector<std::int64_t> out;
  out.reserve(relative_addresses.size());
  const Vector3l& center = bz_grid.addresses[static_cast<std::size_t>(bz_gp)];
  for (const auto& rel : relative_addresses) out.push_back(bz_grid_point_with_surface(bz_grid, center + rel));
  return out;
}

Eigen::Vector3d qpoint_of_bz_point(const BZGrid& bz_grid, std::int64_t bz_gp) {
  return bz_grid.QDinv * bz_grid.addresses[static_cast<std::size_t>(bz_gp)].cast<double>();
}

std::vector<Eigen::Vector3d> qpoints_of_bz_points(const BZGrid& bz_grid,
                                                  const std::vector<std::int64_t>& bz_gps) {
  std::vector<Eigen::Vector3d> out;
  out.reserve(bz_gps.size());
  for (std::int64_t gp : bz_gps) out.push_back(qpoint_of_bz_point(bz_grid, gp));
  return out;
}

}  // namespace ph3mpi::grid
