#include "ph3mpi/self_energy/frequency_points.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "ph3mpi/common/error.hpp"

namespace ph3mpi::self_energy {

std::vector<double> linspace(double start, double stop, std::int64_t num) {
  if (num < 1) throw Error("linspace: number of points " + std::to_string(num) + " < 1");
  std::vector<double> points(static_cast<std::size_t>(num));
  if (num == 1) {
    points[0] = start;
    return points;
  }
  // numpy evaluates i * step + start with step = (stop - start) / (num - 1).
  const double step = (stop - start) / static_cast<double>(num - 1);
  for (std::int64_t i = 0; i < num; ++i)
    points[static_cast<std::size_t>(i)] = static_cast<double>(i) * step + start;
  points.back() = stop;
  return points;
}

std::vector<double> get_frequency_points(double max_phonon_freq,
                                         const std::vector<std::optional<double>>& sigmas,
                                         std::optional<double> frequency_step,
                                         std::optional<std::int64_t> num_frequency_points) {
  double fmax = max_phonon_freq * 2;
  bool any_sigma = false;
  double max_sigma = 0;
  for (const auto& s : sigmas) {
    if (!s) continue;
    max_sigma = any_sigma ? std::max(max_sigma, *s) : *s;
    any_sigma = true;
  }
  if (any_sigma) fmax += max_sigma * 4;
  fmax *= 1.005;
  if (num_frequency_points) {
    if (*num_frequency_points < 1) {
      throw Error("get_frequency_points: num_frequency_points = " + std::to_string(*num_frequency_points) +
                  " must be >= 1");
    }
    return linspace(0.0, fmax, *num_frequency_points);
  }
  if (frequency_step) {
    if (!(*frequency_step > 0)) {
      throw Error("get_frequency_points: frequency_step = " + std::to_string(*frequency_step) +
                  " must be > 0");
    }
    // numpy.arange(0, fmax, step): ceil(fmax / step) points i * step. Bounded: a tiny step
    // would ask for more points than memory holds (or overflow the count).
    const double count = std::ceil(fmax / *frequency_step);
    if (!(count <= static_cast<double>(kMaxFrequencyPoints))) {
      char text[160];
      std::snprintf(text, sizeof text, "frequency_step = %g THz gives %.3g frequency points up to %g THz",
                    *frequency_step, count, fmax);
      throw Error(std::string(text) + ", more than the bound of " + std::to_string(kMaxFrequencyPoints) +
                  "; use a larger frequency_step");
    }
    const auto n = static_cast<std::int64_t>(count);
    std::vector<double> points(static_cast<std::size_t>(std::max<std::int64_t>(n, 0)));
    for (std::size_t i = 0; i < points.size(); ++i) points[i] = static_cast<double>(i) * *frequency_step;
    return points;
  }
  return linspace(0.0, fmax, 201);
}

}  // namespace ph3mpi::self_energy
