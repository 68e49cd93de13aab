#include "ph3mpi/common/trace.hpp"

#include <algorithm>
#include <cctype>
#include <ostream>

namespace ph3mpi::common {

bool trace_requested(const char* env_value) {
  if (env_value == nullptr) return false;
  std::string value(env_value);
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return !(value.empty() || value == "0" || value == "false" || value == "off" || value == "no");
}

TraceSink::TraceSink(std::ostream& out, int rank, int threads)
    : out_(&out), rank_(rank), threads_(threads), lock_(std::make_shared<std::mutex>()) {}

TraceSink TraceSink::from_environment(const char* env_value, std::ostream& out, int rank, int threads) {
  if (!trace_requested(env_value)) return TraceSink();
  return TraceSink(out, rank, threads);
}

std::string TraceSink::format(int rank, int threads, std::string_view site, std::int64_t gp,
                              std::int64_t batch) {
  std::string line =
      "[ph3mpi.trace] rank=" + std::to_string(rank) + " threads=" + std::to_string(threads) + " site=";
  line += site;
  line += " gp=" + std::to_string(gp) + " batch=" + std::to_string(batch);
  return line;
}

void TraceSink::trace(std::string_view site, std::int64_t gp, std::int64_t batch) const {
  if (out_ == nullptr) return;
  const std::string line = format(rank_, threads_, site, gp, batch) + "\n";
  const std::lock_guard<std::mutex> guard(*lock_);
  out_->write(line.data(), static_cast<std::streamsize>(line.size()));
  out_->flush();  // a trace line must survive an MPI_Abort that follows it
}

}  // namespace ph3mpi::common
