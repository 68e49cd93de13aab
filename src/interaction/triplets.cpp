// Symmetry-reduced q-point triplets at a fixed q0 (phono3py get_triplets_at_q).
//
// Two steps, both on integers except for the choice of G:
//  1. On the GR grid: the little group of q0 (rotations with R q0 = q0 mod D,
//     time reversal added as -R) splits q1 into stars (map_q); when q1 and q2
//     may be swapped, a star whose q2 = -q0 - q1 belongs to an earlier star is
//     merged into it (map_triplets).
//  2. On the BZ grid: for each irreducible q1, q2 = -q0 - q1, and among all BZ
//     images of (q0, q1, q2) the one with the shortest |G| is kept, so that
//     q0 + q1 + q2 = 0 whenever possible (normal process) and otherwise the
//     Umklapp G is the smallest one (ties broken by first found, as phono3py).
#include "ph3mpi/interaction/triplets.hpp"

#include <cmath>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/grid/bz_grid_addresses.hpp"
#include "ph3mpi/grid/grid_address.hpp"
#include "ph3mpi/grid/ir_grid_points.hpp"
#include "ph3mpi/grid/reciprocal_rotations.hpp"

namespace ph3mpi::interaction {

namespace {

using grid::Matrix3l;
using grid::Vector3l;

void check_grid(const grid::BZGrid& bz_grid) {
  const std::int64_t n_gr = bz_grid.num_gr_points();
  if (n_gr <= 0 || static_cast<std::int64_t>(bz_grid.gp_map.size()) != n_gr + 1 ||
      static_cast<std::int64_t>(bz_grid.bzg2grg.size()) != bz_grid.num_bz_points()) {
    throw Error("BZGrid is incomplete: prod(D_diag)=" + std::to_string(n_gr) +
                ", gp_map size=" + std::to_string(bz_grid.gp_map.size()) +
                ", addresses=" + std::to_string(bz_grid.addresses.size()) +
                ", bzg2grg size=" + std::to_string(bz_grid.bzg2grg.size()));
  }
}

void check_grid_point(std::int64_t grid_point, const grid::BZGrid& bz_grid) {
  if (grid_point < 0 || grid_point >= bz_grid.num_bz_points()) {
    throw Error("grid point " + std::to_string(grid_point) + " is not a BZ-grid index (0.." +
                std::to_string(bz_grid.num_bz_points() - 1) + ")");
  }
}

// Unique rotations in input order; with time reversal, -R is appended for
// every R unless the inversion is already a member (phono3py
// grg_get_reciprocal_point_group with is_transpose = 0).
std::vector<Matrix3l> reciprocal_point_group(const std::vector<Matrix3l>& rotations, bool is_time_reversal) {
  std::vector<Matrix3l> group;
  for (const auto& r : rotations) {
    bool seen = false;
    for (const auto& g : group) seen = seen || (g == r);
    if (!seen) group.push_back(r);
  }
  if (group.size() > 48) throw Error("more than 48 distinct grid rotations");
  if (is_time_reversal) {
    const Matrix3l inversion = -Matrix3l::Identity();
    bool has_inversion = false;
    for (const auto& g : group) has_inversion = has_inversion || (g == inversion);
    if (!has_inversion) {
      if (group.size() > 24) throw Error("more than 24 grid rotations without inversion");
      const std::size_t n = group.size();
      for (std::size_t i = 0; i < n; ++i) group.push_back(inversion * group[i]);
    }
  }
  return group;
}

// Rotations that map the GR point onto itself modulo D (little group of q0).
std::vector<Matrix3l> stabilizer(const std::vector<Matrix3l>& group, std::int64_t gr_grid_point,
                                 const Vector3l& D_diag) {
  const Vector3l address = grid::grid_address_from_index(gr_grid_point, D_diag);
  std::vector<Matrix3l> little_group;
  for (const auto& r : group) {
    if (grid::grid_index_from_address(r * address, D_diag) == gr_grid_point) little_group.push_back(r);
  }
  return little_group;
}

}  // namespace

std::vector<Matrix3l> get_grg_rotations(const grid::BZGrid& bz_grid) {
  return grid::transform_rotations(bz_grid.reciprocal_operations, bz_grid.D_diag, bz_grid.Q);
}

std::vector<Matrix3l> get_grg_rotations_fixing_direction(const grid::BZGrid& bz_grid,
                                                         const Eigen::Vector3d& q_direction) {
  const double norm = q_direction.norm();
  if (!(norm > 0)) throw Error("q-direction must be a non-zero vector");
  const Eigen::Vector3d d = q_direction / norm;
  const auto grg = get_grg_rotations(bz_grid);
  std::vector<Matrix3l> out;
  for (std::size_t i = 0; i < bz_grid.reciprocal_operations.size(); ++i) {
    const Eigen::Vector3d diff = bz_grid.reciprocal_operations[i].cast<double>() * d - d;
    if (diff.cwiseAbs().maxCoeff() < 1e-5) out.push_back(grg[i]);
  }
  return out;
}

std::int64_t get_triplets_reciprocal_mesh_at_q(std::vector<std::int64_t>& map_triplets,
                                               std::vector<std::int64_t>& map_q, std::int64_t gr_grid_point,
                                               const Vector3l& D_diag,
                                               const std::vector<Matrix3l>& grg_rotations,
                                               bool is_time_reversal, bool swappable) {
  const std::int64_t n = D_diag(0) * D_diag(1) * D_diag(2);
  if (gr_grid_point < 0 || gr_grid_point >= n) {
    throw Error("GR grid point " + std::to_string(gr_grid_point) + " outside 0.." + std::to_string(n - 1));
  }
  const auto group = reciprocal_point_group(grg_rotations, is_time_reversal);
  map_q = grid::ir_grid_map(stabilizer(group, gr_grid_point, D_diag), D_diag, Vector3l::Zero());
  map_triplets.assign(n, 0);

  std::int64_t num_ir = 0;
  if (swappable) {
    // Stars of q1 in increasing order; (q0, q1, q2) and (q0, q2, q1) are the
    // same triplet, so a star whose q2 lies in an earlier star joins it.
    const Vector3l address0 = grid::grid_address_from_index(gr_grid_point, D_diag);
    for (std::int64_t gp1 = 0; gp1 < n; ++gp1) {
      if (map_q[gp1] != gp1) continue;
      const Vector3l address2 = -address0 - grid::grid_address_from_index(gp1, D_diag);
      const std::int64_t gp2 = grid::grid_index_from_address(address2, D_diag);
      if (map_q[gp2] < gp1) {
        map_triplets[gp1] = map_q[gp2];
      } else {
        map_triplets[gp1] = gp1;
        ++num_ir;
      }
    }
    for (std::int64_t gp1 = 0; gp1 < n; ++gp1) {
      if (map_q[gp1] != gp1) map_triplets[gp1] = map_triplets[map_q[gp1]];
    }
  } else {
    for (std::int64_t gp1 = 0; gp1 < n; ++gp1) {
      if (map_q[gp1] == gp1) {
        map_triplets[gp1] = gp1;
        ++num_ir;
      } else {
        map_triplets[gp1] = map_triplets[map_q[gp1]];
      }
    }
  }
  return num_ir;
}

void get_bz_triplets_at_q(std::vector<Triplet>& triplets, std::vector<std::int64_t>& weights,
                          std::int64_t grid_point, const grid::BZGrid& bz_grid,
                          const std::vector<std::int64_t>& map_triplets) {
  check_grid(bz_grid);
  check_grid_point(grid_point, bz_grid);
  const std::int64_t n = bz_grid.num_gr_points();
  if (static_cast<std::int64_t>(map_triplets.size()) != n) {
    throw Error("map_triplets has " + std::to_string(map_triplets.size()) +
                " entries, expected prod(D_diag)=" + std::to_string(n));
  }

  std::vector<std::int64_t> counts(n, 0);
  for (const auto m : map_triplets) {
    if (m < 0 || m >= n) throw Error("map_triplets entry " + std::to_string(m) + " outside the GR grid");
    ++counts[m];
  }
  std::vector<std::int64_t> ir_q1;
  weights.clear();
  for (std::int64_t i = 0; i < n; ++i) {
    if (counts[i] > 0) {
      if (map_triplets[i] != i) throw Error("map_triplets is not a map onto representatives");
      ir_q1.push_back(i);
      weights.push_back(counts[i]);
    }
  }

  // |G|^2 is measured with L Q D^-1 in the (Niggli) reduced reciprocal basis
  // and two lengths count as equal within the tolerance the BZ grid itself
  // was built with (phonopy get_reduced_bases_and_tmat_inv, c/triplet_grid.c).
  const grid::ReducedReciprocalBasis basis = grid::reduced_reciprocal_basis(bz_grid.reciprocal_lattice);
  const Eigen::Matrix3d& reduced_basis = basis.reduced;
  const Matrix3l q_reduced = basis.tmat_inv * bz_grid.Q;
  Eigen::Matrix3d lqd_inv = Eigen::Matrix3d::Zero();
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      for (int k = 0; k < 3; ++k) {
        lqd_inv(i, k) += reduced_basis(i, j) * static_cast<double>(q_reduced(j, k)) /
                         static_cast<double>(bz_grid.D_diag(k));
      }
    }
  }
  const double tolerance = grid::bz_reduction_tolerance(reduced_basis, bz_grid.D_diag);

  const auto& adrs = bz_grid.addresses;
  const auto& gp_map = bz_grid.gp_map;
  const Vector3l address0 = adrs[grid_point];
  const std::int64_t gp0 = grid::grid_index_from_address(address0, bz_grid.D_diag);
  const std::int64_t num_ir = static_cast<std::int64_t>(ir_q1.size());
  triplets.assign(num_ir, Triplet{-1, -1, -1});

  // A few BZ images per point at most: cheap enough to stay serial.
  for (std::int64_t i = 0; i < num_ir; ++i) {
    const std::int64_t gp1 = ir_q1[i];
    const Vector3l address2 = -address0 - adrs[gp_map[gp1]];
    const std::int64_t gp2 = grid::grid_index_from_address(address2, bz_grid.D_diag);
    double min_d2 = -1;
    Triplet best{-1, -1, -1};
    bool found_normal = false;
    for (std::int64_t b0 = gp_map[gp0]; b0 < gp_map[gp0 + 1] && !found_normal; ++b0) {
      for (std::int64_t b1 = gp_map[gp1]; b1 < gp_map[gp1 + 1] && !found_normal; ++b1) {
        for (std::int64_t b2 = gp_map[gp2]; b2 < gp_map[gp2 + 1]; ++b2) {
          const Vector3l G = adrs[b0] + adrs[b1] + adrs[b2];
          if (G.isZero()) {
            best = {b0, b1, b2};
            found_normal = true;
            break;
          }
          double d2 = 0;
          for (int c = 0; c < 3; ++c) {
            const double d = lqd_inv(c, 0) * static_cast<double>(G(0)) +
                             lqd_inv(c, 1) * static_cast<double>(G(1)) +
                             lqd_inv(c, 2) * static_cast<double>(G(2));
            d2 += d * d;
          }
          if (d2 < min_d2 - tolerance || min_d2 < 0) {
            min_d2 = d2;
            best = {b0, b1, b2};
          }
        }
      }
    }
    triplets[i] = best;
  }
}

TripletsAtQ get_triplets_at_q(std::int64_t grid_point, const grid::BZGrid& bz_grid,
                              const std::vector<Matrix3l>& grg_rotations, bool is_time_reversal,
                              bool swappable) {
  check_grid(bz_grid);
  check_grid_point(grid_point, bz_grid);
  TripletsAtQ out;
  get_triplets_reciprocal_mesh_at_q(out.map_triplets, out.map_q, bz_grid.bzg2grg[grid_point], bz_grid.D_diag,
                                    grg_rotations, is_time_reversal, swappable);
  get_bz_triplets_at_q(out.triplets, out.weights, grid_point, bz_grid, out.map_triplets);
  std::int64_t sum = 0;
  for (const auto w : out.weights) sum += w;
  if (sum != bz_grid.num_gr_points()) {
    throw Error("triplet weights sum to " + std::to_string(sum) + ", expected " +
                std::to_string(bz_grid.num_gr_points()));
  }
  return out;
}

TripletsAtQ get_triplets_at_q(std::int64_t grid_point, const grid::BZGrid& bz_grid, bool is_time_reversal,
                              bool swappable, bool is_mesh_symmetry) {
  if (!is_mesh_symmetry) return get_nosym_triplets_at_q(grid_point, bz_grid);
  return get_triplets_at_q(grid_point, bz_grid, get_grg_rotations(bz_grid), is_time_reversal, swappable);
}

TripletsAtQ get_nosym_triplets_at_q(std::int64_t grid_point, const grid::BZGrid& bz_grid) {
  check_grid(bz_grid);
  const std::int64_t n = bz_grid.num_gr_points();
  TripletsAtQ out;
  out.map_triplets.resize(n);
  for (std::int64_t i = 0; i < n; ++i) out.map_triplets[i] = i;
  out.map_q = out.map_triplets;
  get_bz_triplets_at_q(out.triplets, out.weights, grid_point, bz_grid, out.map_triplets);
  return out;
}

bool is_normal_process(const Triplet& triplet, const grid::BZGrid& bz_grid) {
  const Vector3l sum =
      bz_grid.addresses[triplet[0]] + bz_grid.addresses[triplet[1]] + bz_grid.addresses[triplet[2]];
  return sum.isZero();
}

}  // namespace ph3mpi::interaction
