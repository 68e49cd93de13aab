# Find every dependency through CMake imported targets. A missing one stops the
# configure step with the Debian package that provides it
# (scripts/install-deps.sh installs all of them).

macro(ph3mpi_missing what debian_package)
  message(FATAL_ERROR "ph3mpi: ${what} not found. Install the Debian package '${debian_package}' "
                      "(or run scripts/install-deps.sh).")
endmacro()

find_package(MPI COMPONENTS C QUIET)
if(NOT MPI_C_FOUND)
  ph3mpi_missing("MPI (Open MPI)" "libopenmpi-dev openmpi-bin")
endif()
# MPI's C API, also from C++: mpi.h must not pull in the removed MPI-2 C++ bindings
# (they would need libmpi_cxx).
add_library(ph3mpi::mpi INTERFACE IMPORTED)
target_link_libraries(ph3mpi::mpi INTERFACE MPI::MPI_C)
target_compile_definitions(ph3mpi::mpi INTERFACE OMPI_SKIP_MPICXX=1 MPICH_SKIP_MPICXX=1)

find_package(Boost 1.74 QUIET COMPONENTS serialization)
if(NOT Boost_FOUND)
  ph3mpi_missing("Boost.Serialization" "libboost-serialization-dev")
endif()

set(HDF5_PREFER_PARALLEL ON)
find_package(HDF5 QUIET COMPONENTS C)
if(NOT HDF5_FOUND)
  ph3mpi_missing("HDF5" "libhdf5-openmpi-dev")
endif()
if(NOT HDF5_IS_PARALLEL)
  message(FATAL_ERROR "ph3mpi: HDF5 found at ${HDF5_INCLUDE_DIRS} is not a parallel build "
                      "(HDF5_IS_PARALLEL is false). Install the Debian package 'libhdf5-openmpi-dev'.")
endif()

find_library(PH3MPI_SCALAPACK_LIBRARY NAMES scalapack-openmpi scalapack)
if(NOT PH3MPI_SCALAPACK_LIBRARY)
  ph3mpi_missing("ScaLAPACK (with BLACS)" "libscalapack-openmpi-dev")
endif()
add_library(ph3mpi::scalapack UNKNOWN IMPORTED)
set_target_properties(ph3mpi::scalapack PROPERTIES IMPORTED_LOCATION "${PH3MPI_SCALAPACK_LIBRARY}")

find_package(BLAS QUIET)
find_package(LAPACK QUIET)
if(NOT BLAS_FOUND OR NOT LAPACK_FOUND)
  ph3mpi_missing("BLAS / LAPACK" "libopenblas-dev liblapack-dev")
endif()

find_package(Eigen3 3.4 QUIET NO_MODULE)
if(NOT Eigen3_FOUND)
  ph3mpi_missing("Eigen 3.4" "libeigen3-dev")
endif()

find_package(OpenMP QUIET COMPONENTS CXX)
if(NOT OpenMP_CXX_FOUND)
  ph3mpi_missing("OpenMP" "libgomp1 (part of g++)")
endif()

find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(SPGLIB QUIET IMPORTED_TARGET spglib)
endif()
if(NOT SPGLIB_FOUND)
  ph3mpi_missing("spglib" "libsymspg-dev")
endif()
add_library(ph3mpi::spglib INTERFACE IMPORTED)
target_link_libraries(ph3mpi::spglib INTERFACE PkgConfig::SPGLIB)

find_package(tomlplusplus 3 QUIET)
if(NOT tomlplusplus_FOUND)
  ph3mpi_missing("toml++" "libtomlplusplus-dev")
endif()

find_package(yaml-cpp QUIET)
if(NOT yaml-cpp_FOUND)
  ph3mpi_missing("yaml-cpp" "libyaml-cpp-dev")
endif()

find_package(CLI11 QUIET)
if(NOT CLI11_FOUND)
  ph3mpi_missing("CLI11" "libcli11-dev")
endif()

if(PH3MPI_BUILD_TESTS)
  find_package(GTest QUIET)
  if(NOT GTest_FOUND)
    ph3mpi_missing("googletest" "libgtest-dev")
  endif()
endif()

message(STATUS "ph3mpi: MPI ${MPI_C_VERSION} (${MPIEXEC_EXECUTABLE}), Boost ${Boost_VERSION}, "
               "HDF5 ${HDF5_VERSION} (parallel), ScaLAPACK ${PH3MPI_SCALAPACK_LIBRARY}, Eigen ${Eigen3_VERSION}, "
               "OpenMP ${OpenMP_CXX_VERSION}, spglib ${SPGLIB_VERSION}, toml++ ${tomlplusplus_VERSION}, "
               "yaml-cpp ${yaml-cpp_VERSION}, CLI11 ${CLI11_VERSION}, GTest ${GTest_VERSION}")
