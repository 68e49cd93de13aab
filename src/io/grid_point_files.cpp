#include "ph3mpi/io/grid_point_files.hpp"

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/io/kappa_file.hpp"

namespace ph3mpi::io {

namespace {

using Shape = std::vector<std::size_t>;

void require_shape(const char* writer, const char* name, const NdArray<double>& array,
                   const Shape& expected) {
  if (array.shape != expected) {
    NdArray<double> probe;
    probe.shape = expected;
    throw Error(std::string(writer) + ": " + name + " has shape " + array.shape_string() + ", expected " +
                probe.shape_string());
  }
}

void write_ints(Hdf5File& f, const std::string& name, const std::vector<std::int64_t>& values) {
  NdArray<std::int64_t> array({values.size()});
  array.data = values;
  f.write(name, array);
}

void write_reals(Hdf5File& f, const std::string& name, const std::vector<double>& values) {
  NdArray<double> array({values.size()});
  array.data = values;
  f.write(name, array);
}

// grid_point, band_indices and temperature, the head of the ise and rse files.
void write_head(Hdf5File& f, const std::vector<std::int64_t>& grid_points,
                const std::vector<std::int64_t>& bands, const std::vector<double>& temperatures) {
  write_ints(f, "grid_point", grid_points);
  write_ints(f, "band_indices", bands);
  write_reals(f, "temperature", temperatures);
}

// Values on frequency points (last axis) of a (channels, T, n_gp, nb0) array: checked by
// check_at_points, written with the points when there are any.
void check_at_points(const char* writer, const char* name, const NdArray<double>& values, Shape shape,
                     std::size_t num_points) {
  if (num_points == 0) return;
  shape.push_back(num_points);
  require_shape(writer, name, values, shape);
}

void write_at_points(Hdf5File& f, const std::string& name, const std::vector<double>& points,
                     const NdArray<double>& values) {
  if (points.empty()) return;
  write_reals(f, "frequency_points", points);
  f.write(name, values);
}

// tetrahedron () as 0/1, then sigma (sigmas) when there is any.
void write_methods(Hdf5File& f, const IntegrationMethods& methods) {
  f.write_scalar("tetrahedron", static_cast<std::int64_t>(methods.tetrahedron ? 1 : 0));
  if (!methods.sigmas.empty()) write_reals(f, "sigma", methods.sigmas);
}

}  // namespace

std::string grid_point_filename(const std::string& kind, const std::array<std::int64_t, 3>& mesh) {
  return kind + kappa_filename_suffix(mesh) + ".hdf5";
}

void write_ise_file(const std::string& path, const IseFile& data) {
  const char* writer = "write_ise_file";
  const std::size_t n_gp = data.grid_points.size(), nb0 = data.band_indices.size();
  const Shape shape = {data.methods.size(), data.temperatures.size(), n_gp, nb0};
  require_shape(writer, "frequency", data.frequency, {n_gp, nb0});
  require_shape(writer, "gamma", data.gamma, shape);
  if (data.gamma_N.has_value() != data.gamma_U.has_value()) {
    throw Error(std::string(writer) + ": gamma_N and gamma_U go together");
  }
  if (data.gamma_N) require_shape(writer, "gamma_N", *data.gamma_N, shape);
  if (data.gamma_U) require_shape(writer, "gamma_U", *data.gamma_U, shape);
  if (data.ave_pp) require_shape(writer, "ave_pp", *data.ave_pp, {n_gp, nb0});
  check_at_points(writer, "gamma_at_frequency_points", data.gamma_at_frequency_points, shape,
                  data.frequency_points.size());
  write_hdf5_atomically(path, [&](Hdf5File& f) {
    write_head(f, data.grid_points, data.band_indices, data.temperatures);
    write_methods(f, data.methods);
    f.write("frequency", data.frequency);
    f.write("gamma", data.gamma);
    if (data.gamma_N) {
      f.write("gamma_N", *data.gamma_N);
      f.write("gamma_U", *data.gamma_U);
    }
    if (data.ave_pp) f.write("ave_pp", *data.ave_pp);
    write_at_points(f, "gamma_at_frequency_points", data.frequency_points, data.gamma_at_frequency_points);
  });
}

void write_rse_file(const std::string& path, const RseFile& data) {
  const char* writer = "write_rse_file";
  const std::size_t n_gp = data.grid_points.size(), nb0 = data.band_indices.size();
  const Shape shape = {data.epsilons.size(), data.temperatures.size(), n_gp, nb0};
  require_shape(writer, "frequency", data.frequency, {n_gp, nb0});
  require_shape(writer, "delta", data.delta, shape);
  check_at_points(writer, "delta_at_frequency_points", data.delta_at_frequency_points, shape,
                  data.frequency_points.size());
  write_hdf5_atomically(path, [&](Hdf5File& f) {
    write_head(f, data.grid_points, data.band_indices, data.temperatures);
    write_reals(f, "epsilon", data.epsilons);
    f.write("frequency", data.frequency);
    f.write("delta", data.delta);
    write_at_points(f, "delta_at_frequency_points", data.frequency_points, data.delta_at_frequency_points);
  });
}

void write_jdos_file(const std::string& path, const JdosFile& data) {
  const char* writer = "write_jdos_file";
  const std::size_t n_gp = data.grid_points.size(), n_m = data.methods.size();
  const std::size_t n_t = data.temperatures.empty() ? 1 : data.temperatures.size();
  const std::size_t nb = data.frequency.rank() == 2 ? data.frequency.shape[1] : 0;
  require_shape(writer, "frequency", data.frequency, {n_gp, nb});
  require_shape(writer, "joint_dos", data.joint_dos, {n_m, n_t, n_gp, data.frequency_points.size(), 2});
  write_hdf5_atomically(path, [&](Hdf5File& f) {
    write_ints(f, "grid_point", data.grid_points);
    write_methods(f, data.methods);
    if (!data.temperatures.empty()) write_reals(f, "temperature", data.temperatures);
    f.write("frequency", data.frequency);
    write_reals(f, "frequency_points", data.frequency_points);
    f.write("joint_dos", data.joint_dos);
  });
}

void write_isotope_file(const std::string& path, const IsotopeFile& data) {
  const char* writer = "write_isotope_file";
  const std::size_t n_gp = data.grid_points.size(), nb0 = data.band_indices.size();
  require_shape(writer, "frequency", data.frequency, {n_gp, nb0});
  require_shape(writer, "gamma", data.gamma, {data.methods.size(), n_gp, nb0});
  write_hdf5_atomically(path, [&](Hdf5File& f) {
    write_ints(f, "grid_point", data.grid_points);
    write_ints(f, "band_indices", data.band_indices);
    write_reals(f, "mass_variances", data.mass_variances);
    write_methods(f, data.methods);
    f.write("frequency", data.frequency);
    f.write("gamma", data.gamma);
  });
}

}  // namespace ph3mpi::io
