// Progress lines: pace (at most one per interval), content (done/total, rate, ETA
// weighted by cost), and the final line.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "ph3mpi/parallel/progress.hpp"

namespace {

using ph3mpi::parallel::ProgressReporter;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

TEST(Progress, Durations) {
  EXPECT_EQ(ProgressReporter::format_duration(0.4), "0s");
  EXPECT_EQ(ProgressReporter::format_duration(7.0), "7s");
  EXPECT_EQ(ProgressReporter::format_duration(256.0), "4m16s");
  EXPECT_EQ(ProgressReporter::format_duration(7509.0), "2h05m09s");
  EXPECT_EQ(ProgressReporter::format_duration(-1.0), "?");
}

TEST(Progress, AtMostOneLinePerInterval) {
  std::ostringstream out;
  double now = 100.0;
  ProgressReporter progress(out, 100, 0, 0.0, 10.0, [&] { return now; });
  for (int i = 0; i < 100; ++i) {
    now += 1.0;  // one grid point per second
    progress.advance(1, 0.0);
  }
  progress.finish();
  progress.finish();  // once only
  const auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 11u);  // at t = 10, 20, ..., 100 and the final one
  EXPECT_EQ(lines[0], "progress: 10/100 grid points (10.0%), 1 gp/s, ETA 1m30s");
  EXPECT_EQ(lines[9], "progress: 100/100 grid points (100.0%), 1 gp/s, ETA 0s");
  EXPECT_EQ(lines[10], "progress: 100/100 grid points (100.0%), 1 gp/s, done in 1m40s");
}

TEST(Progress, RestoredPointsCountDoneButNotInTheRate) {
  std::ostringstream out;
  double now = 0.0;
  ProgressReporter progress(out, 50, 40, 0.0, 5.0, [&] { return now; });
  now = 5.0;
  progress.advance(2, 0.0);
  EXPECT_EQ(progress.done(), 42);
  EXPECT_EQ(lines_of(out.str()).back(), "progress: 42/50 grid points (84.0%), 0.4 gp/s, ETA 20s");
}

TEST(Progress, EtaWeighsByCost) {
  // Largest first: the first quarter of the items is three quarters of the cost.
  std::ostringstream out;
  double now = 0.0;
  ProgressReporter progress(out, 4, 0, 4.0, 1.0, [&] { return now; });
  now = 3.0;
  progress.advance(1, 3.0);
  // 3 s for cost 3, cost 1 left: ETA 1 s (an item rate would say 9 s).
  EXPECT_EQ(lines_of(out.str()).back(), "progress: 1/4 grid points (25.0%), 0.333 gp/s, ETA 1s");
}

}  // namespace
