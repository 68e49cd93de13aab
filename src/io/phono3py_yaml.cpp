#include "ph3mpi/io/phono3py_yaml.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>

#include "ph3mpi/common/atomic_data.hpp"
#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/file_access.hpp"
#include "ph3mpi/common/units.hpp"

namespace ph3mpi::io {
namespace {

// Top-level blocks phono3py/phonopy write for displacement-force datasets or force
// constants. ph3mpi does not use them and they can hold millions of numbers, so
// their lines are blanked before yaml-cpp sees the text (line numbers stay right).
const std::set<std::string>& skipped_blocks() {
  static const std::set<std::string> blocks = {
      "displacement_pairs",
      "displacement_pair_info",
      "displacements",
      "phonon_displacements",
      "dataset",
      "phonon_dataset",
      "supercell_energies",
      "phonon_supercell_energies",
      "force_constants",
      "force_sets",
      "phonon_force_sets",
  };
  return blocks;
}

// Calculators whose native units are Angstrom and eV/Angstrom^2 (phonopy's
// get_calculator_physical_units). Others write lengths in bohr and force constants
// in other units, which ph3mpi does not convert.
bool calculator_uses_angstrom_and_ev(const std::string& calculator) {
  static const std::set<std::string> ok = {"", "vasp", "aims", "lammps", "pwmat", "crystal", "castep"};
  return ok.count(calculator) > 0;
}

std::string blank_skipped_blocks(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  bool skipping = false;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    std::size_t stop = end == std::string::npos ? text.size() : end;
    std::string_view line(text.data() + start, stop - start);
    if (!line.empty()) {
      char c = line[0];
      bool top_level_key = std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '"';
      if (top_level_key) {
        std::size_t colon = line.find(':');
        std::string key(line.substr(0, colon == std::string_view::npos ? line.size() : colon));
        key.erase(std::remove(key.begin(), key.end(), '"'), key.end());
        while (!key.empty() && key.back() == ' ') key.pop_back();
        skipping = colon != std::string_view::npos && skipped_blocks().count(key) > 0;
      } else if (line.rfind("---", 0) == 0 || line.rfind("...", 0) == 0) {
        skipping = false;
      }
    }
    if (!skipping) {
      out.append(line);
    }
    if (end != std::string::npos) {
      out.push_back('\n');
    }
    start = stop + 1;
  }
  return out;
}

class YamlReader {
 public:
  explicit YamlReader(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void fail(const std::string& problem) const { throw InputError(path_, problem); }

  [[noreturn]] void fail_at(const YAML::Node& node, const std::string& problem) const {
    fail(where(node) + problem);
  }

  std::string where(const YAML::Node& node) const {
    if (node.IsDefined()) {
      YAML::Mark mark = node.Mark();
      if (mark.line >= 0) {
        return "line " + std::to_string(mark.line + 1) + ": ";
      }
    }
    return std::string();
  }

  static std::string text_of(const YAML::Node& node) {
    if (node.IsScalar()) {
      return "'" + node.Scalar() + "'";
    }
    if (node.IsSequence()) return "a list";
    if (node.IsMap()) return "a mapping";
    return "nothing";
  }

  double number(const YAML::Node& node, const std::string& what) const {
    if (!node.IsDefined() || !node.IsScalar()) {
      fail_at(node, what + " must be a number, got " + text_of(node));
    }
    double value = 0.0;
    try {
      value = node.as<double>();
    } catch (const YAML::Exception&) {
      fail_at(node, what + " must be a number, got " + text_of(node));
    }
    if (!std::isfinite(value)) {
      fail_at(node, what + " must be a finite number, got " + text_of(node));
    }
    return value;
  }

  int integer(const YAML::Node& node, const std::string& what) const {
    if (!node.IsDefined() || !node.IsScalar()) {
      fail_at(node, what + " must be an integer, got " + text_of(node));
    }
    try {
      return node.as<int>();
    } catch (const YAML::Exception&) {
      fail_at(node, what + " must be an integer, got " + text_of(node));
    }
  }

  std::string string(const YAML::Node& node, const std::string& what) const {
    if (!node.IsScalar()) {
      fail_at(node, what + " must be a text value, got " + text_of(node));
    }
    return node.Scalar();
  }

  Eigen::Vector3d vector3(const YAML::Node& node, const std::string& what) const {
    if (!node.IsSequence() || node.size() != 3) {
      fail_at(node, what + " must be a list of 3 numbers, got " +
                        (node.IsSequence() ? std::to_string(node.size()) + " values" : text_of(node)));
    }
    Eigen::Vector3d v;
    for (std::size_t i = 0; i < 3; ++i) {
      v(static_cast<Eigen::Index>(i)) = number(node[i], what + "[" + std::to_string(i) + "]");
    }
    return v;
  }

  // A 3x3 matrix written as 3 rows of 3 numbers, or (flat_ok) 9 numbers in row order.
  Eigen::Matrix3d matrix3(const YAML::Node& node, const std::string& what, bool flat_ok = false) const {
    Eigen::Matrix3d m;
    if (flat_ok && node.IsSequence() && node.size() == 9) {
      for (std::size_t k = 0; k < 9; ++k) {
        m(static_cast<Eigen::Index>(k / 3), static_cast<Eigen::Index>(k % 3)) =
            number(node[k], what + "[" + std::to_string(k) + "]");
      }
      return m;
    }
    if (!node.IsSequence() || node.size() != 3) {
      fail_at(node, what + " must be a 3x3 matrix (3 rows of 3 numbers), got " +
                        (node.IsSequence() ? std::to_string(node.size()) + " rows" : text_of(node)));
    }
    for (std::size_t i = 0; i < 3; ++i) {
      const YAML::Node row = node[i];
      if (!row.IsSequence() || row.size() != 3) {
        fail_at(row, what + " row " + std::to_string(i + 1) + " must hold 3 numbers, got " +
                         (row.IsSequence() ? std::to_string(row.size()) + " values" : text_of(row)));
      }
      for (std::size_t j = 0; j < 3; ++j) {
        m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
            number(row[j], what + "[" + std::to_string(i) + "][" + std::to_string(j) + "]");
      }
    }
    return m;
  }

  // Integer matrix: 3x3, or [n1, n2, n3] / n meaning a diagonal matrix.
  Eigen::Matrix3i int_matrix3(const YAML::Node& node, const std::string& what) const {
    Eigen::Matrix3i m = Eigen::Matrix3i::Zero();
    if (node.IsScalar()) {
      m.diagonal().setConstant(integer(node, what));
      return m;
    }
    if (node.IsSequence() && node.size() == 3 && node[0].IsScalar()) {
      for (std::size_t i = 0; i < 3; ++i) {
        m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(i)) =
            integer(node[i], what + "[" + std::to_string(i) + "]");
      }
      return m;
    }
    if (!node.IsSequence() || node.size() != 3) {
      fail_at(node, what + " must be a 3x3 integer matrix, got " +
                        (node.IsSequence() ? std::to_string(node.size()) + " rows" : text_of(node)));
    }
    for (std::size_t i = 0; i < 3; ++i) {
      const YAML::Node row = node[i];
      if (!row.IsSequence() || row.size() != 3) {
        fail_at(row, what + " row " + std::to_string(i + 1) + " must hold 3 integers, got " +
                         (row.IsSequence() ? std::to_string(row.size()) + " values" : text_of(row)));
      }
      for (std::size_t j = 0; j < 3; ++j) {
        m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
            integer(row[j], what + "[" + std::to_string(i) + "][" + std::to_string(j) + "]");
      }
    }
    return m;
  }

  crystal::Cell cell(const YAML::Node& node, const std::string& name) const {
    if (!node.IsMap()) {
      fail_at(node, "'" + name + "' must be a mapping with 'lattice' and 'points', got " + text_of(node));
    }
    const YAML::Node lattice = node["lattice"];
    if (!lattice.IsDefined()) {
      fail_at(node, "'" + name + "' has no 'lattice'");
    }
    crystal::Cell c;
    c.lattice = matrix3(lattice, name + ".lattice");
    // phonopy: lattice rows are a, b, c. A (near) zero volume cannot be a crystal.
    double volume = c.lattice.determinant();
    double scale = c.lattice.row(0).norm() * c.lattice.row(1).norm() * c.lattice.row(2).norm();
    if (!(std::abs(volume) > 1e-8 * scale) || scale == 0.0) {
      std::ostringstream msg;
      msg << "'" << name << ".lattice' is singular (cell volume " << volume
          << " Angstrom^3): the three lattice vectors are linearly dependent";
      fail_at(lattice, msg.str());
    }
    const YAML::Node points = node["points"];
    if (!points.IsDefined()) {
      fail_at(node, "'" + name + "' has no 'points' (atoms)");
    }
    if (!points.IsSequence() || points.size() == 0) {
      fail_at(points, "'" + name + ".points' must be a non-empty list of atoms, got " + text_of(points));
    }
    for (std::size_t i = 0; i < points.size(); ++i) {
      const YAML::Node atom = points[i];
      std::string label = name + ".points[" + std::to_string(i + 1) + "]";
      if (!atom.IsMap()) {
        fail_at(atom, label + " must be a mapping with 'symbol' and 'coordinates', got " + text_of(atom));
      }
      if (atom["mixture"].IsDefined() || atom["weight"].IsDefined()) {
        fail_at(atom, label + ": site mixtures ('mixture'/'weight') are not supported");
      }
      if (atom["magnetic_moment"].IsDefined()) {
        fail_at(atom,
                label + ": magnetic moments are not supported (phono3py would use the magnetic space group)");
      }
      const YAML::Node symbol_node = atom["symbol"];
      if (!symbol_node.IsDefined()) {
        fail_at(atom, label + " has no 'symbol'");
      }
      std::string symbol_text = string(symbol_node, label + ".symbol");
      // Old files may carry calculator site labels such as "Fe1"; the element is "Fe".
      auto [symbol, index] = common::split_symbol_and_index(symbol_text);
      (void)index;
      if (symbol.empty()) {
        fail_at(symbol_node, label + ": '" + symbol_text + "' is not a chemical element symbol");
      }
      int z = common::atomic_number(symbol);
      const YAML::Node coords = atom["coordinates"];
      if (!coords.IsDefined()) {
        fail_at(atom, label + " (" + symbol + ") has no 'coordinates'");
      }
      c.positions.push_back(vector3(coords, label + ".coordinates"));
      c.symbols.push_back(symbol);
      c.numbers.push_back(z);
      const YAML::Node mass = atom["mass"];
      if (mass.IsDefined()) {
        double m = number(mass, label + ".mass");
        if (!(m > 0.0)) {
          fail_at(mass, label + ".mass must be positive, got " + text_of(mass));
        }
        c.masses.push_back(m);
      } else {
        std::optional<double> m = common::standard_atomic_mass(z);
        if (!m) {
          fail_at(atom, label + " (" + symbol + ") has no 'mass' and phonopy has no standard mass for " +
                            symbol + ": give one with 'mass:'");
        }
        c.masses.push_back(*m);
      }
    }
    return c;
  }

  std::optional<crystal::Cell> optional_cell(const YAML::Node& root, const std::string& name) const {
    const YAML::Node node = root[name];
    if (!node.IsDefined() || node.IsNull()) {
      return std::nullopt;
    }
    return cell(node, name);
  }

  // Born charges, dielectric tensor and factor from a mapping holding phonopy's keys.
  // Writes only what is present into `nac` and reports which parts were found.
  void nac_entries(const YAML::Node& node, const std::string& prefix, phonon::NacParams& nac, bool& has_born,
                   bool& has_dielectric, bool& has_factor) const {
    const YAML::Node born = node["born_effective_charge"];
    if (born.IsDefined()) {
      if (!born.IsSequence() || born.size() == 0) {
        fail_at(born, prefix + "born_effective_charge must be a list of 3x3 tensors, got " + text_of(born));
      }
      nac.born.clear();
      for (std::size_t i = 0; i < born.size(); ++i) {
        nac.born.push_back(
            matrix3(born[i], prefix + "born_effective_charge[" + std::to_string(i + 1) + "]", true));
      }
      has_born = true;
    }
    const YAML::Node dielectric = node["dielectric_constant"];
    if (dielectric.IsDefined()) {
      nac.dielectric = matrix3(dielectric, prefix + "dielectric_constant", true);
      has_dielectric = true;
    }
    const YAML::Node factor = node["unit_conversion_factor"];
    if (factor.IsDefined()) {
      nac.factor = number(factor, prefix + "unit_conversion_factor");
      has_factor = true;
    }
  }

 private:
  std::string path_;
};

// Number of atoms a cell transformation produces from n atoms: n * det, when that
// is a whole number.
std::optional<long> transformed_atom_count(std::size_t n, double det) {
  double count = static_cast<double>(n) * std::abs(det);
  double rounded = std::round(count);
  if (rounded < 1.0 || std::abs(count - rounded) > 1e-4) {
    return std::nullopt;
  }
  return static_cast<long>(rounded);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

namespace {

Phono3pyYaml parse_phono3py_yaml(const std::string& path) {
  YamlReader r(path);
  common::require_readable_file(path, "phono3py.yaml");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    r.fail("cannot open file for reading");
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    r.fail("file is empty, expected phono3py.yaml content");
  }

  const YAML::Node root = [&] {
    try {
      return YAML::Load(blank_skipped_blocks(text));
    } catch (const YAML::Exception& e) {
      std::string where = e.mark.line >= 0 ? "line " + std::to_string(e.mark.line + 1) + ", column " +
                                                 std::to_string(e.mark.column + 1) + ": "
                                           : std::string();
      r.fail(where + "YAML syntax error: " + e.msg);
    }
  }();
  if (root.IsNull()) {
    r.fail("file has no YAML content (only comments?)");
  }
  if (!root.IsMap()) {
    r.fail(r.where(root) + "not a phono3py.yaml: expected a YAML mapping at the top level, got " +
           YamlReader::text_of(root));
  }

  Phono3pyYaml out;

  // ---- header (phono3py: or phonopy: for files written by phonopy)
  const YAML::Node header = root["phono3py"].IsDefined() ? root["phono3py"] : root["phonopy"];
  if (header.IsDefined() && !header.IsNull() && !header.IsMap()) {
    r.fail_at(header, "the 'phono3py' header must be a mapping (version, symmetry_tolerance, ...), got " +
                          YamlReader::text_of(header));
  }
  if (header.IsDefined() && header.IsMap()) {
    if (header["version"].IsDefined()) {
      out.version = r.string(header["version"], "phono3py.version");
    }
    if (header["calculator"].IsDefined()) {
      out.calculator = lower(r.string(header["calculator"], "phono3py.calculator"));
    }
    if (header["frequency_unit_conversion_factor"].IsDefined()) {
      out.frequency_unit_conversion_factor =
          r.number(header["frequency_unit_conversion_factor"], "phono3py.frequency_unit_conversion_factor");
    }
    if (header["symmetry_tolerance"].IsDefined()) {
      out.symprec = r.number(header["symmetry_tolerance"], "phono3py.symmetry_tolerance");
      if (!(out.symprec > 0.0)) {
        r.fail_at(header["symmetry_tolerance"], "phono3py.symmetry_tolerance must be positive");
      }
      out.has_symprec = true;
    }
  }
  if (!calculator_uses_angstrom_and_ev(out.calculator)) {
    r.fail_at(header["calculator"],
              "calculator '" + out.calculator +
                  "' writes lengths and force constants in non-Angstrom/eV units, which "
                  "ph3mpi does not convert; supported: vasp, aims, lammps, pwmat, crystal, "
                  "castep (or none)");
  }
  const YAML::Node units = root["physical_unit"];
  if (units.IsDefined() && units.IsMap() && units["length"].IsDefined()) {
    out.length_unit = r.string(units["length"], "physical_unit.length");
    if (lower(out.length_unit) != "angstrom") {
      r.fail_at(units["length"],
                "physical_unit.length is '" + out.length_unit + "', only 'angstrom' is supported");
    }
  }
  const YAML::Node space_group = root["space_group"];
  if (space_group.IsDefined() && space_group.IsMap()) {
    if (space_group["type"].IsDefined()) {
      out.space_group_type = r.string(space_group["type"], "space_group.type");
    }
    if (space_group["number"].IsDefined()) {
      out.space_group_number = r.integer(space_group["number"], "space_group.number");
    }
  }

  // ---- unit cell
  if (root["unit_cell"].IsDefined()) {
    out.unitcell = r.cell(root["unit_cell"], "unit_cell");
  } else if (root["lattice"].IsDefined() && root["points"].IsDefined()) {
    out.unitcell = r.cell(root, "(top level)");
  } else {
    r.fail("no 'unit_cell' block (with 'lattice' and 'points'): this is not a phono3py.yaml with a crystal");
  }
  const std::size_t n_unit = out.unitcell.num_atoms();

  // ---- matrices
  const YAML::Node pmat = root["primitive_matrix"];
  std::optional<long> n_primitive;
  if (pmat.IsDefined() && !pmat.IsNull()) {
    if (pmat.IsScalar()) {
      r.fail_at(pmat, "primitive_matrix '" + pmat.Scalar() +
                          "' is not supported: give the 3x3 matrix (phono3py writes it so)");
    }
    out.primitive_matrix = r.matrix3(pmat, "primitive_matrix", true);
    out.has_primitive_matrix = true;
    // phonopy accepts symprec < det(P) < 1 + symprec.
    double det = out.primitive_matrix.determinant();
    if (!(det > out.symprec && det < 1.0 + out.symprec)) {
      std::ostringstream msg;
      msg << "det(primitive_matrix) = " << det << ", must lie in (0, 1]";
      r.fail_at(pmat, msg.str());
    }
    n_primitive = transformed_atom_count(n_unit, det);
    if (!n_primitive) {
      std::ostringstream msg;
      msg << "primitive_matrix does not fit the unit cell: " << n_unit << " atoms x det " << det
          << " is not a whole number of atoms";
      r.fail_at(pmat, msg.str());
    }
  }
  const YAML::Node smat = root["supercell_matrix"];
  if (smat.IsDefined() && !smat.IsNull()) {
    out.supercell_matrix = r.int_matrix3(smat, "supercell_matrix");
    if (out.supercell_matrix.cast<double>().determinant() < 0.5) {
      r.fail_at(smat, "det(supercell_matrix) = " +
                          std::to_string(std::lround(out.supercell_matrix.cast<double>().determinant())) +
                          ", must be positive");
    }
  }
  out.phonon_supercell_matrix = out.supercell_matrix;
  const YAML::Node ph_smat = root["phonon_supercell_matrix"];
  if (ph_smat.IsDefined() && !ph_smat.IsNull()) {
    out.phonon_supercell_matrix = r.int_matrix3(ph_smat, "phonon_supercell_matrix");
    out.has_phonon_supercell_matrix = true;
    if (out.phonon_supercell_matrix.cast<double>().determinant() < 0.5) {
      r.fail_at(ph_smat,
                "det(phonon_supercell_matrix) = " +
                    std::to_string(std::lround(out.phonon_supercell_matrix.cast<double>().determinant())) +
                    ", must be positive");
    }
  }

  // ---- cells as written, and their consistency with the matrices
  out.primitive_cell = r.optional_cell(root, "primitive_cell");
  out.supercell = r.optional_cell(root, "supercell");
  if (out.has_phonon_supercell_matrix) {
    out.phonon_primitive_cell = r.optional_cell(root, "phonon_primitive_cell");
    out.phonon_supercell = r.optional_cell(root, "phonon_supercell");
  }
  auto check_count = [&](const std::optional<crystal::Cell>& c, const char* name, long expected,
                         const std::string& why) {
    if (c && static_cast<long>(c->num_atoms()) != expected) {
      r.fail_at(root[name], std::string("'") + name + "' has " + std::to_string(c->num_atoms()) +
                                " atoms, but " + why + " gives " + std::to_string(expected));
    }
  };
  if (n_primitive) {
    check_count(out.primitive_cell, "primitive_cell", *n_primitive, "unit cell x det(primitive_matrix)");
    check_count(out.phonon_primitive_cell, "phonon_primitive_cell", *n_primitive,
                "unit cell x det(primitive_matrix)");
  }
  long det_s = std::lround(out.supercell_matrix.cast<double>().determinant());
  long det_ph = std::lround(out.phonon_supercell_matrix.cast<double>().determinant());
  check_count(out.supercell, "supercell", static_cast<long>(n_unit) * det_s,
              "unit cell x det(supercell_matrix)");
  check_count(out.phonon_supercell, "phonon_supercell", static_cast<long>(n_unit) * det_ph,
              "unit cell x det(phonon_supercell_matrix)");

  // ---- NAC: top-level keys (phonopy < 2.18), overridden by the nac block.
  phonon::NacParams nac;
  nac.factor = units::kHartree * units::kBohr;  // VASP-unit default (phonopy nac_factor)
  bool has_born = false, has_dielectric = false, has_factor = false;
  r.nac_entries(root, "", nac, has_born, has_dielectric, has_factor);
  if (header.IsDefined() && header.IsMap() && header["nac_unit_conversion_factor"].IsDefined()) {
    nac.factor = r.number(header["nac_unit_conversion_factor"], "phono3py.nac_unit_conversion_factor");
    has_factor = true;
  }
  const YAML::Node nac_node = root["nac"];
  if (nac_node.IsDefined() && !nac_node.IsNull()) {
    if (!nac_node.IsMap()) {
      r.fail_at(nac_node, "'nac' must be a mapping, got " + YamlReader::text_of(nac_node));
    }
    r.nac_entries(nac_node, "nac.", nac, has_born, has_dielectric, has_factor);
    if (nac_node["method"].IsDefined()) {
      nac.method = lower(r.string(nac_node["method"], "nac.method"));
      if (nac.method != "gonze" && nac.method != "wang") {
        r.fail_at(nac_node["method"],
                  "nac.method '" + nac_node["method"].Scalar() + "' is not 'Gonze' or 'Wang'");
      }
    }
  }
  if (has_born && has_dielectric) {
    const YAML::Node born_node = nac_node.IsDefined() && nac_node["born_effective_charge"].IsDefined()
                                     ? nac_node["born_effective_charge"]
                                     : root["born_effective_charge"];
    std::optional<long> n_expected;
    std::string which;
    if (out.phonon_primitive_cell) {
      n_expected = static_cast<long>(out.phonon_primitive_cell->num_atoms());
      which = "phonon_primitive_cell";
    } else if (out.primitive_cell) {
      n_expected = static_cast<long>(out.primitive_cell->num_atoms());
      which = "primitive_cell";
    } else if (n_primitive) {
      n_expected = n_primitive;
      which = "unit cell x det(primitive_matrix)";
    }
    if (n_expected && static_cast<long>(nac.born.size()) != *n_expected) {
      r.fail_at(born_node, "born_effective_charge has " + std::to_string(nac.born.size()) +
                               " tensors, but the primitive cell (" + which + ") has " +
                               std::to_string(*n_expected) + " atoms");
    }
    out.nac = std::move(nac);
  }
  return out;
}

}  // namespace

Phono3pyYaml read_phono3py_yaml(const std::string& path) {
  try {
    return parse_phono3py_yaml(path);
  } catch (const YAML::Exception& e) {
    // A structure the checks above did not foresee (e.g. a subscript on a scalar).
    std::string where = e.mark.line >= 0 ? "line " + std::to_string(e.mark.line + 1) + ": " : std::string();
    throw InputError(path, where + "unexpected YAML structure: " + e.msg);
  }
}

}  // namespace ph3mpi::io
