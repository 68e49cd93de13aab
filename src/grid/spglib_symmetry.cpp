// GridSymmetry from spglib's dataset (phonopy get_mock_symmetry_dataset with a dataset).
#include "ph3mpi/grid/spglib_symmetry.hpp"

#include <memory>
#include <string>

#include "ph3mpi/common/error.hpp"

namespace ph3mpi::grid {

GridSymmetry grid_symmetry_from_spglib_dataset(const SpglibDataset& dataset) {
  GridSymmetry sym;
  sym.rotations.reserve(static_cast<std::size_t>(dataset.n_operations));
  for (int k = 0; k < dataset.n_operations; ++k) {
    Eigen::Matrix3i r;
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) r(i, j) = dataset.rotations[k][i][j];
    }
    sym.rotations.push_back(r);
  }
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      sym.transformation_matrix(i, j) = dataset.transformation_matrix[i][j];
      sym.std_lattice(i, j) = dataset.std_lattice[j][i];  // columns -> rows
    }
  }
  return sym;
}

GridSymmetry grid_symmetry_of_cell(const Eigen::Matrix3d& lattice,
                                   const std::vector<Eigen::Vector3d>& positions,
                                   const std::vector<int>& types, double symprec) {
  if (positions.size() != types.size() || positions.empty()) {
    throw SettingsError("grid_symmetry_of_cell: " + std::to_string(positions.size()) + " positions but " +
                        std::to_string(types.size()) + " types");
  }
  double lat[3][3];
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) lat[i][j] = lattice(j, i);  // rows -> spglib columns
  }
  std::vector<double> pos(3 * positions.size());
  for (std::size_t a = 0; a < positions.size(); ++a) {
    for (int i = 0; i < 3; ++i) pos[3 * a + static_cast<std::size_t>(i)] = positions[a](i);
  }
  std::unique_ptr<SpglibDataset, void (*)(SpglibDataset*)> dataset(
      spg_get_dataset(lat, reinterpret_cast<double(*)[3]>(pos.data()), types.data(),
                      static_cast<int>(positions.size()), symprec),
      spg_free_dataset);
  if (!dataset) {
    throw SettingsError(std::string("spglib could not determine the symmetry of the cell: ") +
                        spg_get_error_message(spg_get_error_code()));
  }
  return grid_symmetry_from_spglib_dataset(*dataset);
}

}  // namespace ph3mpi::grid
