// The last check before an output file is renamed into place: every floating-point
// dataset holds finite numbers only. An inf or NaN in a result (a division by a zero
// linewidth, an overflow) is an error naming the file, the dataset, the element and,
// where the file says, its temperature and grid point; the file is then not published.
// numpy.nan_to_num turns an infinity into +-DBL_MAX (phono3py's mode_kappa does), so
// +-DBL_MAX counts as infinite too.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "ph3mpi/common/error.hpp"

namespace ph3mpi::io {

class NonFiniteResultError : public Error {
 public:
  explicit NonFiniteResultError(const std::string& message) : Error(message) {}
};

struct NonFiniteValue {
  std::string dataset;
  std::vector<std::size_t> index;  // element index, one entry per axis
  std::vector<std::size_t> shape;
  double value = 0.0;
  std::optional<double> temperature;    // K, when the file has 'temperature' and an axis matches
  std::optional<long long> grid_point;  // when the file has 'grid_point' and an axis matches
};

// The first non-finite element of the HDF5 file at `path` (datasets in name order, nested
// groups included, read in slabs of a few MiB), or nullopt when all are finite.
std::optional<NonFiniteValue> find_non_finite(const std::string& path);

// "dataset 'gamma' holds nan at [0, 3, 2] (temperature 300 K, grid point 17)".
std::string describe(const NonFiniteValue& value);

// Throws NonFiniteResultError("<shown_name>: the result is not finite: <describe>; ...")
// when find_non_finite(path) finds something. `shown_name` is the final file name (the
// check runs on the temporary file).
void require_finite_hdf5(const std::string& path, const std::string& shown_name);

}  // namespace ph3mpi::io
