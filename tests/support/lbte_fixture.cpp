#include "lbte_fixture.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "ph3mpi/driver/grid_point_collision.hpp"
#include "ph3mpi/driver/grid_point_gamma.hpp"
#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/grid/ir_grid_points.hpp"
#include "ph3mpi/parallel/node_shared.hpp"
#include "ph3mpi/transport/rta_kappa.hpp"
#include "test_support.hpp"

namespace ph3mpi::test {

std::unique_ptr<LbteFixture> make_lbte_fixture(const parallel::Context& context,
                                               const LbteFixtureSpec& spec) {
  auto f = std::make_unique<LbteFixture>();
  // One config per rank (each rank reads its own copy; nothing is written there).
  const std::string dir = make_temp_dir("lbte_fixture_" + spec.crystal);
  const std::string config = (std::filesystem::path(dir) / "config.toml").string();
  std::ofstream(config) << "mode = \"lbte\"\n"
                        << "phono3py_yaml = \"" << data_path(spec.crystal + "/phono3py.yaml") << "\"\n"
                        << "fc2 = \"" << data_path(spec.crystal + "/fc2.hdf5") << "\"\n"
                        << "fc3 = \"" << data_path(spec.crystal + "/fc3.hdf5") << "\"\n"
                        << "read_phonon = \"" << data_path(spec.phonon_file) << "\"\n"
                        << "mesh = " << spec.mesh << "\n"
                        << "temperatures = " << spec.temperatures << "\n"
                        << "isotope = " << (spec.isotope ? "true" : "false") << "\n"
                        << "reducible_collision_matrix = " << (spec.reducible ? "true" : "false") << "\n";
  f->inputs = driver::load_inputs(config);
  std::filesystem::remove_all(dir);
  f->bz_grid = driver::make_bz_grid(f->inputs);
  const grid::IrGridPoints ir = grid::get_ir_grid_points(f->bz_grid);
  f->dynamical_matrix = driver::make_dynamical_matrix(f->inputs);
  f->phonons = std::make_unique<driver::BZPhonons>(context, f->inputs, f->bz_grid, *f->dynamical_matrix);
  const config::Settings& s = f->inputs.settings;
  f->group_velocity = std::make_unique<phonon::GroupVelocity>(
      *f->dynamical_matrix, f->inputs.primitive_symmetry.reciprocal_operations, f->inputs.symprec,
      std::nullopt, units::kDefaultToTHz, s.cutoff_frequency);
  const std::size_t nb = f->inputs.num_bands();
  f->layout = transport::make_lbte_layout(f->bz_grid, ir.ir_grid_points_bz, nb, spec.reducible, true);

  solvers::ConductivityProblem& p = f->problem;
  p.bz_grid = &f->bz_grid;
  p.grid_points = ir.ir_grid_points_bz;
  p.weights = ir.ir_weights;
  p.num_band = nb;
  p.frequencies = f->phonons->frequencies().ptr();
  p.group_velocity = f->group_velocity.get();
  p.temperatures = s.temperatures;
  p.cutoff_frequency = s.cutoff_frequency;
  p.kappa_unit_conversion = transport::kappa_unit_conversion(f->inputs.primitive.volume());
  p.isotope = s.isotope;

  const interaction::Interaction itr = driver::make_interaction(f->inputs, f->bz_grid);
  const std::vector<double> mass_variances =
      s.isotope ? driver::resolve_mass_variances(f->inputs) : std::vector<double>{};
  const interaction::PhononView view = f->phonons->view();
  const driver::GridPointCollision collision(s, itr, view, f->phonons->frequencies(), f->bz_grid, f->layout,
                                             common::TraceSink());
  const parallel::RowRange mine =
      parallel::node_row_range(p.grid_points.size(), context.rank(), context.size());
  for (std::size_t i = mine.begin; i < mine.end; ++i) {
    const std::int64_t gp = p.grid_points[i];
    NamedArrays result = collision.compute(gp, -1);
    if (s.isotope) {
      result.reals["gamma_isotope"] =
          driver::isotope_result(gp, s, mass_variances, view, f->bz_grid, common::TraceSink(), -1)
              .reals.at("gamma_isotope");
    }
    f->results.store(gp, std::move(result));
  }
  return f;
}

double scaled_deviation(const double* got, const double* ref, std::size_t n) {
  double scale = 0, diff = 0;
  for (std::size_t i = 0; i < n; ++i) {
    scale = std::max(scale, std::abs(ref[i]));
    diff = std::max(diff, std::abs(got[i] - ref[i]));
  }
  return scale > 0 ? diff / scale : diff;
}

}  // namespace ph3mpi::test
