#include "ph3mpi/io/safe_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <system_error>
#include <vector>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/file_access.hpp"

namespace ph3mpi::io {
namespace fs = std::filesystem;

namespace {

// Closes a descriptor at scope exit.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const noexcept { return fd_; }
  int release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

// Entries of the folder open at `dir_fd` (without "." and ".."). Takes its own descriptor.
std::vector<std::string> entry_names(int dir_fd) {
  std::vector<std::string> names;
  const int copy = ::dup(dir_fd);
  if (copy < 0) return names;
  DIR* dir = ::fdopendir(copy);
  if (dir == nullptr) {
    ::close(copy);
    return names;
  }
  ::rewinddir(dir);
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(dir);
  return names;
}

// Removes entry `name` of the folder open at `parent_fd`, recursing into folders, never
// following a symbolic link (a link is an entry like a file: unlinked). Depth-limited.
bool remove_entry_at(int parent_fd, const std::string& name, int depth) noexcept {
  if (::unlinkat(parent_fd, name.c_str(), 0) == 0) return true;
  if (errno == ENOENT) return true;
  if (errno != EISDIR && errno != EPERM) return false;
  if (depth > 16) return false;
  const int fd = ::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  Descriptor dir(fd);
  struct stat status {};
  if (::fstat(dir.get(), &status) != 0 || status.st_uid != ::geteuid()) return false;
  bool ok = true;
  try {
    for (const std::string& entry : entry_names(dir.get()))
      ok = remove_entry_at(dir.get(), entry, depth + 1) && ok;
  } catch (...) {
    return false;
  }
  return ::unlinkat(parent_fd, name.c_str(), AT_REMOVEDIR) == 0 && ok;
}

std::string cause(int error_number) { return common::errno_cause(error_number); }

}  // namespace

std::string host_name_for_files() {
  char buffer[256] = {};
  if (::gethostname(buffer, sizeof buffer - 1) != 0) return "unknown-host";
  std::string host;
  for (const char* c = buffer; *c != '\0' && host.size() < 64; ++c) {
    const bool plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                       *c == '.' || *c == '_';
    host += plain ? *c : '_';
  }
  return host.empty() ? "unknown-host" : host;
}

// ---------------------------------------------------------------- PrivateDirectory

PrivateDirectory PrivateDirectory::create(const fs::path& parent) {
  const fs::path where = parent.empty() ? fs::path(".") : parent;
  std::error_code ec;
  fs::create_directories(where, ec);
  if (ec) throw Error(where.string() + ": cannot create the folder: " + ec.message());
  std::string name_template = (where / (std::string(kPrivateDirectoryPrefix) + host_name_for_files() + "-" +
                                        std::to_string(::getpid()) + "-XXXXXX"))
                                  .string();
  std::vector<char> buffer(name_template.begin(), name_template.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) {
    throw Error(where.string() + ": cannot create a private temporary folder: " + cause(errno));
  }
  PrivateDirectory dir;
  dir.path_ = fs::path(buffer.data());
  dir.owner_ = true;
  return dir;
}

PrivateDirectory PrivateDirectory::adopt(fs::path path) {
  PrivateDirectory dir;
  dir.path_ = std::move(path);
  dir.owner_ = false;
  return dir;
}

PrivateDirectory::~PrivateDirectory() { remove(); }

PrivateDirectory::PrivateDirectory(PrivateDirectory&& other) noexcept
    : path_(std::move(other.path_)), owner_(other.owner_) {
  other.path_.clear();
  other.owner_ = false;
}

PrivateDirectory& PrivateDirectory::operator=(PrivateDirectory&& other) noexcept {
  if (this != &other) {
    remove();
    path_ = std::move(other.path_);
    owner_ = other.owner_;
    other.path_.clear();
    other.owner_ = false;
  }
  return *this;
}

void PrivateDirectory::remove() noexcept {
  if (owner_ && !path_.empty()) remove_tree_nofollow(path_);
  owner_ = false;
}

// ---------------------------------------------------------------- files

int create_new_file(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
  if (fd < 0) throw Error(path.string() + ": cannot create the file: " + cause(errno));
  return fd;
}

void sync_path(const fs::path& path, bool is_directory) {
  const int fd = ::open(path.c_str(), (is_directory ? (O_RDONLY | O_DIRECTORY) : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) throw Error(path.string() + ": cannot open for fsync: " + cause(errno));
  Descriptor guard(fd);
  if (::fsync(fd) != 0 && !(is_directory && (errno == EINVAL || errno == EROFS))) {
    throw Error(path.string() + ": fsync failed: " + cause(errno));
  }
}

void publish_file(const fs::path& staged, const fs::path& final_path, bool durable) {
  if (durable) sync_path(staged, false);
  if (::rename(staged.c_str(), final_path.c_str()) != 0) {
    throw Error("cannot rename " + staged.string() + " to " + final_path.string() + ": " + cause(errno));
  }
  if (durable) {
    const fs::path folder = final_path.has_parent_path() ? final_path.parent_path() : fs::path(".");
    sync_path(folder, true);
  }
}

void write_text_file_atomically(const fs::path& final_path, const std::string& text, bool durable) {
  PrivateDirectory dir =
      PrivateDirectory::create(final_path.has_parent_path() ? final_path.parent_path() : ".");
  const fs::path staged = dir.path() / final_path.filename();
  {
    Descriptor file(create_new_file(staged));
    std::size_t written = 0;
    while (written < text.size()) {
      const ssize_t n = ::write(file.get(), text.data() + written, text.size() - written);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw Error(staged.string() + ": cannot write: " + cause(errno));
      }
      written += static_cast<std::size_t>(n);
    }
    if (::close(file.release()) != 0) throw Error(staged.string() + ": cannot close: " + cause(errno));
  }
  publish_file(staged, final_path, durable);
}

bool remove_tree_nofollow(const fs::path& path) noexcept {
  try {
    const fs::path parent = path.has_parent_path() ? path.parent_path() : fs::path(".");
    const int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    Descriptor parent_dir(fd);
    return remove_entry_at(parent_dir.get(), path.filename().string(), 0);
  } catch (...) {
    return false;
  }
}

// ---------------------------------------------------------------- stale folders

PrivateDirectoryName parse_private_directory_name(const std::string& name) {
  PrivateDirectoryName out;
  const std::string prefix = kPrivateDirectoryPrefix;
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return out;
  // <host>-<pid>-XXXXXX; the host name may itself hold '-' (older names), so split from the end.
  const std::string rest = name.substr(prefix.size());
  const std::size_t last = rest.rfind('-');
  if (last == std::string::npos || rest.size() - last - 1 != 6) return out;
  const std::size_t before = rest.rfind('-', last - 1);
  if (before == std::string::npos || before == 0 || last == 0) return out;
  const std::string digits = rest.substr(before + 1, last - before - 1);
  if (digits.empty() || digits.size() > 9) return out;
  for (const char c : digits) {
    if (c < '0' || c > '9') return out;
  }
  out.host = rest.substr(0, before);
  out.pid = static_cast<pid_t>(std::stol(digits));
  out.valid = out.pid > 0;
  return out;
}

bool process_exists(pid_t pid) {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0 && errno != EPERM) return false;  // EPERM: exists, owned by somebody else
  // A killed process stays a zombie until its parent (or init, which in a container may be
  // slow to do it) reaps it; kill(pid, 0) still succeeds then. A zombie holds nothing.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return true;  // no /proc: trust kill(2)
  const std::size_t close = text.rfind(')');
  if (close == std::string::npos || close + 2 >= text.size()) return true;
  const char state = text[close + 2];
  return state != 'Z' && state != 'X';
}

std::vector<std::string> remove_stale_private_directories(const fs::path& dir, double foreign_stale_seconds) {
  std::vector<std::string> removed;
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return removed;  // no folder, nothing left behind
  Descriptor folder(fd);
  const std::string host = host_name_for_files();
  const std::time_t now = std::time(nullptr);
  for (const std::string& name : entry_names(folder.get())) {
    const PrivateDirectoryName parsed = parse_private_directory_name(name);
    if (!parsed.valid) continue;
    struct stat status {};
    if (::fstatat(folder.get(), name.c_str(), &status, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (!S_ISDIR(status.st_mode) || status.st_uid != ::geteuid()) continue;  // not ours: leave it
    std::string why;
    if (parsed.host == host) {
      if (parsed.pid == ::getpid() || process_exists(parsed.pid)) continue;  // in use
      why = "process " + std::to_string(parsed.pid) + " on this host no longer exists";
    } else {
      const double age = std::difftime(now, status.st_mtime);
      if (age < foreign_stale_seconds) continue;
      why =
          "made on host " + parsed.host + ", untouched for " + std::to_string(static_cast<long>(age)) + " s";
    }
    if (remove_entry_at(folder.get(), name, 0)) {
      removed.push_back("removed " + (dir / name).string() + ", left by a killed run (" + why + ")");
    }
  }
  return removed;
}

}  // namespace ph3mpi::io
