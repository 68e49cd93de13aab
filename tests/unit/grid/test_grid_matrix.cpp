// Mesh numbers from lengths and grid matrices (phonopy length2mesh / GridMatrix),
// and rejection of meshes that break the crystal symmetry.
#include <gtest/gtest.h>

#include "grid_reference.hpp"
#include "ph3mpi/grid/grid_error.hpp"
#include "ph3mpi/grid/make_bz_grid.hpp"
#include "ph3mpi/grid/reciprocal_rotations.hpp"

namespace ph3mpi::grid {
namespace {

Matrix3l fcc_pattern() {
  Matrix3l m;
  m << -1, 1, 1, 1, -1, 1, 1, 1, -1;
  return m;
}

// phonopy test_length2mesh / test_GridMatrix_* use NaCl with a = 5.69 Angstrom.
TEST(LengthToMesh, NaClLength50) {
  const auto ref = testing::load_reference_grid("nacl-pbe", "m999");
  const GridSymmetry sym = testing::spglib_symmetry(ref);
  EXPECT_EQ(length_to_mesh(50.0, ref.lattice), Vector3l(15, 15, 15));
  EXPECT_EQ(length_to_mesh(50.0, ref.lattice, sym.rotations), Vector3l(15, 15, 15));

  const GridMatrix regular = make_grid_matrix(MeshSpec::from_length(50.0), ref.lattice, sym, false);
  EXPECT_TRUE(regular.is_regular_mesh);
  EXPECT_EQ(regular.D_diag, Vector3l(15, 15, 15));

  const GridMatrix grg = make_grid_matrix(MeshSpec::from_length(50.0), ref.lattice, sym, true);
  EXPECT_FALSE(grg.is_regular_mesh);
  EXPECT_EQ(grg.grid_matrix, Matrix3l(fcc_pattern() * 9));
  EXPECT_EQ(grg.D_diag, Vector3l(9, 18, 18));

  const GridMatrix given =
      make_grid_matrix(MeshSpec::from_matrix(fcc_pattern() * 9), ref.lattice, sym, false);
  EXPECT_EQ(given.grid_matrix, Matrix3l(fcc_pattern() * 9));
  EXPECT_EQ(given.D_diag, Vector3l(9, 18, 18));
  EXPECT_EQ(given.P, grg.P);
  EXPECT_EQ(given.Q, grg.Q);

  // Without symmetry information only the transformation matrix is used (phonopy
  // test_GridMatrix_with_transformation_matrix).
  GridSymmetry tmat_only = GridSymmetry::identity(ref.lattice);
  tmat_only.transformation_matrix = sym.transformation_matrix;
  const GridMatrix from_tmat = make_grid_matrix(MeshSpec::from_length(50.0), ref.lattice, tmat_only, true);
  EXPECT_EQ(from_tmat.grid_matrix, Matrix3l(fcc_pattern() * 9));
  EXPECT_EQ(from_tmat.D_diag, Vector3l(9, 18, 18));
}

// phonopy test_BZGrid_SNF_hexagonal (AlN, length 20).
TEST(LengthToMesh, AlNHexagonal) {
  const auto ref = testing::load_reference_grid("aln-lda", "m775");
  const GridSymmetry sym = testing::spglib_symmetry(ref);
  EXPECT_EQ(make_bz_grid(MeshSpec::from_length(20.0), ref.lattice, sym).D_diag, Vector3l(7, 7, 4));
  BZGridOptions grg;
  grg.use_grg = true;
  const BZGrid diag = make_bz_grid(MeshSpec::from_length(20.0), ref.lattice, sym, grg);
  EXPECT_EQ(diag.D_diag, Vector3l(7, 7, 4));
  EXPECT_TRUE(diag.is_regular_mesh);  // diagonal grid matrix is used as it is
  grg.force_snf = true;
  const BZGrid forced = make_bz_grid(MeshSpec::from_length(20.0), ref.lattice, sym, grg);
  EXPECT_EQ(forced.D_diag, Vector3l(1, 7, 28));
  EXPECT_FALSE(forced.is_regular_mesh);
  EXPECT_EQ(forced.num_gr_points(), 196);
}

// A distorted cell still gets symmetric mesh numbers (the larger one wins).
TEST(LengthToMesh, SymmetryEqualizesEquivalentAxes) {
  Eigen::Matrix3d lattice = Eigen::Matrix3d::Identity() * 4.0;
  lattice(1, 1) = 4.3;  // b slightly longer than a, but a 4-fold axis along c claims a == b
  Eigen::Matrix3i c4;
  c4 << 0, -1, 0, 1, 0, 0, 0, 0, 1;
  const std::vector<Eigen::Matrix3i> rotations = {Eigen::Matrix3i::Identity(), c4};
  EXPECT_EQ(length_to_mesh(30.0, lattice), Vector3l(8, 7, 8));  // 7.5 and 6.98 -> rint (half to even)
  EXPECT_EQ(length_to_mesh(30.0, lattice, rotations), Vector3l(8, 8, 8));
  EXPECT_EQ(length_to_mesh(1e-3, lattice, rotations), Vector3l(1, 1, 1));
  const auto eq = lattice_vector_equivalence({c4.transpose()});
  EXPECT_FALSE(eq[0]);
  EXPECT_FALSE(eq[1]);
  EXPECT_TRUE(eq[2]);
}

TEST(GridSymmetry, BrokenMeshIsRejected) {
  const auto ref = testing::load_reference_grid("aln-lda", "m775");
  const GridSymmetry sym = testing::spglib_symmetry(ref);
  // a and b are equivalent in P6_3mc: 4x5x3 is not invariant.
  EXPECT_THROW(make_bz_grid(MeshSpec::from_numbers(Vector3l(4, 5, 3)), ref.lattice, sym), GridSymmetryError);
  EXPECT_THROW(make_phono3py_bz_grid(MeshSpec::from_numbers(Vector3l(4, 5, 3)), ref.lattice, sym),
               GridSymmetryError);
  // Without symmetry any mesh is fine.
  const BZGrid nosym = make_phono3py_bz_grid(MeshSpec::from_numbers(Vector3l(4, 5, 3)), ref.lattice,
                                             GridSymmetry::identity(ref.lattice), false);
  EXPECT_EQ(nosym.reciprocal_operations.size(), 1u);
  EXPECT_EQ(nosym.num_gr_points(), 60);

  // transform_rotations refuses a rotation that does not map the GR grid onto itself.
  Matrix3l swap_ab;
  swap_ab << 0, 1, 0, 1, 0, 0, 0, 0, 1;
  EXPECT_THROW(transform_rotations({swap_ab}, Vector3l(4, 5, 3), Matrix3l::Identity()), GridSymmetryError);
  EXPECT_NO_THROW(transform_rotations({swap_ab}, Vector3l(5, 5, 3), Matrix3l::Identity()));

  EXPECT_THROW(make_bz_grid(MeshSpec::from_numbers(Vector3l(0, 5, 3)), ref.lattice, sym), SettingsError);
  EXPECT_THROW(make_bz_grid(MeshSpec::from_length(-1.0), ref.lattice, sym), SettingsError);
}

TEST(ReciprocalRotations, TimeReversalAddsInversionOnlyWhenMissing) {
  Eigen::Matrix3i c3;
  c3 << 0, -1, 0, 1, -1, 0, 0, 0, 1;  // hexagonal 3-fold
  const std::vector<Eigen::Matrix3i> group = {Eigen::Matrix3i::Identity(), c3, c3 * c3,
                                              c3};  // duplicate dropped
  const auto with_tr = reciprocal_rotations(group, true);
  ASSERT_EQ(with_tr.size(), 6u);
  EXPECT_EQ(with_tr[1], c3.transpose().cast<std::int64_t>());
  EXPECT_EQ(with_tr[4], Matrix3l(-c3.transpose().cast<std::int64_t>()));
  EXPECT_EQ(reciprocal_rotations(group, false).size(), 3u);
  const std::vector<Eigen::Matrix3i> centro = {Eigen::Matrix3i::Identity(), -Eigen::Matrix3i::Identity()};
  EXPECT_EQ(reciprocal_rotations(centro, true).size(), 2u);
}

}  // namespace
}  // namespace ph3mpi::grid
