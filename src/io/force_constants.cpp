#include "ph3mpi/io/force_constants.hpp"

#include <hdf5.h>

#include <cmath>
#include <map>
#include <sstream>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/units.hpp"
#include "ph3mpi/io/hdf5_file.hpp"

namespace ph3mpi::io {
namespace {

std::string join(const std::vector<std::size_t>& v) {
  std::string s = "(";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + ")";
}

std::string join(const std::vector<std::int64_t>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

// Names of the objects at the root of the file, for "dataset missing" messages.
std::string root_names(const Hdf5File& file) {
  H5G_info_t info;
  if (H5Gget_info(file.id(), &info) < 0) {
    return "?";
  }
  std::string names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    ssize_t len = H5Lget_name_by_idx(file.id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (len < 0) continue;
    std::string name(static_cast<std::size_t>(len), '\0');
    H5Lget_name_by_idx(file.id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(),
                       static_cast<std::size_t>(len) + 1, H5P_DEFAULT);
    names += (names.empty() ? "" : ", ") + name;
  }
  return names.empty() ? "none" : names;
}

// Class and byte size of a dataset's element type.
std::pair<H5T_class_t, std::size_t> element_type(const Hdf5File& file, const std::string& dataset) {
  Hdf5Handle d(H5Dopen2(file.id(), dataset.c_str(), H5P_DEFAULT), H5Dclose);
  if (!d.valid()) {
    throw InputError(file.path(), "'" + dataset + "' is not a readable dataset");
  }
  Hdf5Handle type(H5Dget_type(d.id()), H5Tclose);
  return {H5Tget_class(type.id()), H5Tget_size(type.id())};
}

// phonopy's factors from a force-constant unit to eV/Angstrom^2
// (phonopy.interface.calculator.get_force_constant_conversion_factor, target VASP units).
std::optional<double> fc2_unit_factor(std::string unit) {
  const std::string from = "Angstrom";
  for (std::size_t pos; (pos = unit.find(from)) != std::string::npos;)
    unit.replace(pos, from.size(), "angstrom");
  const double bohr = units::kBohr;
  const double hartree = units::kHartree;
  const double rydberg = hartree / 2;
  const std::map<std::string, double> table = {
      {"eV/angstrom^2", 1.0},
      {"eV/angstrom.au", 1.0 / bohr},
      {"Ry/au^2", rydberg / (bohr * bohr)},
      {"mRy/au^2", rydberg / (bohr * bohr) / 1000},
      {"hartree/au^2", hartree / (bohr * bohr)},
      {"hartree/angstrom.au", hartree / bohr},
  };
  auto it = table.find(unit);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

// Multi-index of flat element `flat` in `shape`, as "(i, j, ...)".
std::string index_string(std::size_t flat, const std::vector<std::size_t>& shape) {
  std::vector<std::size_t> idx(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    idx[d] = flat % shape[d];
    flat /= shape[d];
  }
  return join(idx);
}

}  // namespace

std::size_t ForceConstantsHeader::element_count() const { return NdArray<double>::element_count(shape); }

ForceConstantsHeader inspect_force_constants(const std::string& path, int order,
                                             std::size_t n_supercell_atoms,
                                             const std::vector<std::int64_t>& expected_p2s) {
  if (order != 2 && order != 3) {
    throw Error("inspect_force_constants: order must be 2 or 3, got " + std::to_string(order));
  }
  const std::size_t n = n_supercell_atoms;
  Hdf5File file(path);
  auto fail = [&](const std::string& problem) { throw InputError(path, problem); };

  ForceConstantsHeader h;
  h.order = order;
  h.n_supercell_atoms = n;
  if (order == 2) {
    // phonopy's reader looks for 'fc2' first, then 'force_constants' (phono3py writes the latter).
    if (file.exists("fc2")) {
      h.dataset = "fc2";
    } else if (file.exists("force_constants")) {
      h.dataset = "force_constants";
    } else {
      fail("no 'force_constants' (or 'fc2') dataset: not an fc2.hdf5 file (datasets: " + root_names(file) +
           ")");
    }
  } else {
    if (!file.exists("fc3")) {
      fail("no 'fc3' dataset: not an fc3.hdf5 file (datasets: " + root_names(file) + ")");
    }
    h.dataset = "fc3";
  }
  const std::string& name = h.dataset;

  auto [type_class, type_size] = element_type(file, name);
  if (type_class != H5T_FLOAT || type_size != sizeof(double)) {
    std::string what = type_class == H5T_FLOAT     ? std::to_string(8 * type_size) + "-bit floats"
                       : type_class == H5T_INTEGER ? std::to_string(8 * type_size) + "-bit integers"
                       : type_class == H5T_STRING  ? "strings"
                                                   : "non-numeric data";
    fail("dataset '" + name + "' holds " + what + "; force constants must be 64-bit floats (numpy double)");
  }

  h.shape = file.shape(name);
  std::string expected_full = order == 2 ? "(N, N, 3, 3)" : "(N, N, N, 3, 3, 3)";
  std::string expected_compact = order == 2 ? "(n_prim, N, 3, 3)" : "(n_prim, N, N, 3, 3, 3)";
  std::string shapes = expected_full + " or " + expected_compact + " with N = " + std::to_string(n) +
                       " supercell atoms and n_prim = " + std::to_string(expected_p2s.size());
  const std::size_t rank = order == 2 ? 4 : 6;
  if (h.shape.size() != rank) {
    fail("dataset '" + name + "' has shape " + join(h.shape) + " (rank " + std::to_string(h.shape.size()) +
         "), expected " + shapes);
  }
  for (std::size_t d = 1; d < static_cast<std::size_t>(order); ++d) {
    if (h.shape[d] != n) {
      fail("dataset '" + name + "' has shape " + join(h.shape) + ", expected " + shapes +
           " (force constants of another supercell?)");
    }
  }
  for (std::size_t d = static_cast<std::size_t>(order); d < rank; ++d) {
    if (h.shape[d] != 3) {
      fail("dataset '" + name + "' has shape " + join(h.shape) + ", expected " + shapes);
    }
  }
  const std::size_t n_rows = h.shape[0];
  h.is_compact = n_rows != n;
  if (h.is_compact && (n_rows != expected_p2s.size() || n_rows == 0)) {
    fail("dataset '" + name + "' has shape " + join(h.shape) + ", expected " + shapes +
         (n_rows != 0 && n % n_rows == 0 ? " (compact force constants of another primitive cell?)"
                                         : " (force constants of another supercell?)"));
  }
  for (std::int64_t s : expected_p2s) {
    if (s < 0 || static_cast<std::size_t>(s) >= n) {
      throw Error("inspect_force_constants: expected p2s_map " + join(expected_p2s) +
                  " has an index outside 0.." + std::to_string(n - 1));
    }
  }

  if (file.exists("p2s_map")) {
    if (file.kind("p2s_map") != Hdf5Kind::kInteger) {
      fail("dataset 'p2s_map' must hold integers");
    }
    NdArray<std::int64_t> in_file = file.read_int("p2s_map");
    h.has_p2s_map_in_file = true;
    std::vector<std::int64_t> file_p2s(in_file.data.begin(), in_file.data.end());
    // As phono3py's check_force_constants_indices: only compact rows depend on it.
    if (h.is_compact && file_p2s != expected_p2s) {
      fail("p2s_map in file " + join(file_p2s) + " differs from the primitive cell's " + join(expected_p2s) +
           ": the compact force constants belong to another primitive or supercell setting "
           "(primitive_matrix / supercell_matrix)");
    }
    h.p2s_map = expected_p2s.empty() ? file_p2s : expected_p2s;
  } else {
    h.p2s_map = expected_p2s;
  }

  if (order == 3 && file.exists("fc3_nonzero_indices")) {
    if (file.kind("fc3_nonzero_indices") != Hdf5Kind::kInteger) {
      fail("dataset 'fc3_nonzero_indices' must hold integers (0/1)");
    }
    std::vector<std::size_t> nz_shape = file.shape("fc3_nonzero_indices");
    std::vector<std::size_t> want(h.shape.begin(), h.shape.begin() + 3);
    if (nz_shape != want) {
      fail("dataset 'fc3_nonzero_indices' has shape " + join(nz_shape) + ", expected " + join(want) +
           " (the first three axes of 'fc3')");
    }
    h.has_nonzero_indices = true;
  }
  if (order == 3 && file.exists("fc3_cutoff")) {
    h.fc3_cutoff = file.read_double_scalar("fc3_cutoff");
  }
  if (order == 2 && file.exists("physical_unit")) {
    std::vector<std::string> unit = file.read_strings("physical_unit");
    h.physical_unit = unit.empty() ? std::string() : unit[0];
    std::optional<double> factor = fc2_unit_factor(h.physical_unit);
    if (!factor) {
      fail("physical_unit '" + h.physical_unit +
           "' is not one phonopy knows (eV/angstrom^2, eV/angstrom.au, Ry/au^2, mRy/au^2, hartree/au^2, "
           "hartree/angstrom.au)");
    }
    h.unit_factor = *factor;
  }
  return h;
}

void read_force_constants_into(const std::string& path, const ForceConstantsHeader& header, double* out) {
  Hdf5File file(path);
  const std::size_t count = header.element_count();
  if (count == 0) {
    return;
  }
  {
    Hdf5Handle d(H5Dopen2(file.id(), header.dataset.c_str(), H5P_DEFAULT), H5Dclose);
    if (!d.valid() || H5Dread(d.id(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0) {
      throw InputError(path, "cannot read dataset '" + header.dataset + "' " + join(header.shape) +
                                 " (file truncated or corrupt?)");
    }
  }
  if (header.unit_factor != 1.0) {
    for (std::size_t i = 0; i < count; ++i) out[i] *= header.unit_factor;
  }
  std::size_t bad = 0;
  std::size_t first_bad = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (!std::isfinite(out[i])) {
      if (bad == 0) first_bad = i;
      ++bad;
    }
  }
  if (bad > 0) {
    throw InputError(path, "dataset '" + header.dataset + "' has " + std::to_string(bad) +
                               " NaN/Inf value(s), the first at index " +
                               index_string(first_bad, header.shape) + " (value " +
                               std::to_string(out[first_bad]) + ")");
  }
}

namespace {

ForceConstants read_fc(const std::string& path, int order, std::size_t n_supercell_atoms,
                       const std::vector<std::int64_t>& expected_p2s, bool read_values) {
  ForceConstantsHeader h = inspect_force_constants(path, order, n_supercell_atoms, expected_p2s);
  ForceConstants fc;
  fc.fc.shape = h.shape;
  fc.p2s_map = h.p2s_map;
  fc.has_p2s_map_in_file = h.has_p2s_map_in_file;
  fc.is_compact = h.is_compact;
  fc.fc3_cutoff = h.fc3_cutoff;
  fc.physical_unit = h.physical_unit;
  if (!read_values) {
    fc.has_values = false;
    fc.has_nonzero_indices = h.has_nonzero_indices;
    if (h.has_nonzero_indices) fc.fc3_nonzero_indices.shape = {h.shape[0], h.shape[1], h.shape[2]};
    return fc;
  }
  fc.fc.data.resize(h.element_count());
  read_force_constants_into(path, h, fc.fc.ptr());
  if (h.has_nonzero_indices) {
    Hdf5File file(path);
    Hdf5Handle d(H5Dopen2(file.id(), "fc3_nonzero_indices", H5P_DEFAULT), H5Dclose);
    fc.fc3_nonzero_indices.shape = file.shape("fc3_nonzero_indices");
    fc.fc3_nonzero_indices.data.resize(NdArray<std::int8_t>::element_count(fc.fc3_nonzero_indices.shape));
    if (!d.valid() ||
        H5Dread(d.id(), H5T_NATIVE_INT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, fc.fc3_nonzero_indices.ptr()) < 0) {
      throw InputError(path, "cannot read dataset 'fc3_nonzero_indices' (file truncated or corrupt?)");
    }
    for (std::size_t i = 0; i < fc.fc3_nonzero_indices.size(); ++i) {
      std::int8_t v = fc.fc3_nonzero_indices[i];
      if (v != 0 && v != 1) {
        throw InputError(path, "dataset 'fc3_nonzero_indices' must hold 0 or 1, has " + std::to_string(v) +
                                   " at index " + index_string(i, fc.fc3_nonzero_indices.shape));
      }
    }
    fc.has_nonzero_indices = true;
  }
  return fc;
}

}  // namespace

ForceConstants read_fc2(const std::string& path, std::size_t n_supercell_atoms,
                        const std::vector<std::int64_t>& expected_p2s) {
  return read_fc(path, 2, n_supercell_atoms, expected_p2s, true);
}

ForceConstants read_fc3(const std::string& path, std::size_t n_supercell_atoms,
                        const std::vector<std::int64_t>& expected_p2s, bool read_values) {
  return read_fc(path, 3, n_supercell_atoms, expected_p2s, read_values);
}

}  // namespace ph3mpi::io
