// One copy per node of a large read-mostly array (design brief section 3.3): the
// phonon eigenvectors on every BZ grid point are N_bz x nband^2 complex numbers, which
// every rank reads and none modifies after they are computed. With MPI-3 shared
// memory (MPI_Comm_split_type(MPI_COMM_TYPE_SHARED) + MPI_Win_allocate_shared) the
// ranks of a node map the same pages instead of holding one copy each, and they fill
// it together: node rank r computes its slice of the rows (fill_rows) and a node
// barrier publishes the whole array.
//
// The memory is Context::allocate_shared on the node sub-context
// (Context::split_by_node); with the serial Context it is a plain heap allocation.
#pragma once

#include <cstddef>
#include <memory>

#include "ph3mpi/parallel/context.hpp"

namespace ph3mpi::parallel {

// Rows [begin, end) of num_rows that node rank `node_rank` of `node_size` fills
// (contiguous, sizes differ by at most one).
struct RowRange {
  std::size_t begin = 0;
  std::size_t end = 0;
};
RowRange node_row_range(std::size_t num_rows, int node_rank, int node_size);

class NodeSharedBuffer {
 public:
  // Collective over `context`: every rank calls it with the same byte count. The
  // memory is zero-initialised only where the caller writes; read it after
  // node_barrier(). bytes may be 0.
  NodeSharedBuffer(const Context& context, std::size_t bytes);
  ~NodeSharedBuffer();
  NodeSharedBuffer(const NodeSharedBuffer&) = delete;
  NodeSharedBuffer& operator=(const NodeSharedBuffer&) = delete;

  void* data() const noexcept { return data_; }
  std::size_t bytes() const noexcept { return bytes_; }
  int node_rank() const noexcept { return node_rank_; }  // rank among the ranks of this node
  int node_size() const noexcept { return node_size_; }  // ranks on this node
  int num_nodes() const noexcept { return num_nodes_; }  // nodes (= node-rank-0 ranks) in the context
  // Whether the memory is an MPI shared window (false: private heap allocation).
  bool is_shared() const noexcept;

  // Collective over the node: writes of every node rank before it are visible after it.
  void node_barrier() const;

 private:
  std::unique_ptr<SharedMemory> memory_;  // keeps the node sub-context alive
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
  int node_rank_ = 0;
  int node_size_ = 1;
  int num_nodes_ = 1;
};

}  // namespace ph3mpi::parallel
