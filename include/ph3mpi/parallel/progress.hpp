// Progress of the grid-point loop, reported by rank 0 at a steady pace:
//   progress: 40/145 grid points (27.6%), 3.21 gp/s, ETA 33s
// A line is written at most every `interval_s` seconds (when work is counted done),
// plus one final line from finish(). The ETA weighs the remaining work by the cost
// estimates when they are known (largest-first scheduling makes the first grid points
// the slowest, so a plain item rate would overestimate the time left).
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>

namespace ph3mpi::parallel {

class ProgressReporter {
 public:
  // Monotonic time in seconds; the default is std::chrono::steady_clock.
  using Clock = std::function<double()>;

  // total: all grid points of the run; restored: those already done (read from the
  // checkpoint; they count as done but not in the rate); cost_to_compute: summed cost
  // estimate of the others (<= 0: unknown, the ETA then uses the item rate).
  ProgressReporter(std::ostream& out, std::int64_t total, std::int64_t restored, double cost_to_compute,
                   double interval_s, Clock clock = {});

  // `items` more grid points of summed cost `cost` are done. Writes a line if at least
  // interval_s passed since the last line (or since construction).
  void advance(std::int64_t items, double cost);
  // Writes the final line ("... done in 1m03s"), once.
  void finish();

  std::int64_t done() const noexcept { return restored_ + computed_; }
  std::int64_t total() const noexcept { return total_; }
  int lines_written() const noexcept { return lines_; }

  // "7s", "4m16s", "2h05m09s" (rounded to whole seconds).
  static std::string format_duration(double seconds);

 private:
  void write_line(double now, bool final_line);

  std::ostream& out_;
  std::int64_t total_;
  std::int64_t restored_;
  std::int64_t computed_ = 0;
  double cost_to_compute_;
  double cost_done_ = 0.0;
  double interval_s_;
  Clock clock_;
  double start_;
  double last_line_;
  int lines_ = 0;
  bool finished_ = false;
};

}  // namespace ph3mpi::parallel
