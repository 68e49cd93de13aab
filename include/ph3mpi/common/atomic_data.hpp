// Chemical elements: symbol <-> atomic number and the standard atomic masses
// phonopy assigns when a structure file gives none (phonopy.structure.atomic_data,
// IUPAC 2006 values plus four masses phonopy takes from elsewhere: Tc, Pm, Ac, Np).
// Using phonopy's table, not a newer one, keeps default masses identical to phono3py's.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace ph3mpi::common {

inline constexpr int kMaxAtomicNumber = 118;

// Atomic number of an element symbol ("Si" -> 14), or 0 when the symbol is not an
// element. Case-sensitive, as phonopy: "SI" and "si" are not elements.
int atomic_number(const std::string& symbol);

// Element symbol of atomic number z (1..118); empty for any other z.
std::string element_symbol(int z);

// phonopy's standard atomic mass in AMU; empty for elements phonopy has no mass for
// (Po, At, Rn, Fr, Ra, Pu and heavier except Th, Pa, U, Np) and for invalid z.
std::optional<double> standard_atomic_mass(int z);

// Splits phonopy's indexed symbols: "Fe" -> ("Fe", 0), "Fe12" -> ("Fe", 12). The
// index labels a site for the force calculator only; phonopy's symmetry search
// ignores it by default. Returns ("", 0) when `label` is not an element symbol
// optionally followed by a positive integer.
std::pair<std::string, int> split_symbol_and_index(const std::string& label);

}  // namespace ph3mpi::common
