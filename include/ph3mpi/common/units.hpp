// Physical constants with phonopy's default values (phonopy.physical_units,
// the set phono3py 4.4 uses): the base constants are phonopy's, the derived ones
// are computed the same way, so numbers agree with phono3py to the last digits.
// Internal units: THz (ordinary frequency), Angstrom, AMU, eV.
#pragma once

#include <cmath>

namespace ph3mpi::units {

inline constexpr double kPi = 3.14159265358979323846;

// Base constants (phonopy defaults; deliberately not CODATA 2018).
inline constexpr double kKbJ = 1.3806504e-23;              // Boltzmann constant, J/K
inline constexpr double kPlanckConstant = 4.13566733e-15;  // eV s
inline constexpr double kAvogadro = 6.02214179e23;
inline constexpr double kSpeedOfLight = 299792458.0;  // m/s
inline constexpr double kAMU = 1.6605402e-27;         // kg
inline constexpr double kEV = 1.60217733e-19;         // J
inline constexpr double kMe = 9.10938215e-31;         // electron mass, kg
inline constexpr double kTHz = 1.0e12;                // 1/s
inline constexpr double kAngstrom = 1.0e-10;          // m

// Derived as in phonopy's PhysicalUnitsGenerator.
inline constexpr double kHbar = kPlanckConstant / (2 * kPi);  // eV s
inline constexpr double kTHzToEv = kPlanckConstant * 1e12;    // eV per THz (h * 1 THz)
inline constexpr double kKb = kKbJ / kEV;                     // eV/K
inline constexpr double kMu0 = 4.0e-7 * kPi;
inline constexpr double kEpsilon0 = 1.0 / kMu0 / (kSpeedOfLight * kSpeedOfLight);  // C^2/(N m^2)
inline const double kBohr = 4e10 * kPi * kEpsilon0 * kHbar * kHbar / kMe;          // Angstrom
inline const double kHartree =
    kMe * kEV / 16 / (kPi * kPi) / (kEpsilon0 * kEpsilon0) / (kHbar * kHbar);  // eV
// sqrt(eV/AMU)/Angstrom/(2 pi) in THz: converts sqrt(eigenvalue of D in eV/A^2/AMU) to THz.
inline const double kDefaultToTHz = std::sqrt(kEV / kAMU) / kAngstrom / (2 * kPi) / 1e12;

}  // namespace ph3mpi::units
