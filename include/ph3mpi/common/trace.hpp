// Call-site tracing (PH3MPI_TRACE=1): one line per kernel call site,
//   [ph3mpi.trace] rank=3 threads=8 site=Interaction gp=123 batch=17
// on stderr, silent otherwise and independent of the log level. The environment is
// read once at start-up (TraceSink::from_environment) and the sink is passed down
// explicitly to the code that calls kernels; kernels themselves never trace.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace ph3mpi::common {

// The value of PH3MPI_TRACE switches tracing on unless it is unset, empty, or one of
// 0 / false / off / no (any case). nullptr = unset.
bool trace_requested(const char* env_value);

class TraceSink {
 public:
  // Silent: trace() does nothing.
  TraceSink() = default;
  // Writes every trace() to `out` (kept by reference: it must outlive the sink and its copies).
  TraceSink(std::ostream& out, int rank, int threads);
  // Enabled iff trace_requested(env_value); the caller passes std::getenv("PH3MPI_TRACE").
  static TraceSink from_environment(const char* env_value, std::ostream& out, int rank, int threads);

  bool enabled() const noexcept { return out_ != nullptr; }
  int rank() const noexcept { return rank_; }
  int threads() const noexcept { return threads_; }

  // One whole line per call (copies of a sink share a lock, so lines from OpenMP
  // threads never interleave). `batch` is the coordinator's batch number.
  void trace(std::string_view site, std::int64_t gp, std::int64_t batch) const;

  // The line trace() writes, without the newline (for tests and log files).
  static std::string format(int rank, int threads, std::string_view site, std::int64_t gp,
                            std::int64_t batch);

 private:
  std::ostream* out_ = nullptr;
  int rank_ = 0;
  int threads_ = 1;
  std::shared_ptr<std::mutex> lock_;
};

}  // namespace ph3mpi::common
