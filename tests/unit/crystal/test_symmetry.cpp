// Symmetry of the primitive cells against phono3py 4.4's BZGrid (reference/grid.hdf5) and
// little groups of the triplet reference points.
#include <gtest/gtest.h>

#include "crystal_test_util.hpp"
#include "ph3mpi/common/error.hpp"
#include "ph3mpi/crystal/primitive.hpp"
#include "ph3mpi/crystal/supercell.hpp"
#include "ph3mpi/crystal/symmetry.hpp"
#include "ph3mpi/io/hdf5_file.hpp"

namespace ph3mpi::crystal {
namespace {

constexpr double kSymprec = 1e-5;

struct Crystal {
  Cell unitcell;
  Supercell supercell;
  Primitive primitive;
};

Crystal build(const std::string& name) {
  const YAML::Node root = testing::load_yaml(name);
  Crystal c;
  c.unitcell = testing::read_cell(root, "unit_cell");
  c.supercell =
      build_supercell(c.unitcell, testing::read_matrix<Eigen::Matrix3i>(root, "supercell_matrix"), kSymprec);
  c.primitive =
      build_primitive(c.supercell, testing::read_matrix<Eigen::Matrix3d>(root, "primitive_matrix"), kSymprec);
  return c;
}

struct SymmetryCase {
  const char* name;
  const char* mesh_group;
  int number;
  const char* international;
  const char* pointgroup;
  std::size_t n_pointgroup;
  std::size_t site_order;  // site-symmetry order of every atom of the primitive cell
};

class SymmetryVsReference : public ::testing::TestWithParam<SymmetryCase> {};

TEST_P(SymmetryVsReference, SpaceGroupAndOperationsInPhono3pyOrder) {
  const auto& c = GetParam();
  const Crystal crystal = build(c.name);
  const Symmetry sym = get_symmetry(crystal.primitive, kSymprec);
  EXPECT_EQ(sym.spacegroup_number, c.number);
  EXPECT_EQ(sym.international, c.international);
  EXPECT_EQ(sym.pointgroup, c.pointgroup);
  EXPECT_EQ(sym.pointgroup_operations.size(), c.n_pointgroup);
  // A primitive cell has one operation per point-group element.
  EXPECT_EQ(sym.rotations.size(), c.n_pointgroup);
  EXPECT_EQ(sym.translations.size(), sym.rotations.size());

  const io::Hdf5File ref(ph3mpi::test::data_path(std::string(c.name) + "/reference/grid.hdf5"));
  const std::string g = std::string(c.mesh_group) + "/";
  const auto rec_ops = ref.read_int(g + "reciprocal_operations");
  const auto rotations =
      ref.read_int(g + "rotations");  // Q = identity and D_diag compatible: same as rec ops
  const auto rot_cart = ref.read_double(g + "rotations_cartesian");
  ASSERT_EQ(sym.reciprocal_operations.size(), rec_ops.shape[0]);
  const auto cart = reciprocal_operations_cartesian(sym.reciprocal_operations, crystal.primitive.lattice);
  double worst = 0;
  for (std::size_t k = 0; k < rec_ops.shape[0]; ++k) {
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) {
        const std::size_t idx = 9 * k + static_cast<std::size_t>(3 * i + j);
        EXPECT_EQ(sym.reciprocal_operations[k](i, j), rec_ops[idx]) << "operation " << k;
        EXPECT_EQ(sym.reciprocal_operations[k](i, j), rotations[idx]) << "operation " << k;
        worst = std::max(worst, std::abs(cart[k](i, j) - rot_cart[idx]));
      }
    }
  }
  EXPECT_LT(worst, 1e-12);
  // The first half (or all, with inversion) are transposed point-group operations in order.
  for (std::size_t k = 0; k < sym.pointgroup_operations.size(); ++k)
    EXPECT_EQ(sym.reciprocal_operations[k], sym.pointgroup_operations[k].transpose());

  for (std::size_t a = 0; a < crystal.primitive.num_atoms(); ++a)
    EXPECT_EQ(site_symmetry(sym, crystal.primitive, a).size(), c.site_order) << "atom " << a;
}

TEST_P(SymmetryVsReference, LittleGroupsOfTripletReferencePoints) {
  const auto& c = GetParam();
  const Crystal crystal = build(c.name);
  const Symmetry sym = get_symmetry(crystal.primitive, kSymprec);
  const std::vector<const char*> files = std::string(c.name) == "aln-lda"
                                             ? std::vector<const char*>{"triplets_gp55", "triplets_gp64"}
                                             : std::vector<const char*>{"triplets_gp2", "triplets_gp105"};
  for (const char* f : files) {
    const io::Hdf5File ref(ph3mpi::test::data_path(std::string(c.name) + "/reference/" + f + ".hdf5"));
    const auto q = ref.read_double("qpoint");
    const auto order = ref.read_int_scalar("little_group_order");
    const auto ops = q_site_symmetry(sym, Eigen::Vector3d(q[0], q[1], q[2]));
    EXPECT_EQ(static_cast<std::int64_t>(ops.size()), order) << f;
  }
  // Gamma is invariant under every operation.
  EXPECT_EQ(q_site_symmetry(sym, Eigen::Vector3d::Zero()).size(), sym.reciprocal_operations.size());
}

TEST_P(SymmetryVsReference, SupercellHasTheSameSpaceGroup) {
  const auto& c = GetParam();
  const Crystal crystal = build(c.name);
  const Symmetry sym = get_symmetry(crystal.supercell, kSymprec);
  EXPECT_EQ(sym.spacegroup_number, c.number);
  // Every point-group operation comes with one translation per primitive cell in the supercell.
  EXPECT_EQ(sym.rotations.size(),
            c.n_pointgroup * crystal.supercell.num_atoms() / crystal.primitive.num_atoms());
  EXPECT_EQ(sym.pointgroup_operations.size(), c.n_pointgroup);
  // Orbits: the supercell atoms that map to one primitive atom are equivalent.
  for (std::size_t s = 0; s < crystal.supercell.num_atoms(); ++s) {
    const auto rep = static_cast<std::size_t>(crystal.primitive.s2p_map[s]);
    EXPECT_EQ(sym.equivalent_atoms[s], sym.equivalent_atoms[rep]);
  }
}

INSTANTIATE_TEST_SUITE_P(AllCases, SymmetryVsReference,
                         ::testing::Values(SymmetryCase{"si-pbesol", "m999", 227, "Fd-3m", "m-3m", 48, 24},
                                           SymmetryCase{"nacl-pbe", "m999", 225, "Fm-3m", "m-3m", 48, 48},
                                           SymmetryCase{"aln-lda", "m775", 186, "P6_3mc", "6mm", 12, 6},
                                           SymmetryCase{"mgo", "m999", 225, "Fm-3m", "m-3m", 48, 48}),
                         [](const auto& param_info) {
                           std::string n = param_info.param.name;
                           for (auto& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

TEST(Symmetry, StandardizationOfFccPrimitive) {
  // Si primitive (fcc) -> conventional cubic cell: a = 5.43356003 Angstrom along x, y, z, and the
  // transformation matrix P ((a_s b_s c_s) = (a b c) P^-1) is phonopy's fcc primitive matrix
  // (values from spglib 2.0.2's Python get_symmetry_dataset on the same cell).
  const Crystal crystal = build("si-pbesol");
  const Symmetry sym = get_symmetry(crystal.primitive, kSymprec);
  EXPECT_LT((sym.std_lattice - crystal.unitcell.lattice).cwiseAbs().maxCoeff(), 1e-8);
  const Eigen::Matrix3d& pmat = sym.transformation_matrix;
  Eigen::Matrix3d fcc;
  fcc << 0, 0.5, 0.5, 0.5, 0, 0.5, 0.5, 0.5, 0;
  EXPECT_LT((pmat - fcc).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((sym.origin_shift - Eigen::Vector3d(0.625, 0.125, 0.125)).cwiseAbs().maxCoeff(), 1e-12);
}

TEST(Symmetry, WithoutSymmetryOnlyIdentity) {
  const Crystal crystal = build("si-pbesol");
  const Symmetry sym = get_symmetry(crystal.primitive, kSymprec, false);
  ASSERT_EQ(sym.rotations.size(), 1u);
  EXPECT_EQ(sym.rotations[0], Eigen::Matrix3i::Identity());
  EXPECT_EQ(sym.translations[0], Eigen::Vector3d::Zero());
  EXPECT_EQ(sym.spacegroup_number, 1);
  EXPECT_EQ(sym.international, "P1");
  EXPECT_EQ(sym.pointgroup, "1");
  EXPECT_EQ(sym.equivalent_atoms, (std::vector<int>{0, 1}));
  // Time reversal still pairs q with -q.
  ASSERT_EQ(sym.reciprocal_operations.size(), 2u);
  EXPECT_EQ(sym.reciprocal_operations[1], -Eigen::Matrix3i::Identity());
}

TEST(Symmetry, SpglibFailureBecomesError) {
  Cell cell;
  cell.lattice << 1, 0, 0, 2, 0, 0, 0, 0, 1;  // singular lattice
  cell.positions = {Eigen::Vector3d::Zero()};
  cell.symbols = {"Si"};
  cell.numbers = {14};
  cell.masses = {28.0855};
  try {
    get_symmetry(cell, kSymprec);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("spglib"), std::string::npos) << e.what();
  }
}

TEST(Symmetry, UniqueRotationsKeepFirstAppearance) {
  Eigen::Matrix3i a = Eigen::Matrix3i::Identity();
  Eigen::Matrix3i b = -a;
  Eigen::Matrix3i c;
  c << 0, 1, 0, 1, 0, 0, 0, 0, 1;
  const auto unique = collect_unique_rotations({b, a, b, c, a});
  ASSERT_EQ(unique.size(), 3u);
  EXPECT_EQ(unique[0], b);
  EXPECT_EQ(unique[1], a);
  EXPECT_EQ(unique[2], c);
}

}  // namespace
}  // namespace ph3mpi::crystal
