// Output files that cannot be hijacked (issue 16).
//
// Every file ph3mpi writes is first written under a temporary name and renamed into place
// when complete. Predictable temporary names (kappa-m999.hdf5.tmp) let anybody who may
// write to the output folder plant a symbolic link there and have the run write through
// it into a file of their choice, and let two runs on one folder tear each other's files.
// So the temporary names live in a PRIVATE folder:
//
//   <folder of the final file>/.ph3mpi-tmp-<host>-<pid>-XXXXXX/<file name>
//
// made with mkdtemp (a name nobody can predict, mode 0700: nobody else can enter it, let
// alone plant anything in it), one per writer; files in it are created exclusively
// (O_CREAT | O_EXCL | O_NOFOLLOW: an existing name, a symbolic link included, is an error,
// never followed) and renamed into place with rename(2), which replaces a symbolic link
// planted at the final name instead of following it. The folder is removed when its
// owner is done. Folders left by killed runs are removed by the next run that holds the
// output folder (remove_stale_private_directories: only folders of this name pattern,
// owned by this user, not symbolic links, and not in use).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ph3mpi::io {

// Name prefix of every private temporary folder ph3mpi makes.
inline constexpr const char* kPrivateDirectoryPrefix = ".ph3mpi-tmp-";

// This machine's host name as it goes into file names and lock records ([A-Za-z0-9._]
// only, at most 64 characters).
std::string host_name_for_files();

// A folder only this user may enter, made with mkdtemp. The object that created it
// removes it (with everything in it, symbolic links not followed) when destroyed;
// an adopted one (the name came from another rank) is left alone.
class PrivateDirectory {
 public:
  PrivateDirectory() = default;
  // mkdtemp("<parent>/.ph3mpi-tmp-<host>-<pid>-XXXXXX"), mode 0700; `parent` is created
  // when missing. Throws ph3mpi::Error naming the folder and the cause.
  static PrivateDirectory create(const std::filesystem::path& parent);
  // A private folder made by another process of the run (e.g. rank 0): used, never removed.
  static PrivateDirectory adopt(std::filesystem::path path);

  ~PrivateDirectory();
  PrivateDirectory(PrivateDirectory&& other) noexcept;
  PrivateDirectory& operator=(PrivateDirectory&& other) noexcept;
  PrivateDirectory(const PrivateDirectory&) = delete;
  PrivateDirectory& operator=(const PrivateDirectory&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }
  bool empty() const noexcept { return path_.empty(); }
  // Removes the folder now (owner only; errors are ignored: it is a cleanup).
  void remove() noexcept;

 private:
  std::filesystem::path path_;
  bool owner_ = false;
};

// Creates `path` as a new, empty regular file (O_CREAT | O_EXCL | O_NOFOLLOW, mode
// 0666 & ~umask) and returns its descriptor. Throws ph3mpi::Error naming the file and
// the cause ("file exists" also for a symbolic link at `path`).
int create_new_file(const std::filesystem::path& path);

// fsync of a file or folder. Folders on file systems that refuse it (EINVAL) are skipped.
void sync_path(const std::filesystem::path& path, bool is_directory);

// rename(staged, final_path): atomic on one file system; a symbolic link at final_path is
// replaced, not followed. With `durable`, the staged file is fsync'ed first and the
// folder of final_path after, so that the new name survives a crash of the machine.
void publish_file(const std::filesystem::path& staged, const std::filesystem::path& final_path, bool durable);

// `text` as the whole content of `final_path`, written under a temporary name in a private
// folder beside it and renamed into place (see above); durable as publish_file.
void write_text_file_atomically(const std::filesystem::path& final_path, const std::string& text,
                                bool durable);

// Removes the folder `path` and everything in it without following any symbolic link
// (openat / unlinkat with O_NOFOLLOW); a symbolic link at `path` itself is removed, not
// followed. Only entries owned by this user are touched. Returns false if something stayed.
bool remove_tree_nofollow(const std::filesystem::path& path) noexcept;

// The parts of a private folder name; nullopt-like `valid = false` for any other name.
struct PrivateDirectoryName {
  bool valid = false;
  std::string host;
  pid_t pid = 0;
};
PrivateDirectoryName parse_private_directory_name(const std::string& name);

// Whether process `pid` still exists on this machine (kill(pid, 0)) and is not a zombie
// (/proc/<pid>/stat state Z or X: killed, not yet reaped).
bool process_exists(pid_t pid);

// Removes, directly inside `dir`, the private folders that killed runs left behind: name
// pattern .ph3mpi-tmp-<host>-<pid>-XXXXXX, a real folder (not a symbolic link) owned by
// this user, and not in use: made on this host by a process that no longer exists, or made
// on another host and untouched for `foreign_stale_seconds`. Call it only while holding
// the output folder (io/output_lock.hpp). Returns one line per folder removed.
std::vector<std::string> remove_stale_private_directories(const std::filesystem::path& dir,
                                                          double foreign_stale_seconds);

}  // namespace ph3mpi::io
