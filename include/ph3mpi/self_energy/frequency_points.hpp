// Frequency sampling points of the spectrum-like calculations (joint DOS, frequency
// resolved imaginary and real self energies), phono3py
// phono3py.phonon3.imag_self_energy.get_frequency_points.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace ph3mpi::self_energy {

// Uniform points from 0 to fmax, where fmax = 1.005 (2 max_phonon_freq + 4 max(sigma))
// over the sigmas that are set (2 max_phonon_freq alone when none is): room for two-phonon
// sums plus the Gaussian tails. With num_frequency_points: that many points including both
// ends (numpy linspace); else with frequency_step: 0, step, 2 step, ... < fmax (numpy arange);
// else 201 points. THz. Throws ph3mpi::Error for num_frequency_points < 1 or step <= 0, and
// when frequency_step would give more than kMaxFrequencyPoints points (the message names
// frequency_step and the bound).
inline constexpr std::int64_t kMaxFrequencyPoints = 1000000;
std::vector<double> get_frequency_points(double max_phonon_freq,
                                         const std::vector<std::optional<double>>& sigmas,
                                         std::optional<double> frequency_step = std::nullopt,
                                         std::optional<std::int64_t> num_frequency_points = std::nullopt);

// numpy.linspace(start, stop, num) with endpoint: start + i (stop - start)/(num - 1), the last
// point set to stop exactly.
std::vector<double> linspace(double start, double stop, std::int64_t num);

}  // namespace ph3mpi::self_energy
