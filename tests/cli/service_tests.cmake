# Tests of the MPI conductivity service (coordinator, checkpoint), included from
# tests/cli/CMakeLists.txt:  include(${CMAKE_CURRENT_SOURCE_DIR}/service_tests.cmake)
#
# 1. The coordinator's failure path. coordinator_probe runs the coordinator with one
#    rank throwing (cases in coordinator_abort/<case>/: config.toml = probe parameters,
#    expect[.mpirankN] = lines stderr must contain). run_bad_input.sh requires: exit
#    within the timeout, non-zero exit code, the expected lines, exactly one
#    "ph3mpi: error" message, and no file written. Run with 1, 2 and 3 ranks.
# 2. The MPI coordinator test (tests/mpi/mpi_coordinator.cpp) also with 3 ranks
#    (the glob in tests/CMakeLists.txt runs it with 1 and 2).
set(_service_runner "${CMAKE_CURRENT_LIST_DIR}/run_bad_input.sh")
set(_service_timeout_s 60)

add_executable(coordinator_probe "${CMAKE_CURRENT_LIST_DIR}/coordinator_probe.cpp")
ph3mpi_link_used_layers(coordinator_probe)
target_compile_options(coordinator_probe PRIVATE ${PH3MPI_WARNINGS})

file(GLOB _service_cases LIST_DIRECTORIES true CONFIGURE_DEPENDS "${CMAKE_CURRENT_LIST_DIR}/coordinator_abort/*")
foreach(case_dir IN LISTS _service_cases)
  if(IS_DIRECTORY "${case_dir}")
    get_filename_component(case "${case_dir}" NAME)
    foreach(np 1 2 3)
      add_test(NAME cli.coordinator_${case}.mpirank${np}
               COMMAND bash "${_service_runner}" "${case_dir}" "${PH3MPI_TEST_DATA_DIR}" ${np} ${_service_timeout_s}
                       $<TARGET_FILE:coordinator_probe> ${MPIEXEC_EXECUTABLE} ${PH3MPI_MPIEXEC_FLAGS})
      set_tests_properties(cli.coordinator_${case}.mpirank${np} PROPERTIES ENVIRONMENT "OMP_NUM_THREADS=1" TIMEOUT 90)
    endforeach()
  endif()
endforeach()

if(TARGET mpi_coordinator)
  add_test(NAME mpi_coordinator.mpirank3
           COMMAND ${MPIEXEC_EXECUTABLE} ${PH3MPI_MPIEXEC_FLAGS} ${MPIEXEC_NUMPROC_FLAG} 3
                   $<TARGET_FILE:mpi_coordinator>)
  set_tests_properties(mpi_coordinator.mpirank3 PROPERTIES ENVIRONMENT "OMP_NUM_THREADS=1" TIMEOUT 600)
endif()
