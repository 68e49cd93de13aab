// Building a BZGrid the way phono3py does (phonopy BZGrid.__init__ and
// Phono3py._set_mesh_numbers), and the BZ-index helpers that work on it.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/grid/grid_address.hpp"
#include "ph3mpi/grid/grid_matrix.hpp"

namespace ph3mpi::grid {

struct BZGridOptions {
  bool is_time_reversal = true;  // phono3py: is_symmetry
  bool use_grg = false;          // generalized regular grid for a length mesh
  bool force_snf = false;
};

// phonopy's BZGrid(mesh, lattice=lattice, symmetry_dataset=..., is_time_reversal,
// use_grg, force_SNF, store_dense_gp_map=True), Gamma-centred.
// `lattice`: primitive cell, rows a, b, c in Angstrom.
// Throws GridSymmetryError when the mesh breaks the point-group symmetry.
BZGrid make_bz_grid(const MeshSpec& mesh, const Eigen::Matrix3d& lattice, const GridSymmetry& symmetry,
                    const BZGridOptions& options = {});

// Phono3py._set_mesh_numbers: make_bz_grid with time reversal = is_symmetry; when
// a length mesh breaks the grid symmetry, retry with use_grg=True. Other broken
// cases throw GridSymmetryError with phono3py's advice.
BZGrid make_phono3py_bz_grid(const MeshSpec& mesh, const Eigen::Matrix3d& lattice,
                             const GridSymmetry& symmetry, bool is_symmetry = true, bool use_grg = false);

// BZ index of any integer address: grg2bzg of its GR index (one of the
// translationally equivalent images; phonopy BZGrid.get_indices_from_addresses).
inline std::int64_t bz_grid_point_from_address(const BZGrid& bz_grid, const Vector3l& address) {
  return bz_grid.grg2bzg[static_cast<std::size_t>(grid_index_from_address(address, bz_grid.D_diag))];
}

// BZ index whose address is exactly `address` when that image exists (a BZ-surface
// copy), else the GR point's first BZ index (c/bzgrid.c lookup of type 2).
std::int64_t bz_grid_point_with_surface(const BZGrid& bz_grid, const Vector3l& address);

// c/bzgrid.c bzg_rotate_grid_index: BZ index of R applied to BZ point bz_gp,
// keeping the exact rotated surface image when it is in the grid.
std::int64_t rotate_bz_grid_index(const BZGrid& bz_grid, std::int64_t bz_gp, const Matrix3l& rotation);

// c/recgrid.c get_neighboring_grid_points (type 2): BZ indices of addresses[bz_gp] + relative[i].
std::vector<std::int64_t> neighboring_grid_points(const BZGrid& bz_grid, std::int64_t bz_gp,
                                                  const std::vector<Vector3l>& relative_addresses);

// q of a BZ point in reduced coordinates of the primitive reciprocal basis: QDinv * address.
Eigen::Vector3d qpoint_of_bz_point(const BZGrid& bz_grid, std::int64_t bz_gp);
std::vector<Eigen::Vector3d> qpoints_of_bz_points(const BZGrid& bz_grid,
                                                  const std::vector<std::int64_t>& bz_gps);

}  // namespace ph3mpi::grid
