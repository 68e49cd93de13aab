#include "ph3mpi/io/gamma_file.hpp"

#include <cmath>
#include <sstream>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/io/kappa_file.hpp"

namespace ph3mpi::io {
namespace {

constexpr int kGzipLevel = 4;  // h5py's compression="gzip"

void require_shape(const std::string& path, const char* name, const NdArray<double>& a,
                   const std::vector<std::size_t>& shape) {
  if (a.shape == shape && a.size() == NdArray<double>::element_count(shape)) return;
  NdArray<char> want;
  want.shape = shape;
  throw Error(path + ": gamma file dataset '" + name + "' has shape " + a.shape_string() + ", expected " +
              want.shape_string());
}

// phono3py writes these with h5py's compression="gzip" (and h5py's chunk guess).
void write_gzip(Hdf5File& f, const std::string& name, const NdArray<double>& a) {
  Hdf5DatasetOptions options;
  options.gzip_level = kGzipLevel;
  f.create_dataset(name, a.shape, Hdf5Dtype::kFloat64, options);
  f.write_block(name, std::vector<std::size_t>(a.shape.size(), 0), a);
}

NdArray<std::int64_t> matrix(const std::array<std::int64_t, 27>& m, std::size_t which) {
  NdArray<std::int64_t> a({3, 3});
  for (std::size_t i = 0; i < 9; ++i) a.data[i] = m[which * 9 + i];
  return a;
}

std::string numbers(const std::vector<double>& v) {
  std::ostringstream s;
  s << "[";
  for (std::size_t i = 0; i < v.size(); ++i) s << (i ? " " : "") << v[i];
  return s.str() + "]";
}

std::string optional_number(const std::optional<double>& v) {
  if (!v) return "none";
  std::ostringstream s;
  s << *v;
  return s.str();
}

bool same_number(const std::optional<double>& a, const std::optional<double>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || std::abs(*a - *b) <= 1e-12 * std::max(std::abs(*a), std::abs(*b));
}

}  // namespace

std::string gamma_filename(const std::array<std::int64_t, 3>& mesh, std::int64_t grid_point,
                           std::optional<double> sigma, std::optional<double> sigma_cutoff) {
  return "kappa" + kappa_filename_suffix(mesh, grid_point, std::nullopt, sigma, sigma_cutoff) + ".hdf5";
}

void write_gamma_file(const std::string& path, const GammaFile& d) {
  const std::size_t nt = d.temperatures.size(), nb = d.frequency.size();
  require_shape(path, "frequency", d.frequency, {nb});
  require_shape(path, "group_velocity", d.group_velocity, {nb, 3});
  require_shape(path, "gv_by_gv", d.gv_by_gv, {nb, 6});
  require_shape(path, "heat_capacity", d.heat_capacity, {nt, nb});
  require_shape(path, "gamma", d.gamma, {nt, nb});
  if (d.gamma_isotope) require_shape(path, "gamma_isotope", *d.gamma_isotope, {nb});
  if (d.gamma_N.has_value() != d.gamma_U.has_value()) throw Error(path + ": gamma_N and gamma_U go together");
  if (d.gamma_N) require_shape(path, "gamma_N", *d.gamma_N, {nt, nb});
  if (d.gamma_U) require_shape(path, "gamma_U", *d.gamma_U, {nt, nb});
  write_hdf5_atomically(path, [&](Hdf5File& f) {
    // phono3py's write_kappa_to_hdf5 order.
    f.write_string("version", d.version);
    NdArray<double> temperatures({nt});
    temperatures.data = d.temperatures;
    f.write("temperature", temperatures);
    NdArray<std::int64_t> mesh({3});
    mesh.data.assign(d.mesh.begin(), d.mesh.end());
    f.write("mesh", mesh);
    if (d.grid_matrices) {
      f.write("grid_matrix", matrix(*d.grid_matrices, 0));
      f.write("P_matrix", matrix(*d.grid_matrices, 1));
      f.write("Q_matrix", matrix(*d.grid_matrices, 2));
    }
    write_gzip(f, "frequency", d.frequency);
    write_gzip(f, "group_velocity", d.group_velocity);
    f.write("gv_by_gv", d.gv_by_gv);
    write_gzip(f, "heat_capacity", d.heat_capacity);
    write_gzip(f, "gamma", d.gamma);
    if (d.gamma_isotope) write_gzip(f, "gamma_isotope", *d.gamma_isotope);
    if (d.gamma_N) {
      write_gzip(f, "gamma_N", *d.gamma_N);
      write_gzip(f, "gamma_U", *d.gamma_U);
    }
    f.write_scalar("grid_point", d.grid_point);
    if (d.sigma) f.write_scalar("sigma", *d.sigma);
    if (d.sigma_cutoff) f.write_scalar("sigma_cutoff_width", *d.sigma_cutoff);
    f.write_scalar("kappa_unit_conversion", d.kappa_unit_conversion);
  });
}

GammaFile read_gamma_file(const std::string& path) {
  const Hdf5File f(path, Hdf5File::Mode::kReadOnly);
  for (const char* name : {"temperature", "mesh", "grid_point", "gamma"}) {
    if (!f.exists(name)) throw InputError(path, std::string("gamma file lacks the dataset '") + name + "'");
  }
  GammaFile d;
  if (f.exists("version")) {
    const std::vector<std::string> v = f.read_strings("version");
    d.version = v.empty() ? "" : v.front();
  }
  d.temperatures = f.read_double("temperature").data;
  const NdArray<std::int64_t> mesh = f.read_int("mesh");
  if (mesh.size() != 3)
    throw InputError(path, "'mesh' has " + std::to_string(mesh.size()) + " numbers, not 3");
  for (std::size_t i = 0; i < 3; ++i) d.mesh[i] = mesh.data[i];
  d.grid_point = f.read_int_scalar("grid_point");
  d.gamma = f.read_double("gamma");
  auto optional = [&f](const char* name) {
    return f.exists(name) ? std::optional<NdArray<double>>(f.read_double(name)) : std::nullopt;
  };
  for (auto& [name, target] : {std::pair<const char*, NdArray<double>*>{"frequency", &d.frequency},
                               {"group_velocity", &d.group_velocity},
                               {"gv_by_gv", &d.gv_by_gv},
                               {"heat_capacity", &d.heat_capacity}}) {
    if (f.exists(name)) *target = f.read_double(name);
  }
  d.gamma_isotope = optional("gamma_isotope");
  d.gamma_N = optional("gamma_N");
  d.gamma_U = optional("gamma_U");
  if (f.exists("sigma")) d.sigma = f.read_double_scalar("sigma");
  if (f.exists("sigma_cutoff_width")) d.sigma_cutoff = f.read_double_scalar("sigma_cutoff_width");
  if (f.exists("kappa_unit_conversion"))
    d.kappa_unit_conversion = f.read_double_scalar("kappa_unit_conversion");
  return d;
}

void check_gamma_file(const GammaFile& file, const GammaFileExpectation& e, const std::string& path) {
  auto mismatch = [&path](const std::string& what, const std::string& in_file, const std::string& in_run) {
    throw InputError(path, what + ": " + in_file + " in the file, " + in_run + " in this run");
  };
  auto mesh_text = [](const std::array<std::int64_t, 3>& m) {
    return "[" + std::to_string(m[0]) + " " + std::to_string(m[1]) + " " + std::to_string(m[2]) + "]";
  };
  if (file.mesh != e.mesh) mismatch("mesh", mesh_text(file.mesh), mesh_text(e.mesh));
  bool same_t = file.temperatures.size() == e.temperatures.size();
  for (std::size_t i = 0; same_t && i < e.temperatures.size(); ++i)
    same_t = std::abs(file.temperatures[i] - e.temperatures[i]) <= 1e-9;
  if (!same_t) mismatch("temperatures (K)", numbers(file.temperatures), numbers(e.temperatures));
  if (file.grid_point != e.grid_point)
    mismatch("grid point", std::to_string(file.grid_point), std::to_string(e.grid_point));
  if (!same_number(file.sigma, e.sigma))
    mismatch("sigma (THz; none = tetrahedron method)", optional_number(file.sigma), optional_number(e.sigma));
  if (!same_number(file.sigma_cutoff, e.sigma_cutoff))
    mismatch("sigma_cutoff_width", optional_number(file.sigma_cutoff), optional_number(e.sigma_cutoff));
  const std::vector<std::size_t> shape = {e.temperatures.size(), e.num_band};
  NdArray<char> want;
  want.shape = shape;
  if (file.gamma.shape != shape) {
    mismatch("shape of gamma (temperatures, bands)", file.gamma.shape_string(), want.shape_string());
  }
  if (e.needs_gamma_N_U) {
    if (!file.gamma_N || !file.gamma_U) {
      throw InputError(path, "is_N_U = true needs gamma_N and gamma_U, which the file lacks");
    }
    if (file.gamma_N->shape != shape || file.gamma_U->shape != shape)
      mismatch("shape of gamma_N / gamma_U", file.gamma_N->shape_string(), want.shape_string());
  }
  for (std::size_t i = 0; i < file.gamma.size(); ++i) {
    if (!std::isfinite(file.gamma.data[i])) throw InputError(path, "gamma holds a value that is not finite");
  }
}

}  // namespace ph3mpi::io
