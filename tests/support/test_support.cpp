#include "test_support.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

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

ScratchDirectory::ScratchDirectory(const std::string& stem) {
  static int counter = 0;
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string test_name = info != nullptr ? info->name() : "none";
  path_ = std::filesystem::temp_directory_path() / ("ph3mpi-" + stem + "-" + std::to_string(::getpid()) +
                                                    "-" + test_name + "-" + std::to_string(counter++));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

ScratchDirectory::~ScratchDirectory() {
  std::error_code ignored;  // a destructor must not throw; what is left is in the temp folder
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace ph3mpi::test
