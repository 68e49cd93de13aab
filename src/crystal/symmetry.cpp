#include "ph3mpi/crystal/symmetry.hpp"

#include <spglib.h>

#include <cmath>
#include <memory>
#include <sstream>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/crystal/supercell.hpp"

namespace ph3mpi::crystal {

namespace {

// spglib's atom types: atomic numbers, or (without them) one integer per distinct symbol.
std::vector<int> spglib_types(const Cell& cell) {
  if (cell.numbers.size() == cell.num_atoms()) return cell.numbers;
  std::vector<int> types(cell.num_atoms(), 1);
  if (cell.symbols.size() == cell.num_atoms()) {
    std::vector<std::string> seen;
    for (std::size_t i = 0; i < cell.num_atoms(); ++i) {
      std::size_t k = 0;
      while (k < seen.size() && seen[k] != cell.symbols[i]) ++k;
      if (k == seen.size()) seen.push_back(cell.symbols[i]);
      types[i] = static_cast<int>(k) + 1;
    }
  }
  return types;
}

std::string spglib_error_text() { return spg_get_error_message(spg_get_error_code()); }

// spglib's point-group symbol of a set of rotations (spaces stripped, as phonopy does).
std::string pointgroup_symbol(const std::vector<Eigen::Matrix3i>& ops) {
  std::vector<int> flat(ops.size() * 9);
  for (std::size_t n = 0; n < ops.size(); ++n)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) flat[n * 9 + static_cast<std::size_t>(3 * i + j)] = ops[n](i, j);
  char symbol[6] = {0};
  int trans_mat[3][3];
  const int number = spg_get_pointgroup(symbol, trans_mat, reinterpret_cast<int(*)[3][3]>(flat.data()),
                                        static_cast<int>(ops.size()));
  if (number == 0) throw Error("spglib could not identify the point group: " + spglib_error_text());
  std::string s(symbol);
  const auto b = s.find_first_not_of(' ');
  const auto e = s.find_last_not_of(' ');
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

std::vector<Eigen::Matrix3i> collect_unique_rotations(const std::vector<Eigen::Matrix3i>& rotations) {
  std::vector<Eigen::Matrix3i> unique;
  for (const auto& r : rotations) {
    bool found = false;
    for (const auto& u : unique) {
      if (u == r) {
        found = true;
        break;
      }
    }
    if (!found) unique.push_back(r);
  }
  return unique;
}

std::vector<Eigen::Matrix3i> reciprocal_operations(const std::vector<Eigen::Matrix3i>& pointgroup_operations,
                                                   bool is_time_reversal) {
  std::vector<Eigen::Matrix3i> ops;
  ops.reserve(2 * pointgroup_operations.size());
  for (const auto& r : pointgroup_operations) ops.push_back(r.transpose());
  if (is_time_reversal) {
    bool has_inversion = false;
    for (const auto& r : pointgroup_operations)
      has_inversion = has_inversion || r == -Eigen::Matrix3i::Identity();
    if (!has_inversion) {
      for (const auto& r : pointgroup_operations) ops.push_back(-r.transpose());
    }
  }
  return ops;
}

Symmetry get_symmetry(const Cell& cell, double symprec, bool is_symmetry) {
  Symmetry sym;
  sym.symprec = symprec;
  const std::size_t n = cell.num_atoms();
  if (!is_symmetry) {
    sym.rotations.push_back(Eigen::Matrix3i::Identity());
    sym.translations.push_back(Eigen::Vector3d::Zero());
    sym.spacegroup_number = 1;
    sym.international = "P1";
    sym.equivalent_atoms.resize(n);
    for (std::size_t i = 0; i < n; ++i) sym.equivalent_atoms[i] = static_cast<int>(i);
    sym.wyckoffs.assign(n, "a");
    sym.std_lattice = cell.lattice;
  } else {
    if (n == 0) throw Error("symmetry search of a cell without atoms");
    double lattice[3][3];  // spglib: basis vectors as columns
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) lattice[i][j] = cell.lattice(j, i);
    std::vector<double> positions(3 * n);
    for (std::size_t a = 0; a < n; ++a)
      for (int k = 0; k < 3; ++k) positions[3 * a + static_cast<std::size_t>(k)] = cell.positions[a](k);
    const std::vector<int> types = spglib_types(cell);
    std::unique_ptr<SpglibDataset, void (*)(SpglibDataset*)> dataset(
        spg_get_dataset(lattice, reinterpret_cast<double(*)[3]>(positions.data()), types.data(),
                        static_cast<int>(n), symprec),
        spg_free_dataset);
    if (!dataset) {
      std::ostringstream os;
      os << "spglib symmetry search failed (symprec=" << symprec << "): " << spglib_error_text();
      throw Error(os.str());
    }
    sym.spacegroup_number = dataset->spacegroup_number;
    sym.international = dataset->international_symbol;
    sym.hall_symbol = dataset->hall_symbol;
    for (int i = 0; i < 3; ++i) {
      sym.origin_shift(i) = dataset->origin_shift[i];
      for (int j = 0; j < 3; ++j) {
        sym.transformation_matrix(i, j) = dataset->transformation_matrix[i][j];
        sym.std_lattice(j, i) = dataset->std_lattice[i][j];
      }
    }
    for (int k = 0; k < dataset->n_operations; ++k) {
      Eigen::Matrix3i r;
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) r(i, j) = dataset->rotations[k][i][j];
      sym.rotations.push_back(r);
      sym.translations.emplace_back(dataset->translations[k][0], dataset->translations[k][1],
                                    dataset->translations[k][2]);
    }
    sym.equivalent_atoms.assign(dataset->equivalent_atoms, dataset->equivalent_atoms + n);
    for (std::size_t a = 0; a < n; ++a)
      sym.wyckoffs.emplace_back(1, static_cast<char>('a' + dataset->wyckoffs[a]));
  }
  sym.pointgroup_operations = collect_unique_rotations(sym.rotations);
  sym.reciprocal_operations = reciprocal_operations(sym.pointgroup_operations, true);
  sym.pointgroup = pointgroup_symbol(sym.pointgroup_operations);
  return sym;
}

std::vector<Eigen::Matrix3i> site_symmetry(const Symmetry& symmetry, const Cell& cell, std::size_t atom) {
  const Eigen::Vector3d& x = cell.positions.at(atom);
  std::vector<Eigen::Matrix3i> ops;
  for (std::size_t k = 0; k < symmetry.rotations.size(); ++k) {
    const Eigen::Vector3d moved = symmetry.rotations[k].cast<double>() * x + symmetry.translations[k];
    Eigen::Vector3d diff = x - moved;
    for (int i = 0; i < 3; ++i) diff(i) -= std::nearbyint(diff(i));
    if ((cell.lattice.transpose() * diff).norm() < symmetry.symprec) ops.push_back(symmetry.rotations[k]);
  }
  return ops;
}

std::vector<std::size_t> q_site_symmetry(const Symmetry& symmetry, const Eigen::Vector3d& q) {
  Eigen::Vector3d q_bz = q;
  for (int i = 0; i < 3; ++i) q_bz(i) -= std::nearbyint(q_bz(i));
  std::vector<std::size_t> indices;
  for (std::size_t k = 0; k < symmetry.reciprocal_operations.size(); ++k) {
    const Eigen::Vector3d diff = q_bz - symmetry.reciprocal_operations[k].cast<double>() * q_bz;
    if ((diff.array().abs() < symmetry.symprec).all()) indices.push_back(k);
  }
  return indices;
}

std::vector<Eigen::Matrix3d> reciprocal_operations_cartesian(const std::vector<Eigen::Matrix3i>& operations,
                                                             const Eigen::Matrix3d& lattice) {
  const Eigen::Matrix3d rec = detail::inverse(lattice);  // columns: reciprocal basis (no 2 pi)
  const Eigen::Matrix3d rec_inv = detail::inverse(rec);
  std::vector<Eigen::Matrix3d> out;
  out.reserve(operations.size());
  for (const auto& r : operations) out.push_back(rec * (r.cast<double>() * rec_inv));
  return out;
}

}  // namespace ph3mpi::crystal
