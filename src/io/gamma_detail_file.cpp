#include "ph3mpi/io/gamma_detail_file.hpp"

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/io/kappa_file.hpp"

namespace ph3mpi::io {

std::string gamma_detail_filename(const std::array<std::int64_t, 3>& mesh, std::int64_t grid_point,
                                  std::optional<double> sigma, std::optional<double> sigma_cutoff) {
  return "gamma_detail" + kappa_filename_suffix(mesh, grid_point, std::nullopt, sigma, sigma_cutoff) +
         ".hdf5";
}

void write_gamma_detail_file(const std::string& path, const GammaDetailFile& data) {
  const std::size_t n = data.triplets.size();
  if (data.gamma_detail.rank() != 5 || data.gamma_detail.shape[0] != data.temperatures.size() ||
      data.gamma_detail.shape[1] != n || data.weights.size() != n) {
    throw Error("write_gamma_detail_file: gamma_detail " + data.gamma_detail.shape_string() + " for " +
                std::to_string(data.temperatures.size()) + " temperatures, " + std::to_string(n) +
                " triplets and " + std::to_string(data.weights.size()) + " weights");
  }
  write_hdf5_atomically(path, [&](Hdf5File& f) {
    f.write_string("version", PH3MPI_VERSION);
    NdArray<double> temperature({data.temperatures.size()});
    temperature.data = data.temperatures;
    f.write("temperature", temperature);
    NdArray<std::int64_t> mesh({3});
    mesh.data.assign(data.mesh.begin(), data.mesh.end());
    f.write("mesh", mesh);
    Hdf5DatasetOptions gzip;
    gzip.gzip_level = 4;  // h5py's compression="gzip", as phono3py writes it
    f.create_dataset("gamma_detail", data.gamma_detail.shape, Hdf5Dtype::kFloat64, gzip);
    f.write_block("gamma_detail", std::vector<std::size_t>(5, 0), data.gamma_detail);
    NdArray<std::int64_t> triplet({n, 3});
    for (std::size_t t = 0; t < n; ++t) {
      for (std::size_t k = 0; k < 3; ++k) triplet[3 * t + k] = data.triplets[t][k];
    }
    f.create_dataset("triplet", triplet.shape, Hdf5Dtype::kInt64, gzip);
    f.write_block("triplet", {0, 0}, triplet);
    NdArray<std::int64_t> weight({n});
    weight.data = data.weights;
    f.create_dataset("weight", weight.shape, Hdf5Dtype::kInt64, gzip);
    f.write_block("weight", {0}, weight);
    f.write_scalar("grid_point", data.grid_point);
    if (data.sigma) {
      f.write_scalar("sigma", *data.sigma);
      if (data.sigma_cutoff) f.write_scalar("sigma_cutoff_width", *data.sigma_cutoff);
    }
  });
}

}  // namespace ph3mpi::io
