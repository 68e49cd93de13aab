#include "ph3mpi/driver/shared_interaction.hpp"

#include <cstdlib>
#include <fstream>
#include <memory>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/parallel/error_handling.hpp"

namespace ph3mpi::driver {

bool node_shared_fc3(const char* env_value) {
  if (env_value == nullptr) return true;
  const std::string value(env_value);
  if (value == "1") return true;
  if (value == "0") return false;
  throw SettingsError(
      "PH3MPI_NODE_SHARED_FC3 must be 0 (fc3 and interaction tables per rank) or 1 (per node), is '" + value +
      "'");
}

bool node_shared_fc3_from_environment() { return node_shared_fc3(std::getenv("PH3MPI_NODE_SHARED_FC3")); }

bool reads_fc3_values(const parallel::Context& context, bool shared) {
  if (!shared) return true;
  return context.split_by_node().node.rank() == 0;
}

void release_fc3_values(Inputs& inputs) {
  if (!inputs.fc3) return;
  std::vector<double>().swap(inputs.fc3->fc.data);
  std::vector<std::int8_t>().swap(inputs.fc3->fc3_nonzero_indices.data);
  inputs.fc3->has_values = false;
}

interaction::Fc3View fc3_view(const io::ForceConstants& fc3) {
  interaction::Fc3View view;
  if (fc3.fc.rank() == 6) {
    view.num_rows = fc3.fc.shape[0];
    view.num_satom = fc3.fc.shape[1];
  }
  if (fc3.has_values) {
    view.values = fc3.fc.ptr();
    view.nonzero_indices = fc3.has_nonzero_indices ? fc3.fc3_nonzero_indices.ptr() : nullptr;
  }
  return view;
}

NodeSharedRealToReciprocal make_node_shared_real_to_reciprocal(const parallel::Context& context,
                                                               const interaction::Fc3View& fc3,
                                                               const interaction::AtomTriplets& atoms,
                                                               const grid::BZGrid& bz_grid,
                                                               bool make_r0_average) {
  using interaction::RealToReciprocal;
  const parallel::NodeSplit split = context.split_by_node();
  const parallel::Context& node = split.node;
  const bool builder = node.rank() == 0;
  // Sizing is a pass over the terms: the builder's alone; the others learn the sizes.
  RealToReciprocal::TableSizes sizes;
  parallel::collective_check(context, [&] {
    if (builder) sizes = RealToReciprocal::table_sizes(fc3, atoms, &bz_grid, make_r0_average);
  });
  node.broadcast(sizes);
  const std::size_t bytes = sizes.bytes();
  std::shared_ptr<parallel::SharedMemory> memory = node.allocate_shared(bytes);
  parallel::collective_check(context, [&] {
    if (builder) RealToReciprocal::build_tables(fc3, atoms, bz_grid, sizes, memory->data(), make_r0_average);
  });
  memory->fence();  // the builder's stores are visible to every rank of the node
  NodeSharedRealToReciprocal out{
      RealToReciprocal(std::shared_ptr<const void>(memory, memory->data()), bytes, atoms, bz_grid),
      builder ? bytes : 0, memory->is_shared()};
  return out;
}

bool memory_report_requested(const char* env_value) {
  return env_value != nullptr && std::string(env_value) != "" && std::string(env_value) != "0";
}

namespace {

// The value in kB of `key` ("VmRSS:") in a /proc file of "key: value kB" lines; -1 if absent.
long long proc_kb(const char* path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size(), key) == 0) return std::atoll(line.c_str() + key.size());
  }
  return -1;
}

}  // namespace

void report_memory_per_rank(const parallel::Context& context, const Inputs& inputs,
                            const interaction::Interaction& itr, std::ostream& out) {
  const int node_rank = context.split_by_node().node.rank();
  std::uint64_t fc3_bytes = 0;
  if (inputs.fc3 && inputs.fc3->has_values) {
    fc3_bytes = inputs.fc3->fc.size() * sizeof(double) + inputs.fc3->fc3_nonzero_indices.size();
  }
  // Shared per node as make_interaction decides it: node rank 0 allocated the tables.
  const bool every_rank_read_fc3 = context.min(inputs.fc3 && inputs.fc3->has_values ? 1 : 0) == 1;
  const bool shared = !every_rank_read_fc3 || node_shared_fc3_from_environment();
  const std::uint64_t table_bytes = !shared || node_rank == 0 ? itr.real_to_reciprocal().table_bytes() : 0;
  std::ostringstream line;
  line << "[ph3mpi.memory] rank=" << context.rank() << " node_rank=" << node_rank
       << " peak_rss_kB=" << proc_kb("/proc/self/status", "VmHWM:")
       << " rss_kB=" << proc_kb("/proc/self/status", "VmRSS:")
       << " rss_anon_kB=" << proc_kb("/proc/self/status", "RssAnon:")
       << " rss_shmem_kB=" << proc_kb("/proc/self/status", "RssShmem:")
       << " pss_kB=" << proc_kb("/proc/self/smaps_rollup", "Pss:")
       << " pss_anon_kB=" << proc_kb("/proc/self/smaps_rollup", "Pss_Anon:")
       << " pss_shmem_kB=" << proc_kb("/proc/self/smaps_rollup", "Pss_Shmem:") << " fc3_bytes=" << fc3_bytes
       << " table_bytes=" << table_bytes;
  const std::vector<std::string> lines = context.gather_strings(line.str());
  for (const std::string& l : lines) out << l << "\n";
  out.flush();
}

}  // namespace ph3mpi::driver
