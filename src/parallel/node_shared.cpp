#include "ph3mpi/parallel/node_shared.hpp"

#include <string>

#include "ph3mpi/common/error.hpp"

namespace ph3mpi::parallel {

RowRange node_row_range(std::size_t num_rows, int node_rank, int node_size) {
  if (node_size < 1 || node_rank < 0 || node_rank >= node_size) {
    throw Error("node_row_range: node rank " + std::to_string(node_rank) + " of " +
                std::to_string(node_size));
  }
  const std::size_t n = static_cast<std::size_t>(node_size);
  const std::size_t r = static_cast<std::size_t>(node_rank);
  const std::size_t base = num_rows / n;
  const std::size_t extra = num_rows % n;
  RowRange range;
  range.begin = r * base + (r < extra ? r : extra);
  range.end = range.begin + base + (r < extra ? 1 : 0);
  return range;
}

NodeSharedBuffer::NodeSharedBuffer(const Context& context, std::size_t bytes) : bytes_(bytes) {
  const NodeSplit split = context.split_by_node();
  node_rank_ = split.node.rank();
  node_size_ = split.node.size();
  num_nodes_ = split.num_nodes;
  memory_ = split.node.allocate_shared(bytes_);
  data_ = memory_->data();
}

NodeSharedBuffer::~NodeSharedBuffer() = default;

bool NodeSharedBuffer::is_shared() const noexcept { return memory_->is_shared(); }

void NodeSharedBuffer::node_barrier() const { memory_->fence(); }

}  // namespace ph3mpi::parallel
