// Supercell and primitive cell construction against phono3py 4.4's own output
// (phono3py.yaml supercell blocks, reference/grid.hdf5 cell/) and, for non-diagonal supercell
// matrices, against phonopy 2.17 (tests/data/crystal/phonopy_crystal.hdf5, see
// generate_expected.py there).
#include <gtest/gtest.h>

#include "crystal_test_util.hpp"
#include "ph3mpi/common/error.hpp"
#include "ph3mpi/crystal/primitive.hpp"
#include "ph3mpi/crystal/supercell.hpp"
#include "ph3mpi/io/hdf5_file.hpp"

namespace ph3mpi::crystal {
namespace {

using testing::max_fractional_deviation;
using testing::read_cell;
using testing::read_matrix;

constexpr double kSymprec = 1e-5;

void expect_same_cell(const Cell& expected, const Cell& actual, double tol) {
  ASSERT_EQ(expected.num_atoms(), actual.num_atoms());
  EXPECT_LT((expected.lattice - actual.lattice).cwiseAbs().maxCoeff(), tol);
  double worst = 0;
  for (std::size_t i = 0; i < expected.num_atoms(); ++i) {
    worst = std::max(worst, max_fractional_deviation(expected.positions[i], actual.positions[i]));
    EXPECT_EQ(expected.symbols[i], actual.symbols[i]) << "atom " << i;
    EXPECT_DOUBLE_EQ(expected.masses[i], actual.masses[i]) << "atom " << i;
  }
  EXPECT_LT(worst, tol);
}

struct SupercellCase {
  const char* name;
  const char* matrix_key;
  const char* block;
};

class SupercellVsYaml : public ::testing::TestWithParam<SupercellCase> {};

TEST_P(SupercellVsYaml, SameAtomsInSameOrder) {
  const auto& c = GetParam();
  const YAML::Node root = testing::load_yaml(c.name);
  const Cell unitcell = read_cell(root, "unit_cell");
  const auto smat = read_matrix<Eigen::Matrix3i>(root, c.matrix_key);
  const Supercell sc = build_supercell(unitcell, smat, kSymprec);
  const Cell expected = read_cell(root, c.block);
  expect_same_cell(expected, sc, 1e-10);
  EXPECT_EQ(sc.supercell_matrix, smat);
  // reduced_to in the yaml is phonopy's s2p_map (1-based) of the primitive built from it.
  const Primitive prim =
      build_primitive(sc, read_matrix<Eigen::Matrix3d>(root, "primitive_matrix"), kSymprec);
  EXPECT_EQ(prim.s2p_map, testing::read_reduced_to(root, c.block));
  const std::int64_t n = smat.determinant();
  ASSERT_EQ(sc.u2s_map.size(), unitcell.num_atoms());
  for (std::size_t u = 0; u < unitcell.num_atoms(); ++u)
    EXPECT_EQ(sc.u2s_map[u], static_cast<std::int64_t>(u) * n);
}

INSTANTIATE_TEST_SUITE_P(AllCases, SupercellVsYaml,
                         ::testing::Values(SupercellCase{"si-pbesol", "supercell_matrix", "supercell"},
                                           SupercellCase{"nacl-pbe", "supercell_matrix", "supercell"},
                                           SupercellCase{"aln-lda", "supercell_matrix", "supercell"},
                                           SupercellCase{"mgo", "supercell_matrix", "supercell"},
                                           SupercellCase{"mgo", "phonon_supercell_matrix",
                                                         "phonon_supercell"}),
                         [](const auto& param_info) {
                           std::string n = std::string(param_info.param.name) + "_" + param_info.param.block;
                           for (auto& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

struct PrimitiveCase {
  const char* name;
  bool has_phonon_supercell;
};

class PrimitiveVsReference : public ::testing::TestWithParam<PrimitiveCase> {};

TEST_P(PrimitiveVsReference, MapsLatticeAndPositions) {
  const auto& c = GetParam();
  const YAML::Node root = testing::load_yaml(c.name);
  const Cell unitcell = read_cell(root, "unit_cell");
  const auto pmat = read_matrix<Eigen::Matrix3d>(root, "primitive_matrix");
  const io::Hdf5File ref(ph3mpi::test::data_path(std::string(c.name) + "/reference/grid.hdf5"));
  const auto ref_pmat = ref.read_double("cell/primitive_matrix");
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) EXPECT_EQ(pmat(i, j), ref_pmat[static_cast<std::size_t>(3 * i + j)]);

  const auto check = [&](const char* matrix_key, const char* p2s_name) {
    SCOPED_TRACE(matrix_key);
    const Supercell sc = build_supercell(unitcell, read_matrix<Eigen::Matrix3i>(root, matrix_key), kSymprec);
    const Primitive prim = build_primitive(sc, pmat, kSymprec);
    const auto p2s = ref.read_int(std::string("cell/") + p2s_name);
    EXPECT_EQ(prim.p2s_map, p2s.data);
    const auto lattice = ref.read_double("cell/primitive_lattice");
    const auto positions = ref.read_double("cell/primitive_scaled_positions");
    const auto masses = ref.read_double("cell/primitive_masses");
    const auto numbers = ref.read_int("cell/primitive_numbers");
    ASSERT_EQ(prim.num_atoms(), masses.size());
    double lattice_dev = 0, position_dev = 0;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        lattice_dev = std::max(lattice_dev,
                               std::abs(prim.lattice(i, j) - lattice[static_cast<std::size_t>(3 * i + j)]));
    for (std::size_t p = 0; p < prim.num_atoms(); ++p) {
      const Eigen::Vector3d x(positions[3 * p], positions[3 * p + 1], positions[3 * p + 2]);
      position_dev = std::max(position_dev, (prim.positions[p] - x).cwiseAbs().maxCoeff());
      EXPECT_EQ(prim.masses[p], masses[p]);
      EXPECT_EQ(prim.numbers[p], numbers[p]);
    }
    EXPECT_LT(lattice_dev, 1e-12);
    EXPECT_LT(position_dev, 1e-12);  // not modulo 1: wrapped into [0, 1) as phonopy does
    // The maps are consistent: every supercell atom is a lattice translate of its primitive atom.
    ASSERT_EQ(prim.s2p_map.size(), sc.num_atoms());
    for (std::size_t s = 0; s < sc.num_atoms(); ++s) {
      const auto rep = static_cast<std::size_t>(prim.s2p_map[s]);
      const std::int64_t p = prim.p2p_map[rep];
      ASSERT_GE(p, 0);
      EXPECT_EQ(prim.p2s_map[static_cast<std::size_t>(p)], prim.s2p_map[s]);
      const Eigen::Vector3d diff_cart = sc.lattice.transpose() * (sc.positions[s] - sc.positions[rep]);
      const Eigen::Vector3d in_prim = prim.lattice.transpose().inverse() * diff_cart;
      EXPECT_LT(max_fractional_deviation(in_prim, Eigen::Vector3d::Zero()), 1e-8) << "atom " << s;
    }
  };
  check("supercell_matrix", "p2s_map");
  if (c.has_phonon_supercell) {
    check("phonon_supercell_matrix", "phonon_p2s_map");
  } else {
    // Without a separate phonon supercell phono3py reuses the same primitive.
    EXPECT_EQ(ref.read_int("cell/phonon_p2s_map").data, ref.read_int("cell/p2s_map").data);
  }
}

INSTANTIATE_TEST_SUITE_P(AllCases, PrimitiveVsReference,
                         ::testing::Values(PrimitiveCase{"si-pbesol", false},
                                           PrimitiveCase{"nacl-pbe", false}, PrimitiveCase{"aln-lda", false},
                                           PrimitiveCase{"mgo", true}),
                         [](const auto& param_info) {
                           std::string n = param_info.param.name;
                           for (auto& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

// All cases of phonopy_crystal.hdf5, including non-diagonal supercell matrices.
class VsPhonopy : public ::testing::TestWithParam<const char*> {};

TEST_P(VsPhonopy, SupercellAndPrimitiveMaps) {
  const io::Hdf5File h5(ph3mpi::test::data_path("crystal/phonopy_crystal.hdf5"));
  const std::string g = std::string(GetParam()) + "/";
  const std::string case_name = h5.read_strings(g + "case").at(0);
  const YAML::Node root = testing::load_yaml(case_name);
  const Cell unitcell = read_cell(root, "unit_cell");
  const auto smat_flat = h5.read_int(g + "supercell_matrix");
  Eigen::Matrix3i smat;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) smat(i, j) = static_cast<int>(smat_flat[static_cast<std::size_t>(3 * i + j)]);
  const Supercell sc = build_supercell(unitcell, smat, kSymprec);
  const auto lattice = h5.read_double(g + "supercell_lattice");
  const auto positions = h5.read_double(g + "supercell_scaled_positions");
  ASSERT_EQ(sc.num_atoms(), positions.shape[0]);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      EXPECT_NEAR(sc.lattice(i, j), lattice[static_cast<std::size_t>(3 * i + j)], 1e-10);
  double worst = 0;
  for (std::size_t s = 0; s < sc.num_atoms(); ++s) {
    const Eigen::Vector3d x(positions[3 * s], positions[3 * s + 1], positions[3 * s + 2]);
    worst = std::max(worst, max_fractional_deviation(sc.positions[s], x));
  }
  EXPECT_LT(worst, 1e-10);
  EXPECT_EQ(sc.s2u_map, h5.read_int(g + "s2u_map").data);
  EXPECT_EQ(sc.u2s_map, h5.read_int(g + "u2s_map").data);

  const Primitive prim =
      build_primitive(sc, read_matrix<Eigen::Matrix3d>(root, "primitive_matrix"), kSymprec);
  EXPECT_EQ(prim.p2s_map, h5.read_int(g + "p2s_map").data);
  EXPECT_EQ(prim.s2p_map, h5.read_int(g + "s2p_map").data);
  const auto plattice = h5.read_double(g + "primitive_lattice");
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      EXPECT_NEAR(prim.lattice(i, j), plattice[static_cast<std::size_t>(3 * i + j)], 1e-10);
}

INSTANTIATE_TEST_SUITE_P(AllCases, VsPhonopy,
                         ::testing::Values("si_222", "nacl_222", "aln_332", "mgo_222", "mgo_444", "si_bcc",
                                           "aln_oblique"));

TEST(Supercell, RejectsSingularOrLeftHandedMatrix) {
  const Cell unitcell = read_cell(testing::load_yaml("si-pbesol"), "unit_cell");
  Eigen::Matrix3i singular;
  singular << 1, 0, 0, 0, 1, 0, 1, 0, 0;
  EXPECT_THROW(build_supercell(unitcell, singular, kSymprec), Error);
  const Eigen::Matrix3i left_handed = -Eigen::Matrix3i::Identity();
  try {
    build_supercell(unitcell, left_handed, kSymprec);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("determinant -1"), std::string::npos) << e.what();
  }
}

TEST(Primitive, RejectsMatrixThatDoesNotFitTheCrystal) {
  const YAML::Node root = testing::load_yaml("aln-lda");
  const Supercell sc = build_supercell(read_cell(root, "unit_cell"),
                                       read_matrix<Eigen::Matrix3i>(root, "supercell_matrix"), kSymprec);
  // Halving c is no lattice translation of wurtzite: atoms do not fold onto each other.
  Eigen::Matrix3d half_c = Eigen::Matrix3d::Identity();
  half_c(2, 2) = 0.5;
  EXPECT_THROW(build_primitive(sc, half_c, kSymprec), Error);
}

}  // namespace
}  // namespace ph3mpi::crystal
