// Lattice thermal conductivity in the single-mode relaxation-time approximation (RTA),
// as phono3py's RTACalculator/RTAKappaSolver compute it (phono3py/conductivity/
// velocity_solvers.py, kappa_solvers.py, grid_point_data.py, scattering_solvers.py).
//
// For an irreducible grid point q (weight w_q = size of its star) and band j:
//
//   gv_by_gv_qj   = (1 / m_q) sum_{R in G} (R v_qj) (x) (R v_qj)          [(THz Angstrom)^2]
//                   G: all point-group operations of the grid (Cartesian, with the
//                   time-reversal images phono3py adds), m_q = |{R in G : R q = q mod G}|,
//                   so the sum runs once over every arm of the star (is_kappa_star).
//   Gamma_eff     = Gamma_pp(sigma, T) + Gamma_iso(sigma) + Gamma_boundary      [THz]
//   Gamma_boundary= |v_qj| 1e-4 / (4 pi L_b)     (L_b = boundary_mfp in micrometre)
//   mode_kappa    = gv_by_gv C_qj(T) / (2 Gamma_eff) * conversion_factor       [W/(m K)]
//   kappa         = sum_{q in IBZ, j} mode_kappa / N_mesh
//
// tau = 1 / (2 * 2 pi Gamma) ps, and conversion_factor = (THz Angstrom)^2 eV / (THz
// Angstrom^3) / (2 pi) / V_primitive turns C v v tau / V into W/(m K) (the 2 pi of the
// lifetime is carried by the factor, the other 2 by the "2 Gamma" above).
//
// phono3py's edge-case rules are kept literally:
//  * modes with frequency < cutoff_frequency contribute zero (the test is ">=" on THz,
//    while the heat capacity's own cutoff is "f > cutoff");
//  * the quotient is taken first and numpy.nan_to_num applied: 0/0 (e.g. T = 0, or
//    v = 0 with Gamma = 0) gives 0, x/0 with x != 0 gives +-DBL_MAX (phono3py 4.4 does
//    not skip such a mode; it never occurs in the reference data);
//  * a negative Gamma_eff is used as it is (phono3py only counts it as "ignored").
// Operation order follows numpy's, so results are bit-identical to phono3py's for the
// same inputs (verified on the reference kappa files).
//
// Everything here is a pure function over plain arrays; the grid-point axis of the
// per-grid-point arrays may be all irreducible points or any block of them (one MPI
// rank's share): mode_kappa rows depend on their own grid point only, and kappa is the
// sum over all rows (accumulate_mode_kappa + finish_kappa across blocks).
#pragma once

#include <Eigen/Dense>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/grid/bz_grid.hpp"

namespace ph3mpi::transport {

// Voigt order of gv_by_gv, mode_kappa and kappa (phono3py VOIGT_INDEX_PAIRS):
// xx, yy, zz, yz, xz, xy.
inline constexpr std::array<std::array<int, 2>, 6> kVoigtPairs{
    {{{0, 0}}, {{1, 1}}, {{2, 2}}, {{1, 2}}, {{0, 2}}, {{0, 1}}}};

// (THz Angstrom)^2 / Angstrom^3 * eV / THz / (2 pi) with phonopy's constants
// (phono3py get_unit_to_WmK).
double unit_to_WmK();

// phono3py's kappa_unit_conversion = unit_to_WmK() / V, V the primitive-cell volume in
// Angstrom^3 (det of the lattice).
double kappa_unit_conversion(double primitive_volume);

// m_q: the number of grid rotations R (acting on grid addresses, BZGrid::grg_rotations)
// with R g = g modulo D_diag, i.e. the order of the little group of q. This is
// phono3py's "multi" in _get_gv_by_gv (rotated GR indices equal to the unrotated one).
// With is_kappa_star = false pass a single identity rotation (m_q = 1).
std::int64_t kappa_star_multiplicity(const grid::Vector3l& address, const grid::Vector3l& D_diag,
                                     const std::vector<grid::Matrix3l>& grg_rotations);

// The same for BZ grid point bz_grid_point of bz_grid (its address and grg_rotations).
std::int64_t kappa_star_multiplicity(const grid::BZGrid& bz_grid, std::int64_t bz_grid_point);

// gv_by_gv of one grid point: group_velocities (num_band, 3) THz Angstrom, rotations_cartesian
// the grid's point-group operations in Cartesian coordinates (BZGrid::rotations_cartesian, or
// a single identity without kappa star), multiplicity from kappa_star_multiplicity.
// Writes gv_by_gv (num_band, 6), (THz Angstrom)^2. Throws ph3mpi::Error if multiplicity < 1.
void gv_by_gv_over_star(const double* group_velocities, std::size_t num_band,
                        const std::vector<Eigen::Matrix3d>& rotations_cartesian, std::int64_t multiplicity,
                        double* gv_by_gv);

// Boundary-scattering linewidth |v| * 1e-10 m * 1e6 / (4 pi L_b) in THz for each band
// (phono3py compute_bulk_boundary_scattering); boundary_mfp in micrometre, > 0.
void boundary_scattering_gamma(const double* group_velocities, std::size_t num_band, double boundary_mfp,
                               double* gamma_boundary);

// Inputs of the RTA kernel. Arrays are row-major NdArrays; num_gp is the number of grid
// points handled in this call (all ir grid points or a block of them), the same for all.
struct RtaInput {
  const NdArray<double>* frequencies = nullptr;        // (num_gp, num_band) THz
  const NdArray<double>* group_velocities = nullptr;   // (num_gp, num_band, 3) THz Angstrom;
                                                       // needed only with boundary_mfp
  const NdArray<double>* gv_by_gv = nullptr;           // (num_gp, num_band, 6) (THz Angstrom)^2
  const NdArray<double>* heat_capacities = nullptr;    // (num_temp, num_gp, num_band) eV/K
  const NdArray<double>* gamma = nullptr;              // (num_sigma, num_temp, num_gp, num_band) THz
  const NdArray<double>* gamma_isotope = nullptr;      // optional (num_sigma, num_gp, num_band) THz
  const std::vector<std::int64_t>* weights = nullptr;  // optional (num_gp): only for the ignored-mode count
};

struct RtaSettings {
  double cutoff_frequency = 1e-4;      // THz (phono3py default)
  std::optional<double> boundary_mfp;  // micrometre
  double conversion_factor = 0.0;      // kappa_unit_conversion(V)
  std::int64_t num_mesh_points = 0;    // prod(D_diag): kappa = sum mode_kappa / num_mesh_points
};

struct RtaKappa {
  NdArray<double> mode_kappa;  // (num_sigma, num_temp, num_gp, num_band, 6) W/(m K)
  NdArray<double> kappa;       // (num_sigma, num_temp, 6) W/(m K); empty from rta_mode_kappa
  // (num_sigma, num_temp): sum of weights of modes with f < cutoff or Gamma_eff < 0
  // (phono3py number_of_ignored_phonon_modes; zeros when no weights were given).
  NdArray<std::int64_t> num_ignored_phonon_modes;
};

// mode_kappa (and the ignored-mode count) of the grid points in `input`, no kappa.
// Throws ph3mpi::Error on inconsistent shapes or missing arrays.
RtaKappa rta_mode_kappa(const RtaInput& input, const RtaSettings& settings);

// mode_kappa and kappa for a complete set of irreducible grid points.
RtaKappa rta_kappa(const RtaInput& input, const RtaSettings& settings);

// Adds sum over (gp, band) of mode_kappa (num_sigma, num_temp, num_gp, num_band, 6) to
// kappa_sum (num_sigma, num_temp, 6), grid points then bands in order (numpy's order).
void accumulate_mode_kappa(const NdArray<double>& mode_kappa, NdArray<double>& kappa_sum);

// kappa = kappa_sum / num_mesh_points, in place.
void finish_kappa(NdArray<double>& kappa_sum, std::int64_t num_mesh_points);

}  // namespace ph3mpi::transport
