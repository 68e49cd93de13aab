// The distributed context (Arbor's distributed_context pattern): one value object,
// passed explicitly to whatever needs to talk to other ranks. Two backends: serial
// (one rank, no MPI calls at all) and MPI (Boost.MPI over a communicator). Code
// written against Context runs unchanged on both.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

namespace boost::mpi {
class communicator;
}

namespace ph3mpi::parallel {

enum class ReduceOp { kSum, kMax, kMin };

class Context {
 public:
  // Interface every backend implements (byte-level; the typed API below builds on it).
  class Backend {
   public:
    virtual ~Backend() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    virtual const char* name() const = 0;
    virtual void barrier() const = 0;
    virtual void broadcast_bytes(std::vector<char>& bytes, int root) const = 0;
    virtual double allreduce(double value, ReduceOp op) const = 0;
    virtual std::int64_t allreduce(std::int64_t value, ReduceOp op) const = 0;
    virtual std::vector<std::string> gather_strings(const std::string& value, int root) const = 0;
    [[noreturn]] virtual void abort(int exit_code) const = 0;
    virtual const boost::mpi::communicator* communicator() const = 0;
  };

  // One rank, no MPI. abort() calls std::exit.
  static Context serial();
  // All ranks of MPI_COMM_WORLD. MPI must be initialised (parallel::MpiEnvironment).
  static Context mpi_world();
  // The ranks of `comm` (copied; Boost.MPI communicators are reference-counted handles).
  static Context mpi(const boost::mpi::communicator& comm);

  int rank() const { return backend_->rank(); }
  int size() const { return backend_->size(); }
  bool is_root() const { return rank() == 0; }
  const char* backend_name() const { return backend_->name(); }  // "serial" or "mpi"

  void barrier() const { backend_->barrier(); }

  // Broadcast from `root`: on return every rank holds root's value (sizes included).
  void broadcast(std::vector<char>& bytes, int root = 0) const { backend_->broadcast_bytes(bytes, root); }
  void broadcast(std::string& value, int root = 0) const;
  template <typename T>
  void broadcast(T& value, int root = 0) const {
    static_assert(std::is_trivially_copyable_v<T>,
                  "broadcast of a POD value needs a trivially copyable type");
    std::vector<char> bytes(sizeof(T));
    copy_bytes(&value, bytes.data(), sizeof(T));
    backend_->broadcast_bytes(bytes, root);
    copy_bytes(bytes.data(), &value, sizeof(T));
  }
  template <typename T>
  void broadcast(std::vector<T>& values, int root = 0) const {
    static_assert(std::is_trivially_copyable_v<T>, "broadcast of a vector needs a trivially copyable type");
    std::vector<char> bytes(values.size() * sizeof(T));
    if (!bytes.empty()) copy_bytes(values.data(), bytes.data(), bytes.size());
    backend_->broadcast_bytes(bytes, root);
    values.resize(bytes.size() / sizeof(T));
    if (!bytes.empty()) copy_bytes(bytes.data(), values.data(), bytes.size());
  }

  // Reductions whose result every rank receives.
  double allreduce(double value, ReduceOp op) const { return backend_->allreduce(value, op); }
  std::int64_t allreduce(std::int64_t value, ReduceOp op) const { return backend_->allreduce(value, op); }
  int allreduce(int value, ReduceOp op) const {
    return static_cast<int>(backend_->allreduce(static_cast<std::int64_t>(value), op));
  }
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

  // Every rank's string, in rank order, on `root`; other ranks get an empty vector.
  std::vector<std::string> gather_strings(const std::string& value, int root = 0) const {
    return backend_->gather_strings(value, root);
  }

  // Ends the whole job with `exit_code` (MPI_Abort on MPI_COMM_WORLD for the MPI backend).
  [[noreturn]] void abort(int exit_code) const;

  // The Boost.MPI communicator for code that needs point-to-point messages
  // (the grid-point coordinator); nullptr for the serial backend.
  const boost::mpi::communicator* communicator() const { return backend_->communicator(); }

 private:
  explicit Context(std::shared_ptr<const Backend> backend) : backend_(std::move(backend)) {}
  static void copy_bytes(const void* from, void* to, std::size_t n);

  std::shared_ptr<const Backend> backend_;
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
