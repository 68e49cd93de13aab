// A thin HDF5 wrapper in HighFive's spirit: every C call is checked and a failure
// becomes a typed exception (ph3mpi::Hdf5Error, or InputError for user files)
// naming the file and dataset. HDF5's own error-stack printing is switched off.
#pragma once

#include <hdf5.h>

#include <complex>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"

namespace ph3mpi::io {

// Owns one hid_t and closes it with the right H5?close.
class Hdf5Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Hdf5Handle() = default;
  Hdf5Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  ~Hdf5Handle() { reset(); }
  Hdf5Handle(Hdf5Handle&& other) noexcept : id_(other.id_), closer_(other.closer_) { other.id_ = -1; }
  Hdf5Handle& operator=(Hdf5Handle&& other) noexcept;
  Hdf5Handle(const Hdf5Handle&) = delete;
  Hdf5Handle& operator=(const Hdf5Handle&) = delete;
  hid_t id() const noexcept { return id_; }
  bool valid() const noexcept { return id_ >= 0; }
  void reset() noexcept;

 private:
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

// Element kinds a dataset may hold, as the reader sees them.
enum class Hdf5Kind { kFloat, kInteger, kString, kComplex, kOther };

// Element types create_dataset makes: numpy float64 / int64 (little-endian, as h5py stores
// them) and complex128 (h5py's {r, i} compound).
enum class Hdf5Dtype { kFloat64, kInt64, kComplex128 };

// Storage of a dataset made by create_dataset.
struct Hdf5DatasetOptions {
  // Deflate level 0..9 (h5py compression="gzip" is level 4), or -1 for no filter
  // (contiguous storage unless chunks are given).
  int gzip_level = -1;
  // Chunk shape; empty with gzip = h5py's guess_chunk heuristic (h5py_guess_chunk).
  std::vector<std::size_t> chunks;
};

// What list_datasets/dataset_info report about a stored dataset (to compare file layouts).
struct Hdf5DatasetInfo {
  std::vector<std::size_t> shape;
  Hdf5Kind kind = Hdf5Kind::kOther;
  std::size_t element_size = 0;  // bytes; fixed-length strings: their length
  bool is_signed = false;        // integers only
  bool is_variable_string = false;
  bool gzip = false;                // deflate filter present
  std::vector<std::size_t> chunks;  // empty when not chunked
};

// h5py's chunk-shape heuristic (h5py/_hl/filters.py guess_chunk): halve the axes in turn,
// starting with the first, until a chunk is near a target of 16 KiB * 2^log10(size/1 MiB)
// bytes (clamped to [8 KiB, 1 MiB]). Lets our compressed datasets be laid out like phono3py's.
std::vector<std::size_t> h5py_guess_chunk(const std::vector<std::size_t>& shape, std::size_t type_size);

class Hdf5File {
 public:
  enum class Mode { kReadOnly, kReadWrite, kTruncate };

  // Opens (or for kTruncate creates) `path` for serial access. A missing, unreadable or
  // non-HDF5 file raises InputError(path, <cause>). kTruncate replaces whatever is at
  // `path`: the name is unlinked and the file created exclusively (O_CREAT | O_EXCL), so a
  // symbolic link or another name of the same file (hard link) is never written through.
  Hdf5File(const std::string& path, Mode mode = Mode::kReadOnly);

#ifdef H5_HAVE_PARALLEL
  // Parallel HDF5 (MPI-IO) over the ranks of `comm`: opening, creating datasets and
  // every write are collective (all ranks of comm call them in the same order).
  // write/write_scalar/write_string store rank 0's data (the others contribute an empty
  // selection); write_block writes each rank's own block with one collective H5Dwrite,
  // where a rank may pass an empty block.
  Hdf5File(const std::string& path, Mode mode, MPI_Comm comm);
#endif
  bool is_parallel() const noexcept { return parallel_; }
  // Rank 0 of the communicator (always true when serial).
  bool is_writer() const noexcept { return writer_; }

  const std::string& path() const noexcept { return path_; }
  hid_t id() const noexcept { return file_.id(); }

  bool exists(const std::string& name) const;  // dataset or group, nested names allowed
  std::vector<std::size_t> shape(const std::string& dataset) const;
  Hdf5Kind kind(const std::string& dataset) const;

  // Read a whole dataset converted to T (float kinds to double, integer kinds to
  // int64/int32; a float dataset read as integer or vice versa is an InputError).
  NdArray<double> read_double(const std::string& dataset) const;
  NdArray<std::int64_t> read_int(const std::string& dataset) const;
  NdArray<std::complex<double>> read_complex(const std::string& dataset) const;  // h5py {r,i} compound
  double read_double_scalar(const std::string& dataset) const;
  std::int64_t read_int_scalar(const std::string& dataset) const;
  std::vector<std::string> read_strings(
      const std::string& dataset) const;  // fixed or variable length, 0-d or 1-d

  // Rows [first, first + count) along axis 0 of a dataset of rank >= 1 (a hyperslab), so
  // that large datasets can be read in pieces. Kinds are checked as by read_double /
  // read_complex; a range beyond the extent is an InputError.
  NdArray<double> read_rows_double(const std::string& dataset, std::size_t first, std::size_t count) const;
  NdArray<std::complex<double>> read_rows_complex(const std::string& dataset, std::size_t first,
                                                  std::size_t count) const;

  // Writing. Groups along the path are created. Overwriting an existing dataset is an error.
  void write(const std::string& dataset, const NdArray<double>& array);
  void write(const std::string& dataset, const NdArray<std::int64_t>& array);
  void write(const std::string& dataset, const NdArray<std::complex<double>>& array);
  void write_scalar(const std::string& dataset, double value);
  void write_scalar(const std::string& dataset, std::int64_t value);
  void write_string(const std::string& dataset, const std::string& value);
  void write_attribute(const std::string& object, const std::string& name, const std::string& value);

  // Two-step writing for datasets filled in parts (per grid-point ranges, later by several
  // MPI ranks with parallel HDF5): create with the full shape (filled with zeros), then
  // write blocks. A block's shape is its extent; offset has one entry per axis. A block
  // with zero elements writes nothing (kept valid so that collective writes can use it).
  void create_dataset(const std::string& dataset, const std::vector<std::size_t>& shape, Hdf5Dtype dtype,
                      const Hdf5DatasetOptions& options = {});
  void write_block(const std::string& dataset, const std::vector<std::size_t>& offset,
                   const NdArray<double>& block);
  void write_block(const std::string& dataset, const std::vector<std::size_t>& offset,
                   const NdArray<std::int64_t>& block);
  void write_block(const std::string& dataset, const std::vector<std::size_t>& offset,
                   const NdArray<std::complex<double>>& block);
  // Parallel: only rank 0's block is stored; the other ranks join the collective write
  // with an empty selection (their block is ignored). Serial: write_block.
  void write_block_from_root(const std::string& dataset, const std::vector<std::size_t>& offset,
                             const NdArray<double>& block);
  void write_block_from_root(const std::string& dataset, const std::vector<std::size_t>& offset,
                             const NdArray<std::int64_t>& block);

  // Every dataset in the file, nested ones as "group/name", sorted by name.
  std::vector<std::string> list_datasets() const;
  Hdf5DatasetInfo dataset_info(const std::string& dataset) const;

 private:
  Hdf5Handle open_dataset(const std::string& dataset) const;
  void read_rows_raw(const std::string& dataset, hid_t mem_type, std::size_t first,
                     const std::vector<std::size_t>& block_shape, void* out) const;
  void ensure_parent_groups(const std::string& dataset);
  void write_raw(const std::string& dataset, hid_t mem_type, const std::vector<std::size_t>& shape,
                 const void* data);
  [[noreturn]] void fail(const std::string& what) const;
  void write_block_raw(const std::string& dataset, hid_t mem_type, const std::vector<std::size_t>& offset,
                       const std::vector<std::size_t>& count, const void* data, bool from_root = false);

  // Transfer property of writes: collective MPI-IO when parallel, else the default.
  hid_t transfer_plist() const noexcept { return transfer_.valid() ? transfer_.id() : H5P_DEFAULT; }

  std::string path_;
  Hdf5Handle file_;
  Hdf5Handle transfer_;
  bool parallel_ = false;
  bool writer_ = true;  // rank 0 of the communicator (always true when serial)
};

// Writes a whole file and publishes it as `path` only when it is complete and finite
// (io/safe_files.hpp): `fill` writes into a new file in a private temporary folder beside
// `path` (parent folders created), every floating-point dataset is checked to be finite
// (io/finite_check.hpp: NonFiniteResultError otherwise), and the file is renamed to `path`
// (a symbolic link planted there is replaced, not followed). An interrupted run never
// leaves a partial file under the final name; on an exception nothing is left behind.
void write_hdf5_atomically(const std::string& path, const std::function<void(Hdf5File&)>& fill);

// The same for writers that create the file themselves: `write(temporary_path)` must create
// a new HDF5 file at temporary_path (e.g. Hdf5File kTruncate, write_kappa_file).
void write_new_hdf5_file(const std::string& path, const std::function<void(const std::string&)>& write);

// The complex type h5py uses ({"r": double, "i": double}), created once.
hid_t complex_double_type();

}  // namespace ph3mpi::io
