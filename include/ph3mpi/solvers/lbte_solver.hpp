// The LBTE solver of a run: for every temperature, assemble the collision matrix over all
// ranks (LbteSystem), take the RTA by-product, solve Omega Y = X with the direct or the CG
// solver (lbte_linear_solvers.hpp), and form f_vector, mode_kappa and kappa (transport/
// lbte_kappa). Temperatures <= 0 give zeros, as phono3py skips them. One rank is the serial
// case: the same code on a 1 x 1 BLACS grid (LAPACK instead of ScaLAPACK).
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "ph3mpi/common/trace.hpp"
#include "ph3mpi/parallel/blacs_grid.hpp"
#include "ph3mpi/solvers/lbte_linear_solvers.hpp"
#include "ph3mpi/solvers/lbte_system.hpp"
#include "ph3mpi/transport/interband_kappa.hpp"

namespace ph3mpi::solvers {

enum class LbteMethod { kDirect, kConjugateGradient };

struct LbteOptions {
  LbteMethod method = LbteMethod::kDirect;
  int block_size = 64;  // of the block-cyclic distribution
  DirectOptions direct;
  CgOptions cg;
};

struct LbteTemperatureResult {
  std::array<double, 6> kappa{}, kappa_RTA{};  // W/(m K), Voigt
  NdArray<double> mode_kappa_RTA, f_vector;    // (num matrix grid points, nb, 6 / 3)
  LbteLinearSolution solution;                 // eigenvalues (direct), iterations (cg)
  bool solved = false;                         // false for T <= 0
  double assembly_seconds = 0;                 // collision matrix from the rows (wall, this rank)
  double solver_seconds = 0;                   // direct or CG solve (wall, this rank)
};

// Collective. Progress lines (one per temperature: solver, eigenvalue or iteration
// figures) go to `log` (rank 0's stream; others pass a null stream).
std::vector<LbteTemperatureResult> solve_lbte(const parallel::BlacsGrid& blacs, const LbteSystem& system,
                                              const LbteOptions& options, const common::TraceSink& trace,
                                              std::ostream& log);

// Collective, with problem.interband: kappa_inter (and the total) from the Gamma (+ isotope)
// of the LBTE run, without boundary scattering as phono3py (solvers/interband_term.hpp).
transport::InterbandKappa lbte_interband_kappa(const parallel::Context& context, const LbteSystem& system);

// Collective; rank 0 writes kappa-m<mesh>[-s<sigma>].hdf5 in phono3py's LBTE layout (with
// the inter-band datasets when `interband` is given) and, with the direct solver,
// coleigs-m<mesh>[-s<sigma>].hdf5 (the collision eigenvalues). Returns the kappa file's path.
std::filesystem::path write_lbte_files(const parallel::Context& context, const LbteSystem& system,
                                       const std::vector<LbteTemperatureResult>& results,
                                       const std::optional<transport::InterbandKappa>& interband,
                                       std::optional<double> sigma, std::optional<double> sigma_cutoff,
                                       const std::filesystem::path& output_dir);

// phono3py's tables: LBTE, then RTA; with the inter-band term its K_intra / K_intra_RTA /
// K_inter / K_TOT table instead.
std::string lbte_kappa_tables(const std::vector<double>& temperatures,
                              const std::vector<LbteTemperatureResult>& results,
                              const std::optional<transport::InterbandKappa>& interband,
                              const std::string& title);

}  // namespace ph3mpi::solvers
