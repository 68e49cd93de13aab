// The plan of a conductivity run: job-array shares (part_share), the plan without kappa
// star, and --part parsing.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/driver/modes.hpp"
#include "ph3mpi/driver/scattering_plan.hpp"

namespace {

using ph3mpi::driver::part_share;

std::vector<double> random_costs(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> cost(1.0, 50.0);
  std::vector<double> c(n);
  for (double& x : c) x = cost(rng);
  return c;
}

TEST(PartShare, SharesAreDisjointAndCoverEveryGridPoint) {
  for (const std::size_t n : {1u, 7u, 29u, 35u, 400u}) {
    const std::vector<double> costs = random_costs(n, static_cast<unsigned>(n));
    for (const int parts : {1, 2, 3, 8, 50}) {
      std::vector<int> owner(n, 0);
      for (int p = 1; p <= parts; ++p) {
        const std::vector<std::size_t> share = part_share(costs, p, parts);
        EXPECT_TRUE(std::is_sorted(share.begin(), share.end()));
        for (const std::size_t i : share) {
          ASSERT_LT(i, n);
          ++owner[i];
        }
      }
      for (std::size_t i = 0; i < n; ++i)
        EXPECT_EQ(owner[i], 1) << "n " << n << " parts " << parts << " i " << i;
    }
  }
}

TEST(PartShare, SharesAreBalancedByCost) {
  // Largest first to the least loaded share: no share exceeds the lightest by more than the
  // largest single cost (Graham's bound of the LPT rule), far below a split by count would give.
  const std::vector<double> costs = random_costs(400, 7);
  const double largest = *std::max_element(costs.begin(), costs.end());
  for (const int parts : {2, 3, 8}) {
    std::vector<double> load;
    for (int p = 1; p <= parts; ++p) {
      double sum = 0;
      for (const std::size_t i : part_share(costs, p, parts)) sum += costs[i];
      load.push_back(sum);
    }
    const auto [lo, hi] = std::minmax_element(load.begin(), load.end());
    EXPECT_LE(*hi - *lo, largest) << parts << " parts";
  }
}

TEST(PartShare, DependsOnTheCostsAloneAndRefusesBadParts) {
  const std::vector<double> costs = random_costs(35, 3);
  EXPECT_EQ(part_share(costs, 2, 3), part_share(costs, 2, 3));
  EXPECT_TRUE(part_share(costs, 5, 40).size() <= 1);
  EXPECT_THROW(part_share(costs, 0, 3), ph3mpi::Error);
  EXPECT_THROW(part_share(costs, 4, 3), ph3mpi::Error);
}

TEST(RunPart, ParsesIOverN) {
  const ph3mpi::driver::RunPart p = ph3mpi::driver::parse_run_part("2/8");
  EXPECT_EQ(p.part, 2);
  EXPECT_EQ(p.num_parts, 8);
  EXPECT_TRUE(p.active());
  EXPECT_EQ(p.text(), "2/8");
  for (const char* bad : {"0/3", "4/3", "3", "/3", "a/3", "1/-3", "1/3/4", "1 /3", "", "1/1000000"}) {
    EXPECT_THROW(ph3mpi::driver::parse_run_part(bad), ph3mpi::SettingsError) << bad;
  }
  EXPECT_FALSE(ph3mpi::driver::RunPart{}.active());
}

}  // namespace
