// The output-folder lock (io/output_lock): one plain run per folder, stale locks of killed
// runs taken over (same host: the process is gone or was replaced; another host: the lock
// was not renewed), parts of a job array sharing a folder with each other but not with a
// plain run nor with themselves, and exactly one winner when several processes race.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "ph3mpi/io/output_lock.hpp"
#include "ph3mpi/io/safe_files.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using ph3mpi::io::LockOptions;
using ph3mpi::io::LockRecord;
using ph3mpi::io::OutputDirInUse;
using ph3mpi::io::OutputDirLock;

// A fresh directory per test, removed afterwards.
class TempDir : public ph3mpi::test::ScratchDirectory {
 public:
  TempDir() : ScratchDirectory("lock") {}
};

LockOptions quick() {
  LockOptions o;
  o.wait_seconds = 0.5;
  return o;
}

pid_t dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

void plant(const fs::path& path, const LockRecord& record) {
  std::ofstream(path) << ph3mpi::io::format_lock_record(record);
}

void age(const fs::path& path, int seconds) {
  struct utimbuf t {};
  t.actime = t.modtime = std::time(nullptr) - seconds;
  ASSERT_EQ(::utime(path.c_str(), &t), 0);
}

std::string in_use_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const OutputDirInUse& e) {
    return e.what();
  }
  return "";
}

bool has_note(const OutputDirLock& lock, const std::string& text) {
  for (const std::string& note : lock.notes())
    if (note.find(text) != std::string::npos) return true;
  return false;
}

TEST(OutputLock, SecondRunRefusedWithTheHolderAndReleaseCleansUp) {
  TempDir tmp;
  const fs::path out = tmp.path() / "out";
  {
    OutputDirLock first = OutputDirLock::acquire(out, quick());
    ASSERT_TRUE(first.held());
    const auto record = ph3mpi::io::read_lock_record(out / ph3mpi::io::kLockFileName);
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->pid, ::getpid());
    EXPECT_EQ(record->kind, "run");
    const std::string message = in_use_message([&] { OutputDirLock::acquire(out, quick()); });
    EXPECT_NE(message.find("output_dir " + out.string() + " is in use by PID " + std::to_string(::getpid()) +
                           " on host " + ph3mpi::io::host_name_for_files() + " (since "),
              std::string::npos)
        << message;
  }
  // acquire made the folder; the run wrote nothing, so it is gone again.
  EXPECT_FALSE(fs::exists(out));
  fs::create_directories(out);
  std::ofstream(out / "result") << "x";
  { OutputDirLock again = OutputDirLock::acquire(out, quick()); }
  EXPECT_TRUE(fs::exists(out / "result"));
  EXPECT_FALSE(fs::exists(out / ph3mpi::io::kLockFileName));
}

TEST(OutputLock, StaleLocksOnThisHostAreTakenOver) {
  TempDir tmp;
  const fs::path lock = tmp.path() / ph3mpi::io::kLockFileName;
  // The holder was killed: its PID is gone.
  LockRecord gone = ph3mpi::io::make_lock_record("run");
  gone.pid = dead_pid();
  gone.start_ticks = 0;
  plant(lock, gone);
  {
    OutputDirLock l = OutputDirLock::acquire(tmp.path(), quick());
    EXPECT_TRUE(has_note(l, "process " + std::to_string(gone.pid) + " no longer exists")) << l.notes().size();
  }
  // The PID was reused by another process (our own, started later than the record says).
  LockRecord reused = ph3mpi::io::make_lock_record("run");
  reused.start_ticks += 12345;
  plant(lock, reused);
  {
    OutputDirLock l = OutputDirLock::acquire(tmp.path(), quick());
    EXPECT_TRUE(has_note(l, "now belongs to another process"));
  }
  // The host was restarted since.
  LockRecord rebooted = ph3mpi::io::make_lock_record("run");
  rebooted.boot_id = "00000000-0000-0000-0000-000000000000";
  plant(lock, rebooted);
  {
    OutputDirLock l = OutputDirLock::acquire(tmp.path(), quick());
    EXPECT_TRUE(has_note(l, "restarted"));
  }
}

TEST(OutputLock, OtherHostsLockIsLiveUntilItIsNotRenewed) {
  TempDir tmp;
  const fs::path lock = tmp.path() / ph3mpi::io::kLockFileName;
  LockRecord far = ph3mpi::io::make_lock_record("run");
  far.host = "another-node";
  far.pid = 1;
  plant(lock, far);
  LockOptions options = quick();
  options.foreign_stale_seconds = 600;
  EXPECT_NE(in_use_message([&] { OutputDirLock::acquire(tmp.path(), options); }).find("on host another-node"),
            std::string::npos);
  age(lock, 601);
  OutputDirLock l = OutputDirLock::acquire(tmp.path(), options);
  EXPECT_TRUE(has_note(l, "not renewed for"));
}

TEST(OutputLock, HeartbeatRenewsTheLock) {
  TempDir tmp;
  LockOptions options = quick();
  options.heartbeat_seconds = 0.05;
  OutputDirLock l = OutputDirLock::acquire(tmp.path(), options);
  age(l.lock_path(), 3600);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  struct stat st {};
  ASSERT_EQ(::lstat(l.lock_path().c_str(), &st), 0);
  EXPECT_LT(std::difftime(std::time(nullptr), st.st_mtime), 60);
}

TEST(OutputLock, DamagedLockFileOrPlantedLinkIsNeverFollowed) {
  TempDir tmp;
  const fs::path victim = tmp.path() / "victim";
  std::ofstream(victim) << "precious";
  const fs::path out = tmp.path() / "out";
  fs::create_directories(out);
  fs::create_symlink(victim, out / ph3mpi::io::kLockFileName);
  // Fresh: somebody may be writing it; refused.
  EXPECT_NE(in_use_message([&] { OutputDirLock::acquire(out, quick()); }).find("unreadable lock file"),
            std::string::npos);
  // Old: taken over; the link goes, its target stays.
  struct timespec times[2] = {{std::time(nullptr) - 600, 0}, {std::time(nullptr) - 600, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (out / ph3mpi::io::kLockFileName).c_str(), times, AT_SYMLINK_NOFOLLOW), 0);
  {
    OutputDirLock l = OutputDirLock::acquire(out, quick());
    EXPECT_TRUE(has_note(l, "unreadable"));
  }
  std::ifstream in(victim);
  std::string text;
  in >> text;
  EXPECT_EQ(text, "precious");
}

TEST(OutputLock, PartsShareTheFolderButNotWithAPlainRun) {
  TempDir tmp;
  const fs::path out = tmp.path() / "out";
  OutputDirLock p1 = OutputDirLock::acquire_part(out, 1, 3, quick());
  OutputDirLock p2 = OutputDirLock::acquire_part(out, 2, 3, quick());
  EXPECT_TRUE(fs::exists(out / ".ph3mpi-lock.part-1-of-3"));
  EXPECT_TRUE(fs::exists(out / ".ph3mpi-lock.part-2-of-3"));
  EXPECT_FALSE(fs::exists(out / ph3mpi::io::kLockFileName));  // the gate was let go
  // The same part twice, a part of another split, a plain run: refused.
  EXPECT_NE(
      in_use_message([&] { OutputDirLock::acquire_part(out, 1, 3, quick()); }).find("part 1/3 already runs"),
      std::string::npos);
  EXPECT_NE(
      in_use_message([&] { OutputDirLock::acquire_part(out, 1, 2, quick()); }).find("a split into 3 parts"),
      std::string::npos);
  EXPECT_NE(in_use_message([&] { OutputDirLock::acquire(out, quick()); }).find("is in use by part "),
            std::string::npos);
  EXPECT_FALSE(fs::exists(out / ph3mpi::io::kLockFileName));  // the refused run let it go
  p1.release();
  p2.release();
  // No live part: the plain run assembles; while it runs, no part may start.
  OutputDirLock plain = OutputDirLock::acquire(out, quick());
  EXPECT_NE(in_use_message([&] {
              OutputDirLock::acquire_part(out, 3, 3, quick());
            }).find("is in use by PID " + std::to_string(::getpid())),
            std::string::npos);
}

TEST(OutputLock, StalePartLocksAreClearedByAPlainRunAndByParts) {
  TempDir tmp;
  LockRecord dead = ph3mpi::io::make_lock_record("part", 2, 4);
  dead.pid = dead_pid();
  plant(tmp.path() / ".ph3mpi-lock.part-2-of-4", dead);
  {
    OutputDirLock p = OutputDirLock::acquire_part(tmp.path(), 2, 4, quick());  // same part: taken over
    EXPECT_TRUE(has_note(p, "removed the lock .ph3mpi-lock.part-2-of-4"));
  }
  plant(tmp.path() / ".ph3mpi-lock.part-3-of-4", dead);
  OutputDirLock plain = OutputDirLock::acquire(tmp.path(), quick());
  EXPECT_TRUE(has_note(plain, "removed the lock .ph3mpi-lock.part-3-of-4"));
  EXPECT_FALSE(fs::exists(tmp.path() / ".ph3mpi-lock.part-3-of-4"));
}

TEST(OutputLock, PartArgumentsAreChecked) {
  TempDir tmp;
  EXPECT_THROW(OutputDirLock::acquire_part(tmp.path(), 0, 3), ph3mpi::Error);
  EXPECT_THROW(OutputDirLock::acquire_part(tmp.path(), 4, 3), ph3mpi::Error);
}

// Processes started together: exactly one gets the folder, the others are told who has it.
// `stale_first` plants a dead run's lock first, so the takeover itself is raced.
void race(bool stale_first) {
  TempDir tmp;
  const fs::path out = tmp.path() / "out";
  fs::create_directories(out);
  if (stale_first) {
    LockRecord dead = ph3mpi::io::make_lock_record("run");
    dead.pid = dead_pid();
    plant(out / ph3mpi::io::kLockFileName, dead);
  }
  constexpr int kProcesses = 6;
  std::vector<pid_t> children;
  const auto start = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  for (int i = 0; i < kProcesses; ++i) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      std::this_thread::sleep_until(start);
      int code = 3;
      try {
        OutputDirLock lock = OutputDirLock::acquire(out, quick());
        std::this_thread::sleep_for(std::chrono::milliseconds(300));  // hold it while the others try
        code = 0;
      } catch (const OutputDirInUse&) {
        code = 1;
      } catch (...) {
        code = 2;
      }
      ::_exit(code);
    }
    children.push_back(child);
  }
  int winners = 0, refused = 0;
  for (const pid_t child : children) {
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    const int code = WEXITSTATUS(status);
    winners += code == 0 ? 1 : 0;
    refused += code == 1 ? 1 : 0;
  }
  EXPECT_EQ(winners, 1);
  EXPECT_EQ(refused, kProcesses - 1);
  EXPECT_FALSE(fs::exists(out / ph3mpi::io::kLockFileName));
}

TEST(OutputLock, ExactlyOneOfSeveralProcessesWins) {
  for (int round = 0; round < 3; ++round) race(false);
}

TEST(OutputLock, ExactlyOneTakesOverAStaleLock) {
  for (int round = 0; round < 3; ++round) race(true);
}

}  // namespace
