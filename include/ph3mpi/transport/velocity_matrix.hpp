// Velocity matrix of the inter-band (coherence) conductivity, as phono3py 4.4 computes it
// for transport_type njc23 / ibdb19 / smm19 (phono3py/phonon/velocity_matrix.py
// VelocityMatrix, phono3py/conductivity/velocity_solvers.py VelocityMatrixSolver;
// phono3py doc/inter-band-transport.md, "Velocity matrix").
//
// For a q-point with eigenvectors e_j (columns of the eigenvector matrix) and frequencies
// f_j (THz, ordinary), Cartesian direction a:
//
//   v^a_{jj'} = F^2 <e_j| dD/dq_a |e_j'> / (2 sqrt(f_j f_j'))             [THz Angstrom]
//
// with dD/dq per 1/Angstrom without 2 pi (phonon::DynamicalMatrix::derivative), D in
// eV/Angstrom^2/AMU and F = frequency_factor_to_thz (sqrt(eV/Angstrom^2/AMU) -> THz), so
// that the diagonal is the group velocity d f / d q. Then v^a <- (v^a + v^a^H) / 2.
// Bands with f <= cutoff_frequency get zero rows and columns (1 / sqrt(2 f) -> 0).
//
// Degenerate bands (frequencies within 1e-4 THz, phonopy degenerate_sets): inside each
// degenerate subspace the eigenvectors are first rotated to the eigenvectors of dD/dq along
// the fixed direction n = (1, 2, 3) / |(1, 2, 3)| (Cartesian), as phonopy's GroupVelocity
// does for the diagonal. When that perturbation splits the subspace the rotated basis is
// unique up to phases, so |v^a_{jj'}|^2 does not depend on the basis LAPACK returned. When
// it does not (AlN on Gamma-A: dD/dq is a multiple of 1 inside E1 and E2), single
// off-diagonal products follow the input basis, but their sums over a degenerate set, which
// is all kappa sees when C and Gamma are equal within the set, do not. So the eigenvectors
// may come from ph3mpi's solver or from a phonon file.
//
// Star of q (is_kappa_star): phono3py does not evaluate v at the arms of the star; it
// rotates the matrix of the irreducible point with the point-group operations R of the
// grid (Cartesian, with the time-reversal images phono3py adds) and sums the outer products
// of every arm once:
//
//   vm_by_vm_{jj'}[ab] = (1 / m_q) sum_{R in G} Re[ (R v_{jj'})_a conj((R v_{jj'})_b) ]
//
// (Voigt order xx yy zz yz xz xy; m_q = order of the little group of q, as for gv_by_gv;
// phono3py keeps the complex product and uses only its real part). Without kappa star G
// is the identity and m_q = 1.
//
// Group velocities of an inter-band run are the real diagonal of v, averaged over the little
// group of q in G: gv_j = P Re(v_jj), P = (1/|L_q|) sum_{R in L_q} R, L_q = {R in G :
// |q' - R q'| < 1e-5 componentwise}, q' = q - rint(q) (reduced coordinates). These, not
// phonon::GroupVelocity's, are what phono3py writes as group_velocity and feeds to the LBTE
// and to boundary scattering in an inter-band run (they differ in rounding only with kappa
// star, but without it phono3py does not symmetrize them at all).
//
// phono3py 4.4 also writes them back into the diagonal of v before vm_by_vm is formed
// (VelocityMatrix.run takes the diagonal with numpy.einsum("qaii->qia"), which returns a
// writeable view, and projects it in place), so v_jj = gv_j there. This matters where a
// degenerate subspace has transverse velocity components, e.g. the TA and TO pairs on the
// Gamma-L line of Si (C3v: E x E contains E): the raw diagonal then carries +-v_perp and its
// kappa_intra would be 0.3 % above the RTA kappa (Si 9x9x9, 300 K), while phono3py's
// kappa_intra equals the RTA kappa. project_group_velocities repeats that step.
//
// Pure functions over Eigen matrices; no MPI, no I/O.
#pragma once

#include <Eigen/Dense>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "ph3mpi/common/units.hpp"
#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/phonon/dynamical_matrix.hpp"

namespace ph3mpi::transport {

// v^x, v^y, v^z at one q-point, each (num_band, num_band), THz Angstrom.
using VelocityMatrices = std::array<Eigen::MatrixXcd, 3>;

// Derivatives of D(q) that the velocity matrix needs: along the perturbation direction
// n = (1, 2, 3)/|(1, 2, 3)|, then along x, y, z (Cartesian, per 1/Angstrom).
using DynamicalMatrixDerivatives = std::array<Eigen::MatrixXcd, 4>;

struct VelocityMatrixSettings {
  double frequency_factor_to_thz = units::kDefaultToTHz;
  double cutoff_frequency = 1e-4;   // THz; bands at or below it get zero velocity
  double degeneracy_cutoff = 1e-4;  // THz (phonopy degenerate_sets default)
};

// The perturbation direction phonopy uses to split degeneracies: (1, 2, 3) / |(1, 2, 3)|.
Eigen::Vector3d degeneracy_perturbation_direction();

// dD/dq at reduced q along the four directions: analytic (DynamicalMatrix::derivative,
// combined as sum_c n_c dD/dq_c) or, with q_length (1/Angstrom, phono3py's gv_delta_q),
// the central difference [D(q + dq) - D(q - dq)] / (2 q_length) with |dq_cart| = q_length
// along each direction (phonopy GroupVelocity._get_dD). Thread-safe.
DynamicalMatrixDerivatives dynamical_matrix_derivatives(const phonon::DynamicalMatrix& dm,
                                                        const Eigen::Vector3d& q,
                                                        std::optional<double> q_length = std::nullopt);

// The velocity matrices from the derivatives, the eigenvectors of D(q) (columns, phonon
// order; any basis inside degenerate subspaces) and the frequencies (THz) they belong to.
// Throws ph3mpi::Error on inconsistent sizes.
VelocityMatrices velocity_matrices(const DynamicalMatrixDerivatives& derivatives,
                                   const Eigen::MatrixXcd& eigenvectors, const double* frequencies,
                                   const VelocityMatrixSettings& settings = {});

// Convenience: dynamical_matrix_derivatives + velocity_matrices at reduced q.
VelocityMatrices velocity_matrices_at(const phonon::DynamicalMatrix& dm, const Eigen::Vector3d& q,
                                      const Eigen::MatrixXcd& eigenvectors, const double* frequencies,
                                      std::optional<double> q_length = std::nullopt,
                                      const VelocityMatrixSettings& settings = {});

// vm_by_vm (num_band, num_band, 6), (THz Angstrom)^2, into `vm_by_vm`: rotations_cartesian
// are the grid's operations G (BZGrid::rotations_cartesian, or a single identity without
// kappa star), multiplicity m_q from kappa_star_multiplicity (1 without kappa star).
// Throws ph3mpi::Error if multiplicity < 1.
void vm_by_vm_over_star(const VelocityMatrices& vm, const std::vector<Eigen::Matrix3d>& rotations_cartesian,
                        std::int64_t multiplicity, double* vm_by_vm);

// Group velocities (num_band, 3) of an inter-band run into `group_velocities`: Re(v_jj)
// averaged over the little group of reduced q within (reciprocal_operations,
// rotations_cartesian) (BZGrid's, in the same order; single identities without kappa star),
// and v_jj replaced by them (phono3py's in-place projection, see above): call it before
// vm_by_vm_over_star. Throws ph3mpi::Error when the two lists differ in length or are empty.
void project_group_velocities(VelocityMatrices& vm, const Eigen::Vector3d& q,
                              const std::vector<grid::Matrix3l>& reciprocal_operations,
                              const std::vector<Eigen::Matrix3d>& rotations_cartesian,
                              double* group_velocities);

}  // namespace ph3mpi::transport
