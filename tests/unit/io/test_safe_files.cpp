// Output files that cannot be hijacked (io/safe_files, io/finite_check, Hdf5File kTruncate,
// write_hdf5_atomically, the checkpoint's shards and manifest): symbolic links planted at
// every temporary and final name leave their targets untouched, nothing is left behind,
// leftovers of killed writers are recognised and removed, and a non-finite result is
// never published.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/named_arrays.hpp"
#include "ph3mpi/io/checkpoint.hpp"
#include "ph3mpi/io/finite_check.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/io/safe_files.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using ph3mpi::NdArray;
using ph3mpi::io::Hdf5File;
using ph3mpi::io::PrivateDirectory;

// A fresh directory per test, removed afterwards.
class TempDir : public ph3mpi::test::ScratchDirectory {
 public:
  TempDir() : ScratchDirectory("safe") {}
};

void write_text(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// A "victim" file outside the output folder, the target of every planted link.
struct Victim {
  explicit Victim(const fs::path& dir) : path(dir / "victim.txt") { write_text(path, "precious"); }
  bool untouched() const { return read_text(path) == "precious"; }
  fs::path path;
};

TEST(PrivateDirectory, IsPrivateUnpredictableAndRemovedWithItsContent) {
  TempDir tmp;
  fs::path made;
  {
    PrivateDirectory a = PrivateDirectory::create(tmp.path() / "out");
    PrivateDirectory b = PrivateDirectory::create(tmp.path() / "out");
    made = a.path();
    EXPECT_NE(a.path(), b.path());
    struct stat st {};
    ASSERT_EQ(::lstat(a.path().c_str(), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    const auto parsed = ph3mpi::io::parse_private_directory_name(a.path().filename().string());
    ASSERT_TRUE(parsed.valid);
    EXPECT_EQ(parsed.pid, ::getpid());
    EXPECT_EQ(parsed.host, ph3mpi::io::host_name_for_files());
    write_text(a.path() / "file", "x");
    fs::create_directories(a.path() / "sub");
    write_text(a.path() / "sub" / "file", "y");
    PrivateDirectory adopted = PrivateDirectory::adopt(b.path());
  }  // adopted goes first and must leave b alone; then b and a remove themselves
  EXPECT_FALSE(fs::exists(made));
  EXPECT_TRUE(names_in(tmp.path() / "out").empty());
}

TEST(SafeFiles, CreateNewFileRefusesAnExistingNameAndNeverFollowsALink) {
  TempDir tmp;
  Victim victim(tmp.path());
  fs::create_symlink(victim.path, tmp.path() / "link");
  EXPECT_THROW(ph3mpi::io::create_new_file(tmp.path() / "link"), ph3mpi::Error);
  fs::create_symlink(tmp.path() / "nowhere", tmp.path() / "dangling");
  EXPECT_THROW(ph3mpi::io::create_new_file(tmp.path() / "dangling"), ph3mpi::Error);
  EXPECT_FALSE(fs::exists(tmp.path() / "nowhere"));  // a dangling link is not followed either
  EXPECT_TRUE(victim.untouched());
  const int fd = ph3mpi::io::create_new_file(tmp.path() / "new");
  ASSERT_GE(fd, 0);
  ::close(fd);
  EXPECT_THROW(ph3mpi::io::create_new_file(tmp.path() / "new"), ph3mpi::Error);
}

TEST(SafeFiles, TextFileReplacesALinkAtTheFinalName) {
  TempDir tmp;
  Victim victim(tmp.path());
  fs::create_directories(tmp.path() / "out");
  fs::create_symlink(victim.path, tmp.path() / "out" / "manifest.json");
  fs::create_symlink(victim.path, tmp.path() / "out" / "manifest.json.tmp");
  ph3mpi::io::write_text_file_atomically(tmp.path() / "out" / "manifest.json", "{}\n", true);
  EXPECT_TRUE(victim.untouched());
  EXPECT_FALSE(fs::is_symlink(tmp.path() / "out" / "manifest.json"));
  EXPECT_EQ(read_text(tmp.path() / "out" / "manifest.json"), "{}\n");
  EXPECT_EQ(names_in(tmp.path() / "out"), (std::vector<std::string>{"manifest.json", "manifest.json.tmp"}));
}

TEST(SafeFiles, Hdf5FilesNeverGoThroughLinksAndLeaveNothingBehind) {
  TempDir tmp;
  Victim victim(tmp.path());
  const fs::path out = tmp.path() / "out";
  fs::create_directories(out);
  // Links at the final name, at the old temporary name, and a hard link to the victim.
  fs::create_symlink(victim.path, out / "kappa-m999.hdf5");
  fs::create_symlink(victim.path, out / "kappa-m999.hdf5.tmp");
  ph3mpi::io::write_hdf5_atomically((out / "kappa-m999.hdf5").string(), [](Hdf5File& f) {
    NdArray<double> a({2});
    a.data = {1.0, 2.0};
    f.write("kappa", a);
  });
  EXPECT_TRUE(victim.untouched());
  EXPECT_FALSE(fs::is_symlink(out / "kappa-m999.hdf5"));
  EXPECT_EQ(Hdf5File((out / "kappa-m999.hdf5").string()).read_double("kappa").data,
            (std::vector<double>{1.0, 2.0}));
  EXPECT_EQ(names_in(out), (std::vector<std::string>{"kappa-m999.hdf5", "kappa-m999.hdf5.tmp"}));

  // kTruncate replaces a symbolic link or a hard link instead of writing through it.
  fs::create_symlink(victim.path, out / "direct.hdf5");
  { Hdf5File f((out / "direct.hdf5").string(), Hdf5File::Mode::kTruncate); }
  fs::create_hard_link(victim.path, out / "hard.hdf5");
  { Hdf5File f((out / "hard.hdf5").string(), Hdf5File::Mode::kTruncate); }
  EXPECT_TRUE(victim.untouched());
  EXPECT_FALSE(fs::is_symlink(out / "direct.hdf5"));

  // A writer that fails leaves neither the file nor its private folder.
  EXPECT_THROW(ph3mpi::io::write_hdf5_atomically((out / "failed.hdf5").string(),
                                                 [](Hdf5File&) { throw ph3mpi::Error("disk full"); }),
               ph3mpi::Error);
  EXPECT_FALSE(fs::exists(out / "failed.hdf5"));
  for (const std::string& name : names_in(out))
    EXPECT_NE(name.rfind(ph3mpi::io::kPrivateDirectoryPrefix, 0), 0u) << name;
}

TEST(FiniteCheck, NonFiniteResultsAreNamedAndNeverPublished) {
  TempDir tmp;
  const fs::path path = tmp.path() / "kappa-m111.hdf5";
  for (const double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                           std::numeric_limits<double>::max()}) {
    try {
      ph3mpi::io::write_hdf5_atomically(path.string(), [bad](Hdf5File& f) {
        NdArray<double> t({2});
        t.data = {300.0, 600.0};
        f.write("temperature", t);
        NdArray<std::int64_t> gp({3});
        gp.data = {0, 17, 40};
        f.write("grid_point", gp);
        NdArray<double> gamma({2, 3, 4});  // (T, gp, band)
        gamma.data.assign(24, 0.5);
        gamma.data[(1 * 3 + 1) * 4 + 2] = bad;  // T = 600 K, grid point 17, band 2
        f.write("gamma", gamma);
      });
      ADD_FAILURE() << "a non-finite result was published";
    } catch (const ph3mpi::io::NonFiniteResultError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(path.string()), std::string::npos) << what;
      EXPECT_NE(what.find("dataset 'gamma'"), std::string::npos) << what;
      EXPECT_NE(what.find("at [1, 1, 2]"), std::string::npos) << what;
      EXPECT_NE(what.find("temperature 600 K, grid point 17"), std::string::npos) << what;
      EXPECT_NE(what.find(std::isnan(bad) ? "nan" : (std::isinf(bad) ? "inf" : "DBL_MAX")), std::string::npos)
          << what;
    }
    EXPECT_FALSE(fs::exists(path));
    EXPECT_TRUE(names_in(tmp.path()).empty());
  }
  // Large slabs: the bad value in the last of several reads is still found.
  ph3mpi::io::write_new_hdf5_file((tmp.path() / "fine.hdf5").string(), [](const std::string& staged) {
    Hdf5File f(staged, Hdf5File::Mode::kTruncate);
    NdArray<double> big({3000, 1000});
    big.data.assign(big.size(), 1.0);
    f.write("big", big);
  });
  {
    Hdf5File f((tmp.path() / "late.hdf5").string(), Hdf5File::Mode::kTruncate);
    NdArray<double> big({3000, 1000});
    big.data.assign(big.size(), 1.0);
    big.data[2999 * 1000 + 999] = -std::numeric_limits<double>::infinity();
    f.write("big", big);
  }
  const auto bad = ph3mpi::io::find_non_finite((tmp.path() / "late.hdf5").string());
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->index, (std::vector<std::size_t>{2999, 999}));
  EXPECT_FALSE(ph3mpi::io::find_non_finite((tmp.path() / "fine.hdf5").string()).has_value());
}

TEST(SafeFiles, RemoveTreeNeverFollowsLinks) {
  TempDir tmp;
  Victim victim(tmp.path());
  fs::create_directories(tmp.path() / "outside");
  write_text(tmp.path() / "outside" / "keep", "k");
  const fs::path tree = tmp.path() / "tree";
  fs::create_directories(tree / "a" / "b");
  write_text(tree / "a" / "b" / "f", "f");
  fs::create_symlink(tmp.path() / "outside", tree / "a" / "dirlink");
  fs::create_symlink(victim.path, tree / "filelink");
  EXPECT_TRUE(ph3mpi::io::remove_tree_nofollow(tree));
  EXPECT_FALSE(fs::exists(tree));
  EXPECT_TRUE(victim.untouched());
  EXPECT_EQ(read_text(tmp.path() / "outside" / "keep"), "k");
  // A link in place of the tree: only the link goes.
  fs::create_symlink(tmp.path() / "outside", tmp.path() / "linktree");
  EXPECT_TRUE(ph3mpi::io::remove_tree_nofollow(tmp.path() / "linktree"));
  EXPECT_EQ(read_text(tmp.path() / "outside" / "keep"), "k");
}

TEST(SafeFiles, PrivateDirectoryNames) {
  using ph3mpi::io::parse_private_directory_name;
  EXPECT_TRUE(parse_private_directory_name(".ph3mpi-tmp-node7-1234-AbC123").valid);
  EXPECT_EQ(parse_private_directory_name(".ph3mpi-tmp-node7-1234-AbC123").pid, 1234);
  EXPECT_EQ(parse_private_directory_name(".ph3mpi-tmp-node-7-1234-AbC123").host, "node-7");
  EXPECT_FALSE(parse_private_directory_name(".ph3mpi-tmp-node7-12a4-AbC123").valid);
  EXPECT_FALSE(parse_private_directory_name(".ph3mpi-tmp-node7-1234-AbC12").valid);
  EXPECT_FALSE(parse_private_directory_name(".ph3mpi-tmp-1234-AbC123").valid);
  EXPECT_FALSE(parse_private_directory_name("kappa-m999.hdf5").valid);
}

// A pid that certainly no longer exists: a child that has exited and been reaped.
pid_t dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

TEST(SafeFiles, ZombiesAndReapedProcessesDoNotExist) {
  EXPECT_TRUE(ph3mpi::io::process_exists(::getpid()));
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  // Not reaped yet: a zombie, which kill(pid, 0) still reaches, holds nothing.
  for (int i = 0; i < 200; ++i) {
    if (!ph3mpi::io::process_exists(child)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_FALSE(ph3mpi::io::process_exists(child));
  EXPECT_EQ(::kill(child, 0), 0);  // it is a zombie indeed
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_FALSE(ph3mpi::io::process_exists(child));
}

TEST(SafeFiles, OnlyStaleFoldersOfKilledRunsAreRemoved) {
  TempDir tmp;
  Victim victim(tmp.path());
  const fs::path dir = tmp.path() / "out";
  fs::create_directories(dir);
  const std::string host = ph3mpi::io::host_name_for_files();
  const auto make = [&](const std::string& name) {
    fs::create_directories(dir / name);
    write_text(dir / name / "kappa.hdf5", "partial");
    return name;
  };
  const std::string dead = make(".ph3mpi-tmp-" + host + "-" + std::to_string(dead_pid()) + "-aaaaaa");
  const std::string mine = make(".ph3mpi-tmp-" + host + "-" + std::to_string(::getpid()) + "-bbbbbb");
  const std::string live = make(".ph3mpi-tmp-" + host + "-" + std::to_string(::getppid()) + "-cccccc");
  const std::string far_old = make(".ph3mpi-tmp-otherhost-4242-dddddd");
  const std::string far_new = make(".ph3mpi-tmp-otherhost-4343-eeeeee");
  const std::string other = make("results-of-the-user");
  struct utimbuf old_times {};
  old_times.actime = old_times.modtime = std::time(nullptr) - 7200;
  ASSERT_EQ(::utime((dir / far_old).c_str(), &old_times), 0);
  // A link with the pattern's name pointing outside: never followed, never removed.
  fs::create_symlink(tmp.path(),
                     dir / (".ph3mpi-tmp-" + host + "-" + std::to_string(dead_pid()) + "-ffffff"));

  const std::vector<std::string> notes = ph3mpi::io::remove_stale_private_directories(dir, 600);
  EXPECT_EQ(notes.size(), 2u);
  EXPECT_FALSE(fs::exists(dir / dead));
  EXPECT_FALSE(fs::exists(dir / far_old));
  EXPECT_TRUE(fs::exists(dir / mine));
  EXPECT_TRUE(fs::exists(dir / live));
  EXPECT_TRUE(fs::exists(dir / far_new));
  EXPECT_TRUE(fs::exists(dir / other));
  EXPECT_TRUE(victim.untouched());
  EXPECT_TRUE(fs::exists(tmp.path() / "out"));
}

ph3mpi::NamedArrays shard(double value) {
  ph3mpi::NamedArrays p;
  NdArray<double> g({3});
  g.data = {value, value + 1, value + 2};
  p.reals["gamma"] = g;
  return p;
}

TEST(SafeFiles, CheckpointNeverWritesThroughPlantedLinks) {
  TempDir tmp;
  Victim victim(tmp.path());
  ph3mpi::io::Fingerprint fp;
  fp.add("mesh", "9 9 9");
  const fs::path out = tmp.path() / "out";
  fs::create_directories(out / "checkpoint");
  fs::create_symlink(victim.path, out / "checkpoint" / "manifest.json.tmp");
  ph3mpi::io::Checkpoint::prepare(out, fp, true);
  const ph3mpi::io::Checkpoint checkpoint(out, fp.hex());
  // Links at the old temporary names and at the final name of a shard.
  fs::create_symlink(victim.path, checkpoint.shard_path(3).string() + ".tmp");
  fs::create_symlink(victim.path, checkpoint.shard_path(4).string() + ".tmp");
  fs::create_symlink(victim.path, checkpoint.shard_path(4));
  checkpoint.write({3, 4}, {shard(3.0), shard(4.0)});
  EXPECT_TRUE(victim.untouched());
  EXPECT_FALSE(fs::is_symlink(checkpoint.shard_path(4)));
  EXPECT_TRUE(ph3mpi::bitwise_equal(checkpoint.read(4), shard(4.0)));
  EXPECT_TRUE(ph3mpi::bitwise_equal(checkpoint.read(3), shard(3.0)));
}

TEST(SafeFiles, KilledShardWriterLeavesAFolderTheNextRunRemoves) {
  TempDir tmp;
  ph3mpi::io::Fingerprint fp;
  fp.add("mesh", "9 9 9");
  const fs::path out = tmp.path() / "out";
  ph3mpi::io::Checkpoint::prepare(out, fp, true);
  const ph3mpi::io::Checkpoint checkpoint(out, fp.hex());
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      for (std::int64_t gp = 0;; ++gp) checkpoint.write(gp % 50, shard(static_cast<double>(gp)));
    } catch (...) {
    }
    ::_exit(1);
  }
  for (int wait = 0; wait < 2000 && !fs::exists(checkpoint.shard_path(0)); ++wait)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  const std::string leftover =
      ".ph3mpi-tmp-" + ph3mpi::io::host_name_for_files() + "-" + std::to_string(child) + "-";
  bool found = false;
  for (const std::string& name : names_in(checkpoint.directory()))
    found = found || name.rfind(leftover, 0) == 0;
  EXPECT_TRUE(found);
  EXPECT_EQ(ph3mpi::io::remove_stale_private_directories(checkpoint.directory(), 600).size(), 1u);
  for (const std::string& name : names_in(checkpoint.directory()))
    EXPECT_NE(name.rfind(leftover, 0), 0u) << name;
  EXPECT_FALSE(ph3mpi::io::Checkpoint::prepare(out, fp, true).done.empty());
}

}  // namespace
