// Mode heat capacity (phonopy.phonon.thermal_properties.mode_cv with phono3py's cutoff rule,
// phono3py/conductivity/heat_capacity_solvers.py compute_bulk_mode_cv).
#pragma once

#include <cstddef>
#include <vector>

namespace ph3mpi::phonon {

// C(omega, T) = k_B x^2 e^x / (e^x - 1)^2, x = h nu / (k_B T), in eV/K per mode; 0 when
// nu <= cutoff_frequency (THz) or when the formula is not finite (T = 0, overflow).
double mode_heat_capacity(double frequency_thz, double temperature, double cutoff_frequency = 1e-4);

// out[it * num_modes + m] = mode_heat_capacity(frequencies[m], temperatures[it], cutoff).
void mode_heat_capacities(const double* frequencies, std::size_t num_modes,
                          const std::vector<double>& temperatures, double cutoff_frequency, double* out);

}  // namespace ph3mpi::phonon
