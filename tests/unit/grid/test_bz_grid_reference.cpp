// BZGrid, ir grid points and tetrahedra against phono3py 4.4's grid.hdf5 for every
// reference case: integers exactly, floating-point arrays to 1e-12.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "grid_reference.hpp"
#include "ph3mpi/grid/ir_grid_points.hpp"
#include "ph3mpi/grid/make_bz_grid.hpp"
#include "ph3mpi/grid/snf3x3.hpp"
#include "ph3mpi/grid/tetrahedron_grid.hpp"

namespace ph3mpi::grid {
namespace {

using testing::ReferenceGrid;

struct Case {
  std::string case_name;
  std::string group;
  bool grg;       // phono3py was called with use_grg=True and a length
  double length;  // mesh length for grg cases
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.case_name << "/" << c.group; }

template <typename T>
::testing::AssertionResult same_sequence(const std::vector<T>& got, const std::vector<T>& want) {
  if (got.size() != want.size()) {
    return ::testing::AssertionFailure() << "size " << got.size() << " != reference " << want.size();
  }
  std::size_t mismatches = 0, first = got.size();
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (!(got[i] == want[i])) {
      ++mismatches;
      if (first == got.size()) first = i;
    }
  }
  if (mismatches == 0) return ::testing::AssertionSuccess();
  std::ostringstream s;
  s << mismatches << " of " << got.size() << " differ, first at " << first << ": got\n"
    << got[first] << "\nreference\n"
    << want[first];
  return ::testing::AssertionFailure() << s.str();
}

template <typename M>
double max_abs_diff(const std::vector<M>& got, const std::vector<M>& want) {
  EXPECT_EQ(got.size(), want.size());
  double d = 0.0;
  for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i)
    d = std::max(d, (got[i] - want[i]).cwiseAbs().maxCoeff());
  return d;
}

std::string case_test_name(const ::testing::TestParamInfo<Case>& param_info) {
  std::string n = param_info.param.case_name + "_" + param_info.param.group;
  for (char& c : n) {
    if (c == '-') c = '_';
  }
  return n;
}

class BZGridReference : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override { ref_ = testing::load_reference_grid(GetParam().case_name, GetParam().group); }

  MeshSpec mesh() const {
    return GetParam().grg ? MeshSpec::from_length(GetParam().length)
                          : MeshSpec::from_numbers(ref_.mesh_numbers);
  }

  void expect_matches_reference(const BZGrid& g) const {
    const ReferenceGrid& r = ref_;
    EXPECT_EQ(g.D_diag, r.D_diag);
    EXPECT_EQ(g.P, r.P);
    EXPECT_EQ(g.Q, r.Q);
    EXPECT_EQ(g.PS, r.PS);
    if (r.has_grid_matrix) {
      EXPECT_EQ(g.grid_matrix, r.grid_matrix);
      EXPECT_FALSE(g.is_regular_mesh);
    } else {
      EXPECT_TRUE(g.is_regular_mesh);
      EXPECT_EQ(g.grid_matrix, Matrix3l(r.D_diag.asDiagonal()));
    }
    EXPECT_TRUE(same_sequence(g.addresses, r.addresses));
    EXPECT_TRUE(same_sequence(g.gp_map, r.gp_map));
    EXPECT_TRUE(same_sequence(g.bzg2grg, r.bzg2grg));
    EXPECT_TRUE(same_sequence(g.grg2bzg, r.grg2bzg));
    EXPECT_EQ(g.gp_Gamma, r.gp_Gamma);
    EXPECT_TRUE(same_sequence(g.reciprocal_operations, r.reciprocal_operations));
    EXPECT_TRUE(same_sequence(g.grg_rotations, r.grg_rotations));

    const double d_rec = (g.reciprocal_lattice - r.reciprocal_lattice).cwiseAbs().maxCoeff();
    const double d_mz = (g.microzone_lattice - r.microzone_lattice).cwiseAbs().maxCoeff();
    const double d_qd = (g.QDinv - r.QDinv).cwiseAbs().maxCoeff();
    const double d_rc = max_abs_diff(g.rotations_cartesian, r.rotations_cartesian);
    EXPECT_LE(d_rec, 1e-12);
    EXPECT_LE(d_mz, 1e-12);
    EXPECT_LE(d_qd, 1e-12);
    EXPECT_LE(d_rc, 1e-12);

    const IrGridPoints ir = get_ir_grid_points(g);
    EXPECT_TRUE(same_sequence(ir.ir_grid_points, r.ir_grid_points));
    EXPECT_TRUE(same_sequence(ir.ir_grid_points_bz, r.ir_grid_points_bz));
    EXPECT_TRUE(same_sequence(ir.ir_weights, r.ir_weights));
    EXPECT_TRUE(same_sequence(ir.ir_grid_map, r.ir_grid_map));
    const std::vector<Eigen::Vector3d> q = qpoints_of_bz_points(g, ir.ir_grid_points_bz);
    const double d_q = max_abs_diff(q, r.qpoints_ir);
    EXPECT_LE(d_q, 1e-12);

    const TetrahedraRelativeAddresses tet = tetrahedra_relative_grid_address(g.microzone_lattice);
    ASSERT_EQ(r.tetrahedra.size(), 24u);
    for (std::size_t t = 0; t < 24; ++t) {
      for (std::size_t v = 0; v < 4; ++v)
        EXPECT_EQ(tet[t][v], r.tetrahedra[t][v]) << "tetrahedron " << t << " vertex " << v;
    }
    std::cout << "[ grid ] " << r.name << ": N_gr=" << g.num_gr_points() << " N_bz=" << g.num_bz_points()
              << " N_ir=" << ir.ir_grid_points.size() << "; max |diff| reciprocal_lattice " << d_rec
              << ", microzone " << d_mz << ", QDinv " << d_qd << ", rotations_cartesian " << d_rc
              << ", qpoints_ir " << d_q << "\n";
  }

  ReferenceGrid ref_;
};

// The full phono3py path: spglib dataset of the primitive cell -> BZGrid.
TEST_P(BZGridReference, FromSpglibDatasetMatchesPhono3py) {
  BZGridOptions options;
  options.use_grg = GetParam().grg;
  const BZGrid g = make_bz_grid(mesh(), ref_.lattice, testing::spglib_symmetry(ref_), options);
  expect_matches_reference(g);
  // The direct rotations are kept as given, and transpose into the first reciprocal operations.
  for (std::size_t i = 0; i < g.rotations.size() && i < g.reciprocal_operations.size(); ++i) {
    if (g.rotations.size() == g.reciprocal_operations.size() || i < g.reciprocal_operations.size() / 2) {
      EXPECT_EQ(g.rotations[i].transpose().cast<std::int64_t>(), g.reciprocal_operations[i]);
    }
  }
}

// Phono3py._set_mesh_numbers (with its broken-symmetry fallback) gives the same grid.
TEST_P(BZGridReference, Phono3pyEntryPointMatches) {
  const BZGrid g =
      make_phono3py_bz_grid(mesh(), ref_.lattice, testing::spglib_symmetry(ref_), true, GetParam().grg);
  expect_matches_reference(g);
}

// Input taken from the reference file alone (rotations recovered from
// reciprocal_operations, lattice from cell/), independent of the local spglib.
TEST_P(BZGridReference, FromReferenceRotationsMatchesPhono3py) {
  if (GetParam().grg) GTEST_SKIP() << "GRG needs spglib's transformation matrix (covered above)";
  GridSymmetry sym;
  sym.rotations = testing::direct_rotations_from_reference(ref_);
  sym.std_lattice = ref_.lattice;
  const BZGrid g = make_bz_grid(MeshSpec::from_numbers(ref_.D_diag), ref_.lattice, sym);
  expect_matches_reference(g);
}

// phono3py's SNF of the reference grid matrix.
TEST_P(BZGridReference, SnfOfReferenceGridMatrix) {
  if (!ref_.has_grid_matrix) GTEST_SKIP() << "regular mesh";
  const auto snf = snf3x3(ref_.grid_matrix);
  ASSERT_TRUE(snf.has_value());
  EXPECT_EQ(snf->D_diag, ref_.D_diag);
  EXPECT_EQ(snf->P, ref_.P);
  EXPECT_EQ(snf->Q, ref_.Q);
  // And the same grid when the matrix itself is the mesh.
  const BZGrid g =
      make_bz_grid(MeshSpec::from_matrix(ref_.grid_matrix), ref_.lattice, testing::spglib_symmetry(ref_));
  expect_matches_reference(g);
}

// Every BZ address maps to its GR index, and the helpers find it back.
TEST_P(BZGridReference, AddressLookupsAreConsistent) {
  BZGridOptions options;
  options.use_grg = GetParam().grg;
  const BZGrid g = make_bz_grid(mesh(), ref_.lattice, testing::spglib_symmetry(ref_), options);
  for (std::int64_t i = 0; i < g.num_bz_points(); ++i) {
    const Vector3l& a = g.addresses[static_cast<std::size_t>(i)];
    const std::int64_t gr = g.bzg2grg[static_cast<std::size_t>(i)];
    ASSERT_EQ(grid_index_from_address(a, g.D_diag), gr);
    ASSERT_EQ(bz_grid_point_from_address(g, a), g.grg2bzg[static_cast<std::size_t>(gr)]);
    ASSERT_EQ(bz_grid_point_with_surface(g, a), i);
    ASSERT_EQ(grid_index_from_address(grid_address_from_index(gr, g.D_diag), g.D_diag), gr);
    // Rotations act on BZ addresses without leaving the BZ grid: the rotated point
    // is found exactly (the BZ is invariant under the point group).
    for (const Matrix3l& r : g.grg_rotations) {
      const std::int64_t j = rotate_bz_grid_index(g, i, r);
      ASSERT_EQ(g.addresses[static_cast<std::size_t>(j)], r * a);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Phono3pyCases, BZGridReference,
                         ::testing::Values(Case{"si-pbesol", "m999", false, 0.0},
                                           Case{"nacl-pbe", "m999", false, 0.0},
                                           Case{"aln-lda", "m775", false, 0.0},
                                           Case{"mgo", "m999", false, 0.0},
                                           Case{"si-pbesol", "grg_mesh30", true, 30.0}),
                         case_test_name);

}  // namespace
}  // namespace ph3mpi::grid
