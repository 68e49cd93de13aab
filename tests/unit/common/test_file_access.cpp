// common::require_readable_file names why a file cannot be read: missing, a dangling link,
// a symlink loop, a directory, and (checked as an unprivileged user: as root in a child
// process that drops to uid/gid 65534) permission denied.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/file_access.hpp"

namespace {

namespace fs = std::filesystem;

std::string problem(const std::string& path) {
  try {
    ph3mpi::common::require_readable_file(path, "an HDF5 file");
  } catch (const ph3mpi::InputError& e) {
    EXPECT_EQ(e.file(), path);
    return e.problem();
  }
  return "";
}

class FileAccess : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ph3mpi-access-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(FileAccess, NamesTheCause) {
  std::ofstream(dir_ / "fine") << "x";
  EXPECT_EQ(problem((dir_ / "fine").string()), "");
  EXPECT_EQ(problem((dir_ / "missing").string()), "file not found");
  fs::create_symlink(dir_ / "missing", dir_ / "dangling");
  EXPECT_EQ(problem((dir_ / "dangling").string()), "file not found (dangling symbolic link)");
  fs::create_symlink(dir_ / "loop-b", dir_ / "loop-a");
  fs::create_symlink(dir_ / "loop-a", dir_ / "loop-b");
  EXPECT_EQ(problem((dir_ / "loop-a").string()), "too many levels of symbolic links");
  EXPECT_EQ(problem(dir_.string()), "is a directory, expected an HDF5 file");
  EXPECT_EQ(problem((dir_ / "fine" / "below").string()), "a component of the path is not a folder");
}

TEST_F(FileAccess, PermissionDeniedAsAnUnprivilegedUser) {
  std::ofstream(dir_ / "secret") << "x";
  ::chmod((dir_ / "secret").c_str(), 0600);
  ::chmod(dir_.c_str(), 0755);
  if (::geteuid() != 0) {
    ::chmod((dir_ / "secret").c_str(), 0000);
    EXPECT_EQ(problem((dir_ / "secret").string()), "permission denied");
    return;
  }
  // Root reads everything: check in a child that became nobody.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
    ::_exit(problem((dir_ / "secret").string()) == "permission denied" ? 0 : 1);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(ErrnoCause, LowerCaseTexts) {
  EXPECT_EQ(ph3mpi::common::errno_cause(EACCES), "permission denied");
  EXPECT_EQ(ph3mpi::common::errno_cause(ELOOP), "too many levels of symbolic links");
  EXPECT_EQ(ph3mpi::common::errno_cause(ENOSPC), "no space left on device");
}

}  // namespace
