// Test helpers of the crystal tests: the few phono3py.yaml blocks they need, read with
// yaml-cpp directly (independent of the io module's reader), and comparisons.
#pragma once

#include <yaml-cpp/yaml.h>

#include <Eigen/Dense>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "ph3mpi/crystal/cell.hpp"
#include "test_support.hpp"

namespace ph3mpi::crystal::testing {

inline int atomic_number(const std::string& symbol) {
  static const std::map<std::string, int> table = {{"N", 7},   {"O", 8},   {"Na", 11}, {"Mg", 12},
                                                   {"Al", 13}, {"Si", 14}, {"Cl", 17}};
  return table.at(symbol);
}

inline YAML::Node load_yaml(const std::string& case_name) {
  return YAML::LoadFile(ph3mpi::test::data_path(case_name + "/phono3py.yaml"));
}

// A cell block (unit_cell, supercell, primitive_cell, ...) of phono3py.yaml.
inline Cell read_cell(const YAML::Node& root, const std::string& block) {
  const YAML::Node node = root[block];
  if (!node) throw std::runtime_error("no block " + block);
  Cell cell;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) cell.lattice(i, j) = node["lattice"][i][j].as<double>();
  for (const auto& point : node["points"]) {
    Eigen::Vector3d x;
    for (int k = 0; k < 3; ++k) x(k) = point["coordinates"][k].as<double>();
    cell.positions.push_back(x);
    cell.symbols.push_back(point["symbol"].as<std::string>());
    cell.numbers.push_back(atomic_number(cell.symbols.back()));
    cell.masses.push_back(point["mass"].as<double>());
  }
  return cell;
}

// 1-based "reduced_to" of each atom of a cell block (phonopy s2p_map), as 0-based indices.
inline std::vector<std::int64_t> read_reduced_to(const YAML::Node& root, const std::string& block) {
  std::vector<std::int64_t> out;
  for (const auto& point : root[block]["points"]) out.push_back(point["reduced_to"].as<std::int64_t>() - 1);
  return out;
}

template <typename Matrix>
Matrix read_matrix(const YAML::Node& root, const std::string& key) {
  Matrix m;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) m(i, j) = root[key][i][j].as<typename Matrix::Scalar>();
  return m;
}

// Largest |a - b| over fractional coordinates compared modulo 1.
inline double max_fractional_deviation(const Eigen::Vector3d& a, const Eigen::Vector3d& b) {
  double worst = 0;
  for (int k = 0; k < 3; ++k) {
    double d = a(k) - b(k);
    d -= std::nearbyint(d);
    worst = std::max(worst, std::abs(d));
  }
  return worst;
}

}  // namespace ph3mpi::crystal::testing
