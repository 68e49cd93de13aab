#include "ph3mpi/io/checkpoint.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "ph3mpi/common/sha256.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/io/safe_files.hpp"

namespace ph3mpi::io {
namespace fs = std::filesystem;

namespace {

constexpr const char* kManifestFormat = "ph3mpi-checkpoint 2";
constexpr const char* kShardFormat = "ph3mpi-checkpoint-shard 1";
constexpr const char* kTmpSuffix = ".tmp";

// ---------------------------------------------------------------- text helpers

std::string number_text(double value) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

bool is_fingerprint_name(const std::string& name) {
  if (name.size() != 64) return false;
  for (char c : name) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string json_quote(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(c));
          out += buffer;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string shorten(const std::string& text) {
  constexpr std::size_t kMax = 60;
  return text.size() <= kMax ? text : text.substr(0, kMax) + "...";
}

// ---------------------------------------------------------------- durability
// sync_path and publish_file (fsync, rename, fsync of the folder) are in io/safe_files.

void make_directory(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    throw Error(dir.string() + ": cannot create the checkpoint folder: " +
                (ec ? ec.message() : std::string("a file of that name exists")));
  }
}

// ---------------------------------------------------------------- content checksum

bool little_endian() {
  const std::uint16_t probe = 1;
  unsigned char first = 0;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

void hash_u64(common::Sha256& hash, std::uint64_t value) {
  unsigned char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>(value >> (8 * i));
  hash.update(bytes, 8);
}

void hash_text(common::Sha256& hash, const std::string& text) {
  hash_u64(hash, text.size());
  hash.update(text);
}

// Values as little-endian bytes, whatever the machine, so a checkpoint moves between machines.
template <typename T>
void hash_values(common::Sha256& hash, const std::vector<T>& values) {
  if (little_endian()) {
    if (!values.empty()) hash.update(values.data(), values.size() * sizeof(T));
    return;
  }
  std::vector<unsigned char> swapped(values.size() * sizeof(T));
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(&values[i]);
    for (std::size_t b = 0; b < sizeof(T); ++b) swapped[i * sizeof(T) + b] = bytes[sizeof(T) - 1 - b];
  }
  hash.update(swapped.data(), swapped.size());
}

template <typename T>
void hash_arrays(common::Sha256& hash, const std::map<std::string, NdArray<T>>& arrays) {
  hash_u64(hash, arrays.size());
  for (const auto& [name, array] : arrays) {
    hash_text(hash, name);
    hash_u64(hash, array.shape.size());
    for (std::size_t n : array.shape) hash_u64(hash, n);
    hash_values(hash, array.data);
  }
}

std::string content_checksum(const std::string& fingerprint, std::int64_t grid_point,
                             const NamedArrays& payload) {
  common::Sha256 hash;
  hash_text(hash, kShardFormat);
  hash_text(hash, fingerprint);
  hash_u64(hash, static_cast<std::uint64_t>(grid_point));
  hash_arrays(hash, payload.reals);
  hash_arrays(hash, payload.ints);
  return hash.finish_hex();
}

// ---------------------------------------------------------------- shard files

void check_names(const NamedArrays& payload, const fs::path& file) {
  auto check = [&](const std::string& name) {
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
      throw Error(file.string() + ": checkpoint array name '" + name +
                  "' must be non-empty and contain no '/'");
    }
  };
  for (const auto& entry : payload.reals) check(entry.first);
  for (const auto& entry : payload.ints) check(entry.first);
}

// Writes one shard with the HDF5 C API: file format 1.8+ (superblock v2, object
// headers with checksums, so damaged metadata is an HDF5 error rather than garbage)
// and no file locking (each shard has exactly one writer; some parallel file
// systems have no locks).
class ShardWriter {
 public:
  explicit ShardWriter(const fs::path& path) : path_(path.string()) {
    Hdf5Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    H5Pset_libver_bounds(fapl.id(), H5F_LIBVER_V18, H5F_LIBVER_V110);
    H5Pset_file_locking(fapl.id(), false, true);
    // Exclusive: the shard is a new file in this rank's private folder (never an old name).
    file_ = Hdf5Handle(H5Fcreate(path_.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, fapl.id()), H5Fclose);
    if (!file_.valid()) throw Hdf5Error(path_ + ": cannot create the checkpoint shard");
  }

  void group(const std::string& name) {
    Hdf5Handle g(H5Gcreate2(file_.id(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    if (!g.valid()) fail(name);
  }

  void dataset(const std::string& name, hid_t type, const std::vector<std::size_t>& shape, const void* data) {
    std::vector<hsize_t> dims(shape.begin(), shape.end());
    Hdf5Handle space(dims.empty() ? H5Screate(H5S_SCALAR)
                                  : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                     H5Sclose);
    Hdf5Handle d(
        H5Dcreate2(file_.id(), name.c_str(), type, space.id(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
        H5Dclose);
    static const std::int64_t kNothing = 0;  // HDF5 wants a buffer even for zero elements
    if (!d.valid() || H5Dwrite(d.id(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data ? data : &kNothing) < 0) {
      fail(name);
    }
  }

  void text(const std::string& name, const std::string& value) {
    Hdf5Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type.id(), value.empty() ? 1 : value.size());
    H5Tset_strpad(type.id(), H5T_STR_NULLPAD);
    dataset(name, type.id(), {}, value.empty() ? "" : value.data());
  }

  void close() {
    if (H5Fclose(file_.id()) < 0) throw Hdf5Error(path_ + ": cannot close (flush) the checkpoint shard");
    file_ = Hdf5Handle();  // already closed
  }

 private:
  [[noreturn]] void fail(const std::string& name) const {
    throw Hdf5Error(path_ + ": cannot write '" + name + "' to the checkpoint shard");
  }

  std::string path_;
  Hdf5Handle file_;
};

void write_shard_file(const fs::path& path, const std::string& fingerprint, std::int64_t grid_point,
                      const NamedArrays& payload) {
  check_names(payload, path);
  ShardWriter writer(path);
  writer.text("format", kShardFormat);
  writer.text("fingerprint", fingerprint);
  writer.dataset("grid_point", H5T_NATIVE_INT64, {}, &grid_point);
  writer.text("checksum", content_checksum(fingerprint, grid_point, payload));
  writer.group("reals");
  for (const auto& [name, array] : payload.reals) {
    if (array.size() != NdArray<double>::element_count(array.shape)) {
      throw Error(path.string() + ": array '" + name + "' has " + std::to_string(array.size()) +
                  " values for shape " + array.shape_string());
    }
    writer.dataset("reals/" + name, H5T_NATIVE_DOUBLE, array.shape, array.ptr());
  }
  writer.group("ints");
  for (const auto& [name, array] : payload.ints) {
    if (array.size() != NdArray<std::int64_t>::element_count(array.shape)) {
      throw Error(path.string() + ": array '" + name + "' has " + std::to_string(array.size()) +
                  " values for shape " + array.shape_string());
    }
    writer.dataset("ints/" + name, H5T_NATIVE_INT64, array.shape, array.ptr());
  }
  writer.close();
}

herr_t collect_name(hid_t /*group*/, const char* name, const H5L_info_t* /*info*/, void* names) {
  static_cast<std::vector<std::string>*>(names)->emplace_back(name);
  return 0;
}

std::vector<std::string> member_names(const Hdf5File& file, const std::string& group_name) {
  Hdf5Handle group(H5Gopen2(file.id(), group_name.c_str(), H5P_DEFAULT), H5Gclose);
  if (!group.valid()) throw CheckpointError("group '" + group_name + "' is missing");
  std::vector<std::string> names;
  if (H5Literate(group.id(), H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_name, &names) < 0) {
    throw CheckpointError("cannot list group '" + group_name + "'");
  }
  return names;
}

struct ShardContent {
  std::string fingerprint;
  std::int64_t grid_point = 0;
  NamedArrays payload;
};

// Reads a shard and verifies its checksum; throws (any exception type) if it is unusable.
ShardContent read_shard_file(const fs::path& path) {
  Hdf5File file(path.string(), Hdf5File::Mode::kReadOnly);
  auto one_string = [&](const std::string& name) {
    std::vector<std::string> values = file.read_strings(name);
    if (values.size() != 1) throw CheckpointError("'" + name + "' is not one string");
    return values.front();
  };
  const std::string format = one_string("format");
  if (format != kShardFormat) throw CheckpointError("unknown shard format '" + shorten(format) + "'");
  ShardContent content;
  content.fingerprint = one_string("fingerprint");
  content.grid_point = file.read_int_scalar("grid_point");
  const std::string stored_checksum = one_string("checksum");
  for (const std::string& name : member_names(file, "reals")) {
    content.payload.reals[name] = file.read_double("reals/" + name);
  }
  for (const std::string& name : member_names(file, "ints")) {
    content.payload.ints[name] = file.read_int("ints/" + name);
  }
  if (content_checksum(content.fingerprint, content.grid_point, content.payload) != stored_checksum) {
    throw CheckpointError("content checksum mismatch");
  }
  return content;
}

// ---------------------------------------------------------------- manifest

struct Manifest {
  std::string format;
  std::string fingerprint;
  std::map<std::string, std::string> entries;
};

std::string manifest_text(const Fingerprint& fingerprint) {
  std::ostringstream out;
  out << "{\n  \"format\": " << json_quote(kManifestFormat)
      << ",\n  \"fingerprint\": " << json_quote(fingerprint.hex()) << ",\n  \"entries\": {";
  bool first = true;
  for (const auto& [key, value] : fingerprint.entries()) {
    out << (first ? "\n" : ",\n") << "    " << json_quote(key) << ": " << json_quote(value);
    first = false;
  }
  out << (first ? "}\n}\n" : "\n  }\n}\n");
  return out.str();
}

// JSON is YAML: yaml-cpp reads the manifest.
Manifest read_manifest(const fs::path& path) {
  Manifest manifest;
  const YAML::Node root = YAML::LoadFile(path.string());
  manifest.format = root["format"].as<std::string>();
  manifest.fingerprint = root["fingerprint"].as<std::string>();
  const YAML::Node entries = root["entries"];
  if (!entries.IsMap()) throw Error("'entries' is not an object");
  for (const auto& entry : entries) {
    manifest.entries[entry.first.as<std::string>()] = entry.second.as<std::string>();
  }
  return manifest;
}

const char* const kAdvice = "use a new output_dir or restart = false";

std::string stage_of(const std::map<std::string, std::string>& entries) {
  const auto it = entries.find("stage");
  return it == entries.end() ? std::string() : it->second;
}

// The manifest of a stage folder, or CheckpointMismatch naming it when it is missing or
// unreadable (a folder is published with its manifest, so either means damage).
Manifest read_stage_manifest(const fs::path& folder) {
  const fs::path path = folder / Checkpoint::kManifestName;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    throw CheckpointMismatch(folder.string() + " holds results of unknown settings (its " +
                             Checkpoint::kManifestName + " is missing); " + kAdvice);
  }
  Manifest manifest;
  try {
    manifest = read_manifest(path);
  } catch (const std::exception& e) {
    throw CheckpointMismatch(path.string() + " is unreadable (" + e.what() +
                             "), so the checkpoint cannot be trusted; " + kAdvice);
  }
  if (manifest.format != kManifestFormat) {
    throw CheckpointMismatch(folder.string() + " was written in checkpoint format '" +
                             shorten(manifest.format) + "', this ph3mpi reads '" + kManifestFormat + "'; " +
                             kAdvice);
  }
  return manifest;
}

std::string joined_differences(const Manifest& stored, const Fingerprint& current) {
  std::string what;
  for (const std::string& d : Fingerprint::differences(stored.entries, current.entries())) {
    what += (what.empty() ? "" : "; ") + d;
  }
  return what.empty() ? "fingerprint " + stored.fingerprint.substr(0, 16) + "... differs" : what;
}

// An exclusive stage: no other folder may hold results of the same stage name.
void refuse_other_settings_of_stage(const fs::path& dir, const Fingerprint& fingerprint) {
  const std::string hex = fingerprint.hex();
  const std::string stage = stage_of(fingerprint.entries());
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || !is_fingerprint_name(name) || name == hex) continue;
    const Manifest other = read_stage_manifest(entry.path());
    if (stage_of(other.entries) != stage) continue;
    throw CheckpointMismatch(entry.path().string() + " holds results computed with other settings (" +
                             joined_differences(other, fingerprint) + "); " + kAdvice);
  }
}

// The stage folder with its manifest, published at once: made as a private folder beside it,
// the manifest written into it, then renamed to <fingerprint>. rename(2) fails when another
// process (a concurrent job-array part) published the folder first; then that one is used.
// Returns whether the folder existed (resumed).
bool open_or_create_stage_folder(const fs::path& dir, const Fingerprint& fingerprint) {
  const fs::path folder = dir / fingerprint.hex();
  std::error_code ec;
  if (!fs::exists(folder, ec)) {
    PrivateDirectory staging = PrivateDirectory::create(dir);
    write_text_file_atomically(staging.path() / Checkpoint::kManifestName, manifest_text(fingerprint), true);
    const mode_t mask = ::umask(0);
    ::umask(mask);
    fs::permissions(staging.path(), static_cast<fs::perms>(0777 & ~mask), ec);
    if (::rename(staging.path().c_str(), folder.c_str()) == 0) {
      sync_path(dir, true);
      return false;
    }
    if (errno != EEXIST && errno != ENOTEMPTY) {
      throw Error("cannot create the checkpoint folder " + folder.string() + ": " + std::strerror(errno));
    }
  }
  const Manifest manifest = read_stage_manifest(folder);
  if (manifest.fingerprint != fingerprint.hex()) {
    throw CheckpointMismatch(folder.string() + " holds results computed with other settings (" +
                             joined_differences(manifest, fingerprint) + "); " + kAdvice);
  }
  return true;
}

}  // namespace

// ---------------------------------------------------------------- Fingerprint

void Fingerprint::add(const std::string& key, const std::string& value) {
  if (key.empty()) throw Error("checkpoint fingerprint: empty key");
  if (!entries_.emplace(key, value).second)
    throw Error("checkpoint fingerprint: key '" + key + "' added twice");
}

void Fingerprint::add_number(const std::string& key, double value) { add(key, number_text(value)); }

void Fingerprint::add_int(const std::string& key, std::int64_t value) { add(key, std::to_string(value)); }

void Fingerprint::add_numbers(const std::string& key, const std::vector<double>& values) {
  std::string text;
  for (std::size_t i = 0; i < values.size(); ++i) text += (i ? " " : "") + number_text(values[i]);
  add(key, text);
}

void Fingerprint::add_ints(const std::string& key, const std::vector<std::int64_t>& values) {
  std::string text;
  for (std::size_t i = 0; i < values.size(); ++i) text += (i ? " " : "") + std::to_string(values[i]);
  add(key, text);
}

void Fingerprint::add_file(const std::string& key, const fs::path& path) {
  add(key, "sha256:" + common::sha256_file_hex(path.string()));
}

std::string Fingerprint::hex() const {
  common::Sha256 hash;
  hash_text(hash, "ph3mpi-fingerprint 1");
  hash_u64(hash, entries_.size());
  for (const auto& [key, value] : entries_) {
    hash_text(hash, key);
    hash_text(hash, value);
  }
  return hash.finish_hex();
}

std::vector<std::string> Fingerprint::differences(const std::map<std::string, std::string>& stored,
                                                  const std::map<std::string, std::string>& current) {
  std::vector<std::string> out;
  auto is_file = [](const std::string& v) { return v.rfind("sha256:", 0) == 0; };
  for (const auto& [key, old_value] : stored) {
    const auto it = current.find(key);
    if (it == current.end()) {
      out.push_back(key + ": set in the checkpoint ('" + shorten(old_value) + "'), not now");
    } else if (it->second != old_value) {
      if (is_file(old_value) && is_file(it->second)) {
        out.push_back(key + ": file contents differ");
      } else {
        out.push_back(key + ": '" + shorten(old_value) + "' in the checkpoint, '" + shorten(it->second) +
                      "' now");
      }
    }
  }
  for (const auto& [key, value] : current) {
    if (stored.find(key) == stored.end()) {
      out.push_back(key + ": not in the checkpoint, '" + shorten(value) + "' now");
    }
  }
  return out;
}

// ---------------------------------------------------------------- Checkpoint

Checkpoint::Checkpoint(fs::path output_dir, std::string fingerprint_hex)
    : output_dir_(std::move(output_dir)), fingerprint_hex_(std::move(fingerprint_hex)) {}

fs::path Checkpoint::directory() const { return output_dir_ / "checkpoint"; }

fs::path Checkpoint::shard_directory() const { return directory() / fingerprint_hex_; }

fs::path Checkpoint::shard_path(std::int64_t grid_point) const {
  return shard_directory() / ("gp-" + std::to_string(grid_point) + ".h5");
}

std::optional<std::int64_t> shard_grid_point(const std::string& name) {
  const std::string prefix = "gp-", suffix = ".h5";
  if (name.size() <= prefix.size() + suffix.size() || name.compare(0, prefix.size(), prefix) != 0 ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return std::nullopt;
  }
  const std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.size() > 18) return std::nullopt;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;  // one spelling per grid point
  return std::stoll(digits);
}

CheckpointStatus Checkpoint::prepare(const fs::path& output_dir, const Fingerprint& fingerprint, bool restart,
                                     StageKind kind) {
  CheckpointStatus status;
  const std::string hex = fingerprint.hex();
  const Checkpoint checkpoint(output_dir, hex);
  const fs::path dir = checkpoint.directory();
  std::error_code ec;

  if (!restart && fs::exists(dir, ec)) {
    fs::remove_all(dir, ec);
    if (ec) throw Error(dir.string() + ": cannot remove the previous checkpoint: " + ec.message());
    status.notes.push_back("checkpoint: restart = false, removed the previous checkpoint in " + dir.string());
  }
  make_directory(dir);
  fs::remove(dir / (std::string(kManifestName) + kTmpSuffix), ec);  // an older ph3mpi's leftover
  if (fs::exists(dir / kManifestName, ec)) {
    throw CheckpointMismatch(dir.string() + " was written by an older ph3mpi (one " + kManifestName +
                             " for the whole checkpoint); " + kAdvice);
  }
  if (kind == StageKind::kExclusive) refuse_other_settings_of_stage(dir, fingerprint);
  status.resumed = open_or_create_stage_folder(dir, fingerprint);

  const fs::path shard_dir = checkpoint.shard_directory();
  for (const fs::directory_entry& entry : fs::directory_iterator(shard_dir)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > std::strlen(kTmpSuffix) &&
        name.compare(name.size() - std::strlen(kTmpSuffix), std::string::npos, kTmpSuffix) == 0) {
      fs::remove(entry.path(), ec);
      status.notes.push_back("checkpoint: removed " + name + " (a write that was interrupted)");
      continue;
    }
    const std::optional<std::int64_t> grid_point = shard_grid_point(name);
    if (!grid_point || !entry.is_regular_file()) continue;
    const ShardCheck check = check_shard(entry.path(), hex, *grid_point);
    if (check.state == ShardState::kValid) {
      status.done.push_back(*grid_point);
    } else if (check.state == ShardState::kForeign) {
      throw CheckpointMismatch(entry.path().string() + " " + check.reason + "; " + kAdvice);
    } else {
      fs::remove(entry.path(), ec);
      status.notes.push_back("checkpoint: " + name + " is damaged (" + check.reason + "); grid point " +
                             std::to_string(*grid_point) + " will be recomputed");
    }
  }
  std::sort(status.done.begin(), status.done.end());
  return status;
}

std::vector<std::int64_t> Checkpoint::published_grid_points() const {
  std::vector<std::int64_t> out;
  std::error_code ec;
  for (fs::directory_iterator it(shard_directory(), ec), end; !ec && it != end; it.increment(ec)) {
    const std::optional<std::int64_t> gp = shard_grid_point(it->path().filename().string());
    if (gp) out.push_back(*gp);
  }
  std::sort(out.begin(), out.end());
  return out;
}

ShardCheck Checkpoint::check_shard(const fs::path& file, const std::string& fingerprint_hex,
                                   std::int64_t grid_point) {
  ShardCheck check;
  try {
    const ShardContent content = read_shard_file(file);
    if (content.fingerprint != fingerprint_hex) {
      check.state = ShardState::kForeign;
      check.reason =
          "was written with other settings (fingerprint " + content.fingerprint.substr(0, 16) + "...)";
    } else if (content.grid_point != grid_point) {
      check.state = ShardState::kForeign;
      check.reason =
          "holds grid point " + std::to_string(content.grid_point) + ", not " + std::to_string(grid_point);
    } else {
      check.state = ShardState::kValid;
    }
  } catch (const std::exception& e) {
    check.state = ShardState::kDamaged;
    check.reason = e.what();
  }
  return check;
}

void Checkpoint::write(std::int64_t grid_point, const NamedArrays& payload) const {
  write(std::vector<std::int64_t>{grid_point}, std::vector<NamedArrays>{payload});
}

void Checkpoint::write(const std::vector<std::int64_t>& grid_points,
                       const std::vector<NamedArrays>& payloads) const {
  if (grid_points.size() != payloads.size()) {
    throw Error("checkpoint: " + std::to_string(grid_points.size()) + " grid points but " +
                std::to_string(payloads.size()) + " results");
  }
  if (grid_points.empty()) return;
  // This process's private folder beside the shard folder (same file system, so the
  // rename is atomic), made at the first write and removed with the last copy of this object.
  if (!staging_) staging_ = std::make_shared<PrivateDirectory>(PrivateDirectory::create(directory()));
  for (std::size_t i = 0; i < grid_points.size(); ++i) {
    const fs::path final_path = shard_path(grid_points[i]);
    const fs::path staged = staging_->path() / final_path.filename();
    try {
      write_shard_file(staged, fingerprint_hex_, grid_points[i], payloads[i]);
    } catch (...) {
      std::error_code ec;
      fs::remove(staged, ec);
      throw;
    }
    sync_path(staged, false);
    publish_file(staged, final_path, false);  // the folder is fsync'ed below, once per batch
  }
  sync_path(shard_directory(), true);
}

NamedArrays Checkpoint::read(std::int64_t grid_point) const {
  const fs::path path = shard_path(grid_point);
  ShardContent content;
  try {
    content = read_shard_file(path);
  } catch (const std::exception& e) {
    throw CheckpointError(path.string() + ": checkpoint shard is unusable: " + e.what());
  }
  if (content.fingerprint != fingerprint_hex_ || content.grid_point != grid_point) {
    throw CheckpointError(path.string() +
                          ": checkpoint shard belongs to other settings or another grid point");
  }
  return std::move(content.payload);
}

}  // namespace ph3mpi::io
