#include "ph3mpi/io/pp_file.hpp"

#include <filesystem>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/io/kappa_file.hpp"

namespace ph3mpi::io {

namespace {

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + ")";
}

// numpy.unpackbits of the bytes in `packed` (most significant bit first), `count` bits.
void unpack_bits(const NdArray<std::int64_t>& packed, std::size_t count, std::int64_t* out) {
  for (std::size_t i = 0; i < count; ++i) {
    const auto byte = static_cast<std::uint8_t>(packed[i / 8]);
    out[i] = (byte >> (7 - i % 8)) & 1;
  }
}

// phono3py's packed layout: the computed elements (g_zero == 0) in "nonzero_pp", g_zero
// as bits of the first 8*floor(size/8) elements in "g_zero_bits" and of the rest in
// "g_zero_bits_reminder".
void read_packed(const Hdf5File& f, PpFile& out) {
  const std::string& path = f.path();
  for (const char* name : {"pp_shape", "g_zero_bits"}) {
    if (!f.exists(name)) throw InputError(path, std::string("has 'nonzero_pp' but no '") + name + "'");
  }
  const NdArray<std::int64_t> shape = f.read_int("pp_shape");
  std::vector<std::size_t> dims;
  for (const std::int64_t d : shape.data) {
    if (d < 0) throw InputError(path, "negative extent in 'pp_shape'");
    dims.push_back(static_cast<std::size_t>(d));
  }
  out.pp = NdArray<double>(dims, 0.0);
  out.g_zero = NdArray<std::int64_t>(dims, 0);
  const std::size_t size = out.pp.size();
  const std::size_t whole = size / 8 * 8;
  const NdArray<std::int64_t> bits = f.read_int("g_zero_bits");
  if (bits.size() * 8 < whole) throw InputError(path, "'g_zero_bits' is shorter than 'pp_shape' needs");
  unpack_bits(bits, whole, out.g_zero.ptr());
  if (whole < size) {
    if (!f.exists("g_zero_bits_reminder")) {
      throw InputError(path, "'g_zero_bits_reminder' is missing for the last " +
                                 std::to_string(size - whole) + " elements");
    }
    unpack_bits(f.read_int("g_zero_bits_reminder"), size - whole, out.g_zero.ptr() + whole);
  }
  const NdArray<double> nonzero = f.read_double("nonzero_pp");
  std::size_t k = 0;
  for (std::size_t i = 0; i < size; ++i) {
    if (out.g_zero[i] != 0) continue;
    if (k >= nonzero.size()) throw InputError(path, "'nonzero_pp' has fewer values than g_zero leaves");
    out.pp[i] = nonzero[k++];
  }
  if (k != nonzero.size()) throw InputError(path, "'nonzero_pp' has more values than g_zero leaves");
}

}  // namespace

std::string pp_filename(const std::array<std::int64_t, 3>& mesh, std::int64_t grid_point) {
  return "pp" + kappa_filename_suffix(mesh, grid_point) + ".hdf5";
}

void write_pp_file(const std::string& path, const PpFile& data) {
  if (data.pp.rank() != 4) throw Error("write_pp_file: pp must have 4 axes, has " + data.pp.shape_string());
  const std::size_t n = data.pp.shape[0];
  if (data.g_zero.size() != 0 && data.g_zero.shape != data.pp.shape) {
    throw Error("write_pp_file: g_zero " + data.g_zero.shape_string() + " does not match pp " +
                data.pp.shape_string());
  }
  if (data.triplets.size() != n || data.weights.size() != n) {
    throw Error("write_pp_file: " + std::to_string(data.triplets.size()) + " triplets and " +
                std::to_string(data.weights.size()) + " weights for " + std::to_string(n) + " rows of pp");
  }
  write_hdf5_atomically(path, [&](Hdf5File& f) {
    f.write_string("version", PH3MPI_VERSION);
    Hdf5DatasetOptions gzip;
    gzip.gzip_level = 4;  // h5py's compression="gzip", as phono3py writes it
    const std::vector<std::size_t> origin(4, 0);
    f.create_dataset("pp", data.pp.shape, Hdf5Dtype::kFloat64, gzip);
    f.write_block("pp", origin, data.pp);
    if (data.g_zero.size() != 0) {
      f.create_dataset("g_zero", data.g_zero.shape, Hdf5Dtype::kInt64, gzip);
      f.write_block("g_zero", origin, data.g_zero);
    }
    NdArray<std::int64_t> triplet({n, 3});
    for (std::size_t t = 0; t < n; ++t) {
      for (std::size_t k = 0; k < 3; ++k) triplet[3 * t + k] = data.triplets[t][k];
    }
    f.write("triplet", triplet);
    NdArray<std::int64_t> weight({n});
    weight.data = data.weights;
    f.write("weight", weight);
    f.write_scalar("grid_point", data.grid_point);
    NdArray<std::int64_t> bands({data.band_indices.size()});
    bands.data = data.band_indices;
    f.write("band_indices", bands);
    NdArray<std::int64_t> mesh({3});
    mesh.data.assign(data.mesh.begin(), data.mesh.end());
    f.write("mesh", mesh);
  });
}

namespace {

void require_pp_file_exists(const std::string& path, std::int64_t grid_point) {
  if (!std::filesystem::exists(path)) {
    throw InputError(path, "interaction strength of grid point " + std::to_string(grid_point) +
                               " not found (read_pp = true needs the file a run with write_pp = true wrote)");
  }
}

// Shape of the stored interaction strength ("pp", or phono3py's packed "pp_shape")
// without reading it.
std::vector<std::size_t> stored_pp_shape(const Hdf5File& f) {
  if (f.exists("pp")) return f.shape("pp");
  if (!f.exists("nonzero_pp")) {
    throw InputError(f.path(), "no interaction strength in it (neither 'pp' nor 'nonzero_pp')");
  }
  if (!f.exists("pp_shape")) throw InputError(f.path(), "has 'nonzero_pp' but no 'pp_shape'");
  std::vector<std::size_t> dims;
  for (const std::int64_t d : f.read_int("pp_shape").data) {
    if (d < 0) throw InputError(f.path(), "negative extent in 'pp_shape'");
    dims.push_back(static_cast<std::size_t>(d));
  }
  return dims;
}

// The checks that need no interaction values: shapes (g_zero_shape empty: no g_zero),
// grid point, triplets, band indices. Stores what the file holds of them in `out`.
void check_pp_metadata(const Hdf5File& f, const std::vector<std::size_t>& pp_shape,
                       const std::vector<std::size_t>& g_zero_shape, std::int64_t grid_point,
                       const std::vector<interaction::Triplet>& triplets,
                       const std::vector<std::int64_t>& band_indices, std::size_t num_band, PpFile& out) {
  const std::string& path = f.path();
  const std::vector<std::size_t> expected = {triplets.size(), band_indices.size(), num_band, num_band};
  if (pp_shape != expected) {
    throw InputError(path, "interaction strength has shape " + shape_text(pp_shape) + ", but grid point " +
                               std::to_string(grid_point) + " needs " + shape_text(expected) +
                               " (triplets, band_indices, bands, bands): written for another mesh, "
                               "band_indices or crystal?");
  }
  if (!g_zero_shape.empty() && g_zero_shape != pp_shape) {
    throw InputError(path, "g_zero has shape " + shape_text(g_zero_shape) + ", pp " + shape_text(pp_shape));
  }
  if (f.exists("grid_point")) {
    out.grid_point = f.read_int_scalar("grid_point");
    if (out.grid_point != grid_point) {
      throw InputError(
          path, "holds grid point " + std::to_string(out.grid_point) + ", not " + std::to_string(grid_point));
    }
  }
  if (f.exists("triplet")) {
    const NdArray<std::int64_t> tp = f.read_int("triplet");
    bool same = tp.shape == std::vector<std::size_t>{triplets.size(), 3};
    for (std::size_t t = 0; same && t < triplets.size(); ++t) {
      for (std::size_t k = 0; k < 3; ++k) same = same && tp[3 * t + k] == triplets[t][k];
    }
    if (!same) {
      throw InputError(path, "its triplets differ from those of grid point " + std::to_string(grid_point) +
                                 " on this grid (another mesh or symmetry setting?)");
    }
    out.triplets = triplets;
  }
  if (f.exists("weight")) out.weights = f.read_int("weight").data;
  if (f.exists("band_indices")) {
    out.band_indices = f.read_int("band_indices").data;
    if (out.band_indices != band_indices) {
      throw InputError(path, "was written for other band_indices than this run's");
    }
  }
  if (f.exists("mesh")) {
    const NdArray<std::int64_t> mesh = f.read_int("mesh");
    if (mesh.size() == 3) out.mesh = {mesh[0], mesh[1], mesh[2]};
  }
}

}  // namespace

void check_pp_file(const std::string& path, std::int64_t grid_point,
                   const std::vector<interaction::Triplet>& triplets,
                   const std::vector<std::int64_t>& band_indices, std::size_t num_band) {
  require_pp_file_exists(path, grid_point);
  const Hdf5File f(path);
  std::vector<std::size_t> g_zero_shape;
  if (f.exists("g_zero")) g_zero_shape = f.shape("g_zero");
  if (NdArray<double>::element_count(g_zero_shape) == 0) g_zero_shape.clear();  // as read_pp_file
  PpFile metadata;
  check_pp_metadata(f, stored_pp_shape(f), g_zero_shape, grid_point, triplets, band_indices, num_band,
                    metadata);
}

PpFile read_pp_file(const std::string& path, std::int64_t grid_point,
                    const std::vector<interaction::Triplet>& triplets,
                    const std::vector<std::int64_t>& band_indices, std::size_t num_band) {
  require_pp_file_exists(path, grid_point);
  const Hdf5File f(path);
  stored_pp_shape(f);  // refuses a file without interaction strength
  PpFile out;
  if (f.exists("pp")) {
    out.pp = f.read_double("pp");
    if (f.exists("g_zero")) out.g_zero = f.read_int("g_zero");
  } else {
    read_packed(f, out);
  }
  check_pp_metadata(f, out.pp.shape, out.g_zero.size() != 0 ? out.g_zero.shape : std::vector<std::size_t>{},
                    grid_point, triplets, band_indices, num_band, out);
  return out;
}

}  // namespace ph3mpi::io
