#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/units.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/io/phono3py_yaml.hpp"
#include "test_support.hpp"

using ph3mpi::io::Hdf5File;
using ph3mpi::io::Phono3pyYaml;
using ph3mpi::io::read_phono3py_yaml;
using ph3mpi::test::data_path;

namespace {

// The primitive cell written in phono3py.yaml must be the one phono3py built in memory
// (reference/grid.hdf5 group cell/, written from Phono3py.primitive).
void expect_primitive_matches_reference(const Phono3pyYaml& y, const std::string& grid_file) {
  Hdf5File ref(data_path(grid_file));
  ASSERT_TRUE(y.primitive_cell.has_value());
  const auto& prim = *y.primitive_cell;
  auto lattice = ref.read_double("cell/primitive_lattice");
  auto positions = ref.read_double("cell/primitive_scaled_positions");
  auto masses = ref.read_double("cell/primitive_masses");
  auto numbers = ref.read_int("cell/primitive_numbers");
  auto pmat = ref.read_double("cell/primitive_matrix");
  auto smat = ref.read_int("cell/supercell_matrix");
  ASSERT_EQ(prim.num_atoms(), masses.size());
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      std::size_t k = static_cast<std::size_t>(3 * i + j);
      EXPECT_NEAR(prim.lattice(i, j), lattice[k], 1e-12) << grid_file << " lattice " << i << j;
      EXPECT_NEAR(y.primitive_matrix(i, j), pmat[k], 1e-15);
      EXPECT_EQ(y.supercell_matrix(i, j), smat[k]);
    }
  }
  for (std::size_t a = 0; a < prim.num_atoms(); ++a) {
    EXPECT_EQ(prim.numbers[a], numbers[a]);
    // Masses are written with 6 decimals ("mass: %f").
    EXPECT_NEAR(prim.masses[a], masses[a], 5e-7);
    for (int k = 0; k < 3; ++k) {
      double d = prim.positions[a](k) - positions[3 * a + static_cast<std::size_t>(k)];
      EXPECT_NEAR(d - std::round(d), 0.0, 1e-14);
    }
  }
}

std::string write_text(const std::string& dir, const std::string& name, const std::string& text) {
  std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}

// A small valid file in phono3py's layout; tests replace pieces of it.
const char* kMinimal = R"(phono3py:
  version: "4.4.0"
  frequency_unit_conversion_factor: 15.633302
  symmetry_tolerance: 1.00000e-05

primitive_matrix:
- [  0.000000000000000,  0.500000000000000,  0.500000000000000 ]
- [  0.500000000000000,  0.000000000000000,  0.500000000000000 ]
- [  0.500000000000000,  0.500000000000000,  0.000000000000000 ]

supercell_matrix:
- [   2,   0,   0 ]
- [   0,   2,   0 ]
- [   0,   0,   2 ]

unit_cell:
  lattice:
  - [     5.690301476175700,     0.000000000000000,     0.000000000000000 ] # a
  - [     0.000000000000000,     5.690301476175700,     0.000000000000000 ] # b
  - [     0.000000000000000,     0.000000000000000,     5.690301476175700 ] # c
  points:
  - symbol: Na # 1
    coordinates: [  0.000000000000000,  0.000000000000000,  0.000000000000000 ]
  - symbol: Na # 2
    coordinates: [  0.000000000000000,  0.500000000000000,  0.500000000000000 ]
  - symbol: Na # 3
    coordinates: [  0.500000000000000,  0.000000000000000,  0.500000000000000 ]
  - symbol: Na # 4
    coordinates: [  0.500000000000000,  0.500000000000000,  0.000000000000000 ]
  - symbol: Cl # 5
    coordinates: [  0.500000000000000,  0.500000000000000,  0.500000000000000 ]
    mass: 35.453000
  - symbol: Cl # 6
    coordinates: [  0.500000000000000,  0.000000000000000,  0.000000000000000 ]
    mass: 35.453000
  - symbol: Cl # 7
    coordinates: [  0.000000000000000,  0.500000000000000,  0.000000000000000 ]
    mass: 35.453000
  - symbol: Cl # 8
    coordinates: [  0.000000000000000,  0.000000000000000,  0.500000000000000 ]
    mass: 35.453000
)";

// kMinimal with the first occurrence of `from` replaced by `to`.
std::string variant(const std::string& from, const std::string& to) {
  std::string s = kMinimal;
  std::size_t pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  return s.replace(pos, from.size(), to);
}

// Reads `text` as a file and returns the InputError message ("" when none was thrown).
std::string error_of(const std::string& text) {
  static const std::string dir = ph3mpi::test::make_temp_dir("yaml");
  std::string path = write_text(dir, "phono3py.yaml", text);
  try {
    read_phono3py_yaml(path);
  } catch (const ph3mpi::InputError& e) {
    EXPECT_EQ(e.file(), path);
    return e.what();
  }
  return "";
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST(Phono3pyYaml, SiliconCellsAndMatrices) {
  Phono3pyYaml y = read_phono3py_yaml(data_path("si-pbesol/phono3py.yaml"));
  EXPECT_EQ(y.version, "4.4.0");
  EXPECT_EQ(y.calculator, "");
  EXPECT_DOUBLE_EQ(y.frequency_unit_conversion_factor, 15.633302);
  EXPECT_DOUBLE_EQ(y.symprec, 1e-5);
  EXPECT_TRUE(y.has_symprec);
  EXPECT_EQ(y.space_group_type, "Fd-3m");
  EXPECT_EQ(y.space_group_number, 227);
  EXPECT_EQ(y.length_unit, "angstrom");
  ASSERT_EQ(y.unitcell.num_atoms(), 8u);
  EXPECT_DOUBLE_EQ(y.unitcell.lattice(0, 0), 5.43356003);
  EXPECT_DOUBLE_EQ(y.unitcell.lattice(0, 1), 0.0);
  EXPECT_DOUBLE_EQ(y.unitcell.lattice(2, 2), 5.43356003);
  EXPECT_EQ(y.unitcell.symbols[7], "Si");
  EXPECT_EQ(y.unitcell.numbers[7], 14);
  EXPECT_DOUBLE_EQ(y.unitcell.masses[7], 28.0855);
  EXPECT_DOUBLE_EQ(y.unitcell.positions[7](0), 0.625);
  EXPECT_DOUBLE_EQ(y.unitcell.positions[7](2), 0.125);
  EXPECT_TRUE(y.has_primitive_matrix);
  EXPECT_DOUBLE_EQ(y.primitive_matrix(0, 1), 0.5);
  EXPECT_DOUBLE_EQ(y.primitive_matrix(0, 0), 0.0);
  EXPECT_EQ(y.supercell_matrix, (Eigen::Matrix3i() << 2, 0, 0, 0, 2, 0, 0, 0, 2).finished());
  EXPECT_FALSE(y.has_phonon_supercell_matrix);
  EXPECT_EQ(y.phonon_supercell_matrix, y.supercell_matrix);
  ASSERT_TRUE(y.supercell.has_value());
  ASSERT_EQ(y.supercell->num_atoms(), 64u);
  EXPECT_DOUBLE_EQ(y.supercell->positions[37](0), 0.5625);
  EXPECT_DOUBLE_EQ(y.supercell->positions[37](1), 0.0625);
  EXPECT_FALSE(y.phonon_supercell.has_value());
  EXPECT_FALSE(y.nac.has_value());
  ASSERT_TRUE(y.primitive_cell.has_value());
  EXPECT_DOUBLE_EQ(y.primitive_cell->lattice(1, 0), 2.716780015);
  EXPECT_DOUBLE_EQ(y.primitive_cell->lattice(1, 2), 2.716780015);
  expect_primitive_matches_reference(y, "si-pbesol/reference/grid.hdf5");
}

TEST(Phono3pyYaml, NaClNac) {
  Phono3pyYaml y = read_phono3py_yaml(data_path("nacl-pbe/phono3py.yaml"));
  ASSERT_EQ(y.unitcell.num_atoms(), 8u);
  EXPECT_DOUBLE_EQ(y.unitcell.lattice(0, 0), 5.6903014761757);
  EXPECT_EQ(y.unitcell.symbols[7], "Cl");
  EXPECT_EQ(y.unitcell.numbers[7], 17);
  EXPECT_DOUBLE_EQ(y.unitcell.masses[7], 35.453);
  EXPECT_DOUBLE_EQ(y.unitcell.positions[7](2), 0.499999999999991);
  EXPECT_EQ(y.space_group_number, 225);
  ASSERT_TRUE(y.nac.has_value());
  const auto& nac = *y.nac;
  ASSERT_EQ(nac.born.size(), 2u);
  EXPECT_DOUBLE_EQ(nac.born[0](0, 0), 1.103688306666667);
  EXPECT_DOUBLE_EQ(nac.born[1](1, 1), -1.103688306666667);
  EXPECT_DOUBLE_EQ(nac.born[1](0, 1), 0.0);
  EXPECT_DOUBLE_EQ(nac.dielectric(2, 2), 2.479413930000003);
  EXPECT_DOUBLE_EQ(nac.dielectric(2, 0), 0.0);
  EXPECT_DOUBLE_EQ(nac.factor, 14.399652);
  EXPECT_EQ(nac.method, "gonze");
  EXPECT_FALSE(nac.g_cutoff.has_value());
  expect_primitive_matches_reference(y, "nacl-pbe/reference/grid.hdf5");
}

TEST(Phono3pyYaml, AlNHexagonal) {
  Phono3pyYaml y = read_phono3py_yaml(data_path("aln-lda/phono3py.yaml"));
  ASSERT_EQ(y.unitcell.num_atoms(), 4u);
  EXPECT_DOUBLE_EQ(y.unitcell.lattice(1, 0), -1.555499999745954);
  EXPECT_DOUBLE_EQ(y.unitcell.lattice(1, 1), 2.694205030733368);
  EXPECT_DOUBLE_EQ(y.unitcell.lattice(2, 2), 4.978);
  EXPECT_DOUBLE_EQ(y.unitcell.positions[3](2), 0.11905118);
  EXPECT_EQ(y.unitcell.numbers[3], 7);
  EXPECT_DOUBLE_EQ(y.unitcell.masses[0], 26.981539);
  EXPECT_EQ(y.primitive_matrix, Eigen::Matrix3d::Identity());
  EXPECT_EQ(y.supercell_matrix, (Eigen::Matrix3i() << 3, 0, 0, 0, 3, 0, 0, 0, 2).finished());
  ASSERT_TRUE(y.supercell.has_value());
  EXPECT_EQ(y.supercell->num_atoms(), 72u);
  EXPECT_DOUBLE_EQ(y.supercell->positions[37](0), 0.444444444444444);
  EXPECT_EQ(y.space_group_type, "P6_3mc");
  ASSERT_TRUE(y.nac.has_value());
  ASSERT_EQ(y.nac->born.size(), 4u);
  EXPECT_DOUBLE_EQ(y.nac->born[1](0, 0), 2.5126475);
  EXPECT_DOUBLE_EQ(y.nac->born[1](2, 2), 2.67353);
  EXPECT_DOUBLE_EQ(y.nac->born[3](2, 2), -2.67353);
  EXPECT_DOUBLE_EQ(y.nac->dielectric(2, 2), 4.653269);
  EXPECT_DOUBLE_EQ(y.nac->dielectric(0, 0), 4.435009);
  expect_primitive_matches_reference(y, "aln-lda/reference/grid.hdf5");
}

TEST(Phono3pyYaml, MgOPhononSupercell) {
  Phono3pyYaml y = read_phono3py_yaml(data_path("mgo/phono3py.yaml"));
  EXPECT_DOUBLE_EQ(y.unitcell.lattice(0, 0), 4.217727802518894);
  EXPECT_TRUE(y.has_phonon_supercell_matrix);
  EXPECT_EQ(y.phonon_supercell_matrix, (Eigen::Matrix3i() << 4, 0, 0, 0, 4, 0, 0, 0, 4).finished());
  EXPECT_EQ(y.supercell_matrix, (Eigen::Matrix3i() << 2, 0, 0, 0, 2, 0, 0, 0, 2).finished());
  ASSERT_TRUE(y.phonon_supercell.has_value());
  ASSERT_EQ(y.phonon_supercell->num_atoms(), 512u);
  EXPECT_EQ(y.phonon_supercell->symbols[300], "O");
  EXPECT_DOUBLE_EQ(y.phonon_supercell->positions[300](0), 0.125);
  EXPECT_DOUBLE_EQ(y.phonon_supercell->positions[300](1), 0.875);
  EXPECT_DOUBLE_EQ(y.phonon_supercell->positions[300](2), 0.625);
  EXPECT_DOUBLE_EQ(y.phonon_supercell->masses[300], 15.9994);
  ASSERT_TRUE(y.phonon_primitive_cell.has_value());
  EXPECT_EQ(y.phonon_primitive_cell->num_atoms(), 2u);
  ASSERT_TRUE(y.nac.has_value());
  EXPECT_DOUBLE_EQ(y.nac->born[1](0, 0), -1.97899791);
  EXPECT_DOUBLE_EQ(y.nac->dielectric(2, 2), 3.2385948);
  expect_primitive_matches_reference(y, "mgo/reference/grid.hdf5");
  Hdf5File ref(data_path("mgo/reference/grid.hdf5"));
  auto ph_smat = ref.read_int("cell/phonon_supercell_matrix");
  for (int i = 0; i < 9; ++i)
    EXPECT_EQ(y.phonon_supercell_matrix(i / 3, i % 3), ph_smat[static_cast<std::size_t>(i)]);
}

TEST(Phono3pyYaml, DefaultsAndOptionalForms) {
  auto dir = ph3mpi::test::make_temp_dir("yaml-ok");
  // Masses default to phonopy's standard masses (Na has none in the text).
  Phono3pyYaml y = read_phono3py_yaml(write_text(dir, "a.yaml", kMinimal));
  EXPECT_DOUBLE_EQ(y.unitcell.masses[0], 22.98976928);
  EXPECT_DOUBLE_EQ(y.unitcell.masses[4], 35.453);
  EXPECT_FALSE(y.nac.has_value());
  EXPECT_FALSE(y.primitive_cell.has_value());

  // Diagonal shorthand of the supercell matrix, a displacement dataset that is skipped
  // unparsed, a Wang NAC block without factor (VASP default) and old-style site labels.
  std::string text =
      variant("supercell_matrix:\n- [   2,   0,   0 ]\n- [   0,   2,   0 ]\n- [   0,   0,   2 ]",
              "supercell_matrix: [ 1, 2, 3 ]");
  text.replace(text.find("symbol: Na # 1"), std::string("symbol: Na # 1").size(), "symbol: Na1 # 1");
  text +=
      "\ndisplacement_pairs:\n- displacement_id: 1\n  this block is: [not, even, valid, yaml\n"
      "  forces: {{{\n\nnac:\n  born_effective_charge:\n"
      "  - [ [1, 0, 0], [0, 1, 0], [0, 0, 1] ]\n  - [ 1, 0, 0.5, 0, 1, 0, 0, 0, 1 ]\n"
      "  dielectric_constant:\n    - [ 2, 0, 0 ]\n    - [ 0, 2, 0 ]\n    - [ 0, 0, 2 ]\n  method: \"Wang\"\n";
  y = read_phono3py_yaml(write_text(dir, "b.yaml", text));
  EXPECT_EQ(y.supercell_matrix, (Eigen::Matrix3i() << 1, 0, 0, 0, 2, 0, 0, 0, 3).finished());
  EXPECT_EQ(y.unitcell.symbols[0], "Na");
  EXPECT_EQ(y.unitcell.numbers[0], 11);
  ASSERT_TRUE(y.nac.has_value());
  EXPECT_EQ(y.nac->method, "wang");
  EXPECT_DOUBLE_EQ(y.nac->factor, ph3mpi::units::kHartree * ph3mpi::units::kBohr);
  EXPECT_DOUBLE_EQ(y.nac->born[1](0, 2), 0.5);  // flat 9-value form, row-major
  EXPECT_DOUBLE_EQ(y.nac->dielectric(1, 1), 2.0);
  std::filesystem::remove_all(dir);
}

TEST(Phono3pyYaml, ErrorsNameFileLineAndProblem) {
  // Missing and empty files.
  try {
    read_phono3py_yaml("/nonexistent/phono3py.yaml");
    FAIL();
  } catch (const ph3mpi::InputError& e) {
    EXPECT_TRUE(contains(e.what(), "/nonexistent/phono3py.yaml: file not found")) << e.what();
  }
  EXPECT_TRUE(contains(error_of(""), "file is empty")) << error_of("");
  EXPECT_TRUE(contains(error_of("# only a comment\n"), "no YAML content"));
  EXPECT_TRUE(contains(error_of("just text"), "expected a YAML mapping"));

  // YAML syntax error with its line (the unclosed flow sequence starts on line 18).
  std::string e =
      error_of(variant("[     5.690301476175700,     0.000000000000000,     0.000000000000000 ] # a",
                       "[     5.690301476175700,     0.0"));
  EXPECT_TRUE(contains(e, "YAML syntax error")) << e;
  EXPECT_TRUE(contains(e, "line ")) << e;

  // Structure problems.
  e = error_of(variant("unit_cell:", "unit_cel:"));
  EXPECT_TRUE(contains(e, "no 'unit_cell' block")) << e;
  e = error_of(variant("  lattice:", "  lattic:"));
  EXPECT_TRUE(contains(e, "'unit_cell' has no 'lattice'")) << e;
  e = error_of(variant("  points:", "  point:"));
  EXPECT_TRUE(contains(e, "has no 'points'")) << e;
  e = error_of(variant("[     0.000000000000000,     5.690301476175700,     0.000000000000000 ] # b",
                       "[     0.000000000000000,     5.69030147617570x,     0.000000000000000 ] # b"));
  EXPECT_TRUE(contains(e, "line 19: unit_cell.lattice[1][1] must be a number, got '5.69030147617570x'")) << e;
  e = error_of(variant("[     0.000000000000000,     5.690301476175700,     0.000000000000000 ] # b",
                       "[     0.000000000000000,     5.690301476175700 ] # b"));
  EXPECT_TRUE(contains(e, "line 19: unit_cell.lattice row 2 must hold 3 numbers, got 2 values")) << e;
  e = error_of(variant("[     0.000000000000000,     0.000000000000000,     5.690301476175700 ] # c",
                       "[     5.690301476175700,     0.000000000000000,     0.000000000000000 ] # c"));
  EXPECT_TRUE(contains(e, "line 18: 'unit_cell.lattice' is singular")) << e;
  e = error_of(variant("symbol: Cl # 5", "symbol: Xy # 5"));
  EXPECT_TRUE(contains(e, "line 30: unit_cell.points[5]: 'Xy' is not a chemical element symbol")) << e;
  e = error_of(variant("symbol: Cl # 5", "symbol: Po # 5")
                   .replace(std::string(kMinimal).find("    mass: 35.453000"),
                            std::string("    mass: 35.453000\n").size(), ""));
  EXPECT_TRUE(contains(e, "(Po) has no 'mass' and phonopy has no standard mass for Po")) << e;
  e = error_of(variant("mass: 35.453000", "mass: heavy"));
  EXPECT_TRUE(contains(e, "line 32: unit_cell.points[5].mass must be a number, got 'heavy'")) << e;
  e = error_of(variant("mass: 35.453000", "mass: .nan"));
  EXPECT_TRUE(contains(e, "must be a finite number")) << e;
  e = error_of(variant("coordinates: [  0.500000000000000,  0.500000000000000,  0.500000000000000 ]",
                       "coordinates: [  0.5,  0.5 ]"));
  EXPECT_TRUE(contains(e, "unit_cell.points[5].coordinates must be a list of 3 numbers, got 2 values")) << e;

  // Matrices.
  e = error_of(variant("- [   0,   0,   2 ]", "- [   0,   0,  -2 ]"));
  EXPECT_TRUE(contains(e, "line 12: det(supercell_matrix) = -8, must be positive")) << e;
  e = error_of(variant("- [   0,   0,   2 ]", "- [   0,   0, 2.5 ]"));
  EXPECT_TRUE(contains(e, "supercell_matrix[2][2] must be an integer, got '2.5'")) << e;
  e = error_of(variant("- [   0,   0,   2 ]", ""));
  EXPECT_TRUE(contains(e, "supercell_matrix must be a 3x3 integer matrix, got 2 rows")) << e;
  e = error_of(variant("- [  0.500000000000000,  0.500000000000000,  0.000000000000000 ]",
                       "- [  0.500000000000000,  0.500000000000000, -4.000000000000000 ]"));
  EXPECT_TRUE(contains(e, "line 7: det(primitive_matrix) = 1.25, must lie in (0, 1]")) << e;
  e = error_of(variant("- [  0.500000000000000,  0.500000000000000,  0.000000000000000 ]",
                       "- [  0.500000000000000,  0.500000000000000, -0.300000000000000 ]"));
  EXPECT_TRUE(contains(e, "primitive_matrix does not fit the unit cell: 8 atoms x det 0.325")) << e;
  e = error_of(variant("primitive_matrix:", "primitive_matrix: auto\nunused:"));
  EXPECT_TRUE(contains(e, "primitive_matrix 'auto' is not supported")) << e;

  // NAC block that does not fit the primitive cell (2 atoms).
  e = error_of(std::string(kMinimal) +
               "nac:\n  born_effective_charge:\n  - [ [1, 0, 0], [0, 1, 0], [0, 0, 1] ]\n"
               "  dielectric_constant: [ [2, 0, 0], [0, 2, 0], [0, 0, 2] ]\n");
  EXPECT_TRUE(contains(e, "born_effective_charge has 1 tensors, but the primitive cell")) << e;
  EXPECT_TRUE(contains(e, "has 2 atoms")) << e;
  e = error_of(std::string(kMinimal) +
               "nac:\n  born_effective_charge:\n  - [ [1, 0, 0], [0, 1, 0] ]\n"
               "  dielectric_constant: [ [2, 0, 0], [0, 2, 0], [0, 0, 2] ]\n");
  EXPECT_TRUE(contains(e, "nac.born_effective_charge[1] must be a 3x3 matrix")) << e;
  e = error_of(std::string(kMinimal) +
               "nac:\n  dielectric_constant: [ [2, 0, 0], [0, 2, 0], [0, 0, 2] ]\n"
               "  method: Ewald\n");
  EXPECT_TRUE(contains(e, "nac.method 'Ewald' is not 'Gonze' or 'Wang'")) << e;

  // Units ph3mpi does not convert.
  e = error_of(variant("  version: \"4.4.0\"", "  version: \"4.4.0\"\n  calculator: qe"));
  EXPECT_TRUE(contains(e, "calculator 'qe'")) << e;

  // Cells written in the file that contradict the matrices.
  e = error_of(std::string(kMinimal) +
               "supercell:\n  lattice: [ [1, 0, 0], [0, 1, 0], [0, 0, 1] ]\n  points:\n"
               "  - symbol: Na\n    coordinates: [0, 0, 0]\n");
  EXPECT_TRUE(contains(e, "'supercell' has 1 atoms, but unit cell x det(supercell_matrix) gives 64")) << e;
}
