// Kernels of the Gonze-Lee non-analytical term correction (phonopy DynamicalMatrixGL with
// its default with_full_terms=False and c/dynmat.c: dym_get_recip_dipole_dipole[_q0],
// dym_transform_dynmat_to_fc; derivative from phonopy/harmonic/derivative_dynmat.py).
//
// The dipole-dipole dynamical matrix (X. Gonze and C. Lee, PRB 55, 10355 (1997), Eq. (71),
// reciprocal part only; Born tensors Z[k](a, b), a = field direction, b = displacement):
//   C_dd(k a, k' b; q) = nac_factor * [ sum_{G} sum_{c,d} Z[k](c, a) K_cd(q+G) Z[k'](d, b)
//                                        * exp(2 pi i G.(tau_k - tau_k'))
//                                       - delta_kk' dd_q0[k](a, b) ],
//   K(Q) = Q Q^T / (Q.eps.Q) * exp(-Q.eps.Q / (4 Lambda^2)),
// with nac_factor = factor * 4 pi / V, Q Cartesian without 2 pi, and the G = -q term
// dropped (no direction) or replaced by its limit along q_direction without damping.
#pragma once

#include <Eigen/Dense>
#include <array>
#include <complex>
#include <cstdint>
#include <optional>
#include <vector>

#include "ph3mpi/phonon/dynamical_matrix.hpp"
#include "ph3mpi/phonon/nac_params.hpp"

namespace ph3mpi::phonon::gonze_lee {

// phonopy's default G cutoff: radius of a sphere holding num_g_points reciprocal lattice
// points, (3 num_g_points / (4 pi) / V)^(1/3), 1/Angstrom (no 2 pi).
double default_g_cutoff(double volume, int num_g_points = 300);

// phonopy's default Lambda: exp(-G_cutoff^2 tr(eps)/3 / (4 Lambda^2)) = 1e-10.
double default_lambda(double g_cutoff, const Eigen::Matrix3d& dielectric);

// Reciprocal lattice vectors G = reciprocal_lattice * n (columns are b1, b2, b3) with
// |G| < g_cutoff, in phonopy's order (n over a cube of half width g_rad, last index fastest;
// g_rad is the smallest radius whose cube holds the sphere, as _get_minimum_g_rad).
std::vector<Eigen::Vector3d> g_list(const Eigen::Matrix3d& reciprocal_lattice, double g_cutoff);

// exp(2 pi i G.(tau_i - tau_j)) for every G of g_list as [g][i][j] (phase factors of the
// reciprocal sum, which carry G only: phonopy's "C-type" dynamical matrix).
std::vector<std::complex<double>> g_phase_table(const std::vector<Eigen::Vector3d>& g_list,
                                                const std::vector<Eigen::Vector3d>& positions_cart);

// dd_q0[k] = sum_k' (Z^T K Z)(k, k'; q = 0, G = 0 dropped), hermitized per 3x3 block. It
// restores the acoustic sum rule of the dipole-dipole part.
std::vector<Eigen::Matrix3cd> recip_dipole_dipole_q0(const std::vector<Eigen::Vector3d>& g_list,
                                                     const std::vector<Eigen::Matrix3d>& born,
                                                     const Eigen::Matrix3d& dielectric,
                                                     const std::vector<Eigen::Vector3d>& positions_cart,
                                                     double lambda);

// C_dd(q) (num_band x num_band, NOT mass weighted; nac_factor included). q_cart Cartesian;
// q_direction_cart (Cartesian, any length) replaces Q where |q + G| < 1e-5.
void recip_dipole_dipole(const GonzeLeeData& gl, const std::vector<Eigen::Matrix3d>& born,
                         const Eigen::Matrix3d& dielectric, const Eigen::Vector3d& q_cart,
                         const std::optional<Eigen::Vector3d>& q_direction_cart, Eigen::MatrixXcd& dd);

// dC_dd/dq_mu (mu = x, y, z), mass weighted 1/sqrt(m_k m_k') and with nac_factor: the
// analytic derivative of the G sum (phonopy DerivativeOfDynamicalMatrix.
// _gonze_lee_d_recip_dipole_dipole). With T_mu(Q; c, d) = (delta_mu,c Q_d + Q_c delta_mu,d)/B
// - Q_c Q_d v_mu (2/B^2 + 1/(2 Lambda^2 B)), v = eps Q, B = Q.v:
//   dC/dq_mu(k a, k' b) = sum_G exp(-B/(4 Lambda^2)) Z[k](c,a) T_mu(Q; c,d) Z[k'](d,b)
//                         exp(2 pi i G.(tau_k - tau_k')).
// The q-independent dd_q0 term does not contribute. q_direction_cart (normalized here) is used
// for Q = q + G = 0 only when |q_cart| < 1e-5; otherwise that term is skipped.
void derivative_recip_dipole_dipole(const GonzeLeeData& gl, const std::vector<Eigen::Matrix3d>& born,
                                    const Eigen::Matrix3d& dielectric, const std::vector<double>& masses,
                                    const Eigen::Vector3d& q_cart,
                                    const std::optional<Eigen::Vector3d>& q_direction_cart,
                                    std::array<Eigen::MatrixXcd, 3>& ddm);

// Inverse Fourier transform of dynamical matrices given at the commensurate points of the
// supercell to compact force constants (n_patom, n_satom, 3, 3) (phonopy
// DynmatToForceConstants, c/dynmat.c dym_transform_dynmat_to_fc):
//   Phi(i, s) = sqrt(m_i m_j)/N sum_q Re[D_ij(q) (1/M) sum_m exp(-2 pi i q.r_is^m)], j = s2pp(s).
NdArray<double> transform_dynmat_to_fc(const DynamicalMatrixInput& input,
                                       const std::vector<Eigen::Vector3d>& commensurate_points,
                                       const std::vector<Eigen::MatrixXcd>& dynamical_matrices);

// All Gonze-Lee data of DynamicalMatrixGL (G cutoff, Lambda, G list, dd_q0, short-range fc2).
// images_of is detail::images_of_primitive_atoms(input).
GonzeLeeData make_gonze_lee_data(const DynamicalMatrixInput& input, const NacParams& nac,
                                 const Eigen::Matrix3d& reciprocal_lattice,
                                 const std::vector<std::vector<std::int64_t>>& images_of);

}  // namespace ph3mpi::phonon::gonze_lee
