// Heat-capacity matrix C_{q jj'} of the inter-band (coherence) conductivity for phono3py
// 4.4's transport types (phono3py/phonon/heat_capacity_matrix.py mode_cv_matrix_*,
// phono3py/conductivity/heat_capacity_solvers.py compute_bulk_cv_matrix; phono3py doc
// inter-band-transport.md). With E_j = h f_j (eV), n_j = 1 / (exp(E_j / (k_B T)) - 1):
//
//   njc23  (M. Ndour, P. Jund, L. Chaput, J. Non-Cryst. Solids 621, 122618 (2023)):
//     C_jj' = -((E_j + E_j')^2 / 4) / T * (n_j - n_j') / (E_j - E_j')
//   ibdb19 (L. Isaeva, G. Barbalinardo, D. Donadio, S. Baroni, Nat. Commun. 10, 3853 (2019),
//           main-text Eq. (9)):
//     C_jj' = -(E_j E_j') / T * (n_j - n_j') / (E_j - E_j')
//   smm19  (M. Simoncelli, N. Marzari, F. Mauri, Nat. Phys. 15, 809 (2019); phono3py's
//           simplified in-tree variant, not the phono3py-wte plugin):
//     C_jj' = (1/4) (E_j + E_j') (C_j / E_j + C_j' / E_j')
//
// in eV/K, C_j = k_B x^2 e^x / (e^x - 1)^2 the mode heat capacity (x = E / (k_B T)). All three
// reduce to C_j on the diagonal. phono3py's edge rules, kept literally:
//  * an entry that is not finite (0/0 on the diagonal, exactly equal frequencies, T = 0) is
//    replaced by C_j' of the column band (the scalar heat capacity with its cutoff rule);
//  * smm19: C_j / E_j is computed without the cutoff and set to 0 where not finite;
//  * every entry whose row or column band has f <= cutoff_frequency is 0.
// Operation order follows numpy's, so values agree with phono3py's to rounding.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ph3mpi::transport {

// phono3py's built-in inter-band variants (transport_type / --tt).
enum class InterbandVariant { kNJC23, kIBDB19, kSMM19 };

// "njc23" / "ibdb19" / "smm19", case-insensitive (phono3py accepts --tt NJC23 or njc23);
// nullopt for anything else (including "wte", which is phono3py's external plugin).
std::optional<InterbandVariant> parse_interband_variant(std::string_view name);

// "NJC23", "IBDB19", "SMM19": the spelling phono3py uses in its method names.
std::string interband_variant_name(InterbandVariant variant);

// C_jj' (num_band, num_band) in eV/K of one q-point at temperature T (K) into cv_matrix;
// frequencies in THz. Row band j, column band j' (phono3py cv_mat[t, gp, j, j']).
void heat_capacity_matrix(InterbandVariant variant, const double* frequencies, std::size_t num_band,
                          double temperature, double cutoff_frequency, double* cv_matrix);

}  // namespace ph3mpi::transport
