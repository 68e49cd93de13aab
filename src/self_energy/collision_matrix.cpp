#include "ph3mpi/self_energy/collision_matrix.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/grid/grid_address.hpp"
#include "ph3mpi/self_energy/imag_self_energy.hpp"

namespace ph3mpi::self_energy {

// For every GR q1: the triplet that represents it and whether q1 sits in the triplet's
// third slot (the triplet was stored as (q0, q2', q1'), phono3py's q1 <-> q2 swap).
struct TripletLookup {
  std::vector<std::size_t> triplet;  // triplet index of q1
  std::vector<char> swapped;
};

namespace {

void require(bool ok, const std::string& message) {
  if (!ok) throw Error("collision matrix: " + message);
}

// phono3py create_gp2tp_map + get_inv_sinh's swap rule: the irreducible triplets are the
// q1 with map_triplets[q1] == q1 in increasing order; q1 is swapped when
// map_triplets[q1] != map_q[q1] (get_ir_triplets_at_q_perm_q1q2 keeps
// map_triplets[q1] == map_triplets[map_q[q1]]).
TripletLookup make_triplet_lookup(const interaction::TripletsAtQ& tq) {
  const std::size_t n = tq.map_triplets.size();
  require(tq.map_q.size() == n, "map_q and map_triplets differ in length");
  std::vector<std::int64_t> gp2tp(n, -1);
  std::int64_t num_ir = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (tq.map_triplets[i] == static_cast<std::int64_t>(i)) gp2tp[i] = num_ir++;
  }
  require(static_cast<std::size_t>(num_ir) == tq.triplets.size(),
          std::to_string(num_ir) + " irreducible q1 in map_triplets but " +
              std::to_string(tq.triplets.size()) + " triplets");
  TripletLookup lookup;
  lookup.triplet.resize(n);
  lookup.swapped.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t m = tq.map_triplets[i];
    require(m >= 0 && static_cast<std::size_t>(m) < n && gp2tp[static_cast<std::size_t>(m)] >= 0,
            "map_triplets[" + std::to_string(i) + "] = " + std::to_string(m) + " is no irreducible q1");
    lookup.triplet[i] = static_cast<std::size_t>(gp2tp[static_cast<std::size_t>(m)]);
    lookup.swapped[i] = tq.map_triplets[i] == tq.map_q[i] ? 0 : 1;
  }
  return lookup;
}

// 1 / sinh(f / (2 T)) for the bands of q2 (f, T in THz; phono3py funcs_inv_sinh_occupation),
// 0 at or below the cutoff.
void inv_sinh_at(double* inv_sinh, const double* frequencies, std::size_t nb, double temperature_thz,
                 double cutoff_frequency) {
  for (std::size_t b = 0; b < nb; ++b) {
    const double f = frequencies[b];
    inv_sinh[b] = f > cutoff_frequency ? 1.0 / std::sinh(f / 2 / temperature_thz) : 0.0;
  }
}

// The columns gp1 of the reducible row whose triplet is one of [t_begin, t_end) at one
// temperature (t_thz > 0): interaction_strength and g_collision hold those triplets only
// (index ti - t_begin). Each column comes from exactly one triplet, so filling the columns
// chunk by chunk gives the same numbers as one pass.
void reducible_columns(double* out, const double* interaction_strength, const double* g_collision,
                       std::size_t nb0, const interaction::TripletsAtQ& tq, const TripletLookup& lookup,
                       std::size_t t_begin, std::size_t t_end, const interaction::PhononView& phonons,
                       double t_thz, double cutoff_frequency) {
  const std::size_t n = lookup.triplet.size();
  const std::size_t nb = phonons.num_band;
  const std::size_t tp_stride = nb0 * nb * nb;
  const double ucf = unit_conversion_factor();
  std::vector<double> inv_sinh(nb);
  for (std::size_t gp1 = 0; gp1 < n; ++gp1) {
    const std::size_t ti = lookup.triplet[gp1];
    if (ti < t_begin || ti >= t_end) continue;
    const bool swapped = lookup.swapped[gp1] != 0;
    const auto& t = tq.triplets[ti];
    const std::size_t gp2 = static_cast<std::size_t>(swapped ? t[1] : t[2]);
    inv_sinh_at(inv_sinh.data(), phonons.frequencies_at(gp2), nb, t_thz, cutoff_frequency);
    const double* pp = interaction_strength + (ti - t_begin) * tp_stride;
    const double* g = g_collision + (ti - t_begin) * tp_stride;
    for (std::size_t j = 0; j < nb0; ++j) {
      for (std::size_t k = 0; k < nb; ++k) {
        double collision = 0;
        for (std::size_t l = 0; l < nb; ++l) {
          // q1 in the second slot: P(j0, j1 = k, j2 = l); swapped: P(j0, j2 = l, j1 = k).
          const std::size_t x = swapped ? (j * nb + l) * nb + k : (j * nb + k) * nb + l;
          collision += pp[x] * g[x] * inv_sinh[l] * ucf;
        }
        out[(j * n + gp1) * nb + k] += collision;
      }
    }
  }
}

// The irreducible row (nb0, 3, N_ir, nb, 3) from the reducible one (nb0, N, nb):
// sum over rotations R of the (R k) columns times R_ab (phono3py's rotation sums).
void fold_reducible_row(double* out, const double* reducible, std::size_t nb0, std::size_t n, std::size_t nb,
                        const CollisionSymmetry& symmetry) {
  const std::size_t num_ir = symmetry.num_grid_points();
  const std::size_t num_rot = symmetry.num_rot;
  require(symmetry.rotations_cartesian.size() == num_rot, "rotation count mismatch in CollisionSymmetry");
  for (std::size_t x = 0; x < nb0 * 3 * num_ir * nb * 3; ++x) out[x] = 0.0;
  for (std::size_t i = 0; i < num_ir; ++i) {
    for (std::size_t r = 0; r < num_rot; ++r) {
      const std::int64_t r_gp = symmetry.rot_grid_point(i, r);
      require(
          r_gp >= 0 && static_cast<std::size_t>(r_gp) < n,
          "rotated grid point " + std::to_string(r_gp) + " outside the " + std::to_string(n) + " GR points");
      const Eigen::Matrix3d& rot = symmetry.rotations_cartesian[r];
      for (std::size_t j = 0; j < nb0; ++j) {
        for (std::size_t k = 0; k < nb; ++k) {
          const double collision = reducible[(j * n + static_cast<std::size_t>(r_gp)) * nb + k];
          for (std::size_t a = 0; a < 3; ++a) {
            for (std::size_t b = 0; b < 3; ++b) {
              out[(((j * 3 + a) * num_ir + i) * nb + k) * 3 + b] +=
                  collision * rot(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b));
            }
          }
        }
      }
    }
  }
}

void check_phonons(const interaction::PhononView& phonons, const interaction::TripletsAtQ& tq) {
  require(phonons.frequencies != nullptr && phonons.num_band > 0, "no phonon frequencies");
  for (const auto& t : tq.triplets) {
    for (const std::int64_t gp : t) {
      require(gp >= 0 && static_cast<std::size_t>(gp) < phonons.num_grid_points,
              "triplet grid point " + std::to_string(gp) + " outside the " +
                  std::to_string(phonons.num_grid_points) + " phonon grid points");
    }
  }
}

}  // namespace

CollisionSymmetry make_collision_symmetry(const grid::BZGrid& bz_grid,
                                          const std::vector<std::int64_t>& grid_points, bool is_kappa_star) {
  std::vector<grid::Matrix3l> rotations;
  CollisionSymmetry s;
  if (is_kappa_star) {
    rotations = bz_grid.grg_rotations;
    s.rotations_cartesian = bz_grid.rotations_cartesian;
  } else {
    rotations = {grid::Matrix3l::Identity()};
    s.rotations_cartesian = {Eigen::Matrix3d::Identity()};
  }
  require(!rotations.empty() && rotations.size() == s.rotations_cartesian.size(),
          std::to_string(rotations.size()) + " grid rotations but " +
              std::to_string(s.rotations_cartesian.size()) + " Cartesian rotations");
  s.num_rot = rotations.size();
  s.rot_grid_points.resize(grid_points.size() * s.num_rot);
  for (std::size_t i = 0; i < grid_points.size(); ++i) {
    const std::int64_t gp = grid_points[i];
    require(gp >= 0 && gp < bz_grid.num_bz_points(), "grid point " + std::to_string(gp) +
                                                         " outside the BZ grid of " +
                                                         std::to_string(bz_grid.num_bz_points()));
    const grid::Vector3l& address = bz_grid.addresses[static_cast<std::size_t>(gp)];
    for (std::size_t r = 0; r < s.num_rot; ++r) {
      s.rot_grid_points[i * s.num_rot + r] =
          grid::grid_index_from_address(rotations[r] * address, bz_grid.D_diag);
    }
  }
  return s;
}

void reducible_collision_matrix_row(double* out, const double* interaction_strength,
                                    const double* g_collision, std::size_t nb0,
                                    const interaction::TripletsAtQ& tq,
                                    const interaction::PhononView& phonons, double temperature,
                                    double cutoff_frequency) {
  check_phonons(phonons, tq);
  const TripletLookup lookup = make_triplet_lookup(tq);
  const std::size_t n = lookup.triplet.size();
  const std::size_t nb = phonons.num_band;
  for (std::size_t x = 0; x < nb0 * n * nb; ++x) out[x] = 0.0;
  if (temperature <= 0) return;  // phono3py leaves the rows zero at T <= 0
  reducible_columns(out, interaction_strength, g_collision, nb0, tq, lookup, 0, tq.triplets.size(), phonons,
                    temperature_to_thz(temperature), cutoff_frequency);
}

void collision_matrix_row(double* out, const double* interaction_strength, const double* g_collision,
                          std::size_t nb0, const interaction::TripletsAtQ& tq,
                          const interaction::PhononView& phonons, const CollisionSymmetry& symmetry,
                          double temperature, double cutoff_frequency) {
  const std::size_t nb = phonons.num_band;
  const std::size_t n = tq.map_triplets.size();
  if (temperature <= 0) {
    for (std::size_t x = 0; x < nb0 * 3 * symmetry.num_grid_points() * nb * 3; ++x) out[x] = 0.0;
    return;
  }
  // Every (q1, j0, j1) value of the rotation sums is the reducible row's element, computed
  // with the same operations as phono3py's per-rotation recomputation.
  std::vector<double> reducible(nb0 * n * nb);
  reducible_collision_matrix_row(reducible.data(), interaction_strength, g_collision, nb0, tq, phonons,
                                 temperature, cutoff_frequency);
  fold_reducible_row(out, reducible.data(), nb0, n, nb, symmetry);
}

CollisionRowsBuilder::CollisionRowsBuilder(std::int64_t grid_point, const interaction::TripletsAtQ& tq,
                                           const interaction::PhononView& phonons,
                                           std::vector<std::int64_t> band_indices,
                                           std::vector<double> temperatures, double cutoff_frequency,
                                           const grid::BZGrid& bz_grid, const CollisionSymmetry* symmetry)
    : grid_point_(grid_point),
      tq_(tq),
      phonons_(phonons),
      band_indices_(std::move(band_indices)),
      temperatures_(std::move(temperatures)),
      cutoff_frequency_(cutoff_frequency),
      bz_grid_(bz_grid),
      symmetry_(symmetry) {
  check_phonons(phonons, tq);
  lookup_ = std::make_unique<TripletLookup>(make_triplet_lookup(tq));
  const std::size_t nb0 = band_indices_.size();
  contributions_.assign(tq.triplets.size() * temperatures_.size() * nb0, 0.0);
  reducible_.assign(temperatures_.size() * nb0 * tq.map_triplets.size() * phonons.num_band, 0.0);
}

CollisionRowsBuilder::~CollisionRowsBuilder() = default;

void CollisionRowsBuilder::add(std::size_t begin, std::size_t count, const double* interaction_strength,
                               const interaction::TripletIntegrationWeights& weights) {
  const std::size_t nb = phonons_.num_band;
  const std::size_t nb0 = band_indices_.size();
  const std::size_t tp_size = count * nb0 * nb * nb;
  require(begin == added_, "triplets must be added in order: expected " + std::to_string(added_) + ", got " +
                               std::to_string(begin));
  require(begin + count <= tq_.triplets.size(), "triplet range beyond the grid point's triplets");
  require(weights.g.rank() == 5 && weights.g.shape[0] == 3 && weights.g.shape[1] == count &&
              weights.g.shape[2] == nb0 && weights.g.shape[3] == nb && weights.g.shape[4] == nb,
          "integration weights must be (3, " + std::to_string(count) + ", " + std::to_string(nb0) + ", " +
              std::to_string(nb) + ", " + std::to_string(nb) + "), have " + weights.g.shape_string());
  require(weights.g_zero.size() == 0 || weights.g_zero.size() == tp_size,
          "g_zero has " + std::to_string(weights.g_zero.size()) + " elements, expected " +
              std::to_string(tp_size));
  const std::int8_t* g_zero = weights.g_zero.size() == 0 ? nullptr : weights.g_zero.ptr();
  imag_self_energy_contributions(begin, count, interaction_strength, weights.g.ptr(), g_zero, tq_.triplets,
                                 tq_.weights, phonons_, nb0, temperatures_, cutoff_frequency_,
                                 contributions_.data());
  const std::size_t row_size = nb0 * tq_.map_triplets.size() * nb;
  for (std::size_t it = 0; it < temperatures_.size(); ++it) {
    if (temperatures_[it] <= 0) continue;  // phono3py leaves the rows zero at T <= 0
    reducible_columns(reducible_.data() + it * row_size, interaction_strength, weights.g.ptr() + 2 * tp_size,
                      nb0, tq_, *lookup_, begin, begin + count, phonons_,
                      temperature_to_thz(temperatures_[it]), cutoff_frequency_);
  }
  added_ += count;
}

CollisionRows CollisionRowsBuilder::finish() const {
  require(added_ == tq_.triplets.size(),
          std::to_string(added_) + " of " + std::to_string(tq_.triplets.size()) + " triplets added");
  const std::size_t nb = phonons_.num_band;
  const std::size_t nb0 = band_indices_.size();
  const std::size_t nt = temperatures_.size();
  const std::size_t n = tq_.map_triplets.size();
  CollisionRows rows;
  rows.gamma =
      sum_imag_self_energy(grid_point_, contributions_, tq_.triplets, phonons_, band_indices_, nt, bz_grid_)
          .gamma;
  if (symmetry_ == nullptr) {
    rows.collision = NdArray<double>({nt, nb0, n, nb});
    rows.collision.data = reducible_;
    return rows;
  }
  rows.collision = NdArray<double>({nt, nb0, 3, symmetry_->num_grid_points(), nb, 3});
  const std::size_t row_size = rows.collision.size() / std::max<std::size_t>(nt, 1);
  for (std::size_t it = 0; it < nt; ++it) {
    fold_reducible_row(rows.collision.ptr() + it * row_size, reducible_.data() + it * nb0 * n * nb, nb0, n,
                       nb, *symmetry_);
  }
  return rows;
}

CollisionRows collision_rows(std::int64_t grid_point, const double* interaction_strength,
                             const interaction::TripletIntegrationWeights& weights,
                             const interaction::TripletsAtQ& tq, const interaction::PhononView& phonons,
                             const std::vector<std::int64_t>& band_indices,
                             const std::vector<double>& temperatures, double cutoff_frequency,
                             const grid::BZGrid& bz_grid, const CollisionSymmetry* symmetry) {
  CollisionRowsBuilder builder(grid_point, tq, phonons, band_indices, temperatures, cutoff_frequency, bz_grid,
                               symmetry);
  builder.add(0, tq.triplets.size(), interaction_strength, weights);
  return builder.finish();
}

}  // namespace ph3mpi::self_energy
