// The inter-band (coherence) term of a conductivity run with transport_type njc23 | ibdb19 |
// smm19 (phono3py 4.4 --tt; formulas and phono3py's conventions in docs/inter-band.md, the
// kernels in transport/velocity_matrix, heat_capacity_matrix, interband_kappa):
//  - the group velocities of such a run are the projected diagonal of the velocity matrix
//    (what phono3py writes and uses for X and boundary scattering), computed here from D(q)
//    and the BZ-grid eigenvectors;
//  - kappa (total) and kappa_intra sum the band-pair terms of every irreducible grid point:
//    each rank computes its contiguous block of grid points (velocity matrices, star sum,
//    heat-capacity matrix, line shapes; nothing of size N_q nb^2 is kept), and the sums are
//    added rank after rank in grid-point order, so the result is the same at any rank count.
// The term needs only Gamma of its own grid point and the harmonic phonons: a resumed run
// recomputes it from the checkpoint.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ph3mpi/parallel/context.hpp"
#include "ph3mpi/solvers/conductivity_problem.hpp"
#include "ph3mpi/transport/interband_kappa.hpp"

namespace ph3mpi::solvers {

// Group velocities (gps.size(), nb, 3) THz Angstrom of BZ grid points gps: the projected
// velocity-matrix diagonal when problem.interband is set, else problem.group_velocity.
void group_velocities_of(const ConductivityProblem& problem, const std::vector<std::int64_t>& gps,
                         double* out);

// Gamma of irreducible grid point i (index into problem.grid_points) as the kernel takes it:
// gamma (methods, T, nb) ph-ph, gamma_isotope (methods, nb) or empty. With boundary the
// boundary term of problem.boundary_mfp is added (RTA; phono3py's LBTE leaves it out).
using InterbandGamma =
    std::function<void(std::size_t i, std::vector<double>& gamma, std::vector<double>& isotope)>;

// Collective. kappa, kappa_intra, kappa_inter (methods, T, 6) W/(m K) over all irreducible
// grid points; rank r contributes problem.grid_points[first, first + count).
transport::InterbandKappa interband_kappa(const parallel::Context& context,
                                          const ConductivityProblem& problem, std::size_t first,
                                          std::size_t count, std::size_t num_methods,
                                          const InterbandGamma& gamma_of, bool boundary);

// phono3py's K_intra / K_inter / K_TOT table of an RTA run for method m ("with tetrahedron
// method" / "with sigma=s" title), all temperatures of a label before the next.
std::string interband_rta_table(const std::string& title, const std::vector<double>& temperatures,
                                const transport::InterbandKappa& kappa, std::size_t method);

// phono3py's LBTE table: per temperature K_intra (the LBTE kappa), K_intra_RTA, K_inter, K_TOT.
std::string interband_lbte_table(const std::string& title, const std::vector<double>& temperatures,
                                 const std::vector<std::array<double, 6>>& kappa,
                                 const std::vector<std::array<double, 6>>& kappa_rta,
                                 const transport::InterbandKappa& interband);

}  // namespace ph3mpi::solvers
