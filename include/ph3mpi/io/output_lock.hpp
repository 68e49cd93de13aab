// One run per output folder (issue 16): a lock file held for the whole run.
//
// Files (in output_dir, plain text, one "key=value" per line):
//   .ph3mpi-lock                      the folder's lock: held for the whole run by a plain
//                                     run; held for a moment by a job-array part while it
//                                     registers (the "gate")
//   .ph3mpi-lock.part-<I>-of-<N>      held for the whole run by part I of N (issue 15's
//                                     `ph3mpi --part I/N`), which shares the folder with the
//                                     other parts and writes checkpoint shards only
//
// A lock file is created atomically and complete: the record is written to a private file
// and hard-linked to the lock name (link(2) fails if the name exists, also on NFS), so a
// reader never sees half a record. It names its holder: PID, host, boot id and the
// process's start time (/proc/<pid>/stat), when it started, a random token.
//
// Rules:
//  * a plain run takes .ph3mpi-lock and keeps it; it refuses while another live run holds
//    it, or while a live part holds a part lock (checked while holding .ph3mpi-lock, so no
//    part can register in between);
//  * a part takes .ph3mpi-lock only to register: it refuses while a live plain run holds
//    it, or while a live part of the same I (or of another split N) holds its part lock;
//    it then creates its part lock and lets .ph3mpi-lock go. Parts coexist.
//
// Stale locks (a holder killed with kill -9, a node that died) are taken over with a note:
//  * same host: the PID no longer exists, or belongs to a newer process (start time
//    differs), or the machine was rebooted since (boot id differs);
//  * another host: the lock file was not touched for `foreign_stale_seconds` (default 600 s,
//    PH3MPI_LOCK_STALE_SECONDS): while a run holds a lock, a thread touches the file every
//    heartbeat_seconds (default 30 s). Clocks of the hosts must agree to well within the bound.
// Two runs that find the same stale lock do not both take it over: the takeover itself is
// serialized by a short-lived .ph3mpi-lock.takeover (same creation rule; a takeover file
// older than a minute is itself stale).
//
// Only rank 0 of a run takes a lock (the driver), inside a collective phase.
#pragma once

#include <sys/types.h>

#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ph3mpi/common/error.hpp"

namespace ph3mpi::io {

inline constexpr const char* kLockFileName = ".ph3mpi-lock";

struct LockOptions {
  double foreign_stale_seconds = 600.0;  // another host's lock untouched this long is stale
  double heartbeat_seconds = 30.0;       // how often a holder touches its lock file
  double wait_seconds = 10.0;            // how long to wait for a part registering or a takeover
  // Defaults, with PH3MPI_LOCK_STALE_SECONDS (> 0) replacing foreign_stale_seconds and the
  // heartbeat set to a tenth of it (at most 30 s).
  static LockOptions from_environment();
};

// Who holds a lock.
struct LockRecord {
  std::string kind;  // "run", "part" or "gate" (a part registering)
  pid_t pid = 0;
  std::string host;
  std::string boot_id;                 // /proc/sys/kernel/random/boot_id ("" if unknown)
  unsigned long long start_ticks = 0;  // field 22 of /proc/<pid>/stat (0 if unknown)
  std::time_t started = 0;             // when the lock was taken (UTC seconds)
  std::string token;                   // random, tells two records apart
  int part = 0;                        // parts: I of N (1-based)
  int num_parts = 0;
};

// This process's record of `kind`.
LockRecord make_lock_record(const std::string& kind, int part = 0, int num_parts = 0);
std::string format_lock_record(const LockRecord& record);
std::optional<LockRecord> parse_lock_record(const std::string& text);
std::optional<LockRecord> read_lock_record(const std::filesystem::path& path);

// "PID 1234 on host node7 (since 2026-12-05 10:11:12 UTC)".
std::string describe_holder(const LockRecord& record);

// Whether the holder of a lock whose file was last modified at `modified` is alive (rules above).
bool lock_is_live(const LockRecord& record, std::time_t modified, const LockOptions& options);
// Why a lock is stale, for the note ("the process no longer exists", ...); "" when it is live.
std::string stale_reason(const LockRecord& record, std::time_t modified, const LockOptions& options);

// The folder is in use: what() is
// "output_dir <path> is in use by PID <pid> on host <host> (since <time>)..."
class OutputDirInUse : public Error {
 public:
  OutputDirInUse(const std::string& message, LockRecord holder)
      : Error(message), holder_(std::move(holder)) {}
  const LockRecord& holder() const noexcept { return holder_; }

 private:
  LockRecord holder_;
};

class OutputDirLock {
 public:
  OutputDirLock();   // holds nothing
  ~OutputDirLock();  // release()
  OutputDirLock(OutputDirLock&& other) noexcept;
  OutputDirLock& operator=(OutputDirLock&& other) noexcept;
  OutputDirLock(const OutputDirLock&) = delete;
  OutputDirLock& operator=(const OutputDirLock&) = delete;

  // A plain run: the folder for itself (created if missing). Throws OutputDirInUse when
  // a live run or part holds it, ph3mpi::Error when the lock file cannot be made.
  static OutputDirLock acquire(const std::filesystem::path& output_dir, const LockOptions& options = {});
  // Part `part` of `num_parts` (1 <= part <= num_parts): shares the folder with the other
  // parts of the same split. Throws OutputDirInUse as described above.
  static OutputDirLock acquire_part(const std::filesystem::path& output_dir, int part, int num_parts,
                                    const LockOptions& options = {});

  // Stops the heartbeat and removes the lock file (if it still holds our token); removes
  // output_dir again when acquire created it and it is empty. Idempotent, never throws.
  void release() noexcept;

  bool held() const noexcept;
  const std::filesystem::path& lock_path() const noexcept;
  // One line per stale lock taken over or removed (for the log).
  const std::vector<std::string>& notes() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ph3mpi::io
