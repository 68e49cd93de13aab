// RTA thermal conductivity kernel (see rta_kappa.hpp for the formulas and phono3py's rules).
#include "ph3mpi/transport/rta_kappa.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/units.hpp"
#include "ph3mpi/grid/grid_address.hpp"

// The arithmetic below repeats numpy's operation by operation, so that results are
// bit-identical to phono3py's. The compiler must not fuse a*b+c on its own (it does with
// -march=native even in ISO mode); the only fused operations are the explicit std::fma.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace ph3mpi::transport {
namespace {

void require(bool condition, const std::string& what) {
  if (!condition) throw Error("rta_kappa: " + what);
}

void require_shape(const NdArray<double>* array, const std::vector<std::size_t>& expected, const char* name) {
  require(array != nullptr, std::string(name) + " is missing");
  NdArray<double> probe;
  probe.shape = expected;
  require(array->shape == expected,
          std::string(name) + " has shape " + array->shape_string() + ", expected " + probe.shape_string());
}

// numpy.nan_to_num: NaN -> 0, +-inf -> +-DBL_MAX.
double nan_to_num(double x) {
  if (std::isnan(x)) return 0.0;
  if (std::isinf(x)) return x > 0 ? std::numeric_limits<double>::max() : -std::numeric_limits<double>::max();
  return x;
}

}  // namespace

double unit_to_WmK() {
  // Grouped as phono3py writes it, so the product rounds the same way.
  return std::pow(units::kTHz * units::kAngstrom, 2) / std::pow(units::kAngstrom, 3) * units::kEV /
         units::kTHz / (2 * units::kPi);
}

double kappa_unit_conversion(double primitive_volume) {
  require(primitive_volume > 0, "primitive volume must be positive, got " + std::to_string(primitive_volume));
  return unit_to_WmK() / primitive_volume;
}

std::int64_t kappa_star_multiplicity(const grid::Vector3l& address, const grid::Vector3l& D_diag,
                                     const std::vector<grid::Matrix3l>& grg_rotations) {
  const std::int64_t self = grid::grid_index_from_address(address, D_diag);
  std::int64_t count = 0;
  for (const grid::Matrix3l& r : grg_rotations) {
    if (grid::grid_index_from_address(r * address, D_diag) == self) ++count;
  }
  return count;
}

std::int64_t kappa_star_multiplicity(const grid::BZGrid& bz_grid, std::int64_t bz_grid_point) {
  require(bz_grid_point >= 0 && bz_grid_point < bz_grid.num_bz_points(),
          "grid point " + std::to_string(bz_grid_point) + " outside the BZ grid of " +
              std::to_string(bz_grid.num_bz_points()) + " points");
  return kappa_star_multiplicity(bz_grid.addresses[static_cast<std::size_t>(bz_grid_point)], bz_grid.D_diag,
                                 bz_grid.grg_rotations);
}

void gv_by_gv_over_star(const double* group_velocities, std::size_t num_band,
                        const std::vector<Eigen::Matrix3d>& rotations_cartesian, std::int64_t multiplicity,
                        double* gv_by_gv) {
  require(multiplicity >= 1, "star multiplicity must be >= 1, got " + std::to_string(multiplicity));
  require(!rotations_cartesian.empty(), "no rotations given for the star of q");
  const double multi = static_cast<double>(multiplicity);
  for (std::size_t b = 0; b < num_band; ++b) {
    const double* v = group_velocities + 3 * b;
    // Accumulate the full 3x3 outer product over the rotations, then divide by m_q, as
    // phono3py does (v' = R v, summed in rotation order).
    double outer[3][3] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
    for (const Eigen::Matrix3d& r : rotations_cartesian) {
      // R v as numpy.dot(gv, R.T) evaluates it in OpenBLAS's dgemm kernel: products
      // accumulated over k = 0, 1, 2 with fused multiply-adds. Any other order differs only
      // in the last bit; this one reproduces phono3py's gv_by_gv exactly.
      double rv[3];
      for (int i = 0; i < 3; ++i) rv[i] = std::fma(v[2], r(i, 2), std::fma(v[1], r(i, 1), v[0] * r(i, 0)));
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) outer[i][j] += rv[i] * rv[j];
    }
    for (std::size_t k = 0; k < 6; ++k) {
      gv_by_gv[6 * b + k] = outer[kVoigtPairs[k][0]][kVoigtPairs[k][1]] / multi;
    }
  }
}

void boundary_scattering_gamma(const double* group_velocities, std::size_t num_band, double boundary_mfp,
                               double* gamma_boundary) {
  require(boundary_mfp > 0,
          "boundary_mfp must be positive (micrometre), got " + std::to_string(boundary_mfp));
  for (std::size_t b = 0; b < num_band; ++b) {
    const double* v = group_velocities + 3 * b;
    const double norm = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    gamma_boundary[b] = norm * units::kAngstrom * 1e6 / (4 * units::kPi * boundary_mfp);
  }
}

RtaKappa rta_mode_kappa(const RtaInput& input, const RtaSettings& settings) {
  require(input.frequencies != nullptr && input.frequencies->rank() == 2,
          "frequencies must be (num_gp, num_band)");
  const std::size_t num_gp = input.frequencies->shape[0];
  const std::size_t num_band = input.frequencies->shape[1];
  require(input.gamma != nullptr && input.gamma->rank() == 4,
          "gamma must be (num_sigma, num_temp, num_gp, num_band)");
  const std::size_t num_sigma = input.gamma->shape[0];
  const std::size_t num_temp = input.gamma->shape[1];
  require_shape(input.gamma, {num_sigma, num_temp, num_gp, num_band}, "gamma");
  require_shape(input.gv_by_gv, {num_gp, num_band, 6}, "gv_by_gv");
  require_shape(input.heat_capacities, {num_temp, num_gp, num_band}, "heat_capacities");
  if (input.gamma_isotope != nullptr)
    require_shape(input.gamma_isotope, {num_sigma, num_gp, num_band}, "gamma_isotope");
  if (settings.boundary_mfp) require_shape(input.group_velocities, {num_gp, num_band, 3}, "group_velocities");
  if (input.weights != nullptr) require(input.weights->size() == num_gp, "weights must have num_gp entries");

  std::vector<double> gamma_boundary;
  if (settings.boundary_mfp) {
    gamma_boundary.resize(num_gp * num_band);
    boundary_scattering_gamma(input.group_velocities->ptr(), num_gp * num_band, *settings.boundary_mfp,
                              gamma_boundary.data());
  }

  RtaKappa out;
  out.mode_kappa = NdArray<double>({num_sigma, num_temp, num_gp, num_band, 6});
  out.num_ignored_phonon_modes = NdArray<std::int64_t>({num_sigma, num_temp});
  const NdArray<double>& freqs = *input.frequencies;
  const NdArray<double>& gvgv = *input.gv_by_gv;
  const NdArray<double>& cv = *input.heat_capacities;
  const NdArray<double>& gamma = *input.gamma;

  for (std::size_t s = 0; s < num_sigma; ++s) {
    for (std::size_t t = 0; t < num_temp; ++t) {
      for (std::size_t g = 0; g < num_gp; ++g) {
        for (std::size_t b = 0; b < num_band; ++b) {
          const std::size_t mode = g * num_band + b;
          // Gamma_eff, added in phono3py's order: ph-ph, isotope, boundary.
          double gamma_eff = gamma[(s * num_temp + t) * num_gp * num_band + mode];
          if (input.gamma_isotope != nullptr)
            gamma_eff += (*input.gamma_isotope)[s * num_gp * num_band + mode];
          if (settings.boundary_mfp) gamma_eff += gamma_boundary[mode];

          const bool valid = freqs[mode] >= settings.cutoff_frequency;
          if (input.weights != nullptr && (!valid || gamma_eff < 0)) {
            out.num_ignored_phonon_modes[s * num_temp + t] += (*input.weights)[g];
          }
          const double c = cv[t * num_gp * num_band + mode];
          double* mk = &out.mode_kappa[(((s * num_temp + t) * num_gp + g) * num_band + b) * 6];
          for (std::size_t k = 0; k < 6; ++k) {
            const double value = gvgv[mode * 6 + k] * c / (gamma_eff * 2) * settings.conversion_factor;
            // Multiplying by the 0/1 mask (not branching) keeps phono3py's signed zeros.
            mk[k] = nan_to_num(value) * (valid ? 1.0 : 0.0);
          }
        }
      }
    }
  }
  return out;
}

void accumulate_mode_kappa(const NdArray<double>& mode_kappa, NdArray<double>& kappa_sum) {
  require(mode_kappa.rank() == 5 && mode_kappa.shape[4] == 6,
          "mode_kappa must be (num_sigma, num_temp, num_gp, num_band, 6), has " + mode_kappa.shape_string());
  const std::size_t num_st = mode_kappa.shape[0] * mode_kappa.shape[1];
  const std::size_t rows = mode_kappa.shape[2] * mode_kappa.shape[3];
  require(kappa_sum.shape == std::vector<std::size_t>({mode_kappa.shape[0], mode_kappa.shape[1], 6}),
          "kappa_sum must be (num_sigma, num_temp, 6), has " + kappa_sum.shape_string());
  for (std::size_t st = 0; st < num_st; ++st) {
    double* acc = &kappa_sum[st * 6];
    const double* rows_begin = &mode_kappa.data[st * rows * 6];
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t k = 0; k < 6; ++k) acc[k] += rows_begin[r * 6 + k];
  }
}

void finish_kappa(NdArray<double>& kappa_sum, std::int64_t num_mesh_points) {
  require(num_mesh_points > 0,
          "number of mesh points must be positive, got " + std::to_string(num_mesh_points));
  const double n = static_cast<double>(num_mesh_points);
  for (double& k : kappa_sum.data) k /= n;
}

RtaKappa rta_kappa(const RtaInput& input, const RtaSettings& settings) {
  RtaKappa out = rta_mode_kappa(input, settings);
  out.kappa = NdArray<double>({out.mode_kappa.shape[0], out.mode_kappa.shape[1], 6});
  accumulate_mode_kappa(out.mode_kappa, out.kappa);
  finish_kappa(out.kappa, settings.num_mesh_points);
  return out;
}

}  // namespace ph3mpi::transport
