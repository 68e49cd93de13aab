#include "ph3mpi/io/born_file.hpp"

#include <spglib.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <vector>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/file_access.hpp"

namespace ph3mpi::io {
namespace {

std::vector<std::string> split_words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  std::string w;
  while (in >> w) {
    words.push_back(w);
  }
  return words;
}

// A whole word read as a number; empty when the word is not one (as Python's float()).
std::optional<double> to_number(const std::string& word) {
  const char* begin = word.c_str();
  char* end = nullptr;
  errno = 0;
  double value = std::strtod(begin, &end);
  if (end == begin || *end != '\0' || errno == ERANGE) {
    return std::nullopt;
  }
  return value;
}

// The space group of the primitive cell as phonopy's Symmetry sees it (spglib dataset).
struct PrimitiveSymmetry {
  std::vector<Eigen::Matrix3d> rotations;     // fractional, as integers
  std::vector<Eigen::Vector3d> translations;  // fractional
  std::vector<int> equivalent_atoms;
};

PrimitiveSymmetry find_symmetry(const std::string& path, const crystal::Cell& cell, double symprec) {
  const std::size_t n = cell.num_atoms();
  double lattice[3][3];  // spglib wants basis vectors as columns
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      lattice[i][j] = cell.lattice(j, i);
    }
  }
  std::vector<double> positions(3 * n);
  for (std::size_t a = 0; a < n; ++a) {
    for (int k = 0; k < 3; ++k) {
      positions[3 * a + static_cast<std::size_t>(k)] = cell.positions[a](k);
    }
  }
  std::unique_ptr<SpglibDataset, void (*)(SpglibDataset*)> dataset(
      spg_get_dataset(lattice, reinterpret_cast<double(*)[3]>(positions.data()), cell.numbers.data(),
                      static_cast<int>(n), symprec),
      spg_free_dataset);
  if (!dataset) {
    std::string why = spg_get_error_message(spg_get_error_code());
    throw InputError(path, "cannot find the space group of the primitive cell (spglib: " + why +
                               ", symprec " + std::to_string(symprec) + ")");
  }
  PrimitiveSymmetry sym;
  for (int s = 0; s < dataset->n_operations; ++s) {
    Eigen::Matrix3d r;
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) {
        r(i, j) = dataset->rotations[s][i][j];
      }
    }
    sym.rotations.push_back(r);
    sym.translations.emplace_back(dataset->translations[s][0], dataset->translations[s][1],
                                  dataset->translations[s][2]);
  }
  sym.equivalent_atoms.assign(dataset->equivalent_atoms, dataset->equivalent_atoms + n);
  return sym;
}

std::string atom_list(const std::vector<std::size_t>& atoms, const crystal::Cell& cell) {
  std::string s;
  for (std::size_t k = 0; k < atoms.size(); ++k) {
    s += (k ? ", " : "") + std::to_string(atoms[k] + 1) + " (" + cell.symbols[atoms[k]] + ")";
  }
  return s;
}

}  // namespace

phonon::NacParams read_born_file(const std::string& path, const crystal::Cell& primitive, double symprec,
                                 double default_factor) {
  const std::size_t n = primitive.num_atoms();
  if (n == 0 || primitive.numbers.size() != n || primitive.symbols.size() != n) {
    throw Error("read_born_file: the primitive cell passed for '" + path +
                "' is incomplete (positions, numbers and symbols must be filled)");
  }
  common::require_readable_file(path, "a BORN file");
  std::ifstream in(path);
  if (!in) {
    throw InputError(path, "cannot open file for reading");
  }
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  auto fail = [&](std::size_t line_index, const std::string& problem) {
    throw InputError(path, "line " + std::to_string(line_index + 1) + ": " + problem);
  };
  // Nine numbers of line `k` as a 3x3 matrix, row-major (xx xy xz yx ...).
  auto tensor = [&](std::size_t k, const std::string& what) {
    std::vector<std::string> words = split_words(lines[k]);
    if (words.size() != 9) {
      fail(k, "expected 9 numbers (" + what + ": xx xy xz yx yy yz zx zy zz), got " +
                  std::to_string(words.size()) + " values");
    }
    Eigen::Matrix3d m;
    for (std::size_t v = 0; v < 9; ++v) {
      std::optional<double> x = to_number(words[v]);
      if (!x || !std::isfinite(*x)) {
        fail(k, what + ": value " + std::to_string(v + 1) + " '" + words[v] + "' is not a finite number");
      }
      m(static_cast<Eigen::Index>(v / 3), static_cast<Eigen::Index>(v % 3)) = *x;
    }
    return m;
  };

  if (lines.empty() || split_words(lines[0]).empty()) {
    if (lines.empty()) {
      throw InputError(path, "file is empty, expected a BORN file (factor, dielectric tensor, Born charges)");
    }
    fail(0, "empty; expected the NAC unit conversion factor (a number, or a word such as 'default')");
  }

  phonon::NacParams nac;
  nac.factor = default_factor;
  std::vector<std::string> head = split_words(lines[0]);
  // phonopy reads each of the first three words as a number when it is one.
  if (std::optional<double> f = to_number(head[0])) {
    if (!std::isfinite(*f)) fail(0, "NAC unit conversion factor '" + head[0] + "' is not finite");
    nac.factor = *f;
  }
  if (head.size() > 1) {
    if (std::optional<double> g = to_number(head[1]); g && std::isfinite(*g)) nac.g_cutoff = *g;
  }
  if (head.size() > 2) {
    if (std::optional<double> l = to_number(head[2]); l && std::isfinite(*l)) nac.lambda = *l;
  }

  if (lines.size() < 2) {
    throw InputError(path, "line 2 is missing: expected the 9 elements of the dielectric tensor");
  }
  nac.dielectric = tensor(1, "dielectric tensor");

  PrimitiveSymmetry sym = find_symmetry(path, primitive, symprec);
  std::vector<std::size_t> independent;
  for (std::size_t i = 0; i < n; ++i) {
    if (static_cast<std::size_t>(sym.equivalent_atoms[i]) == i) {
      independent.push_back(i);
    }
  }

  nac.born.assign(n, Eigen::Matrix3d::Zero());
  for (std::size_t k = 0; k < independent.size(); ++k) {
    std::size_t line_index = 2 + k;
    if (line_index >= lines.size() || split_words(lines[line_index]).empty()) {
      throw InputError(path, "line " + std::to_string(line_index + 1) + ": expected Born charges of " +
                                 std::to_string(independent.size()) +
                                 " symmetry-independent primitive atoms " +
                                 atom_list(independent, primitive) + ", found only " + std::to_string(k));
    }
    std::size_t atom = independent[k];
    nac.born[atom] = tensor(
        line_index, "Born charge of atom " + std::to_string(atom + 1) + " (" + primitive.symbols[atom] + ")");
  }
  for (std::size_t k = 2 + independent.size(); k < lines.size(); ++k) {
    if (!split_words(lines[k]).empty()) {
      fail(k,
           "too many lines: the BORN file lists Born charges of the symmetry-independent atoms only, here " +
               std::to_string(independent.size()) + ": " + atom_list(independent, primitive));
    }
  }

  // Expand to the equivalent atoms.
  Eigen::Matrix3d lat = primitive.lattice.transpose();  // columns a, b, c
  Eigen::Matrix3d lat_inv = lat.inverse();
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t rep = static_cast<std::size_t>(sym.equivalent_atoms[i]);
    if (rep == i) {
      continue;
    }
    std::size_t op = sym.rotations.size();
    for (std::size_t s = 0; s < sym.rotations.size(); ++s) {
      Eigen::Vector3d diff =
          sym.rotations[s] * primitive.positions[i] + sym.translations[s] - primitive.positions[rep];
      diff -= diff.array().round().matrix();
      if ((lat * diff).norm() < symprec) {
        op = s;
        break;
      }
    }
    if (op == sym.rotations.size()) {
      throw InputError(path, "no symmetry operation maps primitive atom " + std::to_string(i + 1) +
                                 " onto its equivalent atom " + std::to_string(rep + 1) + " within symprec " +
                                 std::to_string(symprec));
    }
    Eigen::Matrix3d rc_t = (lat * sym.rotations[op] * lat_inv).transpose();
    nac.born[i] = rc_t * nac.born[rep] * rc_t.inverse();
  }
  return nac;
}

}  // namespace ph3mpi::io
