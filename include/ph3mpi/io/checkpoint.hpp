// Checkpoint and restart of the per-grid-point results (design brief section 5).
//
// Layout under the run's output_dir:
//   checkpoint/manifest.json            the fingerprint and the (key, value) list it hashes
//   checkpoint/<fingerprint>/gp-<G>.h5  one shard per finished grid point G
//
// HDF5 1.10 has no journaling, so no file is ever modified in place: a shard is
// written as a new file in the writing process's private folder
// (checkpoint/.ph3mpi-tmp-<host>-<pid>-XXXXXX/gp-<G>.h5, io/safe_files.hpp: nobody can
// plant a symbolic link there, two runs never share a temporary name), fsync'ed, renamed
// to gp-<G>.h5 (atomic) and the folder is fsync'ed. A reader therefore sees a shard whole
// or not at all; a kill -9 mid-write leaves only the private folder, which the next run
// holding the output folder removes (and *.tmp files of older versions). Each shard
// also carries its own fingerprint and a SHA-256 of its content (format, fingerprint,
// grid point, names, shapes and values), so a torn, truncated or garbled shard (disk
// trouble, copying) is detected, reported and recomputed, never used.
//
// The fingerprint hashes everything that changes the numbers; the driver decides what
// that is (input file contents, mesh, temperatures, sigmas, ...). A checkpoint from
// other settings is refused with a message naming what differs.
//
// MPI: Checkpoint::prepare runs on rank 0 only, before any rank writes; afterwards
// every rank writes the shards of the grid points it computed (shared file system).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/named_arrays.hpp"

namespace ph3mpi::io {

class PrivateDirectory;

// The settings that change the numbers, as (key, value-text) pairs, and their hash.
// Numbers are written with 17 significant digits, so equal values give equal text.
class Fingerprint {
 public:
  // Each key may be added once (ph3mpi::Error otherwise).
  void add(const std::string& key, const std::string& value);
  void add_number(const std::string& key, double value);
  void add_int(const std::string& key, std::int64_t value);
  void add_numbers(const std::string& key, const std::vector<double>& values);
  void add_ints(const std::string& key, const std::vector<std::int64_t>& values);
  // The file's contents (SHA-256), not its path: moving an input does not invalidate
  // a checkpoint, editing it does. Throws InputError if the file cannot be read.
  void add_file(const std::string& key, const std::filesystem::path& path);

  const std::map<std::string, std::string>& entries() const noexcept { return entries_; }
  // SHA-256 (64 hex digits) of the entries, independent of the order they were added in.
  std::string hex() const;

  // One phrase per difference between a checkpoint's entries and the current ones, e.g.
  // "mesh: '11 11 11' in the checkpoint, '19 19 19' now" or "fc3: file contents differ".
  static std::vector<std::string> differences(const std::map<std::string, std::string>& stored,
                                              const std::map<std::string, std::string>& current);

 private:
  std::map<std::string, std::string> entries_;
};

// A checkpoint that must not be used: written with other settings, or its manifest
// unreadable. what() names the folder and the differences and ends with
// "use a new output_dir or restart = false".
class CheckpointMismatch : public SettingsError {
 public:
  explicit CheckpointMismatch(const std::string& message) : SettingsError(message) {}
};

// A shard that cannot be used (missing, torn, truncated, garbled, wrong grid point).
class CheckpointError : public Error {
 public:
  explicit CheckpointError(const std::string& message) : Error(message) {}
};

// What prepare() found.
struct CheckpointStatus {
  std::vector<std::int64_t> done;  // grid points whose shard is valid, ascending
  std::vector<std::string> notes;  // one line per thing repaired or cleared, for the log
  bool resumed = false;            // a matching checkpoint existed (done may still be empty)
};

// Result of checking one shard file.
enum class ShardState {
  kValid,    // usable
  kDamaged,  // unreadable or checksum mismatch: recompute the grid point
  kForeign,  // intact, but written with another fingerprint (or for another grid point)
};

struct ShardCheck {
  ShardState state = ShardState::kDamaged;
  std::string reason;  // empty when valid
};

class Checkpoint {
 public:
  // Every rank: the checkpoint of `fingerprint_hex` under output_dir. Cheap, no I/O.
  Checkpoint(std::filesystem::path output_dir, std::string fingerprint_hex);

  // Rank 0 only, before anybody writes. restart = false: delete any previous
  // checkpoint and start empty. restart = true: create the checkpoint if there is
  // none; resume it if its manifest matches `fingerprint` (stale *.tmp removed,
  // damaged shards removed so that they are recomputed, each noted); throw
  // CheckpointMismatch if it holds results of other settings.
  static CheckpointStatus prepare(const std::filesystem::path& output_dir, const Fingerprint& fingerprint,
                                  bool restart);

  const std::string& fingerprint_hex() const noexcept { return fingerprint_hex_; }
  std::filesystem::path directory() const;        // <output_dir>/checkpoint
  std::filesystem::path shard_directory() const;  // <output_dir>/checkpoint/<fingerprint>
  std::filesystem::path shard_path(std::int64_t grid_point) const;

  // Makes the results of `grid_point` durable: when this returns, the shard survives a
  // crash of the process or the machine. Array names must be non-empty without '/'.
  void write(std::int64_t grid_point, const NamedArrays& payload) const;
  // Several shards with one folder fsync at the end (a coordinator batch).
  void write(const std::vector<std::int64_t>& grid_points, const std::vector<NamedArrays>& payloads) const;

  // The verified results of `grid_point`; CheckpointError if the shard is missing or unusable.
  NamedArrays read(std::int64_t grid_point) const;
  // Whether a shard file is usable for `grid_point` under `fingerprint_hex` (reads it whole).
  static ShardCheck check_shard(const std::filesystem::path& file, const std::string& fingerprint_hex,
                                std::int64_t grid_point);

  static constexpr const char* kManifestName = "manifest.json";

 private:
  std::filesystem::path output_dir_;
  std::string fingerprint_hex_;
  // Where this process stages its shards; made at the first write (write is called by
  // the rank's master thread only).
  mutable std::shared_ptr<PrivateDirectory> staging_;
};

// Grid point of a shard file name "gp-<G>.h5"; nullopt for any other name.
std::optional<std::int64_t> shard_grid_point(const std::string& file_name);

}  // namespace ph3mpi::io
