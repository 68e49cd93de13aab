#include "ph3mpi/parallel/context.hpp"

#include <mpi.h>

#include <boost/mpi/collectives.hpp>
#include <boost/mpi/communicator.hpp>
#include <boost/mpi/operations.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <limits>

#include "ph3mpi/common/error.hpp"

namespace ph3mpi::parallel {
namespace {

class SerialBackend final : public Context::Backend {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  const char* name() const override { return "serial"; }
  void barrier() const override {}
  void broadcast_bytes(std::vector<char>& /*bytes*/, int root) const override { check_root(root); }
  double allreduce(double value, ReduceOp /*op*/) const override { return value; }
  std::int64_t allreduce(std::int64_t value, ReduceOp /*op*/) const override { return value; }
  std::vector<std::string> gather_strings(const std::string& value, int root) const override {
    check_root(root);
    return {value};
  }
  [[noreturn]] void abort(int exit_code) const override {
    std::cout.flush();
    std::cerr.flush();
    std::exit(exit_code);
  }
  const boost::mpi::communicator* communicator() const override { return nullptr; }

 private:
  static void check_root(int root) {
    if (root != 0) throw Error("serial context: root rank " + std::to_string(root) + " does not exist");
  }
};

class MpiBackend final : public Context::Backend {
 public:
  explicit MpiBackend(const boost::mpi::communicator& comm) : comm_(comm) {}
  int rank() const override { return comm_.rank(); }
  int size() const override { return comm_.size(); }
  const char* name() const override { return "mpi"; }
  void barrier() const override { comm_.barrier(); }

  void broadcast_bytes(std::vector<char>& bytes, int root) const override {
    check_root(root);
    // Size first so receivers can allocate; then the payload in chunks that fit an int count.
    std::uint64_t n = bytes.size();
    MPI_Bcast(&n, 1, MPI_UINT64_T, root, comm_);
    bytes.resize(n);
    constexpr std::uint64_t kChunk = std::numeric_limits<int>::max() / 2;
    for (std::uint64_t offset = 0; offset < n; offset += kChunk) {
      const int count = static_cast<int>(std::min(kChunk, n - offset));
      MPI_Bcast(bytes.data() + offset, count, MPI_CHAR, root, comm_);
    }
  }

  double allreduce(double value, ReduceOp op) const override {
    double result = 0.0;
    MPI_Allreduce(&value, &result, 1, MPI_DOUBLE, mpi_op(op), comm_);
    return result;
  }

  std::int64_t allreduce(std::int64_t value, ReduceOp op) const override {
    std::int64_t result = 0;
    MPI_Allreduce(&value, &result, 1, MPI_INT64_T, mpi_op(op), comm_);
    return result;
  }

  std::vector<std::string> gather_strings(const std::string& value, int root) const override {
    check_root(root);
    std::vector<std::string> all;
    boost::mpi::gather(comm_, value, all, root);
    if (comm_.rank() != root) all.clear();
    return all;
  }

  [[noreturn]] void abort(int exit_code) const override {
    std::cout.flush();
    std::cerr.flush();
    // The whole job, not just this communicator: a partial abort would leave ranks waiting.
    MPI_Abort(MPI_COMM_WORLD, exit_code);
    std::_Exit(exit_code);  // MPI_Abort does not return; this satisfies [[noreturn]]
  }

  const boost::mpi::communicator* communicator() const override { return &comm_; }

 private:
  static MPI_Op mpi_op(ReduceOp op) {
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
  void check_root(int root) const {
    if (root < 0 || root >= comm_.size()) {
      throw Error("MPI context: root rank " + std::to_string(root) + " is outside 0.." +
                  std::to_string(comm_.size() - 1));
    }
  }

  boost::mpi::communicator comm_;
};

}  // namespace

Context Context::serial() { return Context(std::make_shared<SerialBackend>()); }

Context Context::mpi_world() {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized)
    throw Error("Context::mpi_world() needs MPI to be initialised (parallel::MpiEnvironment)");
  // Default-constructed Boost.MPI communicator = MPI_COMM_WORLD, attached (not owned).
  return Context(std::make_shared<MpiBackend>(boost::mpi::communicator()));
}

Context Context::mpi(const boost::mpi::communicator& comm) {
  return Context(std::make_shared<MpiBackend>(comm));
}

void Context::broadcast(std::string& value, int root) const {
  std::vector<char> bytes(value.begin(), value.end());
  backend_->broadcast_bytes(bytes, root);
  value.assign(bytes.begin(), bytes.end());
}

void Context::abort(int exit_code) const {
  backend_->abort(exit_code);
  std::_Exit(exit_code);  // not reached: every backend's abort ends the process
}

void Context::copy_bytes(const void* from, void* to, std::size_t n) { std::memcpy(to, from, n); }

}  // namespace ph3mpi::parallel
