// fc3 tables built once per node and shared (driver/shared_interaction.hpp), run with 1,
// 2 and 4 ranks (all on one node here): the shared tables are the bytes every rank would
// build for itself, give the same bits, and exist once per node.
#include <gtest/gtest.h>

#include <complex>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "../unit/interaction/test_interaction_fixture.hpp"
#include "ph3mpi/driver/shared_interaction.hpp"
#include "ph3mpi/interaction/real_to_reciprocal.hpp"
#include "ph3mpi/io/force_constants.hpp"
#include "ph3mpi/parallel/context.hpp"

namespace {

using ph3mpi::interaction::RealToReciprocal;
using ph3mpi::parallel::Context;
using Complex = std::complex<double>;

std::vector<Complex> transform(const RealToReciprocal& r2r,
                               const std::vector<ph3mpi::interaction::Triplet>& triplets) {
  const std::size_t nb = r2r.num_band(), nb3 = nb * nb * nb;
  const auto q0s = r2r.prepare_q0s(triplets.data(), triplets.size());
  std::vector<Complex> out(triplets.size() * nb3);
  RealToReciprocal::Workspace ws;
  r2r.run(q0s, triplets.data(), triplets.size(), out.data(), ws);
  return out;
}

class SharedTables : public ::testing::TestWithParam<std::string> {};

TEST_P(SharedTables, EqualThePerRankTablesAndExistOncePerNode) {
  const Context ctx = Context::mpi_world();
  const auto& c = ph3mpi::interaction::testing::load_case(GetParam());
  const Context node = ctx.split_by_node().node;
  // Only node rank 0 reads fc3 in a run: the others pass no values.
  ph3mpi::interaction::Fc3View view = ph3mpi::driver::fc3_view(c.fc3);
  if (node.rank() != 0) {
    view.values = nullptr;
    view.nonzero_indices = nullptr;
  }
  const ph3mpi::driver::NodeSharedRealToReciprocal shared =
      ph3mpi::driver::make_node_shared_real_to_reciprocal(ctx, view, c.atoms, c.bz_grid);
  const RealToReciprocal own(c.fc3.fc, c.nonzero_indices(), c.atoms, c.bz_grid);

  // The same bytes as this rank's own build.
  const RealToReciprocal& r2r = shared.real_to_reciprocal;
  ASSERT_EQ(r2r.table_bytes(), own.table_bytes());
  EXPECT_NE(r2r.table_data(), own.table_data());
  EXPECT_EQ(std::memcmp(r2r.table_data(), own.table_data(), own.table_bytes()), 0) << "rank " << ctx.rank();
  // One copy per node: node rank 0 allocated the tables, the others nothing.
  EXPECT_TRUE(shared.is_shared);
  EXPECT_EQ(shared.bytes_allocated_here, node.rank() == 0 ? own.table_bytes() : 0);
  const auto allocated = static_cast<std::int64_t>(shared.bytes_allocated_here);
  EXPECT_EQ(node.sum(allocated), static_cast<std::int64_t>(own.table_bytes()));
  EXPECT_EQ(ctx.sum(allocated), static_cast<std::int64_t>(own.table_bytes()) * ctx.split_by_node().num_nodes);

  // The same bits out of the kernel.
  const auto& ref = ph3mpi::interaction::testing::load_grid_point(
      GetParam(), ph3mpi::interaction::testing::grid_points(GetParam())[0]);
  const std::vector<Complex> a = transform(r2r, ref.triplets);
  const std::vector<Complex> b = transform(own, ref.triplets);
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(Complex)), 0) << "rank " << ctx.rank();
  ctx.barrier();
}

INSTANTIATE_TEST_SUITE_P(Cases, SharedTables, ::testing::Values("si-pbesol", "aln-lda"),
                         [](const auto& param_info) {
                           return param_info.param == "si-pbesol" ? "si" : "aln";
                         });

TEST(SharedTables, Fc3IsReadByOneRankPerNode) {
  const Context ctx = Context::mpi_world();
  const auto split = ctx.split_by_node();
  EXPECT_EQ(ctx.sum(ph3mpi::driver::reads_fc3_values(ctx, true) ? 1 : 0), split.num_nodes);
  EXPECT_EQ(ctx.sum(ph3mpi::driver::reads_fc3_values(ctx, false) ? 1 : 0), ctx.size());
  EXPECT_TRUE(ph3mpi::driver::node_shared_fc3(nullptr));
  EXPECT_TRUE(ph3mpi::driver::node_shared_fc3("1"));
  EXPECT_FALSE(ph3mpi::driver::node_shared_fc3("0"));
  EXPECT_THROW(ph3mpi::driver::node_shared_fc3("yes"), ph3mpi::SettingsError);
}

// Without values, read_fc3 validates the file and keeps the shapes.
TEST(SharedTables, Fc3WithoutValuesKeepsTheShapes) {
  const auto& c = ph3mpi::interaction::testing::load_case("si-pbesol");
  const ph3mpi::io::ForceConstants meta = ph3mpi::io::read_fc3(
      ph3mpi::test::data_path("si-pbesol/fc3.hdf5"), c.supercell.num_atoms(), c.primitive.p2s_map, false);
  EXPECT_FALSE(meta.has_values);
  EXPECT_TRUE(meta.fc.data.empty());
  EXPECT_EQ(meta.fc.shape, c.fc3.fc.shape);
  EXPECT_EQ(meta.is_compact, c.fc3.is_compact);
  EXPECT_EQ(meta.has_nonzero_indices, c.fc3.has_nonzero_indices);
  // What node rank 0 does once the shared tables are built.
  ph3mpi::driver::Inputs inputs;
  inputs.fc3 = c.fc3;
  ph3mpi::driver::release_fc3_values(inputs);
  EXPECT_FALSE(inputs.fc3->has_values);
  EXPECT_EQ(inputs.fc3->fc.data.capacity(), 0u);
  EXPECT_EQ(inputs.fc3->fc.shape, c.fc3.fc.shape);
  EXPECT_EQ(ph3mpi::driver::fc3_view(*inputs.fc3).values, nullptr);
}

}  // namespace
