#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/interaction/triplets.hpp"
#include "reference_grid.hpp"

using ph3mpi::grid::BZGrid;
using ph3mpi::grid::Matrix3l;
using ph3mpi::grid::Vector3l;
namespace ia = ph3mpi::interaction;
namespace pt = ph3mpi::test;

namespace {

// Sum of the triplet's addresses folded into the GR grid must vanish.
bool sums_to_reciprocal_lattice_vector(const ia::Triplet& tp, const BZGrid& bz) {
  const Vector3l s = bz.addresses[tp[0]] + bz.addresses[tp[1]] + bz.addresses[tp[2]];
  for (int i = 0; i < 3; ++i) {
    if (s(i) % bz.D_diag(i) != 0) return false;
  }
  return true;
}

}  // namespace

TEST(Triplets, GrgRotationsMatchPhono3pyGridRotations) {
  std::vector<std::pair<std::string, std::string>> groups = {{"si-pbesol", "m999"},
                                                             {"si-pbesol", "grg_mesh30"},
                                                             {"nacl-pbe", "m999"},
                                                             {"mgo", "m999"},
                                                             {"aln-lda", "m775"}};
  for (const auto& [name, mesh] : groups) {
    std::vector<Matrix3l> reference;
    const BZGrid bz = pt::load_reference_bz_grid(name, mesh, &reference);
    const auto rotations = ia::get_grg_rotations(bz);
    ASSERT_EQ(rotations.size(), reference.size()) << name << " " << mesh;
    for (std::size_t k = 0; k < rotations.size(); ++k) {
      EXPECT_EQ(rotations[k], reference[k]) << name << " " << mesh << " rotation " << k;
    }
  }
}

TEST(Triplets, AtQIdenticalToPhono3py) {
  for (const auto& c : pt::reference_cases()) {
    const BZGrid bz = pt::load_reference_bz_grid(c.name, c.mesh);
    for (const int gp : c.gps) {
      SCOPED_TRACE(c.name + " gp" + std::to_string(gp));
      ph3mpi::io::Hdf5File ref(
          pt::data_path(c.name + "/reference/triplets_gp" + std::to_string(gp) + ".hdf5"));
      ASSERT_EQ(ref.read_int_scalar("grid_point"), gp);
      const auto tp = ia::get_triplets_at_q(gp, bz);
      const auto ref_triplets = ref.read_int("triplets_at_q");
      ASSERT_EQ(tp.size(), ref_triplets.shape[0]);
      std::size_t mismatches = 0;
      for (std::size_t i = 0; i < tp.size(); ++i) {
        for (std::size_t j = 0; j < 3; ++j) mismatches += tp.triplets[i][j] != ref_triplets[3 * i + j];
      }
      EXPECT_EQ(mismatches, 0u);
      EXPECT_EQ(tp.weights, ref.read_int("weights").data);
      EXPECT_EQ(tp.map_triplets, ref.read_int("map_triplets").data);
      EXPECT_EQ(tp.map_q, ref.read_int("map_q").data);
      for (const auto& t : tp.triplets) EXPECT_TRUE(sums_to_reciprocal_lattice_vector(t, bz));
    }
  }
}

TEST(Triplets, NosymTripletsContainTheReducedOnes) {
  for (const auto& c : pt::reference_cases()) {
    const BZGrid bz = pt::load_reference_bz_grid(c.name, c.mesh);
    const int gp = c.gps[0];
    const auto reduced = ia::get_triplets_at_q(gp, bz);
    const auto all = ia::get_nosym_triplets_at_q(gp, bz);
    const auto via_flag = ia::get_triplets_at_q(gp, bz, true, true, /*is_mesh_symmetry=*/false);
    ASSERT_EQ(all.size(), static_cast<std::size_t>(bz.num_gr_points()));
    EXPECT_EQ(via_flag.triplets, all.triplets);
    for (std::size_t i = 0; i < all.size(); ++i) {
      EXPECT_EQ(all.weights[i], 1);
      EXPECT_EQ(all.map_q[i], static_cast<std::int64_t>(i));
      // q1 of the i-th triplet is GR point i.
      EXPECT_EQ(bz.bzg2grg[all.triplets[i][1]], static_cast<std::int64_t>(i));
      EXPECT_TRUE(sums_to_reciprocal_lattice_vector(all.triplets[i], bz));
    }
    // The BZ search depends only on q1, so reduced triplets are rows of the full list.
    for (const auto& t : reduced.triplets) EXPECT_EQ(all.triplets[bz.bzg2grg[t[1]]], t) << c.name;
  }
}

TEST(Triplets, SwappabilityAndTimeReversalOnlyMergeStars) {
  // AlN (6mm) has no inversion: phono3py's grid operations are the 12 point
  // group operations followed by their time-reversed (-R) partners. Dropping
  // the partners and then asking for time reversal must restore the same
  // triplets; without time reversal the little group is smaller and there are
  // more triplets. Swapping q1 <-> q2 merges stars further. Every variant
  // covers the grid exactly once.
  const BZGrid bz = pt::load_reference_bz_grid("aln-lda", "m775");
  const auto all_rotations = ia::get_grg_rotations(bz);
  std::vector<Matrix3l> proper;
  for (const auto& r : all_rotations) {
    if (std::find(proper.begin(), proper.end(), Matrix3l(-r)) == proper.end()) proper.push_back(r);
  }
  ASSERT_EQ(proper.size(), 12u);
  const auto full = ia::get_triplets_at_q(64, bz, true, true);
  const auto restored = ia::get_triplets_at_q(64, bz, proper, true, true);
  // In the plane q_z = 0 time reversal combined with the two-fold axis fixes q.
  const std::int64_t in_plane = bz.grg2bzg[2 + 7 * 1];  // address (2, 1, 0)
  const auto no_tr = ia::get_triplets_at_q(in_plane, bz, proper, false, true);
  const auto with_tr = ia::get_triplets_at_q(in_plane, bz, proper, true, true);
  const auto no_swap = ia::get_triplets_at_q(64, bz, true, false);
  EXPECT_EQ(full.size(), 123u);
  EXPECT_EQ(restored.triplets, full.triplets);
  EXPECT_EQ(restored.weights, full.weights);
  EXPECT_EQ(restored.map_q, full.map_q);
  EXPECT_GT(no_tr.size(), with_tr.size());
  EXPECT_GT(no_swap.size(), full.size());
  for (const auto* t : {&full, &no_swap, &no_tr, &with_tr}) {
    std::int64_t sum = 0;
    for (const auto w : t->weights) sum += w;
    EXPECT_EQ(sum, bz.num_gr_points());
    // map_triplets refines map_q: points of one star share the triplet.
    for (std::size_t i = 0; i < t->map_q.size(); ++i) {
      EXPECT_EQ(t->map_triplets[i], t->map_triplets[t->map_q[i]]);
    }
  }
  // Without swapping, map_triplets is map_q.
  EXPECT_EQ(no_swap.map_triplets, no_swap.map_q);
}

TEST(Triplets, NormalProcessMeansZeroAddressSum) {
  const BZGrid bz = pt::load_reference_bz_grid("si-pbesol", "m999");
  const auto tp = ia::get_triplets_at_q(105, bz);
  std::size_t normal = 0;
  for (const auto& t : tp.triplets) {
    const Vector3l s = bz.addresses[t[0]] + bz.addresses[t[1]] + bz.addresses[t[2]];
    EXPECT_EQ(ia::is_normal_process(t, bz), s.isZero());
    normal += ia::is_normal_process(t, bz);
  }
  // Both kinds occur at a general q-point of a 9x9x9 mesh.
  EXPECT_GT(normal, 0u);
  EXPECT_LT(normal, tp.size());
}

TEST(Triplets, RejectsBadGridPoints) {
  const BZGrid bz = pt::load_reference_bz_grid("si-pbesol", "m999");
  EXPECT_THROW(ia::get_triplets_at_q(-1, bz), ph3mpi::Error);
  EXPECT_THROW(ia::get_triplets_at_q(bz.num_bz_points(), bz), ph3mpi::Error);
  BZGrid broken = bz;
  broken.gp_map.pop_back();
  EXPECT_THROW(ia::get_triplets_at_q(105, broken), ph3mpi::Error);
}

TEST(Triplets, NacDirectionAtGammaKeepsTheDirectionsLittleGroup) {
  // phono3py at Gamma with a NAC q-direction: only the operations fixing the
  // direction, without added time reversal.
  const BZGrid bz = pt::load_reference_bz_grid("si-pbesol", "m999");
  const auto along_x = ia::get_grg_rotations_fixing_direction(bz, Eigen::Vector3d(1, 0, 0));
  const auto general = ia::get_grg_rotations_fixing_direction(bz, Eigen::Vector3d(0.1, 0.23, 0.37));
  // m-3m: a reduced direction (1,0,0) of the fcc reciprocal basis is a <111>
  // Cartesian axis, with a 3m little group (6 operations); a general direction
  // keeps only the identity.
  EXPECT_EQ(along_x.size(), 6u);
  ASSERT_EQ(general.size(), 1u);
  EXPECT_EQ(general[0], Matrix3l::Identity());
  const auto nac = ia::get_triplets_at_q(bz.gp_Gamma, bz, along_x, false, true);
  const auto plain = ia::get_triplets_at_q(bz.gp_Gamma, bz);
  std::int64_t sum = 0;
  for (const auto w : nac.weights) sum += w;
  EXPECT_EQ(sum, bz.num_gr_points());
  EXPECT_GT(nac.size(), plain.size());
  for (const auto& t : nac.triplets) EXPECT_TRUE(sums_to_reciprocal_lattice_vector(t, bz));
  EXPECT_THROW(ia::get_grg_rotations_fixing_direction(bz, Eigen::Vector3d::Zero()), ph3mpi::Error);
}
