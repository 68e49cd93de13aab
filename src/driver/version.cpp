// `ph3mpi --version`. Library versions are asked at run time where the library
// can tell (MPI, spglib); otherwise they are the versions compiled against.
#include <spglib.h>

#include <toml++/toml.h>
#include <CLI/Version.hpp>
#include <Eigen/Core>
#include <boost/version.hpp>
#include <ostream>
#include <string>

#include "ph3mpi/driver/driver.hpp"
#include "ph3mpi/parallel/mpi_environment.hpp"

// HDF5 is used only in io/ and yaml-cpp has no version macro: CMake passes the
// versions it found (see the top-level CMakeLists.txt).
#ifndef PH3MPI_HDF5_VERSION
#define PH3MPI_HDF5_VERSION "unknown"
#endif
#ifndef PH3MPI_YAML_CPP_VERSION
#define PH3MPI_YAML_CPP_VERSION "unknown"
#endif

namespace ph3mpi::driver {

void print_version(std::ostream& out) {
  out << "ph3mpi " << PH3MPI_VERSION << "\n"
      << "  MPI:      " << parallel::mpi_library_version() << "\n"
      << "  HDF5:     " << PH3MPI_HDF5_VERSION << "\n"
      << "  Boost:    " << BOOST_VERSION / 100000 << "." << BOOST_VERSION / 100 % 1000 << "."
      << BOOST_VERSION % 100 << "\n"
      << "  spglib:   " << spg_get_major_version() << "." << spg_get_minor_version() << "."
      << spg_get_micro_version() << "\n"
      << "  Eigen:    " << EIGEN_WORLD_VERSION << "." << EIGEN_MAJOR_VERSION << "." << EIGEN_MINOR_VERSION
      << "\n"
      << "  toml++:   " << TOML_LIB_MAJOR << "." << TOML_LIB_MINOR << "." << TOML_LIB_PATCH << "\n"
      << "  yaml-cpp: " << PH3MPI_YAML_CPP_VERSION << "\n"
      << "  CLI11:    " << CLI11_VERSION << "\n";
}

}  // namespace ph3mpi::driver
