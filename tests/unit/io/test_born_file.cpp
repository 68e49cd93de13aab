#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/units.hpp"
#include "ph3mpi/io/born_file.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/io/phono3py_yaml.hpp"
#include "test_support.hpp"

using ph3mpi::io::Hdf5File;
using ph3mpi::io::read_born_file;
using ph3mpi::io::read_phono3py_yaml;
using ph3mpi::test::data_path;

namespace {

double max_abs_diff(const ph3mpi::phonon::NacParams& a, const std::vector<Eigen::Matrix3d>& born) {
  double d = 0.0;
  for (std::size_t i = 0; i < born.size(); ++i) d = std::max(d, (a.born[i] - born[i]).cwiseAbs().maxCoeff());
  return d;
}

// BORN written from the independent atoms of a yaml's nac block (make_born_data.py)
// must expand back to the full array phono3py stored in that yaml.
void expect_born_reproduces_yaml(const std::string& yaml, const std::string& born_file,
                                 double expected_factor) {
  auto y = read_phono3py_yaml(data_path(yaml));
  ASSERT_TRUE(y.primitive_cell && y.nac);
  auto nac = read_born_file(data_path(born_file), *y.primitive_cell, 1e-5);
  ASSERT_EQ(nac.born.size(), y.nac->born.size());
  double d = max_abs_diff(nac, y.nac->born);
  EXPECT_LT(d, 1e-10) << born_file << " max |Z*_BORN - Z*_yaml| = " << d;
  EXPECT_LT((nac.dielectric - y.nac->dielectric).cwiseAbs().maxCoeff(), 1e-14);
  EXPECT_DOUBLE_EQ(nac.factor, expected_factor);
  EXPECT_EQ(nac.method, "gonze");
}

// Cell and expected phonopy expansion from expected_born.hdf5.
void expect_matches_phonopy(const std::string& group, const std::string& born_file) {
  Hdf5File ref(data_path("born/expected_born.hdf5"));
  auto lattice = ref.read_double(group + "/lattice");
  auto positions = ref.read_double(group + "/positions");
  auto numbers = ref.read_int(group + "/numbers");
  auto born = ref.read_double(group + "/born");
  auto dielectric = ref.read_double(group + "/dielectric");
  ph3mpi::crystal::Cell cell;
  for (int k = 0; k < 9; ++k) cell.lattice(k / 3, k % 3) = lattice[static_cast<std::size_t>(k)];
  std::vector<Eigen::Matrix3d> expected;
  for (std::size_t a = 0; a < numbers.size(); ++a) {
    cell.positions.emplace_back(positions[3 * a], positions[3 * a + 1], positions[3 * a + 2]);
    cell.numbers.push_back(static_cast<int>(numbers[a]));
    cell.symbols.push_back(numbers[a] == 8 ? "O" : "M");
    cell.masses.push_back(1.0);
    Eigen::Matrix3d z;
    for (int k = 0; k < 9; ++k) z(k / 3, k % 3) = born[9 * a + static_cast<std::size_t>(k)];
    expected.push_back(z);
  }
  auto nac = read_born_file(data_path(born_file), cell, 1e-5);
  ASSERT_EQ(nac.born.size(), expected.size());
  double d = max_abs_diff(nac, expected);
  EXPECT_LT(d, 1e-12) << born_file << " max |Z*_ph3mpi - Z*_phonopy| = " << d;
  for (int k = 0; k < 9; ++k)
    EXPECT_DOUBLE_EQ(nac.dielectric(k / 3, k % 3), dielectric[static_cast<std::size_t>(k)]);
  if (ref.exists(group + "/factor")) {
    EXPECT_DOUBLE_EQ(nac.factor, ref.read_double_scalar(group + "/factor"));
  } else {
    EXPECT_DOUBLE_EQ(nac.factor, ph3mpi::units::kHartree * ph3mpi::units::kBohr);
  }
}

ph3mpi::crystal::Cell aln_primitive() {
  return *read_phono3py_yaml(data_path("aln-lda/phono3py.yaml")).primitive_cell;
}

std::string error_of(const std::string& text) {
  static const std::string dir = ph3mpi::test::make_temp_dir("born");
  std::string path = dir + "/BORN";
  std::ofstream(path) << text;
  try {
    read_born_file(path, aln_primitive(), 1e-5);
  } catch (const ph3mpi::InputError& e) {
    EXPECT_EQ(e.file(), path);
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

const std::string kEps = "4.435009 0 0 0 4.435009 0 0 0 4.653269\n";
const std::string kZAl = "2.5126475 0 0 0 2.5126475 0 0 0 2.67353\n";
const std::string kZN = "-2.5126475 0 0 0 -2.5126475 0 0 0 -2.67353\n";

}  // namespace

TEST(BornFile, NaClExpandsToYamlCharges) {
  // First line is phonopy's comment, so the VASP default factor applies (14.39965...).
  expect_born_reproduces_yaml("nacl-pbe/phono3py.yaml", "born/BORN_NaCl",
                              ph3mpi::units::kHartree * ph3mpi::units::kBohr);
}

TEST(BornFile, AlNExpandsToYamlCharges) {
  expect_born_reproduces_yaml("aln-lda/phono3py.yaml", "born/BORN_AlN", 14.399652);
}

TEST(BornFile, RutileOffDiagonalChargesMatchPhonopy) { expect_matches_phonopy("sno2", "born/BORN_SnO2"); }

TEST(BornFile, AnataseConventionalCellMatchesPhonopy) { expect_matches_phonopy("tio2", "born/BORN_TiO2"); }

TEST(BornFile, FirstLineFactorAndEwaldParameters) {
  auto dir = ph3mpi::test::make_temp_dir("born-ok");
  std::string path = dir + "/BORN";
  std::ofstream(path) << "default\n" << kEps << kZAl << kZN << "\n\n";
  auto nac = read_born_file(path, aln_primitive(), 1e-5, 2.0);
  EXPECT_DOUBLE_EQ(nac.factor, 2.0);
  EXPECT_FALSE(nac.g_cutoff.has_value());
  std::ofstream(path) << "14.4 3.5 0.25\n" << kEps << kZAl << kZN;
  nac = read_born_file(path, aln_primitive(), 1e-5);
  EXPECT_DOUBLE_EQ(nac.factor, 14.4);
  ASSERT_TRUE(nac.g_cutoff && nac.lambda);
  EXPECT_DOUBLE_EQ(*nac.g_cutoff, 3.5);
  EXPECT_DOUBLE_EQ(*nac.lambda, 0.25);
  EXPECT_DOUBLE_EQ(nac.born[2](2, 2), -2.67353);
  std::filesystem::remove_all(dir);
}

TEST(BornFile, ErrorsNameFileLineAndProblem) {
  try {
    read_born_file("/nonexistent/BORN", aln_primitive(), 1e-5);
    FAIL();
  } catch (const ph3mpi::InputError& e) {
    EXPECT_TRUE(contains(e.what(), "/nonexistent/BORN: file not found")) << e.what();
  }
  std::string e = error_of("");
  EXPECT_TRUE(contains(e, "file is empty")) << e;
  e = error_of("\n" + kEps);
  EXPECT_TRUE(contains(e, "line 1: empty")) << e;
  e = error_of("14.4\n");
  EXPECT_TRUE(contains(e, "line 2 is missing")) << e;
  e = error_of("14.4\n4.4 0 0 0 4.4 0 0 0\n");
  EXPECT_TRUE(contains(e, "line 2: expected 9 numbers (dielectric tensor")) << e;
  EXPECT_TRUE(contains(e, "got 8 values")) << e;
  e = error_of("14.4\n" + kEps + "2.5 0 0 0 2.5 0 0 0 two\n" + kZN);
  EXPECT_TRUE(contains(e, "line 3: Born charge of atom 1 (Al): value 9 'two' is not a finite number")) << e;
  e = error_of("14.4\n" + kEps + kZAl);
  EXPECT_TRUE(
      contains(e,
               "line 4: expected Born charges of 2 symmetry-independent primitive atoms 1 (Al), 3 (N), "
               "found only 1"))
      << e;
  e = error_of("14.4\n" + kEps + kZAl + kZN + kZN + kZN);
  EXPECT_TRUE(contains(e, "line 5: too many lines")) << e;
  e = error_of("14.4\n" + kEps + kZAl + "nan 0 0 0 1 0 0 0 1\n");
  EXPECT_TRUE(contains(e, "line 4: Born charge of atom 3 (N): value 1 'nan' is not a finite number")) << e;
}
