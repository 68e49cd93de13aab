#include "ph3mpi/parallel/context.hpp"

#include <mpi.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <limits>
#include <new>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/parallel/mpi_handle.hpp"

namespace ph3mpi::parallel {

// Byte-level operations every backend implements; Context's typed API builds on them.
// Sub-contexts and shared memory keep their parent backend alive (shared_from_this).
class Context::Backend : public std::enable_shared_from_this<Context::Backend> {
 public:
  virtual ~Backend() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual const char* name() const = 0;
  virtual bool is_mpi() const = 0;
  virtual void barrier() const = 0;
  virtual void broadcast_bytes(std::vector<char>& bytes, int root) const = 0;
  virtual void allreduce(double* values, std::size_t n, ReduceOp op) const = 0;
  virtual void allreduce(std::int64_t* values, std::size_t n, ReduceOp op) const = 0;
  // counts: elements per rank (checked against `count` on this rank).
  virtual void allgatherv(const void* mine, std::size_t count, void* all,
                          const std::vector<std::size_t>& counts, std::size_t element_size) const = 0;
  virtual void send_bytes(int dest, int tag, const void* data, std::size_t bytes) const = 0;
  virtual void receive_bytes(int source, int tag, void* data, std::size_t bytes) const = 0;
  virtual std::optional<MessageInfo> iprobe(int source, int tag) const = 0;
  virtual MessageInfo probe(int source, int tag) const = 0;
  virtual std::unique_ptr<PendingSend::Impl> isend_bytes(int dest, int tag, std::string bytes) const = 0;
  virtual std::shared_ptr<const Backend> duplicate() const = 0;
  virtual std::shared_ptr<const Backend> split(int color, int key) const = 0;
  virtual std::shared_ptr<const Backend> split_by_node() const = 0;
  virtual std::unique_ptr<SharedMemory> allocate_shared(std::size_t bytes) const = 0;
  [[noreturn]] virtual void abort(int exit_code) const = 0;
};

namespace detail {

// The friend through which this file and mpi_handle's functions reach the backend.
struct ContextAccess {
  static Context make(std::shared_ptr<const Context::Backend> backend) { return Context(std::move(backend)); }
  static const Context::Backend& backend(const Context& context) { return *context.backend_; }
};

}  // namespace detail

namespace {

using detail::ContextAccess;

constexpr std::size_t kIntMax = static_cast<std::size_t>(std::numeric_limits<int>::max());

void check_root(int root, int size) {
  if (root < 0 || root >= size) {
    throw Error("parallel context: root rank " + std::to_string(root) + " is outside 0.." +
                std::to_string(size - 1));
  }
}

int to_count(std::size_t n, const char* what) {
  if (n > kIntMax) {
    throw Error(std::string(what) + ": " + std::to_string(n) + " elements exceed one MPI message (2^31-1)");
  }
  return static_cast<int>(n);
}

[[noreturn]] void no_peer(const char* operation) {
  throw Error(std::string("serial context: ") + operation +
              " needs another rank, and the serial context has one");
}

// ------------------------------------------------------------------ serial backend

class HeapMemory final : public SharedMemory {
 public:
  explicit HeapMemory(std::size_t bytes) {
    if (bytes > 0) {
      data_ = std::malloc(bytes);
      if (data_ == nullptr) throw std::bad_alloc();
    }
  }
  ~HeapMemory() override { std::free(data_); }
  HeapMemory(const HeapMemory&) = delete;
  HeapMemory& operator=(const HeapMemory&) = delete;
  void* data() const noexcept override { return data_; }
  bool is_shared() const noexcept override { return false; }
  void fence() const override {}

 private:
  void* data_ = nullptr;
};

class SerialBackend final : public Context::Backend {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  const char* name() const override { return "serial"; }
  bool is_mpi() const override { return false; }
  void barrier() const override {}
  void broadcast_bytes(std::vector<char>& /*bytes*/, int /*root*/) const override {}
  void allreduce(double* /*values*/, std::size_t /*n*/, ReduceOp /*op*/) const override {}
  void allreduce(std::int64_t* /*values*/, std::size_t /*n*/, ReduceOp /*op*/) const override {}
  void allgatherv(const void* mine, std::size_t count, void* all, const std::vector<std::size_t>& counts,
                  std::size_t element_size) const override {
    if (counts.size() != 1 || counts[0] != count) {
      throw Error("serial context: allgatherv counts do not describe one rank of " + std::to_string(count) +
                  " elements");
    }
    if (count > 0) std::memcpy(all, mine, count * element_size);
  }
  void send_bytes(int /*dest*/, int /*tag*/, const void* /*data*/, std::size_t /*bytes*/) const override {
    no_peer("send");
  }
  void receive_bytes(int /*source*/, int /*tag*/, void* /*data*/, std::size_t /*bytes*/) const override {
    no_peer("receive");
  }
  std::optional<Context::MessageInfo> iprobe(int /*source*/, int /*tag*/) const override {
    return std::nullopt;
  }
  Context::MessageInfo probe(int /*source*/, int /*tag*/) const override { no_peer("probe"); }
  std::unique_ptr<PendingSend::Impl> isend_bytes(int /*dest*/, int /*tag*/,
                                                 std::string /*bytes*/) const override {
    no_peer("isend");
  }
  // One rank has nothing to separate: every sub-context is this one.
  std::shared_ptr<const Backend> duplicate() const override { return shared_from_this(); }
  std::shared_ptr<const Backend> split(int /*color*/, int /*key*/) const override {
    return shared_from_this();
  }
  std::shared_ptr<const Backend> split_by_node() const override { return shared_from_this(); }
  std::unique_ptr<SharedMemory> allocate_shared(std::size_t bytes) const override {
    return std::make_unique<HeapMemory>(bytes);
  }
  [[noreturn]] void abort(int exit_code) const override {
    std::cout.flush();
    std::cerr.flush();
    std::exit(exit_code);
  }
};

// ------------------------------------------------------------------ MPI backend

MPI_Op mpi_op(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum:
      return MPI_SUM;
    case ReduceOp::kMax:
      return MPI_MAX;
    case ReduceOp::kMin:
      return MPI_MIN;
  }
  return MPI_SUM;
}

int mpi_source(int source) { return source == Context::kAnySource ? MPI_ANY_SOURCE : source; }
int mpi_tag(int tag) { return tag == Context::kAnyTag ? MPI_ANY_TAG : tag; }

Context::MessageInfo message_info(const MPI_Status& status) {
  int count = 0;
  PH3MPI_MPI_CHECK(MPI_Get_count, &status, MPI_BYTE, &count);
  if (count == MPI_UNDEFINED) throw Error("MPI_Get_count: message size does not fit an int");
  return Context::MessageInfo{status.MPI_SOURCE, status.MPI_TAG, static_cast<std::size_t>(count)};
}

// A committed MPI datatype freed at scope exit.
class ScopedType {
 public:
  ScopedType(MPI_Datatype base, std::size_t count) {
    PH3MPI_MPI_CHECK(MPI_Type_contiguous, to_count(count, "element size"), base, &type_);
    PH3MPI_MPI_CHECK(MPI_Type_commit, &type_);
  }
  ~ScopedType() {
    if (!mpi_finalized()) MPI_Type_free(&type_);
  }
  ScopedType(const ScopedType&) = delete;
  ScopedType& operator=(const ScopedType&) = delete;
  MPI_Datatype get() const noexcept { return type_; }

 private:
  MPI_Datatype type_ = MPI_DATATYPE_NULL;
};

class MpiSendInFlight final : public PendingSend::Impl {
 public:
  MpiSendInFlight(std::string bytes, int dest, int tag, MPI_Comm comm)
      : buffer_(std::make_unique<std::string>(std::move(bytes))) {
    PH3MPI_MPI_CHECK(MPI_Isend, buffer_->data(), to_count(buffer_->size(), "isend"), MPI_BYTE, dest, tag,
                     comm, &request_);
  }
  ~MpiSendInFlight() override = default;
  MpiSendInFlight(const MpiSendInFlight&) = delete;
  MpiSendInFlight& operator=(const MpiSendInFlight&) = delete;
  void wait() override { PH3MPI_MPI_CHECK(MPI_Wait, &request_, MPI_STATUS_IGNORE); }
  void release() noexcept override {
    // The send may still read the buffer: leave both to MPI (the job is being aborted).
    if (request_ != MPI_REQUEST_NULL && !mpi_finalized()) MPI_Request_free(&request_);
    static_cast<void>(buffer_.release());
  }

 private:
  std::unique_ptr<std::string> buffer_;  // on the heap, so release() can leave it to MPI
  MPI_Request request_ = MPI_REQUEST_NULL;
};

class MpiBackend;

class MpiSharedMemory final : public SharedMemory {
 public:
  MpiSharedMemory(std::shared_ptr<const MpiBackend> owner, MPI_Comm comm, std::size_t bytes, int rank);
  ~MpiSharedMemory() override;
  MpiSharedMemory(const MpiSharedMemory&) = delete;
  MpiSharedMemory& operator=(const MpiSharedMemory&) = delete;
  void* data() const noexcept override { return data_; }
  bool is_shared() const noexcept override { return true; }
  void fence() const override {
    PH3MPI_MPI_CHECK(MPI_Win_sync, window_);
    PH3MPI_MPI_CHECK(MPI_Barrier, comm_);
    PH3MPI_MPI_CHECK(MPI_Win_sync, window_);
  }

 private:
  std::shared_ptr<const MpiBackend> owner_;  // keeps comm_ alive
  MPI_Comm comm_;
  MPI_Win window_ = MPI_WIN_NULL;
  bool locked_ = false;
  void* data_ = nullptr;
};

class MpiBackend final : public Context::Backend {
 public:
  // native: the communicator native_communicator() hands out, freed with this backend
  // when `owned`. Collective over native (MPI_Comm_dup).
  MpiBackend(MPI_Comm native, bool owned) : native_(native), owns_native_(owned) {
    PH3MPI_MPI_CHECK(MPI_Comm_dup, native_, &comm_);
    PH3MPI_MPI_CHECK(MPI_Comm_set_errhandler, comm_, MPI_ERRORS_RETURN);
    PH3MPI_MPI_CHECK(MPI_Comm_rank, comm_, &rank_);
    PH3MPI_MPI_CHECK(MPI_Comm_size, comm_, &size_);
  }
  ~MpiBackend() override {
    // MPI_Comm_free is collective: not while unwinding (the other ranks are not coming)
    // and not after MPI_Finalize.
    if (std::uncaught_exceptions() > 0 || mpi_finalized()) return;
    MPI_Comm_free(&comm_);
    if (owns_native_) MPI_Comm_free(&native_);
  }
  MpiBackend(const MpiBackend&) = delete;
  MpiBackend& operator=(const MpiBackend&) = delete;

  MPI_Comm native() const noexcept { return native_; }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  const char* name() const override { return "mpi"; }
  bool is_mpi() const override { return true; }
  void barrier() const override { PH3MPI_MPI_CHECK(MPI_Barrier, comm_); }

  void broadcast_bytes(std::vector<char>& bytes, int root) const override {
    // Size first so receivers can allocate; then the payload in chunks that fit an int count.
    std::uint64_t n = bytes.size();
    PH3MPI_MPI_CHECK(MPI_Bcast, &n, 1, MPI_UINT64_T, root, comm_);
    bytes.resize(n);
    constexpr std::uint64_t kChunk = std::numeric_limits<int>::max() / 2;
    for (std::uint64_t offset = 0; offset < n; offset += kChunk) {
      const int count = static_cast<int>(std::min(kChunk, n - offset));
      PH3MPI_MPI_CHECK(MPI_Bcast, bytes.data() + offset, count, MPI_CHAR, root, comm_);
    }
  }

  void allreduce(double* values, std::size_t n, ReduceOp op) const override {
    allreduce_chunks(values, n, MPI_DOUBLE, op);
  }
  void allreduce(std::int64_t* values, std::size_t n, ReduceOp op) const override {
    allreduce_chunks(values, n, MPI_INT64_T, op);
  }

  void allgatherv(const void* mine, std::size_t count, void* all, const std::vector<std::size_t>& counts,
                  std::size_t element_size) const override {
    if (counts.size() != static_cast<std::size_t>(size_) ||
        counts[static_cast<std::size_t>(rank_)] != count) {
      throw Error("allgatherv: the counts do not list " + std::to_string(count) + " elements for rank " +
                  std::to_string(rank_) + " of " + std::to_string(size_));
    }
    std::vector<int> icounts(counts.size());
    std::vector<int> displs(counts.size());
    std::size_t total = 0;
    for (std::size_t r = 0; r < counts.size(); ++r) {
      displs[r] = to_count(total, "allgatherv displacement");
      icounts[r] = to_count(counts[r], "allgatherv");
      total += counts[r];
    }
    to_count(total, "allgatherv total");
    const ScopedType element(MPI_BYTE, element_size);
    PH3MPI_MPI_CHECK(MPI_Allgatherv, mine, to_count(count, "allgatherv"), element.get(), all, icounts.data(),
                     displs.data(), element.get(), comm_);
  }

  void send_bytes(int dest, int tag, const void* data, std::size_t bytes) const override {
    PH3MPI_MPI_CHECK(MPI_Send, data, to_count(bytes, "send"), MPI_BYTE, dest, tag, comm_);
  }

  void receive_bytes(int source, int tag, void* data, std::size_t bytes) const override {
    MPI_Status status;
    PH3MPI_MPI_CHECK(MPI_Recv, data, to_count(bytes, "receive"), MPI_BYTE, mpi_source(source), mpi_tag(tag),
                     comm_, &status);
    const Context::MessageInfo got = message_info(status);
    if (got.bytes != bytes) {
      throw Error("MPI_Recv: expected " + std::to_string(bytes) + " bytes from rank " +
                  std::to_string(got.source) + " (tag " + std::to_string(got.tag) + "), got " +
                  std::to_string(got.bytes));
    }
  }

  std::optional<Context::MessageInfo> iprobe(int source, int tag) const override {
    int flag = 0;
    MPI_Status status;
    PH3MPI_MPI_CHECK(MPI_Iprobe, mpi_source(source), mpi_tag(tag), comm_, &flag, &status);
    // Open MPI's ob1 looks for a match first and only then progresses the transports, so
    // one MPI_Iprobe misses a message that is already in this rank's memory (it is
    // queued, unseen, until the next MPI call). The coordinator's rank 0 probes once
    // between grid points: a second probe here answers for what has arrived by now.
    if (!flag) PH3MPI_MPI_CHECK(MPI_Iprobe, mpi_source(source), mpi_tag(tag), comm_, &flag, &status);
    if (!flag) return std::nullopt;
    return message_info(status);
  }

  Context::MessageInfo probe(int source, int tag) const override {
    MPI_Status status;
    PH3MPI_MPI_CHECK(MPI_Probe, mpi_source(source), mpi_tag(tag), comm_, &status);
    return message_info(status);
  }

  std::unique_ptr<PendingSend::Impl> isend_bytes(int dest, int tag, std::string bytes) const override {
    return std::make_unique<MpiSendInFlight>(std::move(bytes), dest, tag, comm_);
  }

  std::shared_ptr<const Backend> duplicate() const override {
    MPI_Comm out = MPI_COMM_NULL;
    PH3MPI_MPI_CHECK(MPI_Comm_dup, comm_, &out);
    return adopt(out);
  }

  std::shared_ptr<const Backend> split(int color, int key) const override {
    if (color < 0) throw Error("Context::split: color " + std::to_string(color) + " is negative");
    MPI_Comm out = MPI_COMM_NULL;
    PH3MPI_MPI_CHECK(MPI_Comm_split, comm_, color, key, &out);
    return adopt(out);
  }

  std::shared_ptr<const Backend> split_by_node() const override {
    MPI_Comm out = MPI_COMM_NULL;
    PH3MPI_MPI_CHECK(MPI_Comm_split_type, comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &out);
    return adopt(out);
  }

  std::unique_ptr<SharedMemory> allocate_shared(std::size_t bytes) const override {
    return std::make_unique<MpiSharedMemory>(std::static_pointer_cast<const MpiBackend>(shared_from_this()),
                                             comm_, bytes, rank_);
  }

  [[noreturn]] void abort(int exit_code) const override {
    std::cout.flush();
    std::cerr.flush();
    // The whole job, not just this communicator: a partial abort would leave ranks waiting.
    MPI_Abort(MPI_COMM_WORLD, exit_code);
    std::_Exit(exit_code);  // MPI_Abort does not return; this satisfies [[noreturn]]
  }

 private:
  template <typename T>
  void allreduce_chunks(T* values, std::size_t n, MPI_Datatype type, ReduceOp op) const {
    constexpr std::size_t kChunk = kIntMax / 2;
    for (std::size_t offset = 0; offset < n; offset += kChunk) {
      const int count = static_cast<int>(std::min(kChunk, n - offset));
      PH3MPI_MPI_CHECK(MPI_Allreduce, MPI_IN_PLACE, values + offset, count, type, mpi_op(op), comm_);
    }
  }

  // A communicator derived from comm_ (which returns errors) becomes a backend whose
  // native handle has this backend's native error handler again.
  std::shared_ptr<const Backend> adopt(MPI_Comm derived) const {
    MPI_Errhandler handler = MPI_ERRHANDLER_NULL;
    PH3MPI_MPI_CHECK(MPI_Comm_get_errhandler, native_, &handler);
    PH3MPI_MPI_CHECK(MPI_Comm_set_errhandler, derived, handler);
    PH3MPI_MPI_CHECK(MPI_Errhandler_free, &handler);
    return std::make_shared<MpiBackend>(derived, true);
  }

  MPI_Comm native_;
  bool owns_native_;
  MPI_Comm comm_ = MPI_COMM_NULL;  // private duplicate, MPI_ERRORS_RETURN
  int rank_ = 0;
  int size_ = 1;
};

MpiSharedMemory::MpiSharedMemory(std::shared_ptr<const MpiBackend> owner, MPI_Comm comm, std::size_t bytes,
                                 int rank)
    : owner_(std::move(owner)), comm_(comm) {
  // Rank 0 owns all the memory; the others query its base address. A size of at least
  // one byte keeps the window valid when bytes == 0.
  const MPI_Aint local = rank == 0 ? static_cast<MPI_Aint>(std::max<std::size_t>(bytes, 1)) : 0;
  void* base = nullptr;
  PH3MPI_MPI_CHECK(MPI_Win_allocate_shared, local, 1, MPI_INFO_NULL, comm_, &base, &window_);
  PH3MPI_MPI_CHECK(MPI_Win_set_errhandler, window_, MPI_ERRORS_RETURN);
  MPI_Aint size = 0;
  int disp_unit = 1;
  PH3MPI_MPI_CHECK(MPI_Win_shared_query, window_, 0, &size, &disp_unit, &data_);
  // A passive-target epoch for the lifetime of the memory, so that MPI_Win_sync is legal.
  PH3MPI_MPI_CHECK(MPI_Win_lock_all, MPI_MODE_NOCHECK, window_);
  locked_ = true;
}

MpiSharedMemory::~MpiSharedMemory() {
  // MPI_Win_free is collective: see SharedMemory.
  if (window_ == MPI_WIN_NULL || std::uncaught_exceptions() > 0 || mpi_finalized()) return;
  if (locked_) MPI_Win_unlock_all(window_);
  MPI_Win_free(&window_);
}

}  // namespace

// ------------------------------------------------------------------ Context

Context Context::serial() { return Context(std::make_shared<SerialBackend>()); }

Context Context::mpi_world() {
  int initialized = 0;
  PH3MPI_MPI_CHECK(MPI_Initialized, &initialized);
  if (!initialized)
    throw Error("Context::mpi_world() needs MPI to be initialised (parallel::MpiEnvironment)");
  return Context(std::make_shared<MpiBackend>(MPI_COMM_WORLD, false));
}

int Context::rank() const { return backend_->rank(); }
int Context::size() const { return backend_->size(); }
const char* Context::backend_name() const { return backend_->name(); }
bool Context::is_mpi() const { return backend_->is_mpi(); }
void Context::barrier() const { backend_->barrier(); }

void Context::broadcast(std::vector<char>& bytes, int root) const {
  check_root(root, size());
  backend_->broadcast_bytes(bytes, root);
}

void Context::broadcast(std::string& value, int root) const {
  std::vector<char> bytes(value.begin(), value.end());
  broadcast(bytes, root);
  value.assign(bytes.begin(), bytes.end());
}

double Context::allreduce(double value, ReduceOp op) const {
  backend_->allreduce(&value, 1, op);
  return value;
}

std::int64_t Context::allreduce(std::int64_t value, ReduceOp op) const {
  backend_->allreduce(&value, 1, op);
  return value;
}

void Context::allreduce(std::vector<double>& values, ReduceOp op) const {
  backend_->allreduce(values.data(), values.size(), op);
}

void Context::allreduce(std::vector<std::int64_t>& values, ReduceOp op) const {
  backend_->allreduce(values.data(), values.size(), op);
}

void Context::allgatherv_elements(const void* mine, std::size_t count, void* all,
                                  const std::vector<std::size_t>& counts, std::size_t element_size) const {
  backend_->allgatherv(mine, count, all, counts, element_size);
}

std::vector<std::string> Context::gather_strings(const std::string& value, int root) const {
  check_root(root, size());
  const std::vector<std::size_t> lengths = allgather(value.size());
  const std::vector<char> all = allgatherv(std::vector<char>(value.begin(), value.end()));
  if (rank() != root) return {};
  std::vector<std::string> strings;
  strings.reserve(lengths.size());
  std::size_t offset = 0;
  for (const std::size_t n : lengths) {
    strings.emplace_back(all.data() + offset, n);
    offset += n;
  }
  return strings;
}

void Context::send_bytes(int dest, int tag, const void* data, std::size_t bytes) const {
  backend_->send_bytes(dest, tag, data, bytes);
}

void Context::receive_bytes(int source, int tag, void* data, std::size_t bytes) const {
  backend_->receive_bytes(source, tag, data, bytes);
}

std::optional<Context::MessageInfo> Context::iprobe(int source, int tag) const {
  return backend_->iprobe(source, tag);
}

Context::MessageInfo Context::probe(int source, int tag) const { return backend_->probe(source, tag); }

std::string Context::receive_message(const MessageInfo& probed) const {
  std::string bytes(probed.bytes, '\0');
  backend_->receive_bytes(probed.source, probed.tag, bytes.data(), bytes.size());
  return bytes;
}

PendingSend Context::isend_bytes(int dest, int tag, std::string bytes) const {
  return PendingSend(backend_->isend_bytes(dest, tag, std::move(bytes)));
}

Context Context::duplicate() const { return Context(backend_->duplicate()); }

Context Context::split(int color, int key) const { return Context(backend_->split(color, key)); }

NodeSplit Context::split_by_node() const {
  NodeSplit split{Context(backend_->split_by_node()), 1};
  split.num_nodes = sum(split.node.rank() == 0 ? 1 : 0);
  return split;
}

std::unique_ptr<SharedMemory> Context::allocate_shared(std::size_t bytes) const {
  return backend_->allocate_shared(bytes);
}

void Context::abort(int exit_code) const {
  backend_->abort(exit_code);
  std::_Exit(exit_code);  // not reached: every backend's abort ends the process
}

void Context::copy_bytes(const void* from, void* to, std::size_t n) { std::memcpy(to, from, n); }

// ------------------------------------------------------------------ PendingSend

PendingSend& PendingSend::operator=(PendingSend&& other) {
  if (this != &other) {
    wait();
    impl_ = std::move(other.impl_);
  }
  return *this;
}

PendingSend::~PendingSend() {
  if (!impl_) return;
  if (std::uncaught_exceptions() > 0) {
    impl_->release();
    return;
  }
  try {
    impl_->wait();
  } catch (...) {
    // A destructor must not throw; a caller that needs the outcome calls wait().
  }
}

void PendingSend::wait() {
  if (!impl_) return;
  impl_->wait();
  impl_.reset();
}

// ------------------------------------------------------------------ mpi_handle.hpp

namespace {

std::string mpi_error_text(int code) {
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS || length <= 0) return "unknown MPI error";
  return std::string(text, static_cast<std::size_t>(length));
}

}  // namespace

MpiError::MpiError(int code, const std::string& call)
    : Error(call + " failed: " + mpi_error_text(code) + " (MPI error code " + std::to_string(code) + ")"),
      code_(code) {}

void check_mpi(int code, const char* call) {
  if (code != MPI_SUCCESS) throw MpiError(code, call);
}

MPI_Comm native_communicator(const Context& context) {
  const auto* mpi = dynamic_cast<const MpiBackend*>(&ContextAccess::backend(context));
  if (mpi == nullptr) {
    throw Error(std::string("the ") + context.backend_name() + " context has no MPI communicator");
  }
  return mpi->native();
}

Context make_mpi_context(MPI_Comm comm) {
  int initialized = 0;
  PH3MPI_MPI_CHECK(MPI_Initialized, &initialized);
  if (!initialized) throw Error("make_mpi_context needs MPI to be initialised (parallel::MpiEnvironment)");
  return ContextAccess::make(std::make_shared<MpiBackend>(comm, false));
}

bool mpi_finalized() noexcept {
  int finalized = 0;
  MPI_Finalized(&finalized);
  return finalized != 0;
}

}  // namespace ph3mpi::parallel
