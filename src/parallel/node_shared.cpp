#include "ph3mpi/parallel/node_shared.hpp"

#include <mpi.h>

#include <boost/mpi/communicator.hpp>
#include <cstdlib>
#include <exception>
#include <new>
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

struct NodeSharedBuffer::Window {
  MPI_Comm node_comm = MPI_COMM_NULL;
  MPI_Win window = MPI_WIN_NULL;
};

namespace {

void check_mpi(int code, const char* call) {
  if (code != MPI_SUCCESS) {
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    MPI_Error_string(code, text, &length);
    throw Error(std::string("node-shared memory: ") + call + " failed: " + std::string(text, length));
  }
}

}  // namespace

NodeSharedBuffer::NodeSharedBuffer(const Context& context, std::size_t bytes) : bytes_(bytes) {
  const boost::mpi::communicator* comm = context.communicator();
  if (comm == nullptr) {
    // Serial backend: private memory.
    if (bytes_ > 0) {
      data_ = std::malloc(bytes_);
      if (data_ == nullptr) throw std::bad_alloc();
    }
    return;
  }
  auto window = std::make_unique<Window>();
  check_mpi(MPI_Comm_split_type(static_cast<MPI_Comm>(*comm), MPI_COMM_TYPE_SHARED, context.rank(),
                                MPI_INFO_NULL, &window->node_comm),
            "MPI_Comm_split_type");
  MPI_Comm_rank(window->node_comm, &node_rank_);
  MPI_Comm_size(window->node_comm, &node_size_);
  int leader = node_rank_ == 0 ? 1 : 0;
  MPI_Allreduce(MPI_IN_PLACE, &leader, 1, MPI_INT, MPI_SUM, static_cast<MPI_Comm>(*comm));
  num_nodes_ = leader;

  // Node rank 0 owns all the memory; the others query its base address. A size of at
  // least one byte keeps the window valid when bytes == 0.
  const MPI_Aint local = node_rank_ == 0 ? static_cast<MPI_Aint>(bytes_ > 0 ? bytes_ : 1) : 0;
  void* base = nullptr;
  const int code =
      MPI_Win_allocate_shared(local, 1, MPI_INFO_NULL, window->node_comm, &base, &window->window);
  if (code != MPI_SUCCESS) {
    MPI_Comm_free(&window->node_comm);
    check_mpi(code, "MPI_Win_allocate_shared");
  }
  MPI_Aint size = 0;
  int disp_unit = 1;
  check_mpi(MPI_Win_shared_query(window->window, 0, &size, &disp_unit, &data_), "MPI_Win_shared_query");
  // A passive-target epoch for the lifetime of the buffer, so that MPI_Win_sync is legal.
  check_mpi(MPI_Win_lock_all(MPI_MODE_NOCHECK, window->window), "MPI_Win_lock_all");
  window_ = std::move(window);
}

NodeSharedBuffer::~NodeSharedBuffer() {
  if (window_ && std::uncaught_exceptions() > 0) {
    // Unwinding after an error on this rank: MPI_Win_free is collective and the other
    // ranks are not coming (they wait elsewhere, or are being aborted), so freeing would
    // hang and the error would never be reported. Leave the window to MPI_Abort.
    return;
  }
  if (window_) {
    if (window_->window != MPI_WIN_NULL) {
      MPI_Win_unlock_all(window_->window);
      MPI_Win_free(&window_->window);
    }
    if (window_->node_comm != MPI_COMM_NULL) MPI_Comm_free(&window_->node_comm);
  } else {
    std::free(data_);
  }
}

void NodeSharedBuffer::node_barrier() const {
  if (!window_) return;
  // The unified memory model of MPI-3 shared windows: a sync plus a barrier orders the
  // plain stores of one rank before the loads of the others.
  MPI_Win_sync(window_->window);
  MPI_Barrier(window_->node_comm);
  MPI_Win_sync(window_->window);
}

}  // namespace ph3mpi::parallel
