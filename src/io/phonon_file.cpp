#include "ph3mpi/io/phonon_file.hpp"

#include <filesystem>

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

}  // namespace

std::string write_phonon_file(const std::string& directory, const PhononFileContent& content) {
  if (content.frequency == nullptr || content.eigenvector == nullptr || content.bz_grid == nullptr) {
    throw Error("write_phonon_file: frequency, eigenvector and bz_grid are required");
  }
  const grid::BZGrid& bz = *content.bz_grid;
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
    NdArray<std::int64_t> address({bz.addresses.size(), 3});
    for (std::size_t i = 0; i < bz.addresses.size(); ++i)
      for (std::size_t j = 0; j < 3; ++j) address[3 * i + j] = bz.addresses[i](static_cast<Eigen::Index>(j));
    f.write("grid_address", address);
    f.write("frequency", *content.frequency);
    f.write("eigenvector", *content.eigenvector);
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

}  // namespace ph3mpi::io
