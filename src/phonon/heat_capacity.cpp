// Mode heat capacity (phonopy mode_cv, phono3py compute_bulk_mode_cv).
#include "ph3mpi/phonon/heat_capacity.hpp"

#include <cmath>

#include "ph3mpi/common/units.hpp"

namespace ph3mpi::phonon {

double mode_heat_capacity(double frequency_thz, double temperature, double cutoff_frequency) {
  const double f = frequency_thz * units::kTHzToEv;  // eV
  const double cutoff = cutoff_frequency * units::kTHzToEv;
  if (!(f > cutoff)) return 0.0;
  const double x = f / (units::kKb * temperature);
  const double e = std::exp(x);
  const double cv = units::kKb * (x * x) * e / ((e - 1.0) * (e - 1.0));
  return std::isfinite(cv) ? cv : 0.0;  // T = 0 and exp overflow give NaN: phono3py stores 0
}

void mode_heat_capacities(const double* frequencies, std::size_t num_modes,
                          const std::vector<double>& temperatures, double cutoff_frequency, double* out) {
  for (std::size_t it = 0; it < temperatures.size(); ++it)
    for (std::size_t m = 0; m < num_modes; ++m)
      out[it * num_modes + m] = mode_heat_capacity(frequencies[m], temperatures[it], cutoff_frequency);
}

}  // namespace ph3mpi::phonon
