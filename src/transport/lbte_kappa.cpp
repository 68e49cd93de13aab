#include "ph3mpi/transport/lbte_kappa.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/units.hpp"
#include "ph3mpi/phonon/degeneracy.hpp"
#include "ph3mpi/transport/rta_kappa.hpp"

extern "C" {
// Fortran LAPACK / BLAS (hidden string lengths at the end, gfortran convention).
void dsyev_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w,
            double* work, const int* lwork, int* info, std::size_t jobz_len, std::size_t uplo_len);
void dgemv_(const char* trans, const int* m, const int* n, const double* alpha, const double* a,
            const int* lda, const double* x, const int* incx, const double* beta, double* y, const int* incy,
            std::size_t trans_len);
}

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

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + ")";
}

void check_shape(const NdArray<double>* a, const std::vector<std::size_t>& shape, const std::string& name) {
  require(a != nullptr, name + " missing");
  require(a->shape == shape, name + " has shape " + a->shape_string() + ", expected " + shape_text(shape));
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

void symmetrize_collision_matrix(double* matrix, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k) {
    for (std::size_t l = k + 1; l < n; ++l) {
      const double val = (matrix[k * n + l] + matrix[l * n + k]) / 2;
      matrix[k * n + l] = val;
      matrix[l * n + k] = val;
    }
  }
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

std::vector<double> rta_divisors_irreducible(const NdArray<double>& main_diagonals) {
  return main_diagonals.data;
}

std::vector<double> rta_divisors_reducible(const double* matrix, std::size_t n) {
  std::vector<double> d(n);
  for (std::size_t i = 0; i < n; ++i) d[i] = matrix[i * n + i];
  return d;
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

std::vector<double> diagonalize_collision_matrix(double* matrix, std::size_t n) {
  std::vector<double> w(n);
  if (n == 0) return w;
  require(n <= static_cast<std::size_t>(std::numeric_limits<int>::max()),
          "matrix too large for LAPACK dsyev");
  const int ni = static_cast<int>(n);
  int info = 0;
  int lwork = -1;
  double query = 0;
  dsyev_("V", "U", &ni, matrix, &ni, w.data(), &query, &lwork, &info, 1, 1);
  require(info == 0, "dsyev workspace query failed, info = " + std::to_string(info));
  lwork = static_cast<int>(query);
  std::vector<double> work(static_cast<std::size_t>(std::max(lwork, 1)));
  dsyev_("V", "U", &ni, matrix, &ni, w.data(), work.data(), &lwork, &info, 1, 1);
  require(info == 0, "dsyev failed, info = " + std::to_string(info));
  return w;
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

NdArray<double> lbte_Y(const double* eigenvectors, const std::vector<double>& e, const NdArray<double>& X,
                       const LbteLayout& layout) {
  const std::size_t n = layout.size();
  require(e.size() == n && X.size() == layout.num_grid_points() * layout.num_band * 3,
          "eigenvalues or X of the wrong size for the matrix of " + std::to_string(n));
  NdArray<double> Y(X.shape);
  if (n == 0) return Y;
  const int ni = static_cast<int>(n);
  const double one = 1.0, zero = 0.0;
  const std::size_t nrhs = layout.reducible ? 3 : 1;
  const int inc = static_cast<int>(nrhs);
  const int unit_inc = 1;
  std::vector<double> z(n);
  for (std::size_t c = 0; c < nrhs; ++c) {
    // The row-major eigenvector array is V in column-major storage (column k = eigenvector
    // k): z = V^T x is dgemv 'T', y = V z is dgemv 'N' (numpy's two np.dot calls).
    dgemv_("T", &ni, &ni, &one, eigenvectors, &ni, X.ptr() + c, &inc, &zero, z.data(), &unit_inc, 1);
    for (std::size_t k = 0; k < n; ++k) z[k] *= e[k];
    dgemv_("N", &ni, &ni, &one, eigenvectors, &ni, z.data(), &unit_inc, &zero, Y.ptr() + c, &inc, 1);
  }
  return Y;
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

NdArray<double> assemble_collision_matrix(const LbteLayout& layout, const LbteInput& input,
                                          const LbteSettings& settings) {
  const std::size_t nir = layout.num_ir_grid_points();
  const std::size_t nb = layout.num_band;
  const std::size_t n = layout.size();
  require(input.frequencies != nullptr, "frequencies missing");
  check_shape(input.gamma, {nir, nb}, "gamma");
  if (input.gamma_isotope != nullptr) check_shape(input.gamma_isotope, {nir, nb}, "gamma_isotope");
  check_shape(input.group_velocities, {nir, nb, 3}, "group_velocities");
  require(
      input.collision_rows != nullptr && input.collision_rows->size() == nir * layout.row_block_elements(),
      "collision rows must hold " + std::to_string(nir) + " row blocks of " +
          std::to_string(layout.row_block_elements()) + " elements");
  NdArray<double> matrix({n, n});
  std::vector<double> diag(nb);
  if (!layout.reducible) {
    for (std::size_t i = 0; i < nir; ++i) {
      double* rows = matrix.ptr() + i * layout.row_block_elements();
      const double* src = input.collision_rows->ptr() + i * layout.row_block_elements();
      std::copy(src, src + layout.row_block_elements(), rows);
      lbte_main_diagonal(input.gamma->ptr() + i * nb,
                         input.gamma_isotope ? input.gamma_isotope->ptr() + i * nb : nullptr,
                         input.group_velocities->ptr() + i * nb * 3, settings.boundary_mfp, nb, diag.data());
      prepare_irreducible_row_block(rows, i, diag.data(), layout, input.frequencies);
    }
  } else {
    std::vector<double> averaged(layout.row_block_elements());
    for (std::size_t i = 0; i < nir; ++i) {
      const double* src = input.collision_rows->ptr() + i * layout.row_block_elements();
      std::copy(src, src + layout.row_block_elements(), averaged.begin());
      if (layout.is_kappa_star)
        average_reducible_row_by_degeneracy(averaged.data(), i, layout, input.frequencies);
      for (const std::int64_t q : reducible_star(i, layout)) {
        expand_reducible_row(averaged.data(), i, q, layout,
                             matrix.ptr() + static_cast<std::size_t>(q) * layout.row_block_elements());
      }
    }
    const NdArray<double> gamma = expand_reducible_values(*input.gamma, layout);
    NdArray<double> gamma_iso;
    if (input.gamma_isotope != nullptr) gamma_iso = expand_reducible_values(*input.gamma_isotope, layout);
    const NdArray<double> gv = expand_reducible_group_velocities(*input.group_velocities, layout);
    for (std::size_t q = 0; q < layout.num_grid_points(); ++q) {
      lbte_main_diagonal(gamma.ptr() + q * nb, input.gamma_isotope ? gamma_iso.ptr() + q * nb : nullptr,
                         gv.ptr() + q * nb * 3, settings.boundary_mfp, nb, diag.data());
      add_reducible_main_diagonal(matrix.ptr() + q * layout.row_block_elements(),
                                  static_cast<std::int64_t>(q), diag.data(), layout);
    }
  }
  symmetrize_collision_matrix(matrix.ptr(), n);
  return matrix;
}

LbteResult solve_lbte(const LbteLayout& layout, const LbteInput& input, const LbteSettings& settings) {
  const std::size_t ngp = layout.num_grid_points();
  const std::size_t nb = layout.num_band;
  const std::size_t n = layout.size();
  LbteResult res;
  res.mode_kappa = NdArray<double>({ngp, nb, 6});
  res.mode_kappa_RTA = NdArray<double>({ngp, nb, 6});
  res.f_vector = NdArray<double>({ngp, nb, 3});
  res.collision_eigenvalues.assign(n, 0.0);
  // Settings are checked before any work (the diagonalization is the expensive part).
  pinv_eigenvalues({}, settings.pinv_cutoff, settings.pinv_method);
  if (input.temperature <= 0) return res;  // phono3py skips T <= 0

  NdArray<double> matrix = assemble_collision_matrix(layout, input, settings);

  // Velocities of the matrix grid points and the RTA divisors.
  NdArray<double> gv;
  std::vector<double> divisors;
  if (layout.reducible) {
    gv = expand_reducible_group_velocities(*input.group_velocities, layout);
    divisors = rta_divisors_reducible(matrix.ptr(), n);
  } else {
    gv = *input.group_velocities;
    NdArray<double> diags({layout.num_ir_grid_points(), nb});
    for (std::size_t i = 0; i < layout.num_ir_grid_points(); ++i) {
      lbte_main_diagonal(input.gamma->ptr() + i * nb,
                         input.gamma_isotope ? input.gamma_isotope->ptr() + i * nb : nullptr,
                         gv.ptr() + i * nb * 3, settings.boundary_mfp, nb, diags.ptr() + i * nb);
    }
    divisors = rta_divisors_irreducible(diags);
  }
  const NdArray<double> X =
      lbte_X(layout, input.frequencies, gv, input.temperature, settings.cutoff_frequency);

  const NdArray<double> Y_rta = rta_Y(X, divisors, layout, input.frequencies, settings.cutoff_frequency);
  res.mode_kappa_RTA = lbte_mode_kappa(X, Y_rta, layout, input.temperature, settings.conversion_factor);
  res.kappa_RTA = sum_mode_kappa(res.mode_kappa_RTA, layout.num_mesh_points);

  res.collision_eigenvalues = diagonalize_collision_matrix(matrix.ptr(), n);
  const std::vector<double> e =
      pinv_eigenvalues(res.collision_eigenvalues, settings.pinv_cutoff, settings.pinv_method);
  const NdArray<double> Y = lbte_Y(matrix.ptr(), e, X, layout);
  res.f_vector = lbte_f_vectors(Y, layout);
  res.mode_kappa = lbte_mode_kappa(X, Y, layout, input.temperature, settings.conversion_factor);
  res.kappa = sum_mode_kappa(res.mode_kappa, layout.num_mesh_points);
  return res;
}

}  // namespace ph3mpi::transport
