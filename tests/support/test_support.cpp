#include "test_support.hpp"

#include <filesystem>
#include <random>

namespace ph3mpi::test {

std::string data_path(const std::string& relative) {
  return std::string(PH3MPI_TEST_DATA_DIR) + "/" + relative;
}

std::string make_temp_dir(const std::string& stem) {
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() / ("ph3mpi-test-" + stem + "-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace ph3mpi::test
