// Helpers shared by the test binaries.
#pragma once

#include <filesystem>
#include <string>

namespace ph3mpi::test {

// Absolute path of a file under tests/data (a copy of ../shared/data).
std::string data_path(const std::string& relative);

// A fresh empty directory under the build tree's temp area, removed by the caller or left for inspection.
std::string make_temp_dir(const std::string& stem);

// A fresh empty directory for one test, named after the test (ph3mpi-<stem>-<pid>-<test>-<n>
// under the system temp folder), removed with everything in it on destruction.
class ScratchDirectory {
 public:
  explicit ScratchDirectory(const std::string& stem = "scratch");
  ~ScratchDirectory();
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace ph3mpi::test
