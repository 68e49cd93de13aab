// Collision-matrix rows (self_energy/collision_matrix.hpp) at the reference grid points,
// fed with phono3py's own triplets, interaction strength and collision weights
// (interaction_gp<N>.hdf5, triplets_gp<N>.hdf5) and phonons, against the rows of phono3py's
// assembled LBTE collision matrix (collision-lbte-*.hdf5, irreducible form) and its gamma
// (observed bit-identical with these inputs). The end-to-end rows of every grid point
// (ph3mpi's own interaction, both forms) are tested in tests/unit/transport/test_lbte_kappa.cpp
// and, through the solver, in tests/unit/solvers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "../interaction/reference_grid.hpp"
#include "ph3mpi/common/error.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/self_energy/collision_matrix.hpp"
#include "self_energy_reference.hpp"

namespace ph3mpi::self_energy {
namespace {

using testing::load_phonon_case;

struct RowCase {
  std::string name, mesh, collision_file;
  std::int64_t grid_point;
};

std::string label(const RowCase& c) { return c.name + "_gp" + std::to_string(c.grid_point); }

// Largest relative deviation over the elements above floor * max|reference|, and the
// largest absolute deviation over all elements.
struct Deviation {
  double max_relative = 0;
  double max_abs = 0;
  double scale = 0;
  std::size_t compared = 0;
};

Deviation compare(const double* got, const double* ref, std::size_t n, double floor) {
  Deviation d;
  for (std::size_t i = 0; i < n; ++i) d.scale = std::max(d.scale, std::abs(ref[i]));
  for (std::size_t i = 0; i < n; ++i) {
    const double diff = std::abs(got[i] - ref[i]);
    d.max_abs = std::isfinite(got[i]) ? std::max(d.max_abs, diff) : INFINITY;
    if (std::abs(ref[i]) <= floor * d.scale) continue;
    d.max_relative = std::max(d.max_relative, diff / std::abs(ref[i]));
    ++d.compared;
  }
  return d;
}

struct Inputs {
  grid::BZGrid bz_grid;  // phono3py's, with its GR-grid rotations
  interaction::TripletsAtQ tq;
  NdArray<double> pp;
  interaction::TripletIntegrationWeights weights;
  std::vector<std::int64_t> ir_grid_points;
};

Inputs load_inputs(const RowCase& c) {
  Inputs in;
  std::vector<grid::Matrix3l> rotations;
  in.bz_grid = test::load_reference_bz_grid(c.name, c.mesh, &rotations);
  in.bz_grid.grg_rotations = rotations;
  const std::string dir = c.name + "/reference/";
  const io::Hdf5File itr(test::data_path(dir + "interaction_gp" + std::to_string(c.grid_point) + ".hdf5"));
  const io::Hdf5File tp(test::data_path(dir + "triplets_gp" + std::to_string(c.grid_point) + ".hdf5"));
  const auto triplets = itr.read_int("triplets_at_q");
  for (std::size_t i = 0; i < triplets.shape[0]; ++i)
    in.tq.triplets.push_back({triplets[3 * i], triplets[3 * i + 1], triplets[3 * i + 2]});
  in.tq.weights = itr.read_int("weights").data;
  in.tq.map_triplets = tp.read_int("map_triplets").data;
  in.tq.map_q = tp.read_int("map_q").data;
  in.pp = itr.read_double("interaction_strength_full");
  in.weights.g = itr.read_double("g_collision_tetrahedron");
  const io::Hdf5File grid(test::data_path(dir + "grid.hdf5"));
  in.ir_grid_points = grid.read_int(c.mesh + "/ir_grid_points_bz").data;
  return in;
}

class CollisionRowReference : public ::testing::TestWithParam<RowCase> {};

TEST_P(CollisionRowReference, IrreducibleRowAndGammaMatchPhono3py) {
  const RowCase& c = GetParam();
  const auto& ph = load_phonon_case(c.name, c.mesh);
  const Inputs in = load_inputs(c);
  const std::size_t nb = ph.frequencies.shape[1];
  std::vector<std::int64_t> bands(nb);
  for (std::size_t b = 0; b < nb; ++b) bands[b] = static_cast<std::int64_t>(b);
  const CollisionSymmetry sym = make_collision_symmetry(in.bz_grid, in.ir_grid_points, true);
  const std::size_t nir = in.ir_grid_points.size();
  ASSERT_EQ(sym.num_grid_points(), nir);
  ASSERT_EQ(sym.num_rot, in.bz_grid.rotations_cartesian.size());

  const CollisionRows rows = collision_rows(c.grid_point, in.pp.ptr(), in.weights, in.tq, ph.phonons(), bands,
                                            {300.0}, 1e-4, in.bz_grid, &sym);
  ASSERT_EQ(rows.collision.shape, (std::vector<std::size_t>{1, nb, 3, nir, nb, 3}));

  const io::Hdf5File ref(test::data_path(c.name + "/reference/" + c.collision_file));
  const std::vector<std::int64_t> ref_gps = ref.read_int("grid_points").data;
  ASSERT_EQ(ref_gps, in.ir_grid_points);
  const auto it = std::find(ref_gps.begin(), ref_gps.end(), c.grid_point);
  ASSERT_NE(it, ref_gps.end());
  const auto i = static_cast<std::size_t>(it - ref_gps.begin());
  const NdArray<double> matrix = ref.read_double("collision_matrix");  // (1, 1, nir, nb, 3, nir, nb, 3)
  const NdArray<double> gamma = ref.read_double("gamma");              // (1, 1, nir, nb)
  const std::size_t row_size = nb * 3 * nir * nb * 3;
  // 1e-8 relative above 1e-10 of the largest element, rounding level (1e-13 of it)
  // everywhere; below 1e-10 sit near-cancelling rotation sums (reported at 1e-12).
  const Deviation d = compare(rows.collision.ptr(), matrix.ptr() + i * row_size, row_size, 1e-10);
  const Deviation d12 = compare(rows.collision.ptr(), matrix.ptr() + i * row_size, row_size, 1e-12);
  const Deviation dg = compare(rows.gamma.ptr(), gamma.ptr() + i * nb, nb, 1e-12);
  std::printf(
      "[%s] collision row: %zu of %zu elements above 1e-10 of max, max rel dev %.3e (above 1e-12: %.3e); "
      "max abs dev %.3e of max %.3e; gamma max rel dev %.3e\n",
      label(c).c_str(), d.compared, row_size, d.max_relative, d12.max_relative, d.max_abs / d.scale, d.scale,
      dg.max_relative);
  EXPECT_LE(d.max_relative, 1e-8);
  EXPECT_LE(d12.max_relative, 1e-5);
  EXPECT_LE(d.max_abs, 1e-13 * d.scale);
  EXPECT_GT(d.compared, row_size / 20);
  EXPECT_LE(dg.max_relative, 1e-8);
}

// The irreducible row is the reducible one summed over each star with the rotations.
TEST_P(CollisionRowReference, IrreducibleRowIsRotationSumOfReducibleRow) {
  const RowCase& c = GetParam();
  const auto& ph = load_phonon_case(c.name, c.mesh);
  const Inputs in = load_inputs(c);
  const std::size_t nb = ph.frequencies.shape[1];
  const std::size_t n = static_cast<std::size_t>(in.bz_grid.num_gr_points());
  const CollisionSymmetry sym = make_collision_symmetry(in.bz_grid, in.ir_grid_points, true);
  const std::size_t nir = sym.num_grid_points();
  const double* g2 = in.weights.g.ptr() + 2 * in.pp.size();
  std::vector<double> red(nb * n * nb), irr(nb * 3 * nir * nb * 3);
  reducible_collision_matrix_row(red.data(), in.pp.ptr(), g2, nb, in.tq, ph.phonons(), 300.0, 1e-4);
  collision_matrix_row(irr.data(), in.pp.ptr(), g2, nb, in.tq, ph.phonons(), sym, 300.0, 1e-4);
  double max_diff = 0, scale = 0;
  for (std::size_t j = 0; j < nb; ++j)
    for (std::size_t k = 0; k < nir; ++k)
      for (std::size_t l = 0; l < nb; ++l) {
        Eigen::Matrix3d expected = Eigen::Matrix3d::Zero();
        for (std::size_t r = 0; r < sym.num_rot; ++r)
          expected += red[(j * n + static_cast<std::size_t>(sym.rot_grid_point(k, r))) * nb + l] *
                      sym.rotations_cartesian[r];
        for (int a = 0; a < 3; ++a)
          for (int b = 0; b < 3; ++b) {
            const double got = irr[(((j * 3 + static_cast<std::size_t>(a)) * nir + k) * nb + l) * 3 +
                                   static_cast<std::size_t>(b)];
            max_diff = std::max(max_diff, std::abs(got - expected(a, b)));
            scale = std::max(scale, std::abs(expected(a, b)));
          }
      }
  EXPECT_GT(scale, 0.0);
  EXPECT_LE(max_diff, 1e-14 * scale);
}

TEST_P(CollisionRowReference, TemperaturesShareOneInteractionStrength) {
  const RowCase& c = GetParam();
  const auto& ph = load_phonon_case(c.name, c.mesh);
  const Inputs in = load_inputs(c);
  const std::size_t nb = ph.frequencies.shape[1];
  std::vector<std::int64_t> bands(nb);
  for (std::size_t b = 0; b < nb; ++b) bands[b] = static_cast<std::int64_t>(b);
  const CollisionSymmetry sym = make_collision_symmetry(in.bz_grid, in.ir_grid_points, true);
  const std::vector<double> temps = {0.0, 300.0, 700.0};
  const CollisionRows all = collision_rows(c.grid_point, in.pp.ptr(), in.weights, in.tq, ph.phonons(), bands,
                                           temps, 1e-4, in.bz_grid, &sym);
  const std::size_t row = all.collision.size() / temps.size();
  // T = 0: no collision rows (phono3py skips them), Gamma is the T = 0 one.
  for (std::size_t x = 0; x < row; ++x) ASSERT_EQ(all.collision[x], 0.0);
  for (std::size_t it = 1; it < temps.size(); ++it) {
    const CollisionRows one = collision_rows(c.grid_point, in.pp.ptr(), in.weights, in.tq, ph.phonons(),
                                             bands, {temps[it]}, 1e-4, in.bz_grid, &sym);
    for (std::size_t x = 0; x < row; ++x) ASSERT_EQ(all.collision[it * row + x], one.collision[x]);
    for (std::size_t b = 0; b < nb; ++b) ASSERT_EQ(all.gamma[it * nb + b], one.gamma[b]);
  }
  // Reducible rows of the same strength: (T, nb, N, nb).
  const CollisionRows red = collision_rows(c.grid_point, in.pp.ptr(), in.weights, in.tq, ph.phonons(), bands,
                                           temps, 1e-4, in.bz_grid, nullptr);
  EXPECT_EQ(red.collision.shape,
            (std::vector<std::size_t>{3, nb, static_cast<std::size_t>(in.bz_grid.num_gr_points()), nb}));
  EXPECT_EQ(red.gamma.data, all.gamma.data);
}

// The rows built from chunks of triplets (CollisionRowsBuilder, as the LBTE grid-point stage
// does within its memory budget) are the one-pass rows bit for bit, for several chunk sizes,
// both forms, several temperatures.
TEST_P(CollisionRowReference, ChunkedBuilderEqualsOnePass) {
  const RowCase& c = GetParam();
  const auto& ph = load_phonon_case(c.name, c.mesh);
  const Inputs in = load_inputs(c);
  const std::size_t nb = ph.frequencies.shape[1];
  const std::size_t n = in.tq.triplets.size();
  const std::size_t per = nb * nb * nb;
  std::vector<std::int64_t> bands(nb);
  for (std::size_t b = 0; b < nb; ++b) bands[b] = static_cast<std::int64_t>(b);
  const CollisionSymmetry sym = make_collision_symmetry(in.bz_grid, in.ir_grid_points, true);
  const std::vector<double> temps = {0.0, 300.0, 700.0};
  for (const CollisionSymmetry* symmetry : {&sym, static_cast<const CollisionSymmetry*>(nullptr)}) {
    const CollisionRows whole = collision_rows(c.grid_point, in.pp.ptr(), in.weights, in.tq, ph.phonons(),
                                               bands, temps, 1e-4, in.bz_grid, symmetry);
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{7}, n / 2 + 1}) {
      CollisionRowsBuilder builder(c.grid_point, in.tq, ph.phonons(), bands, temps, 1e-4, in.bz_grid,
                                   symmetry);
      for (std::size_t begin = 0; begin < n; begin += chunk) {
        const std::size_t count = std::min(chunk, n - begin);
        interaction::TripletIntegrationWeights w;
        w.g = NdArray<double>({3, count, nb, nb, nb});
        for (std::size_t k = 0; k < 3; ++k)
          std::copy_n(in.weights.g.ptr() + (k * n + begin) * per, count * per, w.g.ptr() + k * count * per);
        builder.add(begin, count, in.pp.ptr() + begin * per, w);
      }
      const CollisionRows rows = builder.finish();
      EXPECT_EQ(rows.collision.data, whole.collision.data) << "chunk " << chunk;
      EXPECT_EQ(rows.gamma.data, whole.gamma.data) << "chunk " << chunk;
    }
  }
  CollisionRowsBuilder out_of_order(c.grid_point, in.tq, ph.phonons(), bands, temps, 1e-4, in.bz_grid, &sym);
  interaction::TripletIntegrationWeights w;
  w.g = NdArray<double>({3, 1, nb, nb, nb});
  EXPECT_THROW(out_of_order.add(1, 1, in.pp.ptr() + per, w), Error);
  EXPECT_THROW(out_of_order.finish(), Error);
}

TEST_P(CollisionRowReference, RejectsTwoComponentWeights) {
  const RowCase& c = GetParam();
  const auto& ph = load_phonon_case(c.name, c.mesh);
  Inputs in = load_inputs(c);
  in.weights.g.shape[0] = 2;
  in.weights.g.data.resize(in.weights.g.size() / 3 * 2);
  std::vector<std::int64_t> bands(ph.frequencies.shape[1]);
  for (std::size_t b = 0; b < bands.size(); ++b) bands[b] = static_cast<std::int64_t>(b);
  EXPECT_THROW(collision_rows(c.grid_point, in.pp.ptr(), in.weights, in.tq, ph.phonons(), bands, {300.0},
                              1e-4, in.bz_grid, nullptr),
               Error);
}

INSTANTIATE_TEST_SUITE_P(ReferenceGridPoints, CollisionRowReference,
                         ::testing::Values(RowCase{"si-pbesol", "m999", "collision-lbte-m999.hdf5", 105},
                                           RowCase{"si-pbesol", "m999", "collision-lbte-m999.hdf5", 2},
                                           RowCase{"aln-lda", "m775", "collision-lbte-m775.hdf5", 64},
                                           RowCase{"aln-lda", "m775", "collision-lbte-m775.hdf5", 55}),
                         [](const auto& param_info) {
                           std::string s = label(param_info.param);
                           for (char& ch : s) ch = ch == '-' ? '_' : ch;
                           return s;
                         });

}  // namespace
}  // namespace ph3mpi::self_energy
