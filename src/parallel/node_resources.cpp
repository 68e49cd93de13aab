#include "ph3mpi/parallel/node_resources.hpp"

#include <sched.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace ph3mpi::parallel {
namespace {

// The cgroup folder of this process ("0::/path" in /proc/self/cgroup for v2; the
// "memory" controller's line for v1).
std::string cgroup_path(bool v2) {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t first = line.find(':');
    const std::size_t second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    if (v2 ? (line.compare(0, first, "0") == 0 && controllers.empty())
           : (("," + controllers + ",").find(",memory,") != std::string::npos)) {
      return line.substr(second + 1);
    }
  }
  return "";
}

// A limit in bytes from a cgroup file; 0 for "max", unreadable or absurdly large values.
std::uint64_t read_limit(const std::string& file) {
  std::ifstream in(file);
  std::string text;
  if (!(in >> text) || text == "max") return 0;
  try {
    const unsigned long long v = std::stoull(text);
    return v >= (1ULL << 60) ? 0 : static_cast<std::uint64_t>(v);  // v1 "unlimited" is ~2^63
  } catch (const std::exception&) {
    return 0;
  }
}

std::uint64_t cgroup_limit() {
  std::uint64_t best = 0;
  const auto consider = [&best](std::uint64_t v) {
    if (v > 0 && (best == 0 || v < best)) best = v;
  };
  // The limit may be set on the process's group or any group above it.
  std::string path = cgroup_path(true);
  if (!path.empty() || std::ifstream("/sys/fs/cgroup/memory.max")) {
    for (std::string p = path;; p = p.substr(0, p.rfind('/'))) {
      consider(read_limit("/sys/fs/cgroup" + p + "/memory.max"));
      if (p.empty() || p == "/") break;
    }
  }
  path = cgroup_path(false);
  for (std::string p = path;; p = p.substr(0, p.rfind('/'))) {
    consider(read_limit("/sys/fs/cgroup/memory" + p + "/memory.limit_in_bytes"));
    if (p.empty() || p == "/") break;
  }
  return best;
}

}  // namespace

NodeMemory node_memory() {
  NodeMemory m;
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGESIZE);
  if (pages > 0 && page_size > 0) {
    m.bytes = static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page_size);
    m.source = "physical memory";
  }
  const std::uint64_t limit = cgroup_limit();
  if (limit > 0 && (m.bytes == 0 || limit < m.bytes)) {
    m.bytes = limit;
    m.source = "cgroup memory limit";
  }
  return m;
}

int logical_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

int ranks_on_this_node(const Context& context) { return context.split_by_node().node.size(); }

}  // namespace ph3mpi::parallel
