// phonopy.phonon.degeneracy.degenerate_sets, literally.
#include "ph3mpi/phonon/degeneracy.hpp"

#include <algorithm>
#include <cmath>

namespace ph3mpi::phonon {

std::vector<std::vector<std::size_t>> degenerate_sets(const double* frequencies, std::size_t num_band,
                                                      double cutoff) {
  std::vector<std::vector<std::size_t>> sets;
  std::vector<bool> done(num_band, false);
  for (std::size_t i = 0; i < num_band; ++i) {
    if (done[i]) continue;
    std::vector<std::size_t> set{i};
    done[i] = true;
    for (std::size_t j = i + 1; j < num_band; ++j) {
      const bool close = std::any_of(set.begin(), set.end(), [&](std::size_t k) {
        return std::abs(frequencies[k] - frequencies[j]) < cutoff;
      });
      if (close) {
        set.push_back(j);
        done[j] = true;
      }
    }
    sets.push_back(std::move(set));
  }
  return sets;
}

}  // namespace ph3mpi::phonon
