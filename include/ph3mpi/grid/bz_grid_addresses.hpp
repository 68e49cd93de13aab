// Relocation of GR-grid points into the first Brillouin zone (phonopy
// _relocate_BZ_grid_address + c/bzgrid.c, store_dense_gp_map=True): every GR
// point gets all its shortest images (several on the BZ surface) in a fixed
// search order, on a Niggli-reduced reciprocal basis.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "ph3mpi/grid/bz_grid.hpp"

namespace ph3mpi::grid {

// spglib's Niggli reduction (eps 1e-5) of the reciprocal basis (columns) and the
// integer matrix M with reciprocal_lattice = reduced * M (phonopy's
// get_reduced_bases_and_tmat_inv). Throws SettingsError when reduction fails.
struct ReducedReciprocalBasis {
  Eigen::Matrix3d reduced = Eigen::Matrix3d::Identity();  // columns
  Matrix3l tmat_inv = Matrix3l::Identity();
};
ReducedReciprocalBasis reduced_reciprocal_basis(const Eigen::Matrix3d& reciprocal_lattice);

struct BZGridAddresses {
  std::vector<Vector3l> addresses;    // N_bz
  std::vector<std::int64_t> gp_map;   // prod(D_diag) + 1 (dense)
  std::vector<std::int64_t> bzg2grg;  // N_bz
};

// Squared-distance tolerance: 1% of the largest |reduced_i|^2 / D_i^2.
double bz_reduction_tolerance(const Eigen::Matrix3d& reduced_lattice, const Vector3l& D_diag);

// Low-level kernel (c/bzgrid.c type 2) on an already reduced basis:
// Q_eff = tmat_inv * Q maps GR addresses / D to reduced-basis coordinates.
// Parallel over GR points with OpenMP; output independent of the thread count.
BZGridAddresses bz_grid_addresses_on_basis(const Vector3l& D_diag, const Matrix3l& Q_eff, const Vector3l& PS,
                                           const Eigen::Matrix3d& reduced_lattice);

// phonopy's _relocate_BZ_grid_address(D_diag, Q, reciprocal_lattice, PS, store_dense_gp_map=True).
BZGridAddresses relocate_bz_grid_addresses(const Vector3l& D_diag, const Matrix3l& Q,
                                           const Eigen::Matrix3d& reciprocal_lattice, const Vector3l& PS);

}  // namespace ph3mpi::grid
