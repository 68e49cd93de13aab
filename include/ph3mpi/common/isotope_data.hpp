// Natural isotope compositions of the elements, the table phonopy 4.4 uses for
// phono3py's isotope scattering (phonopy.structure.atomic_data.AtomicData.isotope_data,
// from J. R. de Laeter et al., "Atomic weights of the elements. Review 2000 (IUPAC
// Technical Report)", Pure Appl. Chem. 75, 683 (2003)). Keeping phonopy's table, not
// a newer one, keeps mass variances identical to phono3py's.
#pragma once

#include <optional>
#include <vector>

namespace ph3mpi::common {

struct NaturalIsotope {
  int mass_number;   // A
  double mass;       // AMU
  double abundance;  // mole fraction, the fractions of one element sum to ~1
};

// The isotopes of element z in phonopy's order. Empty optional where phonopy has no
// composition: Tc, Pm, Po, At, Rn, Fr, Ra, Ac (listed as None there) and every z > 92
// or z < 1 (absent there).
std::optional<std::vector<NaturalIsotope>> natural_isotopes(int z);

}  // namespace ph3mpi::common
