# Helpers for the per-layer libraries (top-level CMakeLists.txt) and for linking test
# and bench programs to just the layers they use.

# Stand-ins for mpi.h and hdf5.h that #error: first on the include path of kernel code.
set(PH3MPI_KERNEL_FORBIDDEN_HEADERS "${CMAKE_CURRENT_LIST_DIR}/kernel_forbidden_headers")

# ph3mpi_add_layer(<name> MODULES <module>...): a static library of src/<module>/*.cpp,
# or an interface library when those folders hold no source (yet).
function(ph3mpi_add_layer name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "" "MODULES")
  set(sources "")
  foreach(module IN LISTS ARG_MODULES)
    file(GLOB module_sources CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/src/${module}/*.cpp")
    list(APPEND sources ${module_sources})
  endforeach()
  if(sources)
    add_library(${name} STATIC ${sources})
    target_link_libraries(${name} PUBLIC ph3mpi_build_settings)
    target_compile_options(${name} PRIVATE ${PH3MPI_WARNINGS})
  else()
    add_library(${name} INTERFACE)
    target_link_libraries(${name} INTERFACE ph3mpi_build_settings)
  endif()
endfunction()

# ph3mpi_layer_link(<name> [PUBLIC ...] [PRIVATE ...]): target_link_libraries that also
# works while <name> is an interface library (PUBLIC becomes INTERFACE, PRIVATE is dropped).
function(ph3mpi_layer_link name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "" "PUBLIC;PRIVATE")
  get_target_property(type ${name} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_link_libraries(${name} INTERFACE ${ARG_PUBLIC})
  else()
    target_link_libraries(${name} PUBLIC ${ARG_PUBLIC} PRIVATE ${ARG_PRIVATE})
  endif()
endfunction()

# The layer library that holds include/ph3mpi/<module>/.
function(ph3mpi_layer_of_module module out)
  if(module MATCHES "^(common|crystal|grid|phonon|interaction|self_energy|transport)$")
    set(${out} ph3mpi_kernels PARENT_SCOPE)
  elseif(module MATCHES "^(config|parallel|io|solvers|driver)$")
    set(${out} ph3mpi_${module} PARENT_SCOPE)
  else()
    message(FATAL_ERROR "ph3mpi: no layer holds module '${module}'")
  endif()
endfunction()

# ph3mpi_link_used_layers(<target>): links <target> PRIVATE to the layers whose headers
# its sources include ("ph3mpi/<module>/..."), plus the few libraries they may call
# directly (mpi_handle.hpp / mpi.h -> MPI, omp.h or #pragma omp -> OpenMP, toml++ -> toml++,
# extern "C" prototypes -> LAPACK/BLAS). A test of one module thus links only the
# layers it needs; the layers bring their own dependencies.
function(ph3mpi_link_used_layers target)
  get_target_property(sources ${target} SOURCES)
  get_target_property(source_dir ${target} SOURCE_DIR)
  set(queue "")
  foreach(source IN LISTS sources)
    if(NOT IS_ABSOLUTE "${source}")
      set(source "${source_dir}/${source}")
    endif()
    list(APPEND queue "${source}")
  endforeach()
  # Local headers ("foo.hpp" next to the source) are followed: their includes count too.
  set(seen "")
  set(libraries "")
  while(queue)
    list(POP_FRONT queue source)
    if(source IN_LIST seen OR NOT EXISTS "${source}")
      continue()
    endif()
    list(APPEND seen "${source}")
    get_filename_component(dir "${source}" DIRECTORY)
    file(STRINGS "${source}" lines REGEX "^[ \t]*#[ \t]*(include[ \t]*[\"<]|pragma[ \t]+omp)|extern \"C\"")
    foreach(line IN LISTS lines)
      if(line MATCHES "#[ \t]*include[ \t]*\"ph3mpi/([a-z_]+)/")
        ph3mpi_layer_of_module(${CMAKE_MATCH_1} layer)
        list(APPEND libraries ${layer})
      elseif(line MATCHES "#[ \t]*include[ \t]*\"([^\"]+)\"")
        list(APPEND queue "${dir}/${CMAKE_MATCH_1}")
      endif()
      if(line MATCHES "ph3mpi/parallel/mpi_handle\\.hpp|<mpi\\.h>")
        list(APPEND libraries ph3mpi_mpi_handle)
      elseif(line MATCHES "<omp\\.h>|#[ \t]*pragma[ \t]+omp")
        list(APPEND libraries OpenMP::OpenMP_CXX)
      elseif(line MATCHES "<toml\\+\\+/")
        list(APPEND libraries tomlplusplus::tomlplusplus)
      elseif(line MATCHES "extern \"C\"")
        list(APPEND libraries LAPACK::LAPACK BLAS::BLAS)
      endif()
    endforeach()
  endwhile()
  list(REMOVE_DUPLICATES libraries)
  target_link_libraries(${target} PRIVATE ${libraries})
  set_property(TARGET ${target} PROPERTY PH3MPI_USED_LAYERS "${libraries}")
  # Re-run CMake when a scanned file changes (a new #include may need another layer).
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${seen})
endfunction()
