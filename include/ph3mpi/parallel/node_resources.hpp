// What the node a rank runs on offers: physical memory (or the container's / batch job's
// cgroup memory limit when that is lower), the logical CPUs this process may run on, and
// how many ranks of the run share the node. The memory pre-flight (driver/memory_model)
// and the OpenMP thread-count check read these.
#pragma once

#include <cstdint>
#include <string>

#include "ph3mpi/parallel/context.hpp"

namespace ph3mpi::parallel {

struct NodeMemory {
  std::uint64_t bytes = 0;  // 0 = unknown
  std::string source;       // "physical memory" or "cgroup memory limit"
};

// MemTotal (sysconf), lowered to the cgroup v2 memory.max / v1 memory.limit_in_bytes of
// this process when one is set and lower.
NodeMemory node_memory();

// CPUs in this process's affinity mask (sched_getaffinity), at least 1.
int logical_cpus();

// Collective: the number of ranks of `context` on this rank's node
// (Context::split_by_node); 1 for the serial backend.
int ranks_on_this_node(const Context& context);

}  // namespace ph3mpi::parallel
