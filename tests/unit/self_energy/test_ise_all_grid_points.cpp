// End to end on the reference meshes: Gamma(300 K) on every irreducible grid point as
// phono3py's RTA computes it (kappa-rta-m999/m775.hdf5 'gamma'): ph3mpi's triplets and
// tetrahedron weights (interaction module) feeding the low-memory pp_collision, with
// phono3py's phonons. Covers grid points on the BZ surface, whose triplets start at
// several BZ images of q0, and the Gamma point.
#include <gtest/gtest.h>

#include "../interaction/reference_grid.hpp"
#include "../interaction/test_interaction_fixture.hpp"
#include "ph3mpi/interaction/integration_weights.hpp"
#include "ph3mpi/interaction/interaction.hpp"
#include "ph3mpi/interaction/triplets.hpp"
#include "ph3mpi/self_energy/pp_collision.hpp"

namespace ph3mpi::self_energy {
namespace {

using interaction::testing::load_case;
using interaction::testing::relative_deviation;

class GammaAllGridPoints : public ::testing::TestWithParam<std::string> {};

TEST_P(GammaAllGridPoints, LowMemoryTetrahedronMatchesKappaFile) {
  const std::string name = GetParam();
  const std::string mesh = interaction::testing::grid_group(name);
  const auto& c = load_case(name);
  const grid::BZGrid bz = test::load_reference_bz_grid(name, mesh);
  const interaction::Interaction itr(c.fc3.fc, c.nonzero_indices(), c.atoms, c.masses, bz);
  const io::Hdf5File kappa(test::data_path(name + "/reference/kappa-rta-" + mesh + ".hdf5"));
  const std::vector<std::int64_t> grid_points = kappa.read_int("grid_point").data;
  const NdArray<double> gamma_ref = kappa.read_double("gamma");  // (1 temperature, ir gps, bands)
  const std::vector<double> temperatures = kappa.read_double("temperature").data;
  ASSERT_EQ(temperatures.size(), 1u);
  const std::size_t nb = itr.num_band();

  std::vector<double> gamma(grid_points.size() * nb);
  std::size_t surface_points = 0;
  for (std::size_t i = 0; i < grid_points.size(); ++i) {
    const std::int64_t gp = grid_points[i];
    const interaction::TripletsAtQ tq = interaction::get_triplets_at_q(gp, bz);
    bool images = false;
    for (const auto& t : tq.triplets) images = images || t[0] != gp;
    surface_points += images ? 1 : 0;
    const std::vector<double> f0(c.frequencies.ptr() + gp * static_cast<std::int64_t>(nb),
                                 c.frequencies.ptr() + (gp + 1) * static_cast<std::int64_t>(nb));
    const TripletWeightsFunction weights = [&](std::size_t t, double* g, std::int8_t* g_zero) {
      interaction::set_triplets_integration_weights_tetrahedron(g, g_zero, 2, f0, {tq.triplets[t]},
                                                                c.frequencies, bz);
    };
    const ImagSelfEnergy r =
        pp_collision(itr, c.phonons(), gp, tq.triplets, tq.weights, temperatures, weights, bz);
    std::copy(r.gamma.ptr(), r.gamma.ptr() + nb, &gamma[i * nb]);
  }
  const auto d = relative_deviation(gamma.data(), gamma_ref.ptr(), gamma.size());
  std::printf(
      "[%s %s] Gamma(300 K) at %zu ir grid points (%zu with triplets at BZ images of q0): %zu values, "
      "max relative deviation %.3e\n",
      name.c_str(), mesh.c_str(), grid_points.size(), surface_points, d.compared, d.max_relative);
  EXPECT_LT(d.max_relative, 1e-8);
  EXPECT_GT(d.compared, gamma.size() * 9 / 10);
}

INSTANTIATE_TEST_SUITE_P(AllCases, GammaAllGridPoints,
                         ::testing::ValuesIn(interaction::testing::case_names()), [](const auto& param_info) {
                           std::string s = param_info.param;
                           for (char& ch : s) ch = ch == '-' ? '_' : ch;
                           return s;
                         });

}  // namespace
}  // namespace ph3mpi::self_energy
