// The RTA solver (phono3py's run_thermal_conductivity(is_LBTE=False) after the scattering
// stage): every rank takes a contiguous block of the irreducible grid points, reads their
// Gamma from the per-grid-point results, computes group velocities, heat capacities,
// gv_by_gv over the star and mode_kappa (transport/rta_kappa), and kappa is summed rank
// after rank in grid-point order (parallel::ordered_accumulate), so it is bit-identical at
// any rank count. The writer stores every rank's rows of kappa-m<mesh>[-s<sigma>].hdf5
// with collective parallel-HDF5 writes (one file per integration method). With
// transport_type the inter-band term replaces mode_kappa (solvers/interband_term.hpp). One
// rank is the serial case.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ph3mpi/common/trace.hpp"
#include "ph3mpi/parallel/context.hpp"
#include "ph3mpi/solvers/conductivity_problem.hpp"
#include "ph3mpi/solvers/grid_point_results.hpp"
#include "ph3mpi/solvers/kappa_output.hpp"
#include "ph3mpi/transport/interband_kappa.hpp"

namespace ph3mpi::solvers {

struct RtaOptions {
  std::vector<std::optional<double>> methods;  // nullopt = tetrahedron, then sigmas (THz)
  std::optional<double> sigma_cutoff;          // in units of sigma
  bool is_N_U = false;                         // results carry gamma_N / gamma_U
};

struct RtaMethodResult {
  NdArray<double> gamma, gamma_N, gamma_U;  // (T, count, nb) THz of this rank's rows
  NdArray<double> gamma_isotope;            // (count, nb) THz, with isotope
  NdArray<double> mode_kappa;               // (T, count, nb, 6) W/(m K)
  std::vector<double> kappa;                // (T * 6) W/(m K), whole grid, every rank
};

struct RtaSolution {
  GridPointRows rows;        // this rank's block
  NdArray<double> gv_by_gv;  // (count, nb, 6) (THz Angstrom)^2 (not with problem.interband)
  std::vector<RtaMethodResult> methods;
  // With problem.interband: kappa (the total), kappa_intra, kappa_inter (methods, T, 6);
  // methods[m].kappa is then the total, and mode_kappa is not formed (phono3py writes none).
  std::optional<transport::InterbandKappa> interband;
};

// Collective over `context`.
RtaSolution solve_rta(const parallel::Context& context, const ConductivityProblem& problem,
                      const RtaOptions& options, const GridPointResults& results,
                      const common::TraceSink& trace);

// Collective: writes one kappa file per method into output_dir (private temporary file,
// finite check, rename) and returns their paths.
std::vector<std::filesystem::path> write_rta_kappa_files(const parallel::Context& context,
                                                         const ConductivityProblem& problem,
                                                         const RtaOptions& options,
                                                         const RtaSolution& solution,
                                                         const std::filesystem::path& output_dir);

// "tetrahedron method" or "sigma=<s>"; tables are titled "with " + that, as phono3py does.
std::string rta_method_name(const std::optional<double>& sigma);
std::string rta_method_title(const std::optional<double>& sigma);

}  // namespace ph3mpi::solvers
