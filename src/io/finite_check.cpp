#include "ph3mpi/io/finite_check.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "ph3mpi/io/hdf5_file.hpp"

namespace ph3mpi::io {
namespace {

// Elements read at once: 1 Mi doubles (8 MiB), whole rows of axis 0.
constexpr std::size_t kSlabElements = std::size_t{1} << 20;

bool is_bad(double x) { return !std::isfinite(x) || std::fabs(x) == std::numeric_limits<double>::max(); }

std::vector<std::size_t> unravel(std::size_t flat, const std::vector<std::size_t>& shape) {
  std::vector<std::size_t> index(shape.size(), 0);
  for (std::size_t k = shape.size(); k-- > 0;) {
    if (shape[k] == 0) continue;
    index[k] = flat % shape[k];
    flat /= shape[k];
  }
  return index;
}

// The first bad element of a float dataset, reading slabs of whole rows of axis 0.
std::optional<NonFiniteValue> scan_dataset(const Hdf5File& file, const std::string& name) {
  const std::vector<std::size_t> shape = file.shape(name);
  std::size_t total = 1;
  for (const std::size_t n : shape) total *= n;
  if (total == 0) return std::nullopt;
  Hdf5Handle dataset(H5Dopen2(file.id(), name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!dataset.valid()) throw InputError(file.path(), "cannot open dataset '" + name + "' to check it");
  if (shape.empty()) {
    double value = 0.0;
    if (H5Dread(dataset.id(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &value) < 0)
      throw InputError(file.path(), "cannot read dataset '" + name + "' to check it");
    if (!is_bad(value)) return std::nullopt;
    return NonFiniteValue{name, {}, {}, value, std::nullopt, std::nullopt};
  }
  const std::size_t row = total / shape[0];
  const std::size_t rows_per_slab = std::max<std::size_t>(1, kSlabElements / std::max<std::size_t>(row, 1));
  Hdf5Handle file_space(H5Dget_space(dataset.id()), H5Sclose);
  std::vector<double> buffer;
  for (std::size_t first = 0; first < shape[0]; first += rows_per_slab) {
    const std::size_t rows = std::min(rows_per_slab, shape[0] - first);
    std::vector<hsize_t> start(shape.size(), 0), count(shape.begin(), shape.end());
    start[0] = first;
    count[0] = rows;
    H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
    Hdf5Handle memory_space(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr),
                            H5Sclose);
    buffer.resize(rows * row);
    if (H5Dread(dataset.id(), H5T_NATIVE_DOUBLE, memory_space.id(), file_space.id(), H5P_DEFAULT,
                buffer.data()) < 0) {
      throw InputError(file.path(), "cannot read dataset '" + name + "' to check it");
    }
    for (std::size_t i = 0; i < buffer.size(); ++i) {
      if (!is_bad(buffer[i])) continue;
      NonFiniteValue v;
      v.dataset = name;
      v.shape = shape;
      v.index = unravel(first * row + i, shape);
      v.value = buffer[i];
      return v;
    }
  }
  return std::nullopt;
}

// The temperature and grid point of a bad element, from the file's own 'temperature' and
// 'grid_point' datasets: phono3py's layouts put (method,) temperature before the grid-point
// axis. Only filled when an axis of the right length is there.
void locate(const Hdf5File& file, NonFiniteValue& v) {
  std::vector<double> temperatures;
  std::vector<std::int64_t> grid_points;
  try {
    if (file.exists("temperature") && file.kind("temperature") == Hdf5Kind::kFloat)
      temperatures = file.read_double("temperature").data;
    if (file.exists("grid_point") && file.kind("grid_point") == Hdf5Kind::kInteger)
      grid_points = file.read_int("grid_point").data;
  } catch (const std::exception&) {
    return;  // the description goes without them
  }
  if (v.dataset == "temperature" || v.dataset == "grid_point") return;
  std::size_t next = 0;
  if (!temperatures.empty()) {
    for (std::size_t k = 0; k < v.shape.size(); ++k) {
      if (v.shape[k] != temperatures.size()) continue;
      // Prefer a temperature axis that a grid-point axis follows.
      const bool followed =
          k + 1 < v.shape.size() && !grid_points.empty() && v.shape[k + 1] == grid_points.size();
      if (followed || grid_points.empty() || v.shape.size() == 1) {
        v.temperature = temperatures[v.index[k]];
        next = k + 1;
        break;
      }
    }
  }
  if (!grid_points.empty()) {
    for (std::size_t k = next; k < v.shape.size(); ++k) {
      if (v.shape[k] == grid_points.size()) {
        v.grid_point = grid_points[v.index[k]];
        break;
      }
    }
  }
}

}  // namespace

std::optional<NonFiniteValue> find_non_finite(const std::string& path) {
  const Hdf5File file(path, Hdf5File::Mode::kReadOnly);
  for (const std::string& name : file.list_datasets()) {
    if (file.kind(name) != Hdf5Kind::kFloat) continue;
    std::optional<NonFiniteValue> bad = scan_dataset(file, name);
    if (bad) {
      locate(file, *bad);
      return bad;
    }
  }
  return std::nullopt;
}

std::string describe(const NonFiniteValue& v) {
  std::ostringstream s;
  s << "dataset '" << v.dataset << "' holds ";
  if (std::isnan(v.value)) {
    s << "nan";
  } else if (std::isinf(v.value)) {
    s << (v.value > 0 ? "inf" : "-inf");
  } else {
    s << (v.value > 0 ? "" : "-") << "DBL_MAX (an infinity clipped by nan_to_num)";
  }
  if (!v.index.empty()) {
    s << " at [";
    for (std::size_t k = 0; k < v.index.size(); ++k) s << (k ? ", " : "") << v.index[k];
    s << "]";
  }
  if (v.temperature || v.grid_point) {
    s << " (";
    if (v.temperature) s << "temperature " << *v.temperature << " K";
    if (v.temperature && v.grid_point) s << ", ";
    if (v.grid_point) s << "grid point " << *v.grid_point;
    s << ")";
  }
  return s.str();
}

void require_finite_hdf5(const std::string& path, const std::string& shown_name) {
  if (const std::optional<NonFiniteValue> bad = find_non_finite(path)) {
    throw NonFiniteResultError(shown_name + ": the result is not finite: " + describe(*bad) +
                               "; the file was not written (a zero linewidth or an overflow: check mesh, "
                               "temperatures, sigmas and cutoff_frequency)");
  }
}

}  // namespace ph3mpi::io
