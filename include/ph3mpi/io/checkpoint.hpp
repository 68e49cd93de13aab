// Checkpoint and restart of the per-grid-point results (design brief section 5).
//
// Layout under the run's output_dir, one folder per stage (a kind of stored result with
// its own fingerprint: ph-ph Gamma, collision rows, isotope Gamma, ...):
//   checkpoint/<fingerprint>/manifest.json  the stage's fingerprint and the (key, value) list it hashes
//   checkpoint/<fingerprint>/gp-<G>.h5      one shard per finished grid point G
//
// A stage folder is published whole: made as a private folder, its manifest written into it,
// then renamed to <fingerprint> (rename(2) of a folder fails when the name exists), so a
// folder is never seen without its manifest and two processes that create the same stage at
// once (job-array parts, issue 15) agree on one folder without a lock.
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
// The fingerprint hashes everything that changes the numbers of its stage; the driver
// decides what that is (input file contents, mesh, temperatures, sigmas, ...) and names
// the stage in the entry "stage". An exclusive stage (the expensive ph-ph results) refuses
// a folder of the same stage written with other settings, with a message naming what
// differs; a keyed stage (cheap results such as isotope Gamma) keeps one folder per
// fingerprint side by side, so switching a setting back and forth reuses each.
//
// MPI: Checkpoint::prepare runs on rank 0 only, before any rank writes; afterwards
// every rank writes the shards of the grid points it computed (shared file system).
// Several runs may prepare and write one checkpoint at the same time as long as they
// compute disjoint grid points (job-array parts): every step above is safe for that.
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

// How a stage treats folders of the same stage written with other settings.
enum class StageKind {
  kExclusive,  // refused (CheckpointMismatch naming the differences)
  kKeyed,      // left alone: each fingerprint has its own folder
};

class Checkpoint {
 public:
  // Every rank: the checkpoint of `fingerprint_hex` under output_dir. Cheap, no I/O.
  Checkpoint(std::filesystem::path output_dir, std::string fingerprint_hex);

  // Rank 0 only, before anybody writes. restart = false: delete the whole previous
  // checkpoint (every stage) and start empty. restart = true: create the stage folder if
  // there is none; resume it if its manifest matches `fingerprint` (stale *.tmp removed,
  // damaged shards removed so that they are recomputed, each noted); throw
  // CheckpointMismatch if it holds results of other settings (for kExclusive also another
  // folder of the same stage), or if checkpoint/ has an older ph3mpi's layout.
  static CheckpointStatus prepare(const std::filesystem::path& output_dir, const Fingerprint& fingerprint,
                                  bool restart, StageKind kind = StageKind::kExclusive);

  const std::string& fingerprint_hex() const noexcept { return fingerprint_hex_; }
  std::filesystem::path directory() const;        // <output_dir>/checkpoint
  std::filesystem::path shard_directory() const;  // <output_dir>/checkpoint/<fingerprint>
  std::filesystem::path shard_path(std::int64_t grid_point) const;
  // Grid points with a shard file in the folder now, ascending (names only, not verified:
  // a published shard is complete). For reports such as a job-array part's "what is left".
  std::vector<std::int64_t> published_grid_points() const;

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
