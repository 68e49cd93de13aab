#include "ph3mpi/interaction/degenerate_average.hpp"

#include <map>

#include "ph3mpi/common/error.hpp"

namespace ph3mpi::interaction {

namespace {

struct Range {
  std::size_t first, end;
};

// The degenerate sets at gp as ranges of consecutive bands, in band order.
std::vector<Range> band_sets(const PhononView& phonons, std::size_t gp) {
  std::vector<Range> sets;
  for (std::size_t b = 0; b < phonons.num_band;) {
    const auto [first, end] = phonons.degenerate_set(gp, b);
    sets.push_back({first, end});
    b = end;
  }
  return sets;
}

void require_sets(const PhononView& phonons) {
  if (phonons.degenerate_first == nullptr) {
    throw Error("degenerate averaging: the phonons carry no degenerate band sets");
  }
}

// Calls f(block elements) for every block; elements as flat indices into (nb0, nb, nb).
template <typename F>
void for_each_block(const std::vector<std::vector<std::size_t>>& groups0, const PhononView& phonons,
                    std::size_t gp1, std::size_t gp2, F&& f) {
  require_sets(phonons);
  const std::size_t nb = phonons.num_band;
  const std::vector<Range> sets1 = band_sets(phonons, gp1);
  const std::vector<Range> sets2 = band_sets(phonons, gp2);
  std::vector<std::size_t> members;
  for (const auto& g0 : groups0) {
    for (const Range& s1 : sets1) {
      for (const Range& s2 : sets2) {
        if (g0.size() == 1 && s1.end - s1.first == 1 && s2.end - s2.first == 1) continue;  // a single element
        members.clear();
        for (const std::size_t i0 : g0) {
          for (std::size_t j1 = s1.first; j1 < s1.end; ++j1) {
            for (std::size_t j2 = s2.first; j2 < s2.end; ++j2) members.push_back((i0 * nb + j1) * nb + j2);
          }
        }
        f(members);
      }
    }
  }
}

}  // namespace

std::vector<std::vector<std::size_t>> degenerate_band_groups(const PhononView& phonons, std::size_t gp,
                                                             const std::vector<std::int64_t>& bands) {
  require_sets(phonons);
  std::map<std::int32_t, std::vector<std::size_t>> by_set;
  for (std::size_t i = 0; i < bands.size(); ++i) {
    by_set[phonons.degenerate_first[gp * phonons.num_band + static_cast<std::size_t>(bands[i])]].push_back(i);
  }
  std::vector<std::vector<std::size_t>> groups;
  for (auto& [first, positions] : by_set) groups.push_back(std::move(positions));
  return groups;
}

void average_over_degenerate_blocks(double* interaction_strength,
                                    const std::vector<std::vector<std::size_t>>& groups0,
                                    const std::vector<std::int64_t>& bands0, const PhononView& phonons,
                                    std::size_t gp0, std::size_t gp1, std::size_t gp2,
                                    double cutoff_frequency) {
  const std::size_t nb = phonons.num_band;
  const double* f0 = phonons.frequencies_at(gp0);
  const double* f1 = phonons.frequencies_at(gp1);
  const double* f2 = phonons.frequencies_at(gp2);
  // f0 f1 f2 of element m = (i0 * nb + j1) * nb + j2, or 0 when a mode is cut off.
  const auto frequency_product = [&](std::size_t m) {
    const double a = f0[bands0[m / (nb * nb)]];
    const double b = f1[(m / nb) % nb];
    const double c = f2[m % nb];
    return (a > cutoff_frequency && b > cutoff_frequency && c > cutoff_frequency) ? a * b * c : 0.0;
  };
  for_each_block(groups0, phonons, gp1, gp2, [&](const std::vector<std::size_t>& members) {
    double sum = 0;
    std::size_t count = 0;
    for (const std::size_t m : members) {
      const double f = frequency_product(m);
      if (f == 0.0) continue;
      sum += interaction_strength[m] * f;  // |Phi|^2
      ++count;
    }
    if (count == 0) return;
    const double mean = sum / static_cast<double>(count);
    for (const std::size_t m : members) {
      const double f = frequency_product(m);
      if (f != 0.0) interaction_strength[m] = mean / f;
    }
  });
}

bool widen_mask_to_degenerate_blocks(std::int8_t* mask, const std::vector<std::vector<std::size_t>>& groups0,
                                     const PhononView& phonons, std::size_t gp1, std::size_t gp2) {
  bool changed = false;
  for_each_block(groups0, phonons, gp1, gp2, [mask, &changed](const std::vector<std::size_t>& members) {
    bool all_masked = true;
    for (const std::size_t m : members) all_masked = all_masked && mask[m] != 0;
    if (all_masked) return;
    for (const std::size_t m : members) {
      if (mask[m] != 0) {
        mask[m] = 0;
        changed = true;
      }
    }
  });
  return changed;
}

}  // namespace ph3mpi::interaction
