// BZ relocation: phonopy's own relocation references (FCC 4x4x4, AlN 5x5x3, AlN
// GR grid), and invariants on even meshes and GR grids built here.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "grid_reference.hpp"
#include "ph3mpi/grid/bz_grid_addresses.hpp"
#include "ph3mpi/grid/ir_grid_points.hpp"
#include "ph3mpi/grid/make_bz_grid.hpp"
#include "phonopy_relocation_cases.hpp"

namespace ph3mpi::grid {
namespace {

TEST(BZRelocation, PhonopyTestReferences) {
  for (const auto& c : testdata::phonopy_relocation_cases()) {
    SCOPED_TRACE(c.name);
    const Vector3l D(c.D_diag[0], c.D_diag[1], c.D_diag[2]);
    Matrix3l Q;
    Eigen::Matrix3d rec;
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) {
        Q(i, j) = c.Q[i][j];
        rec(i, j) = c.reciprocal_lattice[i][j];
      }
    }
    const BZGridAddresses bz = relocate_bz_grid_addresses(D, Q, rec, Vector3l::Zero());
    ASSERT_EQ(bz.addresses.size() * 3, c.addresses.size());
    for (std::size_t i = 0; i < bz.addresses.size(); ++i) {
      EXPECT_EQ(bz.addresses[i], Vector3l(c.addresses[3 * i], c.addresses[3 * i + 1], c.addresses[3 * i + 2]))
          << "BZ point " << i;
    }
    EXPECT_EQ(bz.gp_map, c.gp_map);
    EXPECT_EQ(bz.bzg2grg, c.bzg2grg);
  }
}

// Structural and metric invariants of a BZ grid; returns the number of surface copies.
std::int64_t check_bz_invariants(const BZGrid& g) {
  const std::int64_t n_gr = g.num_gr_points();
  EXPECT_EQ(static_cast<std::int64_t>(g.gp_map.size()), n_gr + 1);
  EXPECT_EQ(g.gp_map.front(), 0);
  EXPECT_EQ(g.gp_map.back(), g.num_bz_points());
  EXPECT_EQ(static_cast<std::int64_t>(g.bzg2grg.size()), g.num_bz_points());
  EXPECT_EQ(g.addresses[static_cast<std::size_t>(g.gp_Gamma)], Vector3l::Zero());
  const Eigen::Matrix3d to_cart = g.reciprocal_lattice * g.QDinv;  // address -> Cartesian q (1/Angstrom)
  const double scale = (g.reciprocal_lattice.colwise().norm()).maxCoeff();
  std::int64_t surface = 0;
  for (std::int64_t gp = 0; gp < n_gr; ++gp) {
    const auto begin = g.gp_map[static_cast<std::size_t>(gp)];
    const auto end = g.gp_map[static_cast<std::size_t>(gp) + 1];
    EXPECT_GE(end - begin, 1) << "GR point " << gp << " has no BZ image";
    EXPECT_EQ(g.grg2bzg[static_cast<std::size_t>(gp)], begin);
    surface += end - begin - 1;
    // Every image is the same GR point (addresses congruent modulo D).
    for (auto i = begin; i < end; ++i) {
      EXPECT_EQ(g.bzg2grg[static_cast<std::size_t>(i)], gp);
      EXPECT_EQ(grid_index_from_address(g.addresses[static_cast<std::size_t>(i)], g.D_diag), gp);
    }
    // Brute force over reciprocal lattice translations: the images are exactly the shortest ones.
    const Eigen::Vector3d q_red = g.QDinv * g.addresses[static_cast<std::size_t>(begin)].cast<double>();
    double shortest = 1e300;
    std::vector<double> lengths;
    for (int a = -3; a <= 3; ++a) {
      for (int b = -3; b <= 3; ++b) {
        for (int c = -3; c <= 3; ++c) {
          const double l = (g.reciprocal_lattice * (q_red + Eigen::Vector3d(a, b, c))).squaredNorm();
          lengths.push_back(l);
          shortest = std::min(shortest, l);
        }
      }
    }
    const double eps = 1e-10 * scale * scale;
    const auto n_shortest =
        std::count_if(lengths.begin(), lengths.end(), [&](double l) { return l < shortest + eps; });
    EXPECT_EQ(end - begin, n_shortest) << "GR point " << gp;
    for (auto i = begin; i < end; ++i) {
      const double l = (to_cart * g.addresses[static_cast<std::size_t>(i)].cast<double>()).squaredNorm();
      EXPECT_NEAR(l, shortest, eps) << "BZ point " << i << " is not a shortest image";
    }
  }
  return surface;
}

void check_ir_invariants(const BZGrid& g) {
  const IrGridPoints ir = get_ir_grid_points(g);
  std::int64_t sum = 0;
  for (auto w : ir.ir_weights) sum += w;
  EXPECT_EQ(sum, g.num_gr_points());
  // Each representative is the smallest index of its orbit, and its weight the orbit size.
  for (std::int64_t gp = 0; gp < g.num_gr_points(); ++gp) {
    std::int64_t smallest = gp;
    for (const auto& r : g.grg_rotations)
      smallest = std::min(smallest, rotate_grid_index(gp, r, g.D_diag, g.PS));
    ASSERT_EQ(ir.ir_grid_map[static_cast<std::size_t>(gp)], smallest) << "GR point " << gp;
  }
  for (std::size_t k = 0; k < ir.ir_grid_points.size(); ++k) {
    std::vector<std::int64_t> orbit;
    for (const auto& r : g.grg_rotations)
      orbit.push_back(rotate_grid_index(ir.ir_grid_points[k], r, g.D_diag, g.PS));
    std::sort(orbit.begin(), orbit.end());
    orbit.erase(std::unique(orbit.begin(), orbit.end()), orbit.end());
    EXPECT_EQ(static_cast<std::int64_t>(orbit.size()), ir.ir_weights[k]);
    EXPECT_EQ(ir.ir_grid_points_bz[k], g.grg2bzg[static_cast<std::size_t>(ir.ir_grid_points[k])]);
  }
}

struct EvenCase {
  const char* case_name;
  const char* group;
  MeshSpec mesh;
  bool use_grg;
};

TEST(BZGridInvariants, EvenMeshesAndGrGrids) {
  const EvenCase cases[] = {
      {"si-pbesol", "m999", MeshSpec::from_numbers(Vector3l(8, 8, 8)), false},
      {"aln-lda", "m775", MeshSpec::from_numbers(Vector3l(6, 6, 4)), false},
      {"nacl-pbe", "m999", MeshSpec::from_numbers(Vector3l(10, 10, 10)), false},
      {"si-pbesol", "m999", MeshSpec::from_length(40.0), true},  // GR grid 8 x 16 x 16
      {"aln-lda", "m775", MeshSpec::from_length(25.0), true},
  };
  for (const auto& c : cases) {
    const auto ref = testing::load_reference_grid(c.case_name, c.group);
    BZGridOptions options;
    options.use_grg = c.use_grg;
    options.force_snf = c.use_grg;  // exercise non-trivial P, Q even where A is diagonal (AlN)
    const BZGrid g = make_bz_grid(c.mesh, ref.lattice, testing::spglib_symmetry(ref), options);
    SCOPED_TRACE(std::string(c.case_name) + " D_diag " + std::to_string(g.D_diag(0)) + "," +
                 std::to_string(g.D_diag(1)) + "," + std::to_string(g.D_diag(2)));
    const std::int64_t surface = check_bz_invariants(g);
    EXPECT_GT(surface, 0);  // even meshes have BZ-surface points
    check_ir_invariants(g);
    std::cout << "[ grid ] " << c.case_name << " D_diag (" << g.D_diag.transpose() << "): N_bz "
              << g.num_bz_points() << ", surface copies " << surface << "\n";
  }
}

// Gamma-point-only and one-dimensional meshes are legal corner cases.
TEST(BZGridInvariants, DegenerateMeshes) {
  const auto ref = testing::load_reference_grid("aln-lda", "m775");
  const GridSymmetry sym = testing::spglib_symmetry(ref);
  const BZGrid one = make_bz_grid(MeshSpec::from_numbers(Vector3l(1, 1, 1)), ref.lattice, sym);
  EXPECT_EQ(one.num_bz_points(), 1);
  EXPECT_EQ(get_ir_grid_points(one).ir_weights, std::vector<std::int64_t>{1});
  const BZGrid line = make_bz_grid(MeshSpec::from_numbers(Vector3l(1, 1, 6)), ref.lattice, sym);
  check_bz_invariants(line);
  check_ir_invariants(line);
}

// About 10^6 GR points: BZ relocation and ir reduction must stay cheap.
TEST(BZGridInvariants, MillionPointGridIsFast) {
  const auto ref = testing::load_reference_grid("si-pbesol", "m999");
  const GridSymmetry sym = testing::spglib_symmetry(ref);
  const auto t0 = std::chrono::steady_clock::now();
  const BZGrid g = make_bz_grid(MeshSpec::from_numbers(Vector3l(100, 100, 100)), ref.lattice, sym);
  const auto t1 = std::chrono::steady_clock::now();
  const IrGridPoints ir = get_ir_grid_points(g);
  const auto t2 = std::chrono::steady_clock::now();
  const double build = std::chrono::duration<double>(t1 - t0).count();
  const double reduce = std::chrono::duration<double>(t2 - t1).count();
  std::cout << "[ grid ] Si 100^3: N_bz " << g.num_bz_points() << ", N_ir " << ir.ir_grid_points.size()
            << "; make_bz_grid " << build << " s, get_ir_grid_points " << reduce << " s\n";
  std::int64_t sum = 0;
  for (auto w : ir.ir_weights) sum += w;
  EXPECT_EQ(sum, 1000000);
  EXPECT_EQ(g.gp_map.back(), g.num_bz_points());
  EXPECT_LT(build + reduce, 10.0);  // generous: catches a pathological slowdown on a shared machine
}

}  // namespace
}  // namespace ph3mpi::grid
