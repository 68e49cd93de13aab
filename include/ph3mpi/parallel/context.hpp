// The distributed context (Arbor's distributed_context pattern): one value object,
// passed explicitly to whatever needs to talk to other ranks. Two backends: serial
// (one rank, no MPI calls at all) and MPI. Code written against Context runs unchanged
// on both: the serial case is decided once, inside the backends, not at each call site.
//
// This header names no MPI or Boost type (the backends are behind a pointer), so the
// layers that only pass a Context around compile without MPI's include paths. The one
// way from a Context to a raw MPI_Comm is parallel/mpi_handle.hpp (for BLACS and
// parallel HDF5, which must be given one).
//
// MPI backend: the Context keeps a private duplicate of its communicator with the error
// handler MPI_ERRORS_RETURN, and every operation below runs on it with its return code
// checked, so an MPI failure becomes parallel::MpiError ("MPI_Recv failed: <MPI's text>")
// on the rank that saw it, and no message of a Context ever matches a receive of library
// code on the same ranks. Creating an MPI Context (mpi_world, split, duplicate, ...) is
// therefore collective over its ranks.
//
// Every operation is collective over the ranks of the Context unless marked
// "point-to-point".
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

namespace ph3mpi::parallel {

enum class ReduceOp { kSum, kMax, kMin };

struct NodeSplit;
class SharedMemory;
class PendingSend;
namespace detail {
struct ContextAccess;
}

class Context {
 public:
  // The interface each backend implements; defined in src/parallel/context.cpp.
  class Backend;

  static constexpr int kAnySource = -1;
  static constexpr int kAnyTag = -1;

  // What a probe learns about a message that has arrived (point-to-point).
  struct MessageInfo {
    int source = 0;
    int tag = 0;
    std::size_t bytes = 0;
  };

  // One rank, no MPI. abort() calls std::exit.
  static Context serial();
  // All ranks of MPI_COMM_WORLD. MPI must be initialised (parallel::MpiEnvironment).
  // Collective over MPI_COMM_WORLD.
  static Context mpi_world();

  int rank() const;
  int size() const;
  bool is_root() const { return rank() == 0; }
  const char* backend_name() const;  // "serial" or "mpi"
  // True for the MPI backend (whatever its size), false for the serial one. Only code
  // that hands a communicator to a library asks (BLACS grid, parallel HDF5).
  bool is_mpi() const;

  void barrier() const;

  // ---------------------------------------------------------------- broadcast
  // From `root`: on return every rank holds root's value (sizes included).
  void broadcast(std::vector<char>& bytes, int root = 0) const;
  void broadcast(std::string& value, int root = 0) const;
  template <typename T>
  void broadcast(T& value, int root = 0) const {
    static_assert(std::is_trivially_copyable_v<T>,
                  "broadcast of a POD value needs a trivially copyable type");
    std::vector<char> bytes(sizeof(T));
    copy_bytes(&value, bytes.data(), sizeof(T));
    broadcast(bytes, root);
    copy_bytes(bytes.data(), &value, sizeof(T));
  }
  template <typename T>
  void broadcast(std::vector<T>& values, int root = 0) const {
    static_assert(std::is_trivially_copyable_v<T>, "broadcast of a vector needs a trivially copyable type");
    std::vector<char> bytes(values.size() * sizeof(T));
    if (!bytes.empty()) copy_bytes(values.data(), bytes.data(), bytes.size());
    broadcast(bytes, root);
    values.resize(bytes.size() / sizeof(T));
    if (!bytes.empty()) copy_bytes(bytes.data(), values.data(), bytes.size());
  }

  // ---------------------------------------------------------------- reductions
  // Results every rank receives. Sums of doubles are in MPI's order, which may depend
  // on the rank count: see ordered_sum.hpp for rank-count independent sums.
  double allreduce(double value, ReduceOp op) const;
  std::int64_t allreduce(std::int64_t value, ReduceOp op) const;
  int allreduce(int value, ReduceOp op) const {
    return static_cast<int>(allreduce(static_cast<std::int64_t>(value), op));
  }
  // Element-wise, in place; every rank passes the same length.
  void allreduce(std::vector<double>& values, ReduceOp op) const;
  void allreduce(std::vector<std::int64_t>& values, ReduceOp op) const;
  template <typename T>
  T sum(T value) const {
    return allreduce(value, ReduceOp::kSum);
  }
  template <typename T>
  T max(T value) const {
    return allreduce(value, ReduceOp::kMax);
  }
  template <typename T>
  T min(T value) const {
    return allreduce(value, ReduceOp::kMin);
  }

  // ---------------------------------------------------------------- gathers
  // Every rank's value, in rank order, on every rank.
  template <typename T>
  std::vector<T> allgather(const T& value) const {
    static_assert(std::is_trivially_copyable_v<T>, "allgather needs a trivially copyable type");
    std::vector<T> all(static_cast<std::size_t>(size()));
    allgatherv_elements(&value, 1, all.data(), std::vector<std::size_t>(all.size(), 1), sizeof(T));
    return all;
  }
  // The concatenation of every rank's `mine` in rank order, on every rank (lengths may
  // differ between ranks).
  template <typename T>
  std::vector<T> allgatherv(const std::vector<T>& mine) const {
    static_assert(std::is_trivially_copyable_v<T>, "allgatherv needs a trivially copyable type");
    const std::vector<std::size_t> counts = allgather(mine.size());
    std::size_t total = 0;
    for (const std::size_t c : counts) total += c;
    std::vector<T> all(total);
    allgatherv_elements(mine.data(), mine.size(), all.data(), counts, sizeof(T));
    return all;
  }
  // The same into caller memory when every rank knows every rank's count:
  // counts[r] elements of rank r land at sum(counts[0..r)) in `all`.
  template <typename T>
  void allgatherv(const T* mine, std::size_t count, T* all, const std::vector<std::size_t>& counts) const {
    static_assert(std::is_trivially_copyable_v<T>, "allgatherv needs a trivially copyable type");
    allgatherv_elements(mine, count, all, counts, sizeof(T));
  }
  // Every rank's string, in rank order, on `root`; other ranks get an empty vector.
  std::vector<std::string> gather_strings(const std::string& value, int root = 0) const;

  // ---------------------------------------------------------------- point-to-point
  // Blocking send / receive of raw bytes (tag >= 0). receive_bytes expects a message of
  // exactly `bytes` bytes (a longer one is an MpiError, a shorter one an Error). The
  // serial backend has no other rank: these throw ph3mpi::Error there.
  void send_bytes(int dest, int tag, const void* data, std::size_t bytes) const;
  void receive_bytes(int source, int tag, void* data, std::size_t bytes) const;
  template <typename T>
  void send(int dest, int tag, const T& value) const {
    static_assert(std::is_trivially_copyable_v<T>, "send needs a trivially copyable type");
    send_bytes(dest, tag, &value, sizeof(T));
  }
  template <typename T>
  T receive(int source, int tag) const {
    static_assert(std::is_trivially_copyable_v<T>, "receive needs a trivially copyable type");
    T value{};
    receive_bytes(source, tag, &value, sizeof(T));
    return value;
  }
  // Whether a message from `source` with `tag` (kAnySource / kAnyTag match any) has
  // arrived, without receiving it; the serial backend never has one.
  std::optional<MessageInfo> iprobe(int source = kAnySource, int tag = kAnyTag) const;
  // Waits for such a message (the serial backend throws: it would wait for ever).
  MessageInfo probe(int source = kAnySource, int tag = kAnyTag) const;
  // Receives the whole message a probe reported.
  std::string receive_message(const MessageInfo& probed) const;
  // Non-blocking send; the returned handle owns `bytes` until the send completes.
  PendingSend isend_bytes(int dest, int tag, std::string bytes) const;

  // ---------------------------------------------------------------- sub-contexts
  // The same ranks with a private message space (MPI_Comm_dup): messages of one never
  // match receives of the other.
  Context duplicate() const;
  // The ranks passing the same `color` (>= 0), ordered by `key` then rank (MPI_Comm_split).
  Context split(int color, int key) const;
  // The ranks sharing this rank's node (MPI_COMM_TYPE_SHARED), and the number of nodes.
  NodeSplit split_by_node() const;
  // Memory all ranks of this Context map (MPI-3 shared window owned by rank 0); the
  // ranks must share one node (split_by_node().node). Serial backend: private heap
  // memory. bytes may be 0.
  std::unique_ptr<SharedMemory> allocate_shared(std::size_t bytes) const;

  // Ends the whole job with `exit_code` (MPI_Abort on MPI_COMM_WORLD for the MPI backend).
  [[noreturn]] void abort(int exit_code) const;

 private:
  friend struct detail::ContextAccess;
  explicit Context(std::shared_ptr<const Backend> backend) : backend_(std::move(backend)) {}
  static void copy_bytes(const void* from, void* to, std::size_t n);
  void allgatherv_elements(const void* mine, std::size_t count, void* all,
                           const std::vector<std::size_t>& counts, std::size_t element_size) const;

  std::shared_ptr<const Backend> backend_;
};

// Context::split_by_node(): this rank's node and how many nodes the Context spans.
struct NodeSplit {
  Context node;       // node.rank() / node.size(): rank among, and number of, the ranks of this node
  int num_nodes = 1;  // nodes (= node-rank-0 ranks) in the Context that was split
};

// Context::allocate_shared(). Destroying it is collective over that Context (except
// while an exception unwinds: the job is then being aborted, and a collective free
// would wait for ranks that never come).
class SharedMemory {
 public:
  virtual ~SharedMemory() = default;
  virtual void* data() const noexcept = 0;
  // Whether the ranks really share it (false: the serial backend's private memory).
  virtual bool is_shared() const noexcept = 0;
  // Collective: plain stores of every rank before it are visible to loads after it
  // (MPI-3 unified model: MPI_Win_sync, barrier, MPI_Win_sync).
  virtual void fence() const = 0;
};

// Context::isend_bytes(): a send in flight. Destroying it waits for completion, except
// while an exception unwinds (then the send is left to finish or to the abort).
class PendingSend {
 public:
  class Impl {
   public:
    virtual ~Impl() = default;
    virtual void wait() = 0;
    virtual void release() noexcept = 0;  // give up without waiting (unwinding)
  };
  PendingSend() = default;
  explicit PendingSend(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
  PendingSend(PendingSend&& other) noexcept = default;
  PendingSend& operator=(PendingSend&& other);
  PendingSend(const PendingSend&) = delete;
  PendingSend& operator=(const PendingSend&) = delete;
  ~PendingSend();

  bool pending() const noexcept { return impl_ != nullptr; }
  void wait();

 private:
  std::unique_ptr<Impl> impl_;
};

// deal.II's ConditionalOStream: writes only where active (by default: on rank 0),
// so progress output of N ranks appears once.
class Rank0Stream {
 public:
  Rank0Stream(std::ostream& stream, const Context& context) : stream_(stream), active_(context.is_root()) {}
  Rank0Stream(std::ostream& stream, bool active) : stream_(stream), active_(active) {}

  template <typename T>
  const Rank0Stream& operator<<(const T& value) const {
    if (active_) stream_ << value;
    return *this;
  }
  const Rank0Stream& operator<<(std::ostream& (*manipulator)(std::ostream&)) const {
    if (active_) manipulator(stream_);
    return *this;
  }

  bool is_active() const noexcept { return active_; }
  std::ostream& stream() const noexcept { return stream_; }

 private:
  std::ostream& stream_;
  bool active_;
};

}  // namespace ph3mpi::parallel
