// An LBTE problem set up the way mode "lbte" sets it up (inputs from a config, phonons read
// from a phono3py phonon file through driver::BZPhonons, rows through
// driver::GridPointCollision), for the solver tests at 1 rank (tests/unit/solvers) and at
// 2 and 4 ranks (tests/mpi). Only the grid points whose rows this rank's LbteSystem reads
// are computed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ph3mpi/driver/bz_phonons.hpp"
#include "ph3mpi/driver/inputs.hpp"
#include "ph3mpi/parallel/context.hpp"
#include "ph3mpi/phonon/group_velocity.hpp"
#include "ph3mpi/solvers/conductivity_problem.hpp"
#include "ph3mpi/solvers/grid_point_results.hpp"
#include "ph3mpi/transport/lbte_kappa.hpp"

namespace ph3mpi::test {

struct LbteFixtureSpec {
  std::string crystal;      // folder under tests/data
  std::string mesh;         // "[9, 9, 9]"
  std::string phonon_file;  // relative to tests/data
  std::string temperatures = "[300]";
  bool reducible = false;
  bool isotope = false;
};

struct LbteFixture {
  driver::Inputs inputs;
  grid::BZGrid bz_grid;
  std::unique_ptr<phonon::DynamicalMatrix> dynamical_matrix;
  std::unique_ptr<driver::BZPhonons> phonons;
  std::unique_ptr<phonon::GroupVelocity> group_velocity;
  solvers::ConductivityProblem problem;
  transport::LbteLayout layout;
  solvers::MemoryResults results;
};

// Collective over `context`.
std::unique_ptr<LbteFixture> make_lbte_fixture(const parallel::Context& context, const LbteFixtureSpec& spec);

// max |got - ref| / max |ref| over n values (0 when both are zero).
double scaled_deviation(const double* got, const double* ref, std::size_t n);

}  // namespace ph3mpi::test
