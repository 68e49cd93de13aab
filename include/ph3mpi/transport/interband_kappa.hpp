// Inter-band (coherence) thermal conductivity per grid point, as phono3py 4.4 computes it for
// transport_type njc23 / ibdb19 / smm19 (phono3py/conductivity/interband_kappa_formula.py,
// interband_kappa_solvers.py; doc/inter-band-transport.md "Mode thermal conductivity").
//
// For an irreducible grid point q, band pair (j, j'), one sigma and temperature:
//
//   g        = Gamma_j + Gamma_j'          (Gamma = Gamma_pp + Gamma_iso + Gamma_boundary, THz)
//   L_jj'    = g / ((f_j - f_j')^2 + g^2)  (Lorentzian line shape, 1/THz; f in THz)
//   K_jj'[ab]= C_jj' vm_by_vm_jj'[ab] L_jj' c                                   [W/(m K)]
//
// with C_jj' the variant's heat-capacity matrix (heat_capacity_matrix.hpp, eV/K),
// vm_by_vm the star-summed velocity outer product (velocity_matrix.hpp, (THz Angstrom)^2)
// and c = kappa_unit_conversion(V) (rta_kappa.hpp). On the diagonal L = 1 / (2 Gamma_j), so
// K_jj is the RTA mode kappa C v v / (2 Gamma) of the velocity-matrix diagonal. A
// non-finite K_jj' (e.g. g = 0 at f_j = f_j') is 0 (phono3py: np.where(isfinite, K, 0)).
// Then, N = prod(mesh):
//
//   kappa       = sum_{q, j, j'} K_jj' / N      (the "kappa" of an RTA inter-band run)
//   kappa_intra = sum_{q, j} K_jj / N
//   kappa_inter = kappa - kappa_intra
//
// phono3py keeps the whole K (num_sigma, num_temp, num_gp, nb, nb, 6) but writes only these
// sums; a grid point's contribution depends on that grid point alone, so the kernel returns
// the two per-grid-point sums, and the caller adds them over grid points.
//
// LBTE: phono3py computes the same K from the Gamma of the collision computation (its
// diagonal), not from the LBTE solution: kappa_inter comes from here; kappa_intra_exact
// (= the "kappa" dataset) and kappa_intra_RTA (= "kappa_RTA") are the ordinary LBTE results.
//
// Pure functions over plain arrays; no MPI, no I/O.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/transport/heat_capacity_matrix.hpp"

namespace ph3mpi::transport {

// Lorentzian line shape g / (delta_frequency^2 + g^2) of a band pair, 1/THz (numpy's order).
inline double interband_lineshape(double delta_frequency, double gamma_sum) {
  return gamma_sum / (delta_frequency * delta_frequency + gamma_sum * gamma_sum);
}

// K_jj' (num_band, num_band, 6) W/(m K) of one grid point at one (sigma, T) into
// mode_kappa_matrix (phono3py _compute_interband_mode_kappa_matrix): frequencies (nb) THz,
// gamma (nb) THz (already the effective Gamma), cv_matrix (nb, nb) eV/K, vm_by_vm (nb, nb, 6).
void interband_mode_kappa_matrix(const double* frequencies, const double* gamma, const double* cv_matrix,
                                 const double* vm_by_vm, std::size_t num_band, double conversion_factor,
                                 double* mode_kappa_matrix);

// sum_{j j'} K_jj' and sum_j K_jj of one grid point at one (sigma, T), W/(m K), Voigt; the same
// K as interband_mode_kappa_matrix without storing it.
struct InterbandKappaSums {
  std::array<double, 6> total{};
  std::array<double, 6> intra{};
};
InterbandKappaSums interband_kappa_sums(const double* frequencies, const double* gamma,
                                        const double* cv_matrix, const double* vm_by_vm, std::size_t num_band,
                                        double conversion_factor);

// Everything of one irreducible grid point.
struct InterbandGridPointInput {
  const double* frequencies = nullptr;     // (nb) THz
  const double* vm_by_vm = nullptr;        // (nb, nb, 6) (THz Angstrom)^2
  const double* gamma = nullptr;           // (num_sigma, num_temp, nb) THz: ph-ph Gamma
  const double* gamma_isotope = nullptr;   // optional (num_sigma, nb) THz
  const double* gamma_boundary = nullptr;  // optional (nb) THz, from project_group_velocities' velocities
  std::size_t num_sigma = 0;
  std::size_t num_band = 0;
};

struct InterbandSettings {
  InterbandVariant variant = InterbandVariant::kNJC23;
  std::vector<double> temperatures;  // K
  double cutoff_frequency = 1e-4;    // THz (heat-capacity cutoff)
  double conversion_factor = 0.0;    // kappa_unit_conversion(V)
};

// The grid point's contributions, (num_sigma, num_temp, 2, 6): [s, t, 0, :] = sum_{jj'} K,
// [s, t, 1, :] = sum_j K_jj, W/(m K). The effective Gamma is Gamma + Gamma_iso + Gamma_boundary
// in that order (phono3py compute_effective_gamma). Throws ph3mpi::Error on missing arrays.
NdArray<double> interband_kappa_at_grid_point(const InterbandGridPointInput& input,
                                              const InterbandSettings& settings);

// kappa, kappa_intra, kappa_inter (num_sigma, num_temp, 6) W/(m K) from the contributions of
// all irreducible grid points: contributions (num_gp, num_sigma, num_temp, 2, 6), summed over
// grid points in order, divided by num_mesh_points.
struct InterbandKappa {
  NdArray<double> kappa, kappa_intra, kappa_inter;
};
InterbandKappa finish_interband_kappa(const NdArray<double>& contributions, std::int64_t num_mesh_points);

}  // namespace ph3mpi::transport
