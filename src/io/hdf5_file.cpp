#include "ph3mpi/io/hdf5_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <filesystem>
#include <mutex>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/file_access.hpp"
#include "ph3mpi/io/finite_check.hpp"
#include "ph3mpi/io/safe_files.hpp"
#include "ph3mpi/parallel/mpi_handle.hpp"

namespace ph3mpi::io {
namespace {

// Silence HDF5's default error-stack printing once per process: errors are
// reported through exceptions with our own context instead.
void silence_hdf5_errors() {
  static std::once_flag flag;
  std::call_once(flag, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

// kTruncate replaces whatever is at `path` (a file or a symbolic link) by unlinking the
// name, then creates the file exclusively (H5F_ACC_EXCL: O_CREAT | O_EXCL, which refuses an
// existing name, a symbolic link included). So a file is never written through a symbolic
// link, nor truncated in place under another name (a hard link).
void unlink_for_replacement(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    throw InputError(path, "cannot replace the existing file: " + common::errno_cause(errno));
  }
}

// Why creating `path` failed, as far as the file system tells (HDF5 does not say).
std::string creation_cause(const std::string& path) {
  const std::filesystem::path p(path);
  const std::filesystem::path folder = p.has_parent_path() ? p.parent_path() : std::filesystem::path(".");
  if (::access(folder.c_str(), W_OK | X_OK) != 0)
    return " in " + folder.string() + ": " + common::errno_cause(errno);
  struct stat status {};
  if (::lstat(path.c_str(), &status) == 0) return ": " + common::errno_cause(EEXIST);
  return std::string();
}

template <typename T>
NdArray<T> read_as(const Hdf5File& file, hid_t dataset, hid_t mem_type, const std::vector<std::size_t>& shape,
                   const std::string& name) {
  NdArray<T> out(shape);
  if (out.size() > 0 && H5Dread(dataset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.ptr()) < 0) {
    throw InputError(file.path(), "cannot read dataset '" + name + "' (corrupt or truncated file?)");
  }
  return out;
}

}  // namespace

Hdf5Handle& Hdf5Handle::operator=(Hdf5Handle&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = other.id_;
    closer_ = other.closer_;
    other.id_ = -1;
  }
  return *this;
}

void Hdf5Handle::reset() noexcept {
  if (id_ >= 0 && closer_ != nullptr) {
    closer_(id_);
  }
  id_ = -1;
}

hid_t complex_double_type() {
  static hid_t type = [] {
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(std::complex<double>));
    H5Tinsert(t, "r", 0, H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "i", sizeof(double), H5T_NATIVE_DOUBLE);
    return t;
  }();
  return type;
}

Hdf5File::Hdf5File(const std::string& path, Mode mode) : path_(path) {
  silence_hdf5_errors();
  if (mode == Mode::kTruncate) {
    unlink_for_replacement(path);
    file_ = Hdf5Handle(H5Fcreate(path.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    if (!file_.valid()) {
      throw InputError(path, "cannot create HDF5 file" + creation_cause(path));
    }
    return;
  }
  // Names the real cause (permission denied, a symlink loop, ...) before HDF5 would call
  // any of them "not an HDF5 file".
  common::require_readable_file(path, "an HDF5 file");
  std::error_code ec;
  if (std::filesystem::file_size(path, ec) == 0) {
    throw InputError(path, "file is empty, expected an HDF5 file");
  }
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    throw InputError(path, "not an HDF5 file (bad signature or truncated)");
  }
  unsigned flags = mode == Mode::kReadOnly ? H5F_ACC_RDONLY : H5F_ACC_RDWR;
  file_ = Hdf5Handle(H5Fopen(path.c_str(), flags, H5P_DEFAULT), H5Fclose);
  if (!file_.valid()) {
    throw InputError(path, "cannot open HDF5 file (truncated or corrupt?)");
  }
}

#ifdef H5_HAVE_PARALLEL
Hdf5File::Hdf5File(const std::string& path, Mode mode, MPI_Comm comm) : path_(path), parallel_(true) {
  silence_hdf5_errors();
  int rank = 0;
  PH3MPI_MPI_CHECK(MPI_Comm_rank, comm, &rank);
  writer_ = rank == 0;
  Hdf5Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  if (!fapl.valid() || H5Pset_fapl_mpio(fapl.id(), comm, MPI_INFO_NULL) < 0) {
    throw Hdf5Error(path + ": cannot set up MPI-IO file access");
  }
  // Collective metadata writes: every rank performs the same metadata operations anyway.
  H5Pset_coll_metadata_write(fapl.id(), true);
  if (mode == Mode::kTruncate) {
    // Rank 0 clears the name; then the collective exclusive create (MPI_MODE_EXCL).
    int cleared = 1;
    if (rank == 0) {
      try {
        unlink_for_replacement(path);
      } catch (const std::exception&) {
        cleared = 0;
      }
    }
    PH3MPI_MPI_CHECK(MPI_Bcast, &cleared, 1, MPI_INT, 0, comm);
    if (cleared == 0) throw InputError(path, "cannot replace the existing file" + creation_cause(path));
    file_ = Hdf5Handle(H5Fcreate(path.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, fapl.id()), H5Fclose);
  } else {
    file_ = Hdf5Handle(
        H5Fopen(path.c_str(), mode == Mode::kReadOnly ? H5F_ACC_RDONLY : H5F_ACC_RDWR, fapl.id()), H5Fclose);
  }
  if (!file_.valid()) throw InputError(path, "cannot open HDF5 file for parallel access");
  transfer_ = Hdf5Handle(H5Pcreate(H5P_DATASET_XFER), H5Pclose);
  if (!transfer_.valid() || H5Pset_dxpl_mpio(transfer_.id(), H5FD_MPIO_COLLECTIVE) < 0) {
    throw Hdf5Error(path + ": cannot set up collective transfers");
  }
}
#endif

void Hdf5File::fail(const std::string& what) const { throw InputError(path_, what); }

bool Hdf5File::exists(const std::string& name) const {
  // Check every component so that a missing intermediate group is not an HDF5 error.
  std::string partial;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t slash = name.find('/', start);
    std::string component =
        name.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!component.empty()) {
      partial += (partial.empty() ? "" : "/") + component;
      if (H5Lexists(file_.id(), partial.c_str(), H5P_DEFAULT) <= 0) {
        return false;
      }
    }
    if (slash == std::string::npos) {
      break;
    }
    start = slash + 1;
  }
  return !partial.empty();
}

Hdf5Handle Hdf5File::open_dataset(const std::string& dataset) const {
  if (!exists(dataset)) {
    fail("dataset '" + dataset + "' is missing");
  }
  Hdf5Handle d(H5Dopen2(file_.id(), dataset.c_str(), H5P_DEFAULT), H5Dclose);
  if (!d.valid()) {
    fail("'" + dataset + "' is not a readable dataset");
  }
  return d;
}

std::vector<std::size_t> Hdf5File::shape(const std::string& dataset) const {
  Hdf5Handle d = open_dataset(dataset);
  Hdf5Handle space(H5Dget_space(d.id()), H5Sclose);
  int rank = H5Sget_simple_extent_ndims(space.id());
  if (rank < 0) {
    fail("cannot read the shape of dataset '" + dataset + "'");
  }
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space.id(), dims.data(), nullptr);
  return std::vector<std::size_t>(dims.begin(), dims.end());
}

Hdf5Kind Hdf5File::kind(const std::string& dataset) const {
  Hdf5Handle d = open_dataset(dataset);
  Hdf5Handle type(H5Dget_type(d.id()), H5Tclose);
  switch (H5Tget_class(type.id())) {
    case H5T_FLOAT:
      return Hdf5Kind::kFloat;
    case H5T_INTEGER:
    case H5T_ENUM:  // h5py stores numpy bool as an enum of int8
      return Hdf5Kind::kInteger;
    case H5T_STRING:
      return Hdf5Kind::kString;
    case H5T_COMPOUND:
      return H5Tget_nmembers(type.id()) == 2 ? Hdf5Kind::kComplex : Hdf5Kind::kOther;
    default:
      return Hdf5Kind::kOther;
  }
}

NdArray<double> Hdf5File::read_double(const std::string& dataset) const {
  if (kind(dataset) != Hdf5Kind::kFloat) {
    fail("dataset '" + dataset + "' must hold floating-point numbers");
  }
  Hdf5Handle d = open_dataset(dataset);
  return read_as<double>(*this, d.id(), H5T_NATIVE_DOUBLE, shape(dataset), dataset);
}

NdArray<std::int64_t> Hdf5File::read_int(const std::string& dataset) const {
  Hdf5Kind k = kind(dataset);
  Hdf5Handle d = open_dataset(dataset);
  if (k == Hdf5Kind::kInteger) {
    Hdf5Handle type(H5Dget_type(d.id()), H5Tclose);
    if (H5Tget_class(type.id()) == H5T_ENUM) {
      // numpy bool: read the raw int8 base values.
      NdArray<std::int8_t> raw = read_as<std::int8_t>(*this, d.id(), type.id(), shape(dataset), dataset);
      NdArray<std::int64_t> out(raw.shape);
      for (std::size_t i = 0; i < raw.size(); ++i) out[i] = raw[i];
      return out;
    }
    return read_as<std::int64_t>(*this, d.id(), H5T_NATIVE_INT64, shape(dataset), dataset);
  }
  fail("dataset '" + dataset + "' must hold integers");
}

NdArray<std::complex<double>> Hdf5File::read_complex(const std::string& dataset) const {
  if (kind(dataset) != Hdf5Kind::kComplex) {
    fail("dataset '" + dataset + "' must hold complex numbers");
  }
  Hdf5Handle d = open_dataset(dataset);
  return read_as<std::complex<double>>(*this, d.id(), complex_double_type(), shape(dataset), dataset);
}

void Hdf5File::read_rows_raw(const std::string& dataset, hid_t mem_type, std::size_t first,
                             const std::vector<std::size_t>& block_shape, void* out) const {
  const std::size_t count = block_shape[0];
  const std::vector<std::size_t> full = shape(dataset);
  if (full.empty() || first + count > full[0]) {
    throw InputError(path_, "rows [" + std::to_string(first) + ", " + std::to_string(first + count) +
                                ") are outside dataset '" + dataset + "' of " +
                                std::to_string(full.empty() ? 0 : full[0]) + " rows");
  }
  if (count == 0) return;
  Hdf5Handle d = open_dataset(dataset);
  Hdf5Handle file_space(H5Dget_space(d.id()), H5Sclose);
  std::vector<hsize_t> start(full.size(), 0);
  std::vector<hsize_t> cnt(block_shape.begin(), block_shape.end());
  start[0] = first;
  if (!file_space.valid() ||
      H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, start.data(), nullptr, cnt.data(), nullptr) < 0) {
    throw Hdf5Error(path_ + ": cannot select rows of dataset '" + dataset + "'");
  }
  Hdf5Handle mem_space(H5Screate_simple(static_cast<int>(cnt.size()), cnt.data(), nullptr), H5Sclose);
  if (H5Dread(d.id(), mem_type, mem_space.id(), file_space.id(), H5P_DEFAULT, out) < 0) {
    throw InputError(path_, "cannot read rows of dataset '" + dataset + "' (corrupt or truncated file?)");
  }
}

NdArray<double> Hdf5File::read_rows_double(const std::string& dataset, std::size_t first,
                                           std::size_t count) const {
  if (kind(dataset) != Hdf5Kind::kFloat) {
    fail("dataset '" + dataset + "' must hold floating-point numbers");
  }
  std::vector<std::size_t> block = shape(dataset);
  if (block.empty()) fail("dataset '" + dataset + "' has no rows (it is a scalar)");
  block[0] = count;
  NdArray<double> out(block);
  read_rows_raw(dataset, H5T_NATIVE_DOUBLE, first, block, out.ptr());
  return out;
}

NdArray<std::complex<double>> Hdf5File::read_rows_complex(const std::string& dataset, std::size_t first,
                                                          std::size_t count) const {
  if (kind(dataset) != Hdf5Kind::kComplex) {
    fail("dataset '" + dataset + "' must hold complex numbers");
  }
  std::vector<std::size_t> block = shape(dataset);
  if (block.empty()) fail("dataset '" + dataset + "' has no rows (it is a scalar)");
  block[0] = count;
  NdArray<std::complex<double>> out(block);
  read_rows_raw(dataset, complex_double_type(), first, block, out.ptr());
  return out;
}

double Hdf5File::read_double_scalar(const std::string& dataset) const {
  NdArray<double> a = read_double(dataset);
  if (a.size() != 1) {
    fail("dataset '" + dataset + "' must be a scalar, has shape " + a.shape_string());
  }
  return a[0];
}

std::int64_t Hdf5File::read_int_scalar(const std::string& dataset) const {
  NdArray<std::int64_t> a = read_int(dataset);
  if (a.size() != 1) {
    fail("dataset '" + dataset + "' must be a scalar, has shape " + a.shape_string());
  }
  return a[0];
}

std::vector<std::string> Hdf5File::read_strings(const std::string& dataset) const {
  if (kind(dataset) != Hdf5Kind::kString) {
    fail("dataset '" + dataset + "' must hold strings");
  }
  Hdf5Handle d = open_dataset(dataset);
  Hdf5Handle type(H5Dget_type(d.id()), H5Tclose);
  std::size_t n = NdArray<char>::element_count(shape(dataset));
  std::vector<std::string> out;
  if (H5Tis_variable_str(type.id()) > 0) {
    std::vector<char*> ptrs(n, nullptr);
    Hdf5Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.id(), H5T_VARIABLE);
    if (H5Dread(d.id(), mem.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0) {
      fail("cannot read string dataset '" + dataset + "'");
    }
    for (char* p : ptrs) {
      out.emplace_back(p ? p : "");
    }
    Hdf5Handle space(H5Dget_space(d.id()), H5Sclose);
    H5Dvlen_reclaim(mem.id(), space.id(), H5P_DEFAULT, ptrs.data());
  } else {
    std::size_t len = H5Tget_size(type.id());
    std::vector<char> buffer(n * len + 1, '\0');
    if (H5Dread(d.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) < 0) {
      fail("cannot read string dataset '" + dataset + "'");
    }
    for (std::size_t i = 0; i < n; ++i) {
      std::string s(buffer.data() + i * len, len);
      out.push_back(s.substr(0, s.find('\0')));
    }
  }
  return out;
}

void Hdf5File::ensure_parent_groups(const std::string& dataset) {
  std::size_t pos = 0;
  while ((pos = dataset.find('/', pos + 1)) != std::string::npos) {
    std::string group = dataset.substr(0, pos);
    if (H5Lexists(file_.id(), group.c_str(), H5P_DEFAULT) <= 0) {
      Hdf5Handle g(H5Gcreate2(file_.id(), group.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
      if (!g.valid()) {
        throw Hdf5Error(path_ + ": cannot create group '" + group + "'");
      }
    }
  }
}

void Hdf5File::write_raw(const std::string& dataset, hid_t mem_type, const std::vector<std::size_t>& shape,
                         const void* data) {
  if (exists(dataset)) {
    throw Hdf5Error(path_ + ": dataset '" + dataset + "' already exists");
  }
  ensure_parent_groups(dataset);
  std::vector<hsize_t> dims(shape.begin(), shape.end());
  Hdf5Handle space(dims.empty() ? H5Screate(H5S_SCALAR)
                                : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                   H5Sclose);
  Hdf5Handle d(
      H5Dcreate2(file_.id(), dataset.c_str(), mem_type, space.id(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      H5Dclose);
  if (!d.valid()) throw Hdf5Error(path_ + ": cannot create dataset '" + dataset + "'");
  // Parallel: rank 0 writes, the others take part with an empty selection.
  Hdf5Handle selection;
  if (!writer_) {
    selection = Hdf5Handle(H5Scopy(space.id()), H5Sclose);
    H5Sselect_none(selection.id());
  }
  const hid_t selected = writer_ ? H5S_ALL : selection.id();
  if (H5Dwrite(d.id(), mem_type, selected, selected, transfer_plist(), data) < 0) {
    throw Hdf5Error(path_ + ": cannot write dataset '" + dataset + "'");
  }
}

void Hdf5File::write(const std::string& dataset, const NdArray<double>& array) {
  write_raw(dataset, H5T_NATIVE_DOUBLE, array.shape, array.ptr());
}

void Hdf5File::write(const std::string& dataset, const NdArray<std::int64_t>& array) {
  write_raw(dataset, H5T_NATIVE_INT64, array.shape, array.ptr());
}

void Hdf5File::write(const std::string& dataset, const NdArray<std::complex<double>>& array) {
  write_raw(dataset, complex_double_type(), array.shape, array.ptr());
}

void Hdf5File::write_scalar(const std::string& dataset, double value) {
  write_raw(dataset, H5T_NATIVE_DOUBLE, {}, &value);
}

void Hdf5File::write_scalar(const std::string& dataset, std::int64_t value) {
  write_raw(dataset, H5T_NATIVE_INT64, {}, &value);
}

void Hdf5File::write_string(const std::string& dataset, const std::string& value) {
  Hdf5Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.id(), value.empty() ? 1 : value.size());
  H5Tset_strpad(type.id(), H5T_STR_NULLPAD);
  write_raw(dataset, type.id(), {}, value.empty() ? "" : value.data());
}

void Hdf5File::write_attribute(const std::string& object, const std::string& name, const std::string& value) {
  Hdf5Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.id(), value.empty() ? 1 : value.size());
  Hdf5Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Hdf5Handle attr(H5Acreate_by_name(file_.id(), object.c_str(), name.c_str(), type.id(), space.id(),
                                    H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                  H5Aclose);
  if (!attr.valid() || H5Awrite(attr.id(), type.id(), value.empty() ? "" : value.data()) < 0) {
    throw Hdf5Error(path_ + ": cannot write attribute '" + name + "' on '" + object + "'");
  }
}

std::vector<std::size_t> h5py_guess_chunk(const std::vector<std::size_t>& shape, std::size_t type_size) {
  if (shape.empty()) {
    throw Hdf5Error("h5py_guess_chunk: a scalar dataset has no chunks");
  }
  constexpr double kChunkBase = 16.0 * 1024;  // bytes
  constexpr double kChunkMin = 8.0 * 1024;
  constexpr double kChunkMax = 1024.0 * 1024;
  // Work in doubles like h5py (its chunk array is float64); zero-length axes count as 1024.
  std::vector<double> chunks;
  for (std::size_t n : shape) chunks.push_back(n == 0 ? 1024.0 : static_cast<double>(n));
  auto product = [&chunks] {
    double p = 1.0;
    for (double c : chunks) p *= c;
    return p;
  };
  const double dataset_bytes = product() * static_cast<double>(type_size);
  const double target = std::clamp(kChunkBase * std::pow(2.0, std::log10(dataset_bytes / (1024.0 * 1024.0))),
                                   kChunkMin, kChunkMax);
  for (std::size_t axis = 0;; ++axis) {
    const double chunk_bytes = product() * static_cast<double>(type_size);
    const bool near_target = chunk_bytes < target || std::abs(chunk_bytes - target) / target < 0.5;
    if ((near_target && chunk_bytes < kChunkMax) || product() == 1.0) break;
    double& c = chunks[axis % chunks.size()];
    c = std::ceil(c / 2.0);
  }
  return std::vector<std::size_t>(chunks.begin(), chunks.end());
}

void Hdf5File::create_dataset(const std::string& dataset, const std::vector<std::size_t>& shape,
                              Hdf5Dtype dtype, const Hdf5DatasetOptions& options) {
  if (exists(dataset)) {
    throw Hdf5Error(path_ + ": dataset '" + dataset + "' already exists");
  }
  if (options.gzip_level > 9 || options.gzip_level < -1) {
    throw Hdf5Error(path_ + ": gzip level of '" + dataset + "' must be -1..9, got " +
                    std::to_string(options.gzip_level));
  }
  ensure_parent_groups(dataset);
  const hid_t type = dtype == Hdf5Dtype::kFloat64 ? H5T_IEEE_F64LE
                     : dtype == Hdf5Dtype::kInt64 ? H5T_STD_I64LE
                                                  : complex_double_type();
  std::vector<hsize_t> dims(shape.begin(), shape.end());
  Hdf5Handle space(dims.empty() ? H5Screate(H5S_SCALAR)
                                : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                   H5Sclose);
  Hdf5Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  std::vector<std::size_t> chunks = options.chunks;
  if (chunks.empty() && options.gzip_level >= 0) {
    chunks = h5py_guess_chunk(shape, H5Tget_size(type));
  }
  if (!chunks.empty()) {
    if (chunks.size() != shape.size()) {
      throw Hdf5Error(path_ + ": chunk rank of '" + dataset + "' differs from its shape's");
    }
    std::vector<hsize_t> chunk_dims(chunks.begin(), chunks.end());
    for (hsize_t& c : chunk_dims) c = std::max<hsize_t>(c, 1);
    if (H5Pset_chunk(dcpl.id(), static_cast<int>(chunk_dims.size()), chunk_dims.data()) < 0) {
      throw Hdf5Error(path_ + ": cannot set chunks of '" + dataset + "'");
    }
  }
  if (options.gzip_level >= 0) {
    if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0) {
      throw Hdf5Error(path_ + ": this HDF5 library has no gzip (deflate) filter");
    }
    if (H5Pset_deflate(dcpl.id(), static_cast<unsigned>(options.gzip_level)) < 0) {
      throw Hdf5Error(path_ + ": cannot set gzip compression of '" + dataset + "'");
    }
  }
  // Zero-filled at allocation, so a dataset read before all of its rows are written is
  // well defined (like numpy.zeros in phono3py).
  double zero_double = 0.0;
  std::int64_t zero_int = 0;
  std::complex<double> zero_complex{0.0, 0.0};
  if (dtype == Hdf5Dtype::kFloat64) {
    H5Pset_fill_value(dcpl.id(), H5T_NATIVE_DOUBLE, &zero_double);
  } else if (dtype == Hdf5Dtype::kInt64) {
    H5Pset_fill_value(dcpl.id(), H5T_NATIVE_INT64, &zero_int);
  } else {
    H5Pset_fill_value(dcpl.id(), complex_double_type(), &zero_complex);
  }
  Hdf5Handle d(H5Dcreate2(file_.id(), dataset.c_str(), type, space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
               H5Dclose);
  if (!d.valid()) {
    throw Hdf5Error(path_ + ": cannot create dataset '" + dataset + "'");
  }
}

void Hdf5File::write_block_raw(const std::string& dataset, hid_t mem_type,
                               const std::vector<std::size_t>& offset, const std::vector<std::size_t>& count,
                               const void* data, bool from_root) {
  Hdf5Handle d = open_dataset(dataset);
  Hdf5Handle file_space(H5Dget_space(d.id()), H5Sclose);
  const std::vector<std::size_t> full = shape(dataset);
  if (offset.size() != full.size() || count.size() != full.size()) {
    throw Hdf5Error(path_ + ": block of rank " + std::to_string(count.size()) + " at an offset of rank " +
                    std::to_string(offset.size()) + " does not fit dataset '" + dataset + "' of rank " +
                    std::to_string(full.size()));
  }
  std::size_t elements = 1;
  for (std::size_t i = 0; i < full.size(); ++i) {
    if (offset[i] + count[i] > full[i]) {
      throw Hdf5Error(path_ + ": block [" + std::to_string(offset[i]) + ", " +
                      std::to_string(offset[i] + count[i]) + ") on axis " + std::to_string(i) +
                      " exceeds extent " + std::to_string(full[i]) + " of dataset '" + dataset + "'");
    }
    elements *= count[i];
  }
  Hdf5Handle mem_space;
  if (full.empty()) {
    mem_space = Hdf5Handle(H5Screate(H5S_SCALAR), H5Sclose);
  } else {
    std::vector<hsize_t> start(offset.begin(), offset.end());
    std::vector<hsize_t> cnt(count.begin(), count.end());
    if (elements == 0) {
      H5Sselect_none(file_space.id());
      std::vector<hsize_t> one(full.size(), 1);
      mem_space = Hdf5Handle(H5Screate_simple(static_cast<int>(one.size()), one.data(), nullptr), H5Sclose);
      H5Sselect_none(mem_space.id());
    } else {
      if (H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, start.data(), nullptr, cnt.data(), nullptr) <
          0) {
        throw Hdf5Error(path_ + ": cannot select a block of dataset '" + dataset + "'");
      }
      mem_space = Hdf5Handle(H5Screate_simple(static_cast<int>(cnt.size()), cnt.data(), nullptr), H5Sclose);
    }
  }
  if (from_root && !writer_) {
    H5Sselect_none(file_space.id());
    H5Sselect_none(mem_space.id());
  }
  if (H5Dwrite(d.id(), mem_type, mem_space.id(), file_space.id(), transfer_plist(), data) < 0) {
    throw Hdf5Error(path_ + ": cannot write a block of dataset '" + dataset + "'");
  }
}

void Hdf5File::write_block(const std::string& dataset, const std::vector<std::size_t>& offset,
                           const NdArray<double>& block) {
  if (kind(dataset) != Hdf5Kind::kFloat) {
    throw Hdf5Error(path_ + ": dataset '" + dataset + "' does not hold floating-point numbers");
  }
  write_block_raw(dataset, H5T_NATIVE_DOUBLE, offset, block.shape, block.ptr());
}

void Hdf5File::write_block(const std::string& dataset, const std::vector<std::size_t>& offset,
                           const NdArray<std::complex<double>>& block) {
  if (kind(dataset) != Hdf5Kind::kComplex) {
    throw Hdf5Error(path_ + ": dataset '" + dataset + "' does not hold complex numbers");
  }
  write_block_raw(dataset, complex_double_type(), offset, block.shape, block.ptr());
}

void Hdf5File::write_block(const std::string& dataset, const std::vector<std::size_t>& offset,
                           const NdArray<std::int64_t>& block) {
  if (kind(dataset) != Hdf5Kind::kInteger) {
    throw Hdf5Error(path_ + ": dataset '" + dataset + "' does not hold integers");
  }
  write_block_raw(dataset, H5T_NATIVE_INT64, offset, block.shape, block.ptr());
}

namespace {

herr_t collect_dataset_name(hid_t /*group*/, const char* name, const H5O_info_t* info, void* names) {
  if (info->type == H5O_TYPE_DATASET) {
    static_cast<std::vector<std::string>*>(names)->emplace_back(name);
  }
  return 0;
}

}  // namespace

std::vector<std::string> Hdf5File::list_datasets() const {
  std::vector<std::string> names;
  if (H5Ovisit(file_.id(), H5_INDEX_NAME, H5_ITER_INC, collect_dataset_name, &names) < 0) {
    fail("cannot list the datasets (corrupt file?)");
  }
  std::sort(names.begin(), names.end());
  return names;
}

Hdf5DatasetInfo Hdf5File::dataset_info(const std::string& dataset) const {
  Hdf5DatasetInfo info;
  info.shape = shape(dataset);
  info.kind = kind(dataset);
  Hdf5Handle d = open_dataset(dataset);
  Hdf5Handle type(H5Dget_type(d.id()), H5Tclose);
  info.element_size = H5Tget_size(type.id());
  if (H5Tget_class(type.id()) == H5T_INTEGER) {
    info.is_signed = H5Tget_sign(type.id()) == H5T_SGN_2;
  }
  if (H5Tget_class(type.id()) == H5T_STRING) {
    info.is_variable_string = H5Tis_variable_str(type.id()) > 0;
  }
  Hdf5Handle dcpl(H5Dget_create_plist(d.id()), H5Pclose);
  if (H5Pget_layout(dcpl.id()) == H5D_CHUNKED) {
    std::vector<hsize_t> chunk_dims(info.shape.size());
    H5Pget_chunk(dcpl.id(), static_cast<int>(chunk_dims.size()), chunk_dims.data());
    info.chunks.assign(chunk_dims.begin(), chunk_dims.end());
  }
  const int num_filters = H5Pget_nfilters(dcpl.id());
  for (int i = 0; i < num_filters; ++i) {
    unsigned flags = 0;
    std::size_t num_values = 0;
    unsigned filter_config = 0;
    if (H5Pget_filter2(dcpl.id(), static_cast<unsigned>(i), &flags, &num_values, nullptr, 0, nullptr,
                       &filter_config) == H5Z_FILTER_DEFLATE) {
      info.gzip = true;
    }
  }
  return info;
}

void write_new_hdf5_file(const std::string& path, const std::function<void(const std::string&)>& write) {
  const std::filesystem::path final_path(path);
  PrivateDirectory staging =
      PrivateDirectory::create(final_path.has_parent_path() ? final_path.parent_path() : ".");
  const std::filesystem::path staged = staging.path() / final_path.filename();
  write(staged.string());  // on an exception the private folder goes with everything in it
  require_finite_hdf5(staged.string(), path);
  publish_file(staged, final_path, false);
}

void write_hdf5_atomically(const std::string& path, const std::function<void(Hdf5File&)>& fill) {
  write_new_hdf5_file(path, [&](const std::string& staged) {
    Hdf5File file(staged, Hdf5File::Mode::kTruncate);
    fill(file);
  });
}

}  // namespace ph3mpi::io

namespace ph3mpi::io {

void Hdf5File::write_block_from_root(const std::string& dataset, const std::vector<std::size_t>& offset,
                                     const NdArray<double>& block) {
  if (kind(dataset) != Hdf5Kind::kFloat) {
    throw Hdf5Error(path_ + ": dataset '" + dataset + "' does not hold floating-point numbers");
  }
  write_block_raw(dataset, H5T_NATIVE_DOUBLE, offset, block.shape, block.ptr(), true);
}

void Hdf5File::write_block_from_root(const std::string& dataset, const std::vector<std::size_t>& offset,
                                     const NdArray<std::int64_t>& block) {
  if (kind(dataset) != Hdf5Kind::kInteger) {
    throw Hdf5Error(path_ + ": dataset '" + dataset + "' does not hold integers");
  }
  write_block_raw(dataset, H5T_NATIVE_INT64, offset, block.shape, block.ptr(), true);
}

}  // namespace ph3mpi::io
