#include "ph3mpi/parallel/progress.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ostream>

namespace ph3mpi::parallel {
namespace {

double steady_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

ProgressReporter::ProgressReporter(std::ostream& out, std::int64_t total, std::int64_t restored,
                                   double cost_to_compute, double interval_s, Clock clock)
    : out_(out),
      total_(total),
      restored_(restored),
      cost_to_compute_(cost_to_compute),
      interval_s_(interval_s),
      clock_(clock ? std::move(clock) : Clock(steady_seconds)),
      start_(clock_()),
      last_line_(start_) {}

void ProgressReporter::advance(std::int64_t items, double cost) {
  computed_ += items;
  cost_done_ += cost;
  const double now = clock_();
  if (now - last_line_ >= interval_s_) write_line(now, false);
}

void ProgressReporter::finish() {
  if (finished_) return;
  finished_ = true;
  write_line(clock_(), true);
}

std::string ProgressReporter::format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto total = static_cast<long long>(std::llround(seconds));
  const long long h = total / 3600, m = (total % 3600) / 60, s = total % 60;
  char buffer[48];
  if (h > 0) {
    std::snprintf(buffer, sizeof buffer, "%lldh%02lldm%02llds", h, m, s);
  } else if (m > 0) {
    std::snprintf(buffer, sizeof buffer, "%lldm%02llds", m, s);
  } else {
    std::snprintf(buffer, sizeof buffer, "%llds", s);
  }
  return buffer;
}

void ProgressReporter::write_line(double now, bool final_line) {
  const double elapsed = now - start_;
  const std::int64_t done_items = done();
  const double percent =
      total_ > 0 ? 100.0 * static_cast<double>(done_items) / static_cast<double>(total_) : 100.0;
  const double rate = elapsed > 0 ? static_cast<double>(computed_) / elapsed : 0.0;

  char head[128];
  std::snprintf(head, sizeof head, "progress: %lld/%lld grid points (%.1f%%), %.3g gp/s",
                static_cast<long long>(done_items), static_cast<long long>(total_), percent, rate);
  std::string line = head;
  if (final_line) {
    line += ", done in " + format_duration(elapsed);
  } else {
    double eta = -1.0;  // unknown until something was computed
    if (cost_to_compute_ > 0 && cost_done_ > 0) {
      eta = elapsed * std::max(0.0, cost_to_compute_ - cost_done_) / cost_done_;
    } else if (rate > 0) {
      eta = static_cast<double>(total_ - done_items) / rate;
    }
    line += ", ETA " + format_duration(eta);
  }
  out_ << line << '\n';
  out_.flush();
  last_line_ = now;
  ++lines_;
}

}  // namespace ph3mpi::parallel
