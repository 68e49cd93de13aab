#include "ph3mpi/io/output_lock.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "ph3mpi/common/file_access.hpp"
#include "ph3mpi/io/safe_files.hpp"

namespace ph3mpi::io {
namespace fs = std::filesystem;

namespace {

constexpr const char* kRecordFormat = "ph3mpi-lock 1";
constexpr const char* kPartPrefix = ".ph3mpi-lock.part-";
constexpr const char* kTakeoverName = ".ph3mpi-lock.takeover";
constexpr double kUnreadableStaleSeconds = 60.0;  // a lock file without a readable record
constexpr double kTakeoverStaleSeconds = 60.0;    // a takeover takes milliseconds

std::string first_line_of(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string my_boot_id() {
  static const std::string id = first_line_of("/proc/sys/kernel/random/boot_id");
  return id;
}

// Field 22 (starttime, clock ticks after boot) of /proc/<pid>/stat; 0 if unknown. The
// command name (field 2) may hold spaces and parentheses: count from the last ')'.
unsigned long long process_start_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 1));
  std::string field;
  // Fields 3..22 follow the ')'.
  for (int k = 3; k <= 22; ++k) {
    if (!(fields >> field)) return 0;
  }
  try {
    return std::stoull(field);
  } catch (const std::exception&) {
    return 0;
  }
}

std::string random_token() {
  std::random_device device;
  const std::uint64_t bits = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(bits));
  return buffer;
}

std::string utc_text(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buffer;
}

struct Observed {
  bool exists = false;
  std::optional<LockRecord> record;
  std::time_t modified = 0;
  ino_t inode = 0;
};

// The lock file as it is now (never following a symbolic link: one planted at the lock
// name has no readable record and is handled like a damaged lock).
Observed observe(const fs::path& path) {
  Observed o;
  struct stat status {};
  if (::lstat(path.c_str(), &status) != 0) return o;
  o.exists = true;
  o.modified = status.st_mtime;
  o.inode = status.st_ino;
  o.record = read_lock_record(path);
  return o;
}

bool same_lock(const Observed& a, const Observed& b) {
  if (!a.exists || !b.exists || a.inode != b.inode || a.modified != b.modified) return false;
  if (a.record && b.record) return a.record->token == b.record->token;
  return !a.record && !b.record;
}

double age_seconds(std::time_t modified) { return std::difftime(std::time(nullptr), modified); }

void pause_briefly() { std::this_thread::sleep_for(std::chrono::milliseconds(50)); }

// Creates `name` (in `dir`) holding `content`, atomically and complete: the content goes to
// a file in a private folder of `dir`, which is hard-linked to `name`. Returns false if
// `name` exists. File systems without hard links: exclusive create, then write.
bool create_complete(const fs::path& dir, const fs::path& name, const std::string& content) {
  {
    PrivateDirectory staging = PrivateDirectory::create(dir);
    const fs::path staged = staging.path() / "record";
    const int fd = create_new_file(staged);
    const ssize_t written = ::write(fd, content.data(), content.size());
    ::close(fd);
    if (written != static_cast<ssize_t>(content.size()))
      throw Error(staged.string() + ": cannot write the lock record");
    if (::link(staged.c_str(), name.c_str()) == 0) return true;
    if (errno == EEXIST) return false;
    if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP && errno != ENOSYS) {
      throw Error(name.string() + ": cannot create the lock file: " + common::errno_cause(errno));
    }
  }
  const int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST) return false;
    throw Error(name.string() + ": cannot create the lock file: " + common::errno_cause(errno));
  }
  const ssize_t written = ::write(fd, content.data(), content.size());
  ::close(fd);
  if (written != static_cast<ssize_t>(content.size()))
    throw Error(name.string() + ": cannot write the lock record");
  return true;
}

// Removes the stale lock `stale` found at `path`, unless it changed meanwhile. Two runs
// that judged the same lock stale are serialized by the takeover file, and the one that
// comes second finds a different (fresh) lock and leaves it alone. Returns whether the
// caller may try to create the lock again.
bool take_over(const fs::path& dir, const fs::path& path, const Observed& stale) {
  const fs::path takeover = dir / kTakeoverName;
  if (!create_complete(dir, takeover, format_lock_record(make_lock_record("takeover")))) {
    const Observed other = observe(takeover);
    if (other.exists && age_seconds(other.modified) > kTakeoverStaleSeconds) ::unlink(takeover.c_str());
    return false;
  }
  const Observed now = observe(path);
  bool removed = !now.exists;
  if (same_lock(now, stale)) removed = ::unlink(path.c_str()) == 0 || errno == ENOENT;
  ::unlink(takeover.c_str());
  return removed;
}

std::string holder_text(const Observed& o) {
  if (!o.record) return "an unreadable lock file (" + utc_text(o.modified) + ")";
  return describe_holder(*o.record);
}

std::string in_use_message(const fs::path& output_dir, const Observed& o) {
  std::string who = holder_text(o);
  if (o.record && o.record->kind == "part")
    who = "part " + std::to_string(o.record->part) + "/" + std::to_string(o.record->num_parts) + ", " + who;
  return "output_dir " + output_dir.string() + " is in use by " + who +
         "; wait for that run to finish, or give this run another output_dir (a lock left by a killed run "
         "is taken over automatically)";
}

std::vector<fs::path> part_locks(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(kPartPrefix, 0) == 0) out.push_back(it->path());
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------- records

LockOptions LockOptions::from_environment() {
  LockOptions options;
  if (const char* text = std::getenv("PH3MPI_LOCK_STALE_SECONDS")) {
    char* end = nullptr;
    const double seconds = std::strtod(text, &end);
    if (end != text && *end == '\0' && seconds > 0 && seconds < 1e9) {
      options.foreign_stale_seconds = seconds;
      options.heartbeat_seconds = std::min(30.0, seconds / 10);
    }
  }
  return options;
}

LockRecord make_lock_record(const std::string& kind, int part, int num_parts) {
  LockRecord r;
  r.kind = kind;
  r.pid = ::getpid();
  r.host = host_name_for_files();
  r.boot_id = my_boot_id();
  r.start_ticks = process_start_ticks(r.pid);
  r.started = std::time(nullptr);
  r.token = random_token();
  r.part = part;
  r.num_parts = num_parts;
  return r;
}

std::string format_lock_record(const LockRecord& r) {
  std::ostringstream s;
  s << kRecordFormat << "\nkind=" << r.kind << "\npid=" << r.pid << "\nhost=" << r.host
    << "\nboot_id=" << r.boot_id << "\nstart_ticks=" << r.start_ticks << "\nstarted=" << r.started
    << "\nstarted_utc=" << utc_text(r.started) << "\ntoken=" << r.token;
  if (r.num_parts > 0) s << "\npart=" << r.part << "\nnum_parts=" << r.num_parts;
  s << "\n";
  return s.str();
}

std::optional<LockRecord> parse_lock_record(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != kRecordFormat) return std::nullopt;
  LockRecord r;
  bool has_pid = false, has_host = false, has_token = false;
  try {
    while (std::getline(in, line)) {
      const std::size_t eq = line.find('=');
      if (eq == std::string::npos) continue;
      const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
      if (key == "kind") {
        r.kind = value;
      } else if (key == "pid") {
        r.pid = static_cast<pid_t>(std::stol(value));
        has_pid = true;
      } else if (key == "host") {
        r.host = value;
        has_host = true;
      } else if (key == "boot_id") {
        r.boot_id = value;
      } else if (key == "start_ticks") {
        r.start_ticks = std::stoull(value);
      } else if (key == "started") {
        r.started = static_cast<std::time_t>(std::stoll(value));
      } else if (key == "token") {
        r.token = value;
        has_token = true;
      } else if (key == "part") {
        r.part = std::stoi(value);
      } else if (key == "num_parts") {
        r.num_parts = std::stoi(value);
      }
    }
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (!has_pid || !has_host || !has_token || r.kind.empty()) return std::nullopt;
  return r;
}

std::optional<LockRecord> read_lock_record(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  struct stat status {};
  if (::fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) {
    ::close(fd);
    return std::nullopt;
  }
  char buffer[4096];
  const ssize_t n = ::read(fd, buffer, sizeof buffer);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  return parse_lock_record(std::string(buffer, static_cast<std::size_t>(n)));
}

std::string describe_holder(const LockRecord& r) {
  return "PID " + std::to_string(r.pid) + " on host " + r.host + " (since " + utc_text(r.started) + ")";
}

std::string stale_reason(const LockRecord& r, std::time_t modified, const LockOptions& options) {
  if (r.host == host_name_for_files()) {
    if (!r.boot_id.empty() && !my_boot_id().empty() && r.boot_id != my_boot_id())
      return "the host was restarted since";
    if (!process_exists(r.pid)) return "process " + std::to_string(r.pid) + " no longer exists";
    if (r.start_ticks != 0) {
      const unsigned long long now = process_start_ticks(r.pid);
      if (now != 0 && now != r.start_ticks)
        return "PID " + std::to_string(r.pid) + " now belongs to another process";
    }
    return "";
  }
  const double age = age_seconds(modified);
  if (age >= options.foreign_stale_seconds) {
    return "its lock was not renewed for " + std::to_string(static_cast<long long>(age)) + " s (bound " +
           std::to_string(static_cast<long long>(options.foreign_stale_seconds)) +
           " s, PH3MPI_LOCK_STALE_SECONDS)";
  }
  return "";
}

bool lock_is_live(const LockRecord& record, std::time_t modified, const LockOptions& options) {
  return stale_reason(record, modified, options).empty();
}

// ---------------------------------------------------------------- OutputDirLock

struct OutputDirLock::State {
  fs::path output_dir;
  fs::path lock_path;
  std::string token;
  bool created_output_dir = false;
  std::vector<std::string> notes;
  LockOptions options;

  std::mutex mutex;
  std::condition_variable stop_signal;
  bool stopping = false;
  std::thread heartbeat;

  // The state of a lock about to be taken on output_dir, which is created if missing
  // (created_output_dir says so, for the clean-up of a refused lock).
  static std::unique_ptr<State> create(const fs::path& output_dir, const LockOptions& options) {
    auto state = std::make_unique<State>();
    state->output_dir = output_dir;
    state->options = options;
    std::error_code ec;
    state->created_output_dir = fs::create_directories(output_dir, ec);
    if (ec) {
      throw Error("output_dir " + output_dir.string() +
                  ": cannot create the folder: " + common::errno_cause(ec.value()));
    }
    return state;
  }

  void start_heartbeat() {
    heartbeat = std::thread([this] {
      std::unique_lock<std::mutex> lock(mutex);
      const auto period = std::chrono::duration<double>(options.heartbeat_seconds);
      while (!stop_signal.wait_for(lock, period, [this] { return stopping; })) {
        // Renew: the mtime of the lock file tells other hosts that we are alive.
        ::utimensat(AT_FDCWD, lock_path.c_str(), nullptr, AT_SYMLINK_NOFOLLOW);
      }
    });
  }

  void stop_heartbeat() noexcept {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    stop_signal.notify_all();
    if (heartbeat.joinable()) heartbeat.join();
  }

  // Removes the lock file if it is still ours.
  void remove_lock_file() noexcept {
    const std::optional<LockRecord> now = read_lock_record(lock_path);
    if (now && now->token == token) ::unlink(lock_path.c_str());
  }
};

namespace {

// Takes `output_dir`/.ph3mpi-lock with a record of `kind` ("run" or "gate"), taking over a
// stale one; waits a little while the holder is a part registering.
void take_folder_lock(fs::path& lock_path, const fs::path& output_dir, const LockRecord& mine,
                      const LockOptions& options, std::vector<std::string>& notes) {
  lock_path = output_dir / kLockFileName;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(options.wait_seconds);
  const std::string content = format_lock_record(mine);
  for (;;) {
    if (create_complete(output_dir, lock_path, content)) return;
    const Observed o = observe(lock_path);
    if (!o.exists) continue;
    const bool waiting_allowed = std::chrono::steady_clock::now() < deadline;
    std::string reason;
    if (!o.record) {
      if (age_seconds(o.modified) < kUnreadableStaleSeconds) {
        if (waiting_allowed) {
          pause_briefly();
          continue;
        }
        throw OutputDirInUse(in_use_message(output_dir, o), LockRecord{});
      }
      reason = "its lock file is unreadable and " +
               std::to_string(static_cast<long long>(age_seconds(o.modified))) + " s old";
    } else {
      reason = stale_reason(*o.record, o.modified, options);
      if (reason.empty()) {
        if (o.record->kind == "gate" && waiting_allowed) {  // a part registering: a moment
          pause_briefly();
          continue;
        }
        throw OutputDirInUse(in_use_message(output_dir, o), *o.record);
      }
    }
    if (take_over(output_dir, lock_path, o)) {
      notes.push_back("took over the lock of output_dir " + output_dir.string() + " left by " +
                      holder_text(o) + ": " + reason);
    } else if (!waiting_allowed) {
      throw Error("output_dir " + output_dir.string() + ": cannot take over the stale lock " +
                  lock_path.string() + " (another run is taking it over); try again");
    } else {
      pause_briefly();
    }
  }
}

}  // namespace

OutputDirLock::OutputDirLock() = default;

OutputDirLock::~OutputDirLock() { release(); }

OutputDirLock::OutputDirLock(OutputDirLock&& other) noexcept = default;

OutputDirLock& OutputDirLock::operator=(OutputDirLock&& other) noexcept {
  if (this != &other) {
    release();
    state_ = std::move(other.state_);
  }
  return *this;
}

OutputDirLock OutputDirLock::acquire(const fs::path& output_dir, const LockOptions& options) {
  OutputDirLock lock;
  std::unique_ptr<State> state = State::create(output_dir, options);
  std::error_code ec;
  try {
    const LockRecord mine = make_lock_record("run");
    state->token = mine.token;
    take_folder_lock(state->lock_path, output_dir, mine, options, state->notes);
    // While we hold the folder lock no part can register: refuse if a live part runs,
    // clear the locks of dead ones.
    for (const fs::path& part : part_locks(output_dir)) {
      const Observed o = observe(part);
      const std::string reason =
          o.record
              ? stale_reason(*o.record, o.modified, options)
              : (age_seconds(o.modified) >= kUnreadableStaleSeconds ? "its lock file is unreadable" : "");
      if (reason.empty()) {
        state->remove_lock_file();
        throw OutputDirInUse(in_use_message(output_dir, o), o.record.value_or(LockRecord{}));
      }
      ::unlink(part.c_str());
      state->notes.push_back("removed the lock " + part.filename().string() + " left by " + holder_text(o) +
                             ": " + reason);
    }
  } catch (...) {
    if (state->created_output_dir) fs::remove(output_dir, ec);  // only if still empty
    throw;
  }
  state->start_heartbeat();
  lock.state_ = std::move(state);
  return lock;
}

OutputDirLock OutputDirLock::acquire_part(const fs::path& output_dir, int part, int num_parts,
                                          const LockOptions& options) {
  if (num_parts < 1 || part < 1 || part > num_parts) {
    throw Error("part " + std::to_string(part) + "/" + std::to_string(num_parts) +
                ": a part is I/N with 1 <= I <= N");
  }
  OutputDirLock lock;
  std::unique_ptr<State> state = State::create(output_dir, options);
  std::error_code ec;
  const LockRecord gate = make_lock_record("gate", part, num_parts);
  fs::path gate_path;
  const auto drop_gate = [&] {
    const std::optional<LockRecord> now = read_lock_record(gate_path);
    if (now && now->token == gate.token) ::unlink(gate_path.c_str());
  };
  try {
    take_folder_lock(gate_path, output_dir, gate, options, state->notes);
    const std::string my_name =
        std::string(kPartPrefix) + std::to_string(part) + "-of-" + std::to_string(num_parts);
    for (const fs::path& other : part_locks(output_dir)) {
      const Observed o = observe(other);
      const std::string reason =
          o.record
              ? stale_reason(*o.record, o.modified, options)
              : (age_seconds(o.modified) >= kUnreadableStaleSeconds ? "its lock file is unreadable" : "");
      if (!reason.empty()) {
        ::unlink(other.c_str());
        state->notes.push_back("removed the lock " + other.filename().string() + " left by " +
                               holder_text(o) + ": " + reason);
        continue;
      }
      const bool same_part = other.filename().string() == my_name;
      const bool other_split = o.record && o.record->num_parts != num_parts;
      if (same_part || other_split || !o.record) {
        drop_gate();
        std::string message = in_use_message(output_dir, o);
        if (same_part) {
          message = "part " + std::to_string(part) + "/" + std::to_string(num_parts) + " already runs in " +
                    message;
        } else if (other_split) {
          message += " (a split into " + std::to_string(o.record->num_parts) + " parts, not " +
                     std::to_string(num_parts) + ")";
        }
        throw OutputDirInUse(message, o.record.value_or(LockRecord{}));
      }
    }
    const LockRecord mine = make_lock_record("part", part, num_parts);
    state->token = mine.token;
    state->lock_path = output_dir / my_name;
    if (!create_complete(output_dir, state->lock_path, format_lock_record(mine))) {
      throw Error(state->lock_path.string() + ": appeared while this part held the folder lock");
    }
    drop_gate();
  } catch (...) {
    drop_gate();
    if (state->created_output_dir) fs::remove(output_dir, ec);
    throw;
  }
  state->start_heartbeat();
  lock.state_ = std::move(state);
  return lock;
}

void OutputDirLock::release() noexcept {
  if (!state_) return;
  state_->stop_heartbeat();
  state_->remove_lock_file();
  if (state_->created_output_dir) {
    std::error_code ec;
    fs::remove(state_->output_dir, ec);  // only when empty: a run that wrote nothing leaves nothing
  }
  state_.reset();
}

bool OutputDirLock::held() const noexcept { return state_ != nullptr; }

const fs::path& OutputDirLock::lock_path() const noexcept {
  static const fs::path none;
  return state_ ? state_->lock_path : none;
}

const std::vector<std::string>& OutputDirLock::notes() const noexcept {
  static const std::vector<std::string> none;
  return state_ ? state_->notes : none;
}

}  // namespace ph3mpi::io
