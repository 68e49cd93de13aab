// RAII start-up and shut-down of MPI (Arbor's proxy pattern): one object in main()
// owns MPI's lifetime; nothing else calls MPI_Init or MPI_Finalize.
#pragma once

#include <string>

namespace ph3mpi::parallel {

class MpiEnvironment {
 public:
  // Calls MPI_Init_thread asking for MPI_THREAD_FUNNELED (OpenMP threads inside
  // a rank never call MPI; only the master thread does). Throws ph3mpi::Error if
  // the library grants less.
  MpiEnvironment(int& argc, char**& argv);
  ~MpiEnvironment();
  MpiEnvironment(const MpiEnvironment&) = delete;
  MpiEnvironment& operator=(const MpiEnvironment&) = delete;

  int world_rank() const noexcept { return rank_; }
  int world_size() const noexcept { return size_; }
  int thread_level() const noexcept { return provided_; }

 private:
  int rank_ = 0;
  int size_ = 1;
  int provided_ = 0;
};

// The MPI library's own version line and the MPI standard it implements, e.g.
// "Open MPI v4.1.4 (MPI standard 3.1)" (for `ph3mpi --version`; valid before MPI_Init).
std::string mpi_library_version();

}  // namespace ph3mpi::parallel
