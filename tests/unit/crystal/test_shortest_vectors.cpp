// Shortest vectors and multiplicities against phonopy 2.17 (same algorithm as phonopy 4.4;
// tests/data/crystal/generate_expected.py) plus invariants that hold for any correct answer.
#include <gtest/gtest.h>

#include "crystal_test_util.hpp"
#include "ph3mpi/crystal/shortest_vectors.hpp"
#include "ph3mpi/io/hdf5_file.hpp"

namespace ph3mpi::crystal {
namespace {

constexpr double kSymprec = 1e-5;

struct Built {
  Supercell supercell;
  Primitive primitive;
};

Built build(const io::Hdf5File& h5, const std::string& g) {
  const YAML::Node root = testing::load_yaml(h5.read_strings(g + "case").at(0));
  const auto smat_flat = h5.read_int(g + "supercell_matrix");
  Eigen::Matrix3i smat;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) smat(i, j) = static_cast<int>(smat_flat[static_cast<std::size_t>(3 * i + j)]);
  Built b;
  b.supercell = build_supercell(testing::read_cell(root, "unit_cell"), smat, kSymprec);
  b.primitive =
      build_primitive(b.supercell, testing::read_matrix<Eigen::Matrix3d>(root, "primitive_matrix"), kSymprec);
  return b;
}

class ShortestVectorsVsPhonopy : public ::testing::TestWithParam<const char*> {};

TEST_P(ShortestVectorsVsPhonopy, SameMultiplicitiesAndVectors) {
  const io::Hdf5File h5(ph3mpi::test::data_path("crystal/phonopy_crystal.hdf5"));
  const std::string g = std::string(GetParam()) + "/";
  const Built b = build(h5, g);
  const ShortestVectors sv = shortest_vectors(b.supercell, b.primitive, kSymprec);
  const auto multi = h5.read_int(g + "multi");
  const auto svecs = h5.read_double(g + "svecs");
  ASSERT_EQ(sv.n_satom, multi.shape[0]);
  ASSERT_EQ(sv.n_patom, multi.shape[1]);
  ASSERT_EQ(sv.svecs.size(), svecs.shape[0]);
  for (std::size_t i = 0; i < sv.multi.size(); ++i) {
    ASSERT_EQ(sv.multi[i][0], multi[2 * i]) << "pair " << i;
    ASSERT_EQ(sv.multi[i][1], multi[2 * i + 1]) << "pair " << i;
  }
  // Same vectors in the same order (same algorithm, same search order).
  double worst = 0;
  for (std::size_t k = 0; k < sv.svecs.size(); ++k) {
    for (int l = 0; l < 3; ++l)
      worst = std::max(worst, std::abs(sv.svecs[k](l) - svecs[3 * k + static_cast<std::size_t>(l)]));
  }
  EXPECT_LT(worst, 1e-12);
}

TEST_P(ShortestVectorsVsPhonopy, Invariants) {
  const io::Hdf5File h5(ph3mpi::test::data_path("crystal/phonopy_crystal.hdf5"));
  const Built b = build(h5, std::string(GetParam()) + "/");
  const Supercell& sc = b.supercell;
  const Primitive& prim = b.primitive;
  const ShortestVectors sv = shortest_vectors(sc, prim, kSymprec);
  // Primitive fractional -> supercell fractional.
  const Eigen::Matrix3d prim_to_super = prim.lattice * sc.lattice.inverse();  // rows: x_s = x_p * this
  std::int64_t next = 0;
  for (std::size_t s = 0; s < sv.n_satom; ++s) {
    for (std::size_t p = 0; p < sv.n_patom; ++p) {
      const auto [count, first] = sv.at(s, p);
      ASSERT_GE(count, 1);
      ASSERT_EQ(first, next);  // dense, contiguous
      next += count;
      const auto ps = static_cast<std::size_t>(prim.p2s_map[p]);
      double length0 = -1;
      std::vector<Eigen::Vector3d> seen;
      for (std::int64_t k = first; k < first + count; ++k) {
        const Eigen::Vector3d& v = sv.svecs[static_cast<std::size_t>(k)];
        const double length = (prim.lattice.transpose() * v).norm();
        if (length0 < 0) length0 = length;
        EXPECT_NEAR(length, length0, kSymprec);  // all images equally short
        // r_p + v == r_s modulo the supercell lattice.
        const Eigen::Vector3d in_super = (v.transpose() * prim_to_super).transpose();
        const Eigen::Vector3d target = sc.positions[s] - sc.positions[ps];
        EXPECT_LT(testing::max_fractional_deviation(in_super, target), 1e-10);
        for (const auto& w : seen) EXPECT_GT((w - v).norm(), 0.5);  // distinct images
        seen.push_back(v);
      }
      // No other image of the pair is shorter: brute force over a wide range of translations.
      const Eigen::Vector3d d = sc.positions[s] - sc.positions[ps];
      double shortest = 1e300;
      for (int i = -2; i <= 2; ++i)
        for (int j = -2; j <= 2; ++j)
          for (int k = -2; k <= 2; ++k) {
            const Eigen::Vector3d x = d - d.array().round().matrix() + Eigen::Vector3d(i, j, k);
            shortest = std::min(shortest, (sc.lattice.transpose() * x).norm());
          }
      EXPECT_NEAR(length0, shortest, 1e-9);
    }
  }
  EXPECT_EQ(static_cast<std::size_t>(next), sv.svecs.size());
}

INSTANTIATE_TEST_SUITE_P(AllCases, ShortestVectorsVsPhonopy,
                         ::testing::Values("si_222", "nacl_222", "aln_332", "mgo_222", "mgo_444", "si_bcc",
                                           "aln_oblique"));

TEST(ShortestVectors, SiliconBoundaryAtomsHaveExpectedMultiplicities) {
  // In the 2x2x2 conventional Si supercell, seen from the atom at (1/8,1/8,1/8) of the
  // primitive cell, the atom half a supercell edge away along x sits on a face of the
  // Wigner-Seitz cell (2 images), one a face diagonal away on an edge (4), and the image at
  // (1/2,1/2,1/2) of the supercell on a corner (8).
  const io::Hdf5File h5(ph3mpi::test::data_path("crystal/phonopy_crystal.hdf5"));
  const Built b = build(h5, "si_222/");
  const ShortestVectors sv = shortest_vectors(b.supercell, b.primitive, kSymprec);
  const Eigen::Vector3d origin = b.supercell.positions[static_cast<std::size_t>(b.primitive.p2s_map[0])];
  const auto find_atom = [&](const Eigen::Vector3d& shift) {
    for (std::size_t s = 0; s < b.supercell.num_atoms(); ++s)
      if (testing::max_fractional_deviation(b.supercell.positions[s], origin + shift) < 1e-8) return s;
    return b.supercell.num_atoms();
  };
  EXPECT_EQ(sv.at(find_atom({0.5, 0, 0}), 0)[0], 2);
  EXPECT_EQ(sv.at(find_atom({0.5, 0.5, 0}), 0)[0], 4);
  EXPECT_EQ(sv.at(find_atom({0.5, 0.5, 0.5}), 0)[0], 8);
  EXPECT_EQ(sv.at(find_atom({0.25, 0.25, 0}), 0)[0], 1);
}

TEST(ShortestVectors, NiggliReductionOfCubicKeepsLengths) {
  Eigen::Matrix3d lattice;
  lattice << 10, 0, 0, 0, 10, 0, 0, 0, 10;
  const Eigen::Matrix3d reduced = niggli_reduce(lattice, 1e-5);
  EXPECT_NEAR(std::abs(reduced.determinant()), 1000.0, 1e-9);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(reduced.row(i).norm(), 10.0, 1e-12);
}

}  // namespace
}  // namespace ph3mpi::crystal
