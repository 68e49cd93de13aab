#include "ph3mpi/transport/lbte_kappa.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/units.hpp"
#include "ph3mpi/phonon/degeneracy.hpp"
#include "ph3mpi/transport/rta_kappa.hpp"

namespace ph3mpi::transport {

namespace {

void require(bool ok, const std::string& message) {
  if (!ok) throw Error("LBTE: " + message);
}

// The degenerate band sets of grid point gp (BZ index), sorted, as phono3py's _get_bi_set.
std::vector<std::vector<std::size_t>> band_sets(const double* frequencies, std::int64_t gp, std::size_t nb) {
  auto sets = phonon::degenerate_sets(frequencies + static_cast<std::size_t>(gp) * nb, nb);
  for (auto& s : sets) std::sort(s.begin(), s.end());
  return sets;
}

// Averages the vectors of length `len` at base + b * stride (b in the set) and writes the
// mean to all of them: numpy's sum over the band axis (in band order) / len(set).
void average_strided(double* base, const std::vector<std::size_t>& set, std::size_t stride, std::size_t len,
                     std::vector<double>& scratch) {
  if (set.size() < 2) {
    // phono3py still divides by 1: a no-op.
    return;
  }
  scratch.assign(len, 0.0);
  for (std::size_t e = 0; e < len; ++e) scratch[e] = base[set[0] * stride + e];
  for (std::size_t s = 1; s < set.size(); ++s)
    for (std::size_t e = 0; e < len; ++e) scratch[e] += base[set[s] * stride + e];
  const auto n = static_cast<double>(set.size());
  for (std::size_t e = 0; e < len; ++e) scratch[e] /= n;
  for (const std::size_t b : set)
    for (std::size_t e = 0; e < len; ++e) base[b * stride + e] = scratch[e];
}

// In one row, averages the entries at column offsets col0 + b * col_stride + e (e < inner)
// over the bands b of each set.
void average_columns(double* row, std::size_t col0, std::size_t col_stride, std::size_t inner,
                     const std::vector<std::vector<std::size_t>>& sets) {
  for (const auto& set : sets) {
    if (set.size() < 2) continue;
    const auto n = static_cast<double>(set.size());
    for (std::size_t e = 0; e < inner; ++e) {
      double sum = row[col0 + set[0] * col_stride + e];
      for (std::size_t s = 1; s < set.size(); ++s) sum += row[col0 + set[s] * col_stride + e];
      sum /= n;
      for (const std::size_t b : set) row[col0 + b * col_stride + e] = sum;
    }
  }
}

Eigen::Vector3d rotate(const Eigen::Matrix3d& r, const double* v) {
  Eigen::Vector3d out;
  for (int a = 0; a < 3; ++a) out(a) = r(a, 0) * v[0] + r(a, 1) * v[1] + r(a, 2) * v[2];
  return out;
}

}  // namespace

LbteLayout make_lbte_layout(const grid::BZGrid& bz_grid, const std::vector<std::int64_t>& ir_grid_points,
                            std::size_t num_band, bool reducible, bool is_kappa_star) {
  require(num_band > 0, "no bands");
  LbteLayout l;
  l.reducible = reducible;
  l.is_kappa_star = is_kappa_star;
  l.num_band = num_band;
  l.num_mesh_points = bz_grid.num_gr_points();
  const auto n = static_cast<std::size_t>(l.num_mesh_points);
  require(bz_grid.grg2bzg.size() == n && bz_grid.bzg2grg.size() == bz_grid.addresses.size(),
          "BZ grid without grg2bzg / bzg2grg maps");
  if (is_kappa_star) {
    l.ir_grid_points = ir_grid_points;
  } else {
    l.ir_grid_points = bz_grid.grg2bzg;
  }
  for (const std::int64_t gp : l.ir_grid_points) {
    require(gp >= 0 && gp < bz_grid.num_bz_points(),
            "grid point " + std::to_string(gp) + " outside the BZ grid");
    l.ir_grid_points_gr.push_back(bz_grid.bzg2grg[static_cast<std::size_t>(gp)]);
  }
  if (!reducible) {
    l.grid_points = l.ir_grid_points;
    l.symmetry = self_energy::make_collision_symmetry(bz_grid, l.ir_grid_points, is_kappa_star);
    // phono3py _get_ir_weights: sqrt(number of distinct R k) / sqrt(|G|).
    for (std::size_t i = 0; i < l.ir_grid_points.size(); ++i) {
      std::vector<std::int64_t> arms(
          l.symmetry.rot_grid_points.begin() + static_cast<std::ptrdiff_t>(i * l.symmetry.num_rot),
          l.symmetry.rot_grid_points.begin() + static_cast<std::ptrdiff_t>((i + 1) * l.symmetry.num_rot));
      std::sort(arms.begin(), arms.end());
      const auto unique = static_cast<double>(std::unique(arms.begin(), arms.end()) - arms.begin());
      l.weights.push_back(std::sqrt(unique) / std::sqrt(static_cast<double>(l.symmetry.num_rot)));
    }
  } else {
    l.grid_points = bz_grid.grg2bzg;
    l.weights.assign(n, 1.0);
    if (is_kappa_star) {
      l.symmetry = self_energy::make_collision_symmetry(bz_grid, bz_grid.grg2bzg, true);
      for (const std::int64_t ir : l.ir_grid_points_gr) {
        std::int64_t multi = 0;
        for (std::size_t r = 0; r < l.symmetry.num_rot; ++r)
          multi += l.symmetry.rot_grid_point(static_cast<std::size_t>(ir), r) == ir ? 1 : 0;
        l.ir_multi.push_back(multi);
      }
    } else {
      // Only the Cartesian rotations matter (the identity) for mode_kappa.
      l.symmetry.num_rot = 1;
      l.symmetry.rotations_cartesian = {Eigen::Matrix3d::Identity()};
    }
  }
  // phono3py's mode-kappa loop skips j < 3 where bz_grid.addresses[i] == 0, i being the
  // matrix grid-point index (BZ index 0 is Gamma, so this is the Gamma point in practice).
  for (std::size_t i = 0; i < l.grid_points.size(); ++i) {
    l.skip_acoustic.push_back(i < bz_grid.addresses.size() && bz_grid.addresses[i].isZero() ? 1 : 0);
  }
  return l;
}

void lbte_main_diagonal(const double* gamma, const double* gamma_isotope, const double* group_velocities,
                        std::optional<double> boundary_mfp, std::size_t num_band, double* out) {
  for (std::size_t b = 0; b < num_band; ++b) out[b] = gamma[b];
  if (gamma_isotope != nullptr)
    for (std::size_t b = 0; b < num_band; ++b) out[b] += gamma_isotope[b];
  if (boundary_mfp) {
    require(group_velocities != nullptr, "boundary scattering needs group velocities");
    std::vector<double> g(num_band);
    boundary_scattering_gamma(group_velocities, num_band, *boundary_mfp, g.data());
    for (std::size_t b = 0; b < num_band; ++b) out[b] += g[b];
  }
}

void prepare_irreducible_row_block(double* rows, std::size_t i, const double* main_diagonal,
                                   const LbteLayout& layout, const double* frequencies) {
  require(!layout.reducible, "prepare_irreducible_row_block on a reducible layout");
  const std::size_t nb = layout.num_band;
  const std::size_t nir = layout.num_grid_points();
  const std::size_t n = layout.size();
  require(i < nir, "grid point index " + std::to_string(i) + " outside " + std::to_string(nir));
  const auto& sym = layout.symmetry;
  // Diagonal term: sum over R with R k = k of Gamma R (phono3py _combine_collisions).
  for (std::size_t r = 0; r < sym.num_rot; ++r) {
    if (sym.rot_grid_point(i, r) != layout.ir_grid_points_gr[i]) continue;
    const Eigen::Matrix3d& rot = sym.rotations_cartesian[r];
    for (std::size_t b = 0; b < nb; ++b) {
      for (std::size_t a = 0; a < 3; ++a) {
        double* row = rows + (b * 3 + a) * n + (i * nb + b) * 3;
        for (std::size_t c = 0; c < 3; ++c)
          row[c] += main_diagonal[b] * rot(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(c));
      }
    }
  }
  // Weights w_i w_k on every block.
  for (std::size_t r = 0; r < 3 * nb; ++r) {
    double* row = rows + r * n;
    for (std::size_t k = 0; k < nir; ++k) {
      const double w = layout.weights[i] * layout.weights[k];
      for (std::size_t c = 0; c < 3 * nb; ++c) row[k * 3 * nb + c] *= w;
    }
  }
  // Degenerate bands of i (rows, each band holding 3 rows), then of every k (columns).
  std::vector<double> scratch;
  for (const auto& set : band_sets(frequencies, layout.grid_points[i], nb)) {
    average_strided(rows, set, 3 * n, 3 * n, scratch);
  }
  std::vector<std::vector<std::vector<std::size_t>>> sets(nir);
  for (std::size_t k = 0; k < nir; ++k) sets[k] = band_sets(frequencies, layout.grid_points[k], nb);
  for (std::size_t r = 0; r < 3 * nb; ++r) {
    for (std::size_t k = 0; k < nir; ++k) average_columns(rows + r * n, k * 3 * nb, 3, 3, sets[k]);
  }
}

void average_reducible_row_by_degeneracy(double* rows, std::size_t i, const LbteLayout& layout,
                                         const double* frequencies) {
  require(layout.reducible, "average_reducible_row_by_degeneracy on an irreducible layout");
  const std::size_t nb = layout.num_band;
  const std::size_t n = layout.size();
  require(i < layout.num_ir_grid_points(),
          "grid point index " + std::to_string(i) + " outside the ir grid points");
  if (!layout.is_kappa_star) return;
  std::vector<double> scratch;
  for (const auto& set : band_sets(frequencies, layout.ir_grid_points[i], nb)) {
    average_strided(rows, set, n, n, scratch);
  }
  for (std::size_t k = 0; k < layout.num_ir_grid_points(); ++k) {
    const auto sets = band_sets(frequencies, layout.ir_grid_points[k], nb);
    const auto col0 = static_cast<std::size_t>(layout.ir_grid_points_gr[k]) * nb;
    for (std::size_t b = 0; b < nb; ++b) average_columns(rows + b * n, col0, 1, 1, sets);
  }
}

std::vector<std::int64_t> reducible_star(std::size_t i, const LbteLayout& layout) {
  require(layout.reducible && i < layout.num_ir_grid_points(), "reducible_star: bad grid point index");
  const std::int64_t ir = layout.ir_grid_points_gr[i];
  if (!layout.is_kappa_star) return {ir};
  std::vector<std::int64_t> star;
  for (std::size_t r = 0; r < layout.symmetry.num_rot; ++r) {
    const std::int64_t q = layout.symmetry.rot_grid_point(static_cast<std::size_t>(ir), r);
    if (std::find(star.begin(), star.end(), q) == star.end()) star.push_back(q);
  }
  return star;
}

void expand_reducible_row(const double* averaged_rows, std::size_t i, std::int64_t target_gr,
                          const LbteLayout& layout, double* out) {
  require(layout.reducible && i < layout.num_ir_grid_points(), "expand_reducible_row: bad grid point index");
  const std::size_t nb = layout.num_band;
  const std::size_t ngp = layout.num_grid_points();
  const std::size_t n = layout.size();
  const std::int64_t ir = layout.ir_grid_points_gr[i];
  if (!layout.is_kappa_star) {
    require(target_gr == ir, "without kappa star a row expands only to itself");
    std::copy(averaged_rows, averaged_rows + nb * n, out);
    return;
  }
  std::fill(out, out + nb * n, 0.0);
  const auto multi = static_cast<double>(layout.ir_multi[i]);
  const auto& sym = layout.symmetry;
  bool found = false;
  for (std::size_t r = 0; r < sym.num_rot; ++r) {
    if (sym.rot_grid_point(static_cast<std::size_t>(ir), r) != target_gr) continue;
    found = true;
    for (std::size_t b = 0; b < nb; ++b) {
      const double* src = averaged_rows + b * n;
      double* dst = out + b * n;
      for (std::size_t q = 0; q < ngp; ++q) {
        const auto rq = static_cast<std::size_t>(sym.rot_grid_point(q, r));
        for (std::size_t c = 0; c < nb; ++c) dst[rq * nb + c] += src[q * nb + c] / multi;
      }
    }
  }
  require(found, "grid point " + std::to_string(target_gr) + " is not in the star of " + std::to_string(ir));
}

NdArray<double> expand_reducible_values(const NdArray<double>& values, const LbteLayout& layout) {
  require(layout.reducible, "expand_reducible_values on an irreducible layout");
  const std::size_t nir = layout.num_ir_grid_points();
  require(values.rank() >= 1 && values.shape[0] == nir,
          "values must have one row per ir grid point, have " + values.shape_string());
  const std::size_t len = nir == 0 ? 0 : values.size() / nir;
  std::vector<std::size_t> shape = values.shape;
  shape[0] = layout.num_grid_points();
  NdArray<double> out(shape);
  for (std::size_t i = 0; i < nir; ++i) {
    const std::int64_t ir = layout.ir_grid_points_gr[i];
    const double* src = values.ptr() + i * len;
    if (!layout.is_kappa_star) {
      std::copy(src, src + len, out.ptr() + static_cast<std::size_t>(ir) * len);
      continue;
    }
    const auto multi = static_cast<double>(layout.ir_multi[i]);
    for (std::size_t r = 0; r < layout.symmetry.num_rot; ++r) {
      const auto q =
          static_cast<std::size_t>(layout.symmetry.rot_grid_point(static_cast<std::size_t>(ir), r));
      for (std::size_t e = 0; e < len; ++e) out[q * len + e] += src[e] / multi;
    }
  }
  return out;
}

NdArray<double> expand_reducible_group_velocities(const NdArray<double>& group_velocities,
                                                  const LbteLayout& layout) {
  require(layout.reducible, "expand_reducible_group_velocities on an irreducible layout");
  const std::size_t nir = layout.num_ir_grid_points();
  const std::size_t nb = layout.num_band;
  require(group_velocities.shape == std::vector<std::size_t>({nir, nb, 3}),
          "group velocities must be (num_ir, nb, 3), have " + group_velocities.shape_string());
  NdArray<double> out({layout.num_grid_points(), nb, 3});
  for (std::size_t i = 0; i < nir; ++i) {
    const std::int64_t ir = layout.ir_grid_points_gr[i];
    const double* src = group_velocities.ptr() + i * nb * 3;
    if (!layout.is_kappa_star) {
      std::copy(src, src + nb * 3, out.ptr() + static_cast<std::size_t>(ir) * nb * 3);
      continue;
    }
    const auto multi = static_cast<double>(layout.ir_multi[i]);
    for (std::size_t r = 0; r < layout.symmetry.num_rot; ++r) {
      const auto q =
          static_cast<std::size_t>(layout.symmetry.rot_grid_point(static_cast<std::size_t>(ir), r));
      for (std::size_t b = 0; b < nb; ++b) {
        const Eigen::Vector3d v = rotate(layout.symmetry.rotations_cartesian[r], src + b * 3);
        for (int a = 0; a < 3; ++a) out[(q * nb + b) * 3 + static_cast<std::size_t>(a)] += v(a) / multi;
      }
    }
  }
  return out;
}

void add_reducible_main_diagonal(double* rows, std::int64_t q, const double* main_diagonal,
                                 const LbteLayout& layout) {
  require(layout.reducible && q >= 0 && q < layout.num_mesh_points,
          "add_reducible_main_diagonal: bad grid point");
  const std::size_t nb = layout.num_band;
  const std::size_t n = layout.size();
  for (std::size_t b = 0; b < nb; ++b) rows[b * n + static_cast<std::size_t>(q) * nb + b] += main_diagonal[b];
}

NdArray<double> lbte_X(const LbteLayout& layout, const double* frequencies,
                       const NdArray<double>& group_velocities, double temperature, double cutoff_frequency) {
  const std::size_t ngp = layout.num_grid_points();
  const std::size_t nb = layout.num_band;
  require(group_velocities.shape == std::vector<std::size_t>({ngp, nb, 3}),
          "group velocities must be (" + std::to_string(ngp) + ", " + std::to_string(nb) + ", 3), have " +
              group_velocities.shape_string());
  NdArray<double> X({ngp, nb, 3});
  if (temperature <= 0) return X;
  using units::kKb;
  using units::kTHzToEv;
  for (std::size_t i = 0; i < ngp; ++i) {
    const double* f = frequencies + static_cast<std::size_t>(layout.grid_points[i]) * nb;
    for (std::size_t j = 0; j < nb; ++j) {
      // phono3py _get_X_frequency_factor, numpy's operation order.
      double inv_sinh = 0.0;
      if (f[j] > cutoff_frequency) {
        const double s = std::sinh(f[j] * kTHzToEv / (2 * kKb * temperature));
        inv_sinh = s > 0 ? 1.0 / s : 0.0;
      }
      const double factor = f[j] * kTHzToEv * inv_sinh / (4 * kKb * (temperature * temperature));
      for (std::size_t a = 0; a < 3; ++a) {
        const std::size_t x = (i * nb + j) * 3 + a;
        X[x] = group_velocities[x] * layout.weights[i] * factor;
      }
    }
  }
  return X;
}

NdArray<double> project_on_collision_range(const NdArray<double>& v, const LbteLayout& layout,
                                           const double* frequencies) {
  if (layout.reducible) return v;
  const std::size_t nb = layout.num_band;
  const auto& sym = layout.symmetry;
  NdArray<double> out = v;
  std::vector<double> scratch;
  for (std::size_t q = 0; q < layout.num_grid_points(); ++q) {
    Eigen::Matrix3d projector = Eigen::Matrix3d::Zero();
    int order = 0;
    for (std::size_t r = 0; r < sym.num_rot; ++r) {
      if (sym.rot_grid_point(q, r) != layout.ir_grid_points_gr[q]) continue;
      projector += sym.rotations_cartesian[r];
      ++order;
    }
    projector /= order;
    double* block = out.ptr() + q * nb * 3;
    for (std::size_t b = 0; b < nb; ++b) {
      const Eigen::Vector3d x(block[b * 3], block[b * 3 + 1], block[b * 3 + 2]);
      const Eigen::Vector3d px = projector * x;
      for (int a = 0; a < 3; ++a) block[b * 3 + static_cast<std::size_t>(a)] = px(a);
    }
    for (const auto& set : band_sets(frequencies, layout.grid_points[q], nb)) {
      average_strided(block, set, 3, 3, scratch);
    }
  }
  return out;
}

std::vector<double> rta_divisors_irreducible(const NdArray<double>& main_diagonals) {
  return main_diagonals.data;
}

NdArray<double> rta_Y(const NdArray<double>& X, const std::vector<double>& divisors, const LbteLayout& layout,
                      const double* frequencies, double cutoff_frequency) {
  const std::size_t ngp = layout.num_grid_points();
  const std::size_t nb = layout.num_band;
  require(X.size() == ngp * nb * 3 && divisors.size() == ngp * nb, "X or divisors of the wrong size");
  NdArray<double> Y(X.shape);
  for (std::size_t i = 0; i < ngp; ++i) {
    const std::size_t fi = layout.reducible ? i : static_cast<std::size_t>(layout.grid_points[i]);
    const double* f = frequencies + fi * nb;
    for (std::size_t j = 0; j < nb; ++j) {
      if (!(f[j] > cutoff_frequency)) continue;
      const double d = divisors[i * nb + j];
      if (!layout.reducible && d == 0) continue;  // phono3py's caught FloatingPointError: Y stays 0
      for (std::size_t a = 0; a < 3; ++a) Y[(i * nb + j) * 3 + a] = X[(i * nb + j) * 3 + a] / d;
    }
  }
  return Y;
}

std::vector<double> pinv_eigenvalues(const std::vector<double>& eigenvalues, double pinv_cutoff,
                                     int pinv_method) {
  require(pinv_method == 0 || pinv_method == 1,
          "pinv_method must be 0 (|eig| > cutoff) or 1 (eig > cutoff), got " + std::to_string(pinv_method));
  std::vector<double> e(eigenvalues.size(), 0.0);
  for (std::size_t i = 0; i < e.size(); ++i) {
    const double v = pinv_method == 0 ? std::abs(eigenvalues[i]) : eigenvalues[i];
    if (v > pinv_cutoff) e[i] = 1 / eigenvalues[i];
  }
  return e;
}

NdArray<double> lbte_f_vectors(const NdArray<double>& Y, const LbteLayout& layout) {
  const std::size_t ngp = layout.num_grid_points();
  const std::size_t nb = layout.num_band;
  require(Y.size() == ngp * nb * 3, "Y of the wrong size");
  NdArray<double> f({ngp, nb, 3});
  for (std::size_t i = 0; i < ngp; ++i)
    for (std::size_t x = 0; x < nb * 3; ++x) f[i * nb * 3 + x] = Y[i * nb * 3 + x] / 2 / layout.weights[i];
  return f;
}

NdArray<double> lbte_mode_kappa(const NdArray<double>& X, const NdArray<double>& Y, const LbteLayout& layout,
                                double temperature, double conversion_factor, std::size_t first,
                                std::size_t count) {
  const std::size_t nb = layout.num_band;
  if (count == 0) count = layout.num_grid_points() - std::min(first, layout.num_grid_points());
  require(first + count <= layout.num_grid_points(), "grid-point range outside the matrix");
  require(X.size() == count * nb * 3 && Y.size() == X.size(),
          "X and Y must hold the grid points of the range");
  NdArray<double> mode_kappa({count, nb, 6});
  const auto& rotations = layout.symmetry.rotations_cartesian;
  const double factor = conversion_factor * units::kKb * (temperature * temperature);
  for (std::size_t ii = 0; ii < count; ++ii) {
    const std::size_t i = first + ii;
    for (std::size_t j = 0; j < nb; ++j) {
      if (layout.skip_acoustic[i] != 0 && j < 3) continue;
      const double* v = X.ptr() + (ii * nb + j) * 3;
      const double* f = Y.ptr() + (ii * nb + j) * 3;
      Eigen::Matrix3d sum_k = Eigen::Matrix3d::Zero();
      for (const Eigen::Matrix3d& r : rotations) sum_k += rotate(r, v) * rotate(r, f).transpose();
      const Eigen::Matrix3d sym = sum_k + sum_k.transpose();
      double* mk = mode_kappa.ptr() + (ii * nb + j) * 6;
      for (std::size_t k = 0; k < 6; ++k) mk[k] = sym(kVoigtPairs[k][0], kVoigtPairs[k][1]);
    }
  }
  for (double& m : mode_kappa.data) m *= factor;
  if (layout.reducible) {
    const auto num_rot = static_cast<double>(rotations.size());
    for (double& m : mode_kappa.data) m /= num_rot;
  }
  return mode_kappa;
}

std::array<double, 6> sum_mode_kappa(const NdArray<double>& mode_kappa, std::int64_t num_mesh_points) {
  require(mode_kappa.rank() == 3 && mode_kappa.shape[2] == 6, "mode_kappa must be (num_gp, nb, 6)");
  require(num_mesh_points > 0, "number of mesh points must be positive");
  const std::size_t ngp = mode_kappa.shape[0];
  const std::size_t nb = mode_kappa.shape[1];
  // numpy: mode_kappa.sum(axis=0) (over grid points, in order) then .sum(axis=0) (bands).
  std::vector<double> per_band(nb * 6, 0.0);
  for (std::size_t i = 0; i < ngp; ++i)
    for (std::size_t x = 0; x < nb * 6; ++x) per_band[x] += mode_kappa[i * nb * 6 + x];
  std::array<double, 6> kappa{};
  for (std::size_t j = 0; j < nb; ++j)
    for (std::size_t k = 0; k < 6; ++k) kappa[k] += per_band[j * 6 + k];
  for (double& k : kappa) k /= static_cast<double>(num_mesh_points);
  return kappa;
}

}  // namespace ph3mpi::transport
