#include "ph3mpi/io/phonon_file.hpp"

#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/io/kappa_file.hpp"

namespace ph3mpi::io {

namespace {

NdArray<std::int64_t> matrix_array(const grid::Matrix3l& m) {
  NdArray<std::int64_t> a({3, 3});
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) a[static_cast<std::size_t>(3 * i + j)] = m(i, j);
  return a;
}

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::ostringstream s;
  s << "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
  s << (shape.size() == 1 ? ",)" : ")");
  return s.str();
}

std::string address_text(const std::array<std::int64_t, 3>& a) {
  return "(" + std::to_string(a[0]) + ", " + std::to_string(a[1]) + ", " + std::to_string(a[2]) + ")";
}

std::string matrix_text(const grid::Matrix3l& m) {
  std::ostringstream s;
  s << "[";
  for (int i = 0; i < 3; ++i) {
    s << (i ? ", " : "") << "[" << m(i, 0) << ", " << m(i, 1) << ", " << m(i, 2) << "]";
  }
  s << "]";
  return s.str();
}

std::optional<grid::Matrix3l> read_matrix(const Hdf5File& f, const std::string& name) {
  if (!f.exists(name)) return std::nullopt;
  if (f.shape(name) != std::vector<std::size_t>{3, 3}) {
    throw InputError(f.path(),
                     "dataset '" + name + "' has shape " + shape_text(f.shape(name)) + ", expected (3, 3)");
  }
  const NdArray<std::int64_t> a = f.read_int(name);
  grid::Matrix3l m;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) m(i, j) = a[static_cast<std::size_t>(3 * i + j)];
  return m;
}

void require(const Hdf5File& f, const std::string& name) {
  if (!f.exists(name)) {
    throw InputError(f.path(),
                     "no dataset '" + name + "': not a phonon file as phono3py --write-phonon writes it");
  }
}

}  // namespace

std::string write_phonon_file(const std::string& directory, const PhononFileContent& content) {
  if (content.frequency == nullptr || content.eigenvector == nullptr || content.bz_grid == nullptr ||
      content.num_band == 0) {
    throw Error("write_phonon_file: frequency, eigenvector, num_band and bz_grid are required");
  }
  const grid::BZGrid& bz = *content.bz_grid;
  const std::size_t n = bz.addresses.size();
  const std::size_t nb = content.num_band;
  const std::string name = "phonon" + kappa_filename_suffix(content.mesh) + ".hdf5";
  const std::filesystem::path final_path = std::filesystem::path(directory) / name;
  write_hdf5_atomically(final_path.string(), [&](Hdf5File& f) {
    f.write_string("version", PH3MPI_VERSION);
    NdArray<std::int64_t> mesh({3});
    for (std::size_t i = 0; i < 3; ++i) mesh[i] = content.mesh[i];
    f.write("mesh", mesh);
    if (!bz.is_regular_mesh) {
      f.write("grid_matrix", matrix_array(bz.grid_matrix));
      f.write("P_matrix", matrix_array(bz.P));
      f.write("Q_matrix", matrix_array(bz.Q));
    }
    NdArray<std::int64_t> address({n, 3});
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < 3; ++j) address[3 * i + j] = bz.addresses[i](static_cast<Eigen::Index>(j));
    f.write("grid_address", address);
    // Written in row blocks so that no second copy of the eigenvectors is made.
    f.create_dataset("frequency", {n, nb}, Hdf5Dtype::kFloat64);
    f.write_block("frequency", {0, 0}, [&] {
      NdArray<double> a({n, nb});
      std::copy(content.frequency, content.frequency + n * nb, a.data.begin());
      return a;
    }());
    NdArray<std::complex<double>> block;
    const std::size_t per_row = nb * nb;
    const std::size_t rows_per_block = std::max<std::size_t>(1, (std::size_t{1} << 24) / (per_row * 16));
    f.create_dataset("eigenvector", {n, nb, nb}, Hdf5Dtype::kComplex128);
    for (std::size_t first = 0; first < n; first += rows_per_block) {
      const std::size_t count = std::min(rows_per_block, n - first);
      block = NdArray<std::complex<double>>({count, nb, nb});
      std::copy(content.eigenvector + first * per_row, content.eigenvector + (first + count) * per_row,
                block.data.begin());
      f.write_block("eigenvector", {first, 0, 0}, block);
    }
    if (content.group_velocity != nullptr) f.write("group_velocity", *content.group_velocity);
    NdArray<std::int64_t> ir({content.ir_grid_points.size()});
    ir.data = content.ir_grid_points;
    f.write("ir_grid_points", ir);
    NdArray<std::int64_t> w({content.ir_grid_weights.size()});
    w.data = content.ir_grid_weights;
    f.write("ir_grid_weights", w);
  });
  return final_path.string();
}

PhononFileReader::PhononFileReader(const std::string& path) : path_(path) {
  const Hdf5File f(path);
  for (const char* name : {"frequency", "eigenvector", "grid_address", "mesh"}) require(f, name);
  const std::vector<std::size_t> fs = f.shape("frequency");
  const std::vector<std::size_t> es = f.shape("eigenvector");
  const std::vector<std::size_t> as = f.shape("grid_address");
  if (fs.size() != 2 || fs[1] == 0) {
    throw InputError(path,
                     "dataset 'frequency' has shape " + shape_text(fs) + ", expected (grid points, bands)");
  }
  const std::size_t n = fs[0];
  const std::size_t nb = fs[1];
  if (es != std::vector<std::size_t>{n, nb, nb}) {
    throw InputError(path, "dataset 'eigenvector' has shape " + shape_text(es) + ", expected " +
                               shape_text({n, nb, nb}) + " to go with 'frequency' " + shape_text(fs));
  }
  if (as != std::vector<std::size_t>{n, 3}) {
    throw InputError(path, "dataset 'grid_address' has shape " + shape_text(as) + ", expected " +
                               shape_text({n, 3}) + " (one address per row of 'frequency')");
  }
  if (f.kind("frequency") != Hdf5Kind::kFloat) throw InputError(path, "dataset 'frequency' must hold floats");
  if (f.kind("eigenvector") != Hdf5Kind::kComplex) {
    throw InputError(path, "dataset 'eigenvector' must hold complex numbers");
  }
  if (f.shape("mesh") != std::vector<std::size_t>{3}) {
    throw InputError(path, "dataset 'mesh' has shape " + shape_text(f.shape("mesh")) + ", expected (3,)");
  }
  const NdArray<std::int64_t> mesh = f.read_int("mesh");
  for (std::size_t i = 0; i < 3; ++i) header_.mesh[i] = mesh[i];
  header_.grid_matrix = read_matrix(f, "grid_matrix");
  header_.P = read_matrix(f, "P_matrix");
  header_.Q = read_matrix(f, "Q_matrix");
  const NdArray<std::int64_t> address = f.read_int("grid_address");
  header_.grid_address.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < 3; ++j) header_.grid_address[i][j] = address[3 * i + j];
  }
  header_.num_band = nb;
  if (f.exists("ir_grid_points")) header_.ir_grid_points = f.read_int("ir_grid_points").data;
  if (f.exists("ir_grid_weights")) header_.ir_grid_weights = f.read_int("ir_grid_weights").data;
}

void PhononFileReader::read_rows(std::size_t first, std::size_t count, NdArray<double>& frequency,
                                 NdArray<std::complex<double>>& eigenvector) const {
  const Hdf5File f(path_);
  frequency = f.read_rows_double("frequency", first, count);
  eigenvector = f.read_rows_complex("eigenvector", first, count);
  const std::size_t nb = header_.num_band;
  for (std::size_t r = 0; r < count; ++r) {
    bool finite = true;
    for (std::size_t b = 0; b < nb; ++b) finite = finite && std::isfinite(frequency[r * nb + b]);
    for (std::size_t k = 0; k < nb * nb; ++k) {
      const std::complex<double> z = eigenvector[r * nb * nb + k];
      finite = finite && std::isfinite(z.real()) && std::isfinite(z.imag());
    }
    if (!finite) {
      throw InputError(path_, "non-finite frequency or eigenvector in row " + std::to_string(first + r) +
                                  " (grid address " + address_text(header_.grid_address[first + r]) + ")");
    }
  }
}

std::vector<std::int64_t> match_phonon_file_rows(const std::string& path, const PhononFileHeader& header,
                                                 const grid::BZGrid& bz_grid, std::size_t num_band) {
  const std::array<std::int64_t, 3> d{bz_grid.D_diag(0), bz_grid.D_diag(1), bz_grid.D_diag(2)};
  if (header.mesh != d) {
    throw InputError(path, "mesh " + address_text(header.mesh) + " in the file, but this run's grid is " +
                               address_text(d) + " (D_diag)");
  }
  if (bz_grid.is_regular_mesh && header.grid_matrix) {
    throw InputError(path, "the file is for a generalized regular grid (grid_matrix " +
                               matrix_text(*header.grid_matrix) + "), this run uses a regular mesh");
  }
  if (!bz_grid.is_regular_mesh) {
    if (!header.grid_matrix) {
      throw InputError(path, "the file has no grid_matrix, but this run uses the generalized regular grid " +
                                 matrix_text(bz_grid.grid_matrix));
    }
    if (*header.grid_matrix != bz_grid.grid_matrix) {
      throw InputError(path, "grid_matrix " + matrix_text(*header.grid_matrix) +
                                 " in the file, this run's is " + matrix_text(bz_grid.grid_matrix));
    }
    if ((header.P && *header.P != bz_grid.P) || (header.Q && *header.Q != bz_grid.Q)) {
      throw InputError(path, "P_matrix/Q_matrix in the file differ from this run's Smith normal form (P " +
                                 matrix_text(bz_grid.P) + ", Q " + matrix_text(bz_grid.Q) + ")");
    }
  }
  if (header.num_band != num_band) {
    throw InputError(path, std::to_string(header.num_band) + " bands in the file, but the crystal has " +
                               std::to_string(num_band));
  }
  std::map<std::array<std::int64_t, 3>, std::int64_t> index_of;
  for (std::size_t i = 0; i < bz_grid.addresses.size(); ++i) {
    const auto& a = bz_grid.addresses[i];
    index_of.emplace(std::array<std::int64_t, 3>{a(0), a(1), a(2)}, static_cast<std::int64_t>(i));
  }
  std::vector<std::int64_t> rows(header.grid_address.size(), -1);
  std::vector<std::int64_t> row_of_point(bz_grid.addresses.size(), -1);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto it = index_of.find(header.grid_address[r]);
    if (it == index_of.end()) {
      throw InputError(path, "row " + std::to_string(r) + ": grid address " +
                                 address_text(header.grid_address[r]) +
                                 " is not a BZ grid point of this run's grid");
    }
    if (row_of_point[static_cast<std::size_t>(it->second)] >= 0) {
      throw InputError(path, "grid address " + address_text(header.grid_address[r]) +
                                 " appears twice (rows " +
                                 std::to_string(row_of_point[static_cast<std::size_t>(it->second)]) +
                                 " and " + std::to_string(r) + ")");
    }
    row_of_point[static_cast<std::size_t>(it->second)] = static_cast<std::int64_t>(r);
    rows[r] = it->second;
  }
  for (std::size_t i = 0; i < row_of_point.size(); ++i) {
    if (row_of_point[i] < 0) {
      const auto& a = bz_grid.addresses[i];
      throw InputError(path, "BZ grid point " + std::to_string(i) + " (grid address " +
                                 address_text({a(0), a(1), a(2)}) + ") is missing: the file has " +
                                 std::to_string(rows.size()) + " rows, the grid " +
                                 std::to_string(bz_grid.addresses.size()) + " BZ grid points");
    }
  }
  return rows;
}

}  // namespace ph3mpi::io
