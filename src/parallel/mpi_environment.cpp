#include "ph3mpi/parallel/mpi_environment.hpp"

#include <mpi.h>

#include <cctype>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/parallel/mpi_handle.hpp"

namespace ph3mpi::parallel {

MpiEnvironment::MpiEnvironment(int& argc, char**& argv) {
  int already = 0;
  PH3MPI_MPI_CHECK(MPI_Initialized, &already);
  if (already) {
    throw Error("MPI was initialised twice: only one MpiEnvironment may exist");
  }
  PH3MPI_MPI_CHECK(MPI_Init_thread, &argc, &argv, MPI_THREAD_FUNNELED, &provided_);
  PH3MPI_MPI_CHECK(MPI_Comm_rank, MPI_COMM_WORLD, &rank_);
  PH3MPI_MPI_CHECK(MPI_Comm_size, MPI_COMM_WORLD, &size_);
  if (provided_ < MPI_THREAD_FUNNELED) {
    MPI_Finalize();
    throw Error("the MPI library grants thread level " + std::to_string(provided_) +
                " but ph3mpi needs MPI_THREAD_FUNNELED (OpenMP inside ranks)");
  }
}

MpiEnvironment::~MpiEnvironment() {
  if (!mpi_finalized()) MPI_Finalize();
}

std::string mpi_library_version() {
  // MPI_Get_library_version and MPI_Get_version may be called before MPI_Init (MPI-3).
  char text[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int length = 0;
  PH3MPI_MPI_CHECK(MPI_Get_library_version, text, &length);
  std::string version(text, static_cast<std::size_t>(length > 0 ? length : 0));
  const auto end = version.find_first_of("\r\n");
  if (end != std::string::npos) version.resize(end);
  while (!version.empty() && (std::isspace(static_cast<unsigned char>(version.back())) ||
                              version.back() == ',' || version.back() == '\0'))
    version.pop_back();
  int major = 0;
  int minor = 0;
  PH3MPI_MPI_CHECK(MPI_Get_version, &major, &minor);
  return version + " (MPI standard " + std::to_string(major) + "." + std::to_string(minor) + ")";
}

}  // namespace ph3mpi::parallel
